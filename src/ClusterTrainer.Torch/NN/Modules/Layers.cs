using static ClusterTrainer.Torch.torch;
using static ClusterTrainer.Torch.NNInterop;
using F = ClusterTrainer.Torch.torch.nn.functional;

namespace ClusterTrainer.Torch.Modules;

/// <summary>y = x Wᵀ + b. Parameters "weight" (out, in) and "bias" (out); PyTorch's default init.</summary>
public sealed class Linear : nn.Module<Tensor, Tensor>
{
    public Tensor weight { get; }
    public Tensor? bias { get; }
    public long in_features { get; }
    public long out_features { get; }

    public Linear(long in_features, long out_features, bool bias = true) : base(nameof(Linear))
    {
        if (in_features < 0 || out_features < 0)
            throw new ArgumentOutOfRangeException(nameof(in_features), $"Linear({in_features}, {out_features}): feature counts must be non-negative.");
        this.in_features = in_features;
        this.out_features = out_features;
        weight = NewParameter(out_features, in_features);
        register_parameter("weight", weight);
        this.bias = bias ? NewParameter(out_features) : null;
        register_parameter("bias", this.bias);
        nn.init.DefaultLinearInit(weight, this.bias);
    }

    public override Tensor forward(Tensor input) => F.linear(input, weight, bias);

    protected override string extra_repr() => $"in_features={in_features}, out_features={out_features}, bias={Py(bias is not null)}";
}

/// <summary>Shared by Conv1d/2d/3d: weight (out, in/groups, *kernel), bias (out). groups == in_channels with
/// out_channels a multiple of it is a depthwise convolution; follow it with a 1x1 conv for depthwise separable.</summary>
public abstract class ConvNd : nn.Module<Tensor, Tensor>
{
    private readonly int _dims;
    public Tensor weight { get; }
    /// <summary>"valid" or "same" when the padding was given as a string; null for numeric padding.</summary>
    public string? padding_mode_string { get; }
    public Tensor? bias { get; }
    public long[] stride { get; }
    public long[] padding { get; }
    public long[] dilation { get; }
    public long groups { get; }

    protected ConvNd(string name, int dims, long inChannels, long outChannels, long[] kernel, long[] stride, long[] padding, long[] dilation,
        long groups, bool bias) : base(name)
    {
        if (groups <= 0) throw new ArgumentOutOfRangeException(nameof(groups), groups, $"{name}: groups must be a positive integer.");
        if (inChannels % groups != 0)
            throw new ArgumentException($"{name}: in_channels ({inChannels}) must be divisible by groups ({groups}).", nameof(groups));
        if (outChannels % groups != 0)
            throw new ArgumentException($"{name}: out_channels ({outChannels}) must be divisible by groups ({groups}).", nameof(groups));
        foreach (var (what, v) in new[] { ("kernel_size", kernel), ("stride", stride), ("padding", padding), ("dilation", dilation) })
            if (v.Length != dims) throw new ArgumentException($"{name}: {what} needs {dims} values, got {v.Length}.", what);
        _dims = dims;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.groups = groups;
        weight = NewParameter([outChannels, inChannels / groups, .. kernel]);
        register_parameter("weight", weight);
        this.bias = bias ? NewParameter(outChannels) : null;
        register_parameter("bias", this.bias);
        nn.init.DefaultLinearInit(weight, this.bias);
    }

    /// <summary>String padding ("valid" or "same"), as PyTorch's Conv*d(padding="same").</summary>
    protected ConvNd(string name, int dims, long inChannels, long outChannels, long[] kernel, long[] stride, string padding, long[] dilation,
        long groups, bool bias) : this(name, dims, inChannels, outChannels, kernel, stride, new long[dims], dilation, groups, bias)
    {
        F.PaddingMode(padding);
        if (padding == "same" && stride.Any(s => s != 1))
            throw new ArgumentException($"{name}: padding=\"same\" is not supported for strided convolutions (stride [{string.Join(", ", stride)}]).", nameof(padding));
        padding_mode_string = padding;
    }

