using static ClusterTrainer.Torch.torch;
using static ClusterTrainer.Torch.NNInterop;
using F = ClusterTrainer.Torch.torch.nn.functional;

namespace ClusterTrainer.Torch.Modules;

/// <summary>
/// Multi-head attention as torch.nn.MultiheadAttention with kdim == vdim == embed_dim: parameters
/// "in_proj_weight" (3E, E), "in_proj_bias" (3E) and submodule "out_proj" (Linear E->E), PyTorch's init order
/// (out_proj's Linear init, then xavier_uniform_ on in_proj_weight and zero biases). Inputs are (L, N, E),
/// (N, L, E) with batch_first, or unbatched (L, E). key_padding_mask (N, S) and attn_mask (L, S) or (N*heads, L, S)
/// take bool (true = ignore) or float (added) values. forward returns (attn_output, attn_weights or null).
/// </summary>
public sealed unsafe class MultiheadAttention : nn.Module
{
    public long embed_dim { get; }
    public long num_heads { get; }
    public double dropout { get; }
    public bool batch_first { get; }
    public Tensor in_proj_weight { get; }
    public Tensor? in_proj_bias { get; }
    public Linear out_proj { get; }

    public MultiheadAttention(long embed_dim, long num_heads, double dropout = 0.0, bool bias = true, bool batch_first = false)
        : base(nameof(MultiheadAttention))
    {
        if (embed_dim <= 0 || num_heads <= 0) throw new ArgumentOutOfRangeException(nameof(num_heads), "MultiheadAttention: embed_dim and num_heads must be positive.");
        if (embed_dim % num_heads != 0)
            throw new ArgumentException($"MultiheadAttention: embed_dim ({embed_dim}) must be divisible by num_heads ({num_heads}).", nameof(num_heads));
        this.embed_dim = embed_dim;
        this.num_heads = num_heads;
        this.dropout = dropout;
        this.batch_first = batch_first;
        in_proj_weight = NewParameter(3 * embed_dim, embed_dim);
        register_parameter("in_proj_weight", in_proj_weight);
        in_proj_bias = bias ? NewParameter(3 * embed_dim) : null;
        register_parameter("in_proj_bias", in_proj_bias);
        out_proj = new Linear(embed_dim, embed_dim, bias);
        register_module("out_proj", out_proj);
        nn.init.xavier_uniform_(in_proj_weight);
        if (in_proj_bias is not null)
        {
            nn.init.constant_(in_proj_bias, 0.0);
            nn.init.constant_(out_proj.bias!, 0.0);
        }
    }

    public (Tensor attn_output, Tensor? attn_weights) forward(Tensor query, Tensor key, Tensor value, Tensor? key_padding_mask = null,
        bool need_weights = true, Tensor? attn_mask = null, bool average_attn_weights = true)
    {
        IntPtr output, weights;
        Check(NativeMethods.ct_nn_mha(H(query), H(key), H(value), num_heads, H(in_proj_weight), H(in_proj_bias), H(out_proj.weight),
            H(out_proj.bias), dropout, training ? 1 : 0, H(key_padding_mask), H(attn_mask), need_weights ? 1 : 0, average_attn_weights ? 1 : 0,
            batch_first ? 1 : 0, &output, &weights));
        GC.KeepAlive(query); GC.KeepAlive(key); GC.KeepAlive(value); GC.KeepAlive(key_padding_mask); GC.KeepAlive(attn_mask);
        return (W(output), WOpt(weights));
    }

    public (Tensor attn_output, Tensor? attn_weights) call(Tensor query, Tensor key, Tensor value, Tensor? key_padding_mask = null,
        bool need_weights = true, Tensor? attn_mask = null, bool average_attn_weights = true)
        => forward(query, key, value, key_padding_mask, need_weights, attn_mask, average_attn_weights);
}

/// <summary>
/// torch.nn.TransformerEncoderLayer: self-attention then a feed-forward block (linear1 -> activation -> dropout ->
/// linear2), each with residual, dropout and LayerNorm; norm_first puts the norms before the blocks.
/// Submodule names (self_attn, linear1, dropout, linear2, norm1, norm2, dropout1, dropout2) match PyTorch's.
/// </summary>
public sealed class TransformerEncoderLayer : nn.Module<Tensor, Tensor>
{
    public MultiheadAttention self_attn { get; }
    public Linear linear1 { get; }
    public Dropout dropout { get; }
    public Linear linear2 { get; }
    public LayerNorm norm1 { get; }
    public LayerNorm norm2 { get; }
    public Dropout dropout1 { get; }
    public Dropout dropout2 { get; }
    public bool norm_first { get; }
    public string activation { get; }

    public TransformerEncoderLayer(long d_model, long nhead, long dim_feedforward = 2048, double dropout = 0.1, string activation = "relu",
        double layer_norm_eps = 1e-5, bool batch_first = false, bool norm_first = false) : base(nameof(TransformerEncoderLayer))
    {
        if (activation is not ("relu" or "gelu"))
            throw new ArgumentException($"TransformerEncoderLayer: activation must be \"relu\" or \"gelu\", got \"{activation}\".", nameof(activation));
        this.activation = activation;
        this.norm_first = norm_first;
        self_attn = new MultiheadAttention(d_model, nhead, dropout, batch_first: batch_first);
        linear1 = new Linear(d_model, dim_feedforward);
        this.dropout = new Dropout(dropout);
        linear2 = new Linear(dim_feedforward, d_model);
        norm1 = new LayerNorm(d_model, layer_norm_eps);
        norm2 = new LayerNorm(d_model, layer_norm_eps);
        dropout1 = new Dropout(dropout);
        dropout2 = new Dropout(dropout);
        RegisterComponents();
    }

    public override Tensor forward(Tensor src) => forward(src, null, null);

    /// <summary>Runs the layer with an attention mask (L, L) and/or a key padding mask (N, L).</summary>
    public Tensor call(Tensor src, Tensor? src_mask, Tensor? src_key_padding_mask = null) => forward(src, src_mask, src_key_padding_mask);

    public Tensor forward(Tensor src, Tensor? src_mask, Tensor? src_key_padding_mask)
    {
        if (norm_first)
        {
            Tensor x1;
            using (var n1 = norm1.forward(src))
            using (var sa = SelfAttention(n1, src_mask, src_key_padding_mask))
                x1 = src + sa;
            using (x1)
            using (var n2 = norm2.forward(x1))
            using (var ff = FeedForward(n2))
                return x1 + ff;
        }
        Tensor y1;
        using (var sa = SelfAttention(src, src_mask, src_key_padding_mask))
        using (var r1 = src + sa)
            y1 = norm1.forward(r1);
        using (y1)
        using (var ff = FeedForward(y1))
        using (var r2 = y1 + ff)
            return norm2.forward(r2);
    }

    private Tensor SelfAttention(Tensor x, Tensor? mask, Tensor? keyPaddingMask)
    {
        var (attn, _) = self_attn.forward(x, x, x, keyPaddingMask, need_weights: false, attn_mask: mask);
        using (attn) return dropout1.forward(attn);
    }

    private Tensor FeedForward(Tensor x)
    {
        using var h = linear1.forward(x);
        using var a = activation == "relu" ? F.relu(h) : F.gelu(h);
        using var d = dropout.forward(a);
        using var o = linear2.forward(d);
        return dropout2.forward(o);
    }
}
