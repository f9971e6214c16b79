using static ClusterTrainer.Torch.torch;
using static ClusterTrainer.Torch.NNInterop;
using F = ClusterTrainer.Torch.torch.nn.functional;

namespace ClusterTrainer.Torch.Modules;

/// <summary>
/// Batch normalisation over the channel dim (dim 1), as torch.nn.BatchNorm*d. Parameters "weight" (ones) and
/// "bias" (zeros) when affine; buffers "running_mean", "running_var" and "num_batches_tracked" (int64) when
/// tracking running stats. Training mode normalises with the batch statistics and updates the running ones
/// (momentum, or a cumulative average when momentum is null); eval mode uses the running statistics.
/// </summary>
public abstract class BatchNorm : nn.Module<Tensor, Tensor>
{
    private readonly int[] _inputDims;
    public long num_features { get; }
    public double eps { get; }
    public double? momentum { get; }
    public bool affine { get; }
    public bool track_running_stats { get; }
    public Tensor? weight { get; }
    public Tensor? bias { get; }
    public Tensor? running_mean { get; }
    public Tensor? running_var { get; }
    public Tensor? num_batches_tracked { get; }

    protected BatchNorm(string name, int[] inputDims, long numFeatures, double eps, double? momentum, bool affine, bool trackRunningStats) : base(name)
    {
        if (numFeatures <= 0) throw new ArgumentOutOfRangeException(nameof(numFeatures), numFeatures, $"{name}: num_features must be positive.");
        _inputDims = inputDims;
        num_features = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        this.affine = affine;
        track_running_stats = trackRunningStats;
        if (affine)
        {
            weight = NewParameter(numFeatures);
            bias = NewParameter(numFeatures);
            nn.init.ones_(weight);
            nn.init.zeros_(bias);
        }
        register_parameter("weight", weight);
        register_parameter("bias", bias);
        if (trackRunningStats)
        {
            running_mean = Zeros([numFeatures]);
            running_var = Ones([numFeatures]);
            num_batches_tracked = Zeros([], ScalarType.Int64);
        }
        register_buffer("running_mean", running_mean);
        register_buffer("running_var", running_var);
        register_buffer("num_batches_tracked", num_batches_tracked);
    }

    public override Tensor forward(Tensor input)
    {
        if (!_inputDims.Contains((int)input.dim()))
            throw new ArgumentException($"{name}: expected {string.Join(" or ", _inputDims.Select(d => d + "-D"))} input, got shape [{string.Join(", ", input.shape)}].", nameof(input));
        double factor = momentum ?? 0.0;
        if (training && track_running_stats && num_batches_tracked is not null)
        {
            using (no_grad()) num_batches_tracked.add_(1);
            if (momentum is null) factor = 1.0 / num_batches_tracked.item<long>();
        }
        bool batchStats = training || (running_mean is null && running_var is null);
        bool passStats = !training || track_running_stats;
        return F.batch_norm(input, passStats ? running_mean : null, passStats ? running_var : null, weight, bias, batchStats, factor, eps);
    }
}

/// <summary>BatchNorm over (N, C) or (N, C, L) input.</summary>
public sealed class BatchNorm1d(long num_features, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool track_running_stats = true)
    : BatchNorm(nameof(BatchNorm1d), [2, 3], num_features, eps, momentum, affine, track_running_stats);

/// <summary>BatchNorm over (N, C, H, W) input.</summary>
public sealed class BatchNorm2d(long num_features, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool track_running_stats = true)
    : BatchNorm(nameof(BatchNorm2d), [4], num_features, eps, momentum, affine, track_running_stats);

/// <summary>Layer normalisation over the trailing normalized_shape dims; "weight" ones and "bias" zeros when affine.</summary>
public sealed class LayerNorm : nn.Module<Tensor, Tensor>
{
    public long[] normalized_shape { get; }
    public double eps { get; }
    public Tensor? weight { get; }
    public Tensor? bias { get; }

    public LayerNorm(long normalized_shape, double eps = 1e-5, bool elementwise_affine = true) : this([normalized_shape], eps, elementwise_affine) { }

    public LayerNorm(long[] normalized_shape, double eps = 1e-5, bool elementwise_affine = true) : base(nameof(LayerNorm))
    {
        if (normalized_shape.Length == 0 || normalized_shape.Any(d => d <= 0))
            throw new ArgumentException($"LayerNorm: normalized_shape must be non-empty and positive, got [{string.Join(", ", normalized_shape)}].", nameof(normalized_shape));
        this.normalized_shape = normalized_shape;
        this.eps = eps;
        if (elementwise_affine)
        {
            weight = NewParameter(normalized_shape);
            bias = NewParameter(normalized_shape);
            nn.init.ones_(weight);
            nn.init.zeros_(bias);
        }
        register_parameter("weight", weight);
        register_parameter("bias", bias);
    }

    public override Tensor forward(Tensor input) => F.layer_norm(input, normalized_shape, weight, bias, eps);
}