    public override Tensor forward(Tensor input) => padding_mode_string is { } mode
        ? F.conv(_dims, input, weight, bias, stride, mode, dilation, groups)
        : F.conv(_dims, input, weight, bias, stride, padding, dilation, groups);

    protected override string extra_repr()
    {
        var s = $"{weight.shape[1] * groups}, {weight.shape[0]}, kernel_size={Tuple(weight.shape[2..])}, stride={Tuple(stride)}";
        if (padding_mode_string is { } mode) s += $", padding={mode}";
        else if (padding.Any(p => p != 0)) s += $", padding={Tuple(padding)}";
        if (dilation.Any(d => d != 1)) s += $", dilation={Tuple(dilation)}";
        if (groups != 1) s += $", groups={groups}";
        return bias is null ? s + ", bias=False" : s;
    }

    protected static long[] Repeat(long v, int n) => Enumerable.Repeat(v, n).ToArray();
}

public sealed class Conv1d : ConvNd
{
    public Conv1d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0, long dilation = 1, long groups = 1, bool bias = true)
        : base(nameof(Conv1d), 1, in_channels, out_channels, [kernel_size], [stride], [padding], [dilation], groups, bias) { }

    public Conv1d(long in_channels, long out_channels, long kernel_size, string padding, long stride = 1, long dilation = 1, long groups = 1, bool bias = true)
        : base(nameof(Conv1d), 1, in_channels, out_channels, [kernel_size], [stride], padding, [dilation], groups, bias) { }
}

public sealed class Conv2d : ConvNd
{
    public Conv2d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0, long dilation = 1, long groups = 1, bool bias = true)
        : base(nameof(Conv2d), 2, in_channels, out_channels, Repeat(kernel_size, 2), Repeat(stride, 2), Repeat(padding, 2), Repeat(dilation, 2), groups, bias) { }

    public Conv2d(long in_channels, long out_channels, long[] kernel_size, long[]? stride = null, long[]? padding = null, long[]? dilation = null, long groups = 1, bool bias = true)
        : base(nameof(Conv2d), 2, in_channels, out_channels, kernel_size, stride ?? [1, 1], padding ?? [0, 0], dilation ?? [1, 1], groups, bias) { }

    /// <summary>Conv2d with padding "same" or "valid".</summary>
    public Conv2d(long in_channels, long out_channels, long[] kernel_size, string padding, long[]? stride = null, long[]? dilation = null, long groups = 1, bool bias = true)
        : base(nameof(Conv2d), 2, in_channels, out_channels, kernel_size, stride ?? [1, 1], padding, dilation ?? [1, 1], groups, bias) { }
}

public sealed class Conv3d : ConvNd
{
    public Conv3d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0, long dilation = 1, long groups = 1, bool bias = true)
        : base(nameof(Conv3d), 3, in_channels, out_channels, Repeat(kernel_size, 3), Repeat(stride, 3), Repeat(padding, 3), Repeat(dilation, 3), groups, bias) { }

    public Conv3d(long in_channels, long out_channels, long[] kernel_size, long[]? stride = null, long[]? padding = null, long[]? dilation = null, long groups = 1, bool bias = true)
        : base(nameof(Conv3d), 3, in_channels, out_channels, kernel_size, stride ?? [1, 1, 1], padding ?? [0, 0, 0], dilation ?? [1, 1, 1], groups, bias) { }
}

public sealed class MaxPool1d(long kernel_size, long? stride = null, long padding = 0, long dilation = 1, bool ceil_mode = false)
    : nn.Module<Tensor, Tensor>(nameof(MaxPool1d))
{
    public override Tensor forward(Tensor input) => F.max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode);
}

