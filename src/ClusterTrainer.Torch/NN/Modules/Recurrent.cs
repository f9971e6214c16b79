using static ClusterTrainer.Torch.torch;
using static ClusterTrainer.Torch.NNInterop;

namespace ClusterTrainer.Torch.Modules;

/// <summary>
/// Shared by RNN, LSTM and GRU: PyTorch's parameter layout and names (weight_ih_l{k}, weight_hh_l{k},
/// bias_ih_l{k}, bias_hh_l{k}, with the "_reverse" suffix for the backward direction), PyTorch's init
/// (every parameter uniform in +-1/sqrt(hidden_size), in registration order), and one fused ATen call
/// (at::lstm / at::gru / at::rnn_tanh / at::rnn_relu) over the flat weight list, as torch does.
/// Input is (L, N, H_in), or (N, L, H_in) with batch_first, or unbatched (L, H_in).
/// </summary>
public abstract unsafe class RNNBase : nn.Module
{
    private readonly int _mode; // 0 RNN tanh, 1 RNN relu, 2 LSTM, 3 GRU (ct_nn_rnn)
    private readonly List<Tensor> _flatWeights = new();

    public long input_size { get; }
    public long hidden_size { get; }
    public long num_layers { get; }
    public bool bias { get; }
    public bool batch_first { get; }
    public double dropout { get; }
    public bool bidirectional { get; }

    private protected RNNBase(string name, int mode, long gates, long inputSize, long hiddenSize, long numLayers, bool bias, bool batchFirst,
        double dropout, bool bidirectional) : base(name)
    {
        if (inputSize <= 0 || hiddenSize <= 0) throw new ArgumentOutOfRangeException(nameof(hiddenSize), $"{name}: input_size and hidden_size must be positive.");
        if (numLayers < 1) throw new ArgumentOutOfRangeException(nameof(numLayers), numLayers, $"{name}: num_layers must be at least 1.");
        if (dropout < 0 || dropout > 1) throw new ArgumentOutOfRangeException(nameof(dropout), dropout, $"{name}: dropout must be in [0, 1].");
        _mode = mode;
        input_size = inputSize;
        hidden_size = hiddenSize;
        num_layers = numLayers;
        this.bias = bias;
        batch_first = batchFirst;
        this.dropout = dropout;
        this.bidirectional = bidirectional;
        int directions = bidirectional ? 2 : 1;
        long gateSize = gates * hiddenSize;
        for (long layer = 0; layer < numLayers; layer++)
        {
            for (int dir = 0; dir < directions; dir++)
            {
                long layerInput = layer == 0 ? inputSize : hiddenSize * directions;
                string suffix = $"_l{layer}" + (dir == 1 ? "_reverse" : "");
                Add("weight_ih" + suffix, NewParameter(gateSize, layerInput));
                Add("weight_hh" + suffix, NewParameter(gateSize, hiddenSize));
                if (!bias) continue;
                Add("bias_ih" + suffix, NewParameter(gateSize));
                Add("bias_hh" + suffix, NewParameter(gateSize));
            }
        }
        double stdv = 1.0 / Math.Sqrt(hiddenSize);
        foreach (var w in _flatWeights) nn.init.uniform_(w, -stdv, stdv);
    }

    private void Add(string name, Tensor p)
    {
        register_parameter(name, p);
        _flatWeights.Add(p);
    }

    private long Directions => bidirectional ? 2 : 1;