public sealed class MaxPool2d(long[] kernel_size, long[]? stride = null, long[]? padding = null, long[]? dilation = null, bool ceil_mode = false)
    : nn.Module<Tensor, Tensor>(nameof(MaxPool2d))
{
    public MaxPool2d(long kernel_size, long? stride = null, long padding = 0, long dilation = 1, bool ceil_mode = false)
        : this([kernel_size, kernel_size], stride is long s ? [s, s] : null, [padding, padding], [dilation, dilation], ceil_mode) { }

    public override Tensor forward(Tensor input) => F.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode);

    protected override string extra_repr() =>
        $"kernel_size={Pair(kernel_size)}, stride={Pair(stride ?? kernel_size)}, padding={Pair(padding ?? [0, 0])}, dilation={Pair(dilation ?? [1, 1])}, ceil_mode={Py(ceil_mode)}";

    private static string Pair(long[] v) => v[0] == v[1] ? v[0].ToString(System.Globalization.CultureInfo.InvariantCulture) : Tuple(v);
}

public sealed class AvgPool1d(long kernel_size, long? stride = null, long padding = 0, bool ceil_mode = false, bool count_include_pad = true)
    : nn.Module<Tensor, Tensor>(nameof(AvgPool1d))
{
    public override Tensor forward(Tensor input) => F.avg_pool1d(input, kernel_size, stride, padding, ceil_mode, count_include_pad);
}

public sealed class AvgPool2d(long[] kernel_size, long[]? stride = null, long[]? padding = null, bool ceil_mode = false, bool count_include_pad = true)
    : nn.Module<Tensor, Tensor>(nameof(AvgPool2d))
{
    public AvgPool2d(long kernel_size, long? stride = null, long padding = 0, bool ceil_mode = false, bool count_include_pad = true)
        : this([kernel_size, kernel_size], stride is long s ? [s, s] : null, [padding, padding], ceil_mode, count_include_pad) { }

    public override Tensor forward(Tensor input) => F.avg_pool2d(input, kernel_size, stride, padding, ceil_mode, count_include_pad);
}

/// <summary>Zeroes elements with probability p in training mode (scaling the rest by 1/(1-p)); identity in eval mode.</summary>
public sealed class Dropout : nn.Module<Tensor, Tensor>
{
    public double p { get; }

    public Dropout(double p = 0.5) : base(nameof(Dropout))
    {
        if (p < 0 || p > 1) throw new ArgumentOutOfRangeException(nameof(p), p, "Dropout probability has to be between 0 and 1.");
        this.p = p;
    }

    public override Tensor forward(Tensor input) => F.dropout(input, p, training);

    protected override string extra_repr() => $"p={Py(p)}, inplace=False";
}

/// <summary>Flattens dims start_dim..end_dim (default: all but the batch dim).</summary>
public sealed class Flatten(long start_dim = 1, long end_dim = -1) : nn.Module<Tensor, Tensor>(nameof(Flatten))
{
    public override Tensor forward(Tensor input) => F.flatten(input, start_dim, end_dim);

    protected override string extra_repr() => $"start_dim={start_dim}, end_dim={end_dim}";
}

/// <summary>A lookup table: "weight" (num_embeddings, embedding_dim) from N(0, 1); the padding_idx row starts at zero
/// and gets no gradient.</summary>
public sealed class Embedding : nn.Module<Tensor, Tensor>
{
    public Tensor weight { get; }
    public long? padding_idx { get; }

    public Embedding(long num_embeddings, long embedding_dim, long? padding_idx = null) : base(nameof(Embedding))
    {
        if (padding_idx is long pi)
        {
            if (pi >= num_embeddings || pi < -num_embeddings)
                throw new ArgumentOutOfRangeException(nameof(padding_idx), pi, $"Embedding: padding_idx must be within num_embeddings ({num_embeddings}).");
            this.padding_idx = pi < 0 ? pi + num_embeddings : pi;
        }
        weight = NewParameter(num_embeddings, embedding_dim);
        register_parameter("weight", weight);
        nn.init.normal_(weight);
        if (this.padding_idx is long row) Check(NativeMethods.ct_nn_init_(H(weight), 3, row, 0.0));
    }

    public override Tensor forward(Tensor input) => F.embedding(input, weight, padding_idx);
}