    /// <summary>Runs the fused kernel; returns (output, h_n, c_n or null).</summary>
    private protected (Tensor output, Tensor h, Tensor? c) Run(Tensor input, Tensor? h0, Tensor? c0)
    {
        long dims = input.dim();
        if (dims != 2 && dims != 3)
            throw new ArgumentException($"{name}: expected a 3-D (batched) or 2-D (unbatched) input, got shape [{string.Join(", ", input.shape)}].", nameof(input));
        if (input.shape[^1] != input_size)
            throw new ArgumentException($"{name}: input.size(-1) must equal input_size ({input_size}), got shape [{string.Join(", ", input.shape)}].", nameof(input));
        bool batched = dims == 3;
        long batchDim = batch_first ? 0 : 1;
        var owned = new List<Tensor>();
        try
        {
            var x = input;
            if (!batched) owned.Add(x = input.unsqueeze(batchDim));
            long batch = x.shape[batchDim];
            long[] stateShape = [num_layers * Directions, batch, hidden_size];
            var h = h0 is null ? Own(owned, Zeros(stateShape, input.dtype)) : batched ? h0 : Own(owned, h0.unsqueeze(1));
            var c = _mode != 2 ? null : c0 is null ? Own(owned, Zeros(stateShape, input.dtype)) : batched ? c0 : Own(owned, c0.unsqueeze(1));
            CheckState("hx", h, stateShape);
            if (c is not null) CheckState("cx", c, stateShape);

            var handles = _flatWeights.Select(H).ToArray();
            IntPtr outHandle, hHandle, cHandle;
            fixed (IntPtr* ps = handles)
            {
                Check(NativeMethods.ct_nn_rnn(_mode, H(x), H(h), H(c), ps, handles.Length, bias ? 1 : 0, num_layers, dropout, training ? 1 : 0,
                    bidirectional ? 1 : 0, batch_first ? 1 : 0, &outHandle, &hHandle, &cHandle));
            }
            GC.KeepAlive(_flatWeights);
            Tensor output = W(outHandle), hn = W(hHandle);
            Tensor? cn = WOpt(cHandle);
            if (batched) return (output, hn, cn);
            using (output) using (hn) using (cn)
                return (output.squeeze(batchDim), hn.squeeze(1), cn?.squeeze(1));
        }
        finally
        {
            foreach (var t in owned) t.Dispose();
        }
    }

    private static Tensor Own(List<Tensor> owned, Tensor t)
    {
        owned.Add(t);
        return t;
    }

    private void CheckState(string what, Tensor state, long[] expected)
    {
        if (!state.shape.SequenceEqual(expected))
            throw new ArgumentException($"{name}: expected {what} of shape [{string.Join(", ", expected)}] (num_layers * num_directions, batch, hidden_size), got [{string.Join(", ", state.shape)}].");
    }
}

/// <summary>Elman RNN; nonlinearity "tanh" (default) or "relu". forward returns (output, h_n).</summary>
public sealed class RNN(long input_size, long hidden_size, long num_layers = 1, string nonlinearity = "tanh", bool bias = true,
    bool batch_first = false, double dropout = 0.0, bool bidirectional = false)
    : RNNBase(nameof(RNN), ModeOf(nonlinearity), 1, input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional)
{
    public (Tensor output, Tensor h_n) forward(Tensor input, Tensor? h0 = null)
    {
        var (o, h, _) = Run(input, h0, null);
        return (o, h);
    }

    public (Tensor output, Tensor h_n) call(Tensor input, Tensor? h0 = null) => forward(input, h0);

    private static int ModeOf(string nonlinearity) => nonlinearity switch
    {
        "tanh" => 0,
        "relu" => 1,
        _ => throw new ArgumentException($"RNN: unknown nonlinearity '{nonlinearity}'; use \"tanh\" or \"relu\".", nameof(nonlinearity)),
    };
}

/// <summary>LSTM. forward returns (output, (h_n, c_n)); pass (h0, c0) to start from a state.</summary>
public sealed class LSTM(long input_size, long hidden_size, long num_layers = 1, bool bias = true, bool batch_first = false,
    double dropout = 0.0, bool bidirectional = false)
    : RNNBase(nameof(LSTM), 2, 4, input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional)
{
    public (Tensor output, (Tensor h_n, Tensor c_n) state) forward(Tensor input, (Tensor h0, Tensor c0)? state = null)
    {
        var (o, h, c) = Run(input, state?.h0, state?.c0);
        return (o, (h, c!));
    }

    public (Tensor output, (Tensor h_n, Tensor c_n) state) call(Tensor input, (Tensor h0, Tensor c0)? state = null) => forward(input, state);
}

/// <summary>GRU. forward returns (output, h_n).</summary>
public sealed class GRU(long input_size, long hidden_size, long num_layers = 1, bool bias = true, bool batch_first = false,
    double dropout = 0.0, bool bidirectional = false)
    : RNNBase(nameof(GRU), 3, 3, input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional)
{
    public (Tensor output, Tensor h_n) forward(Tensor input, Tensor? h0 = null)
    {
        var (o, h, _) = Run(input, h0, null);
        return (o, h);
    }

    public (Tensor output, Tensor h_n) call(Tensor input, Tensor? h0 = null) => forward(input, h0);
}
