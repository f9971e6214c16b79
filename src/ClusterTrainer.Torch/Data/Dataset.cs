namespace ClusterTrainer.Torch.Data;

/// <summary>
/// A map-style dataset whose samples live in contiguous memory. Unlike PyTorch's
/// <c>Dataset.__getitem__</c>, a batch is gathered straight into a caller's buffer
/// (<see cref="GatherInputs"/>, <see cref="GatherTargets"/>), so no per-sample tensor or array is ever
/// created; the <see cref="DataLoader"/> turns the filled buffers into one tensor per batch.
/// </summary>
public abstract class Dataset
{
    /// <summary>Number of samples.</summary>
    public abstract int Count { get; }

    /// <summary>Shape of one input sample, e.g. [1, 28, 28].</summary>
    public abstract int[] SampleShape { get; }

    /// <summary>Shape of one target: [] for a class label, e.g. [1] for a regression value.</summary>
    public abstract int[] TargetShape { get; }

    /// <summary>True when targets are int64 class labels, false when they are float32 values.</summary>
    public abstract bool HasClassLabels { get; }

    /// <summary>Class labels (only when <see cref="HasClassLabels"/>); used by the class-balanced samplers.</summary>
    public abstract ReadOnlySpan<long> Labels { get; }

    public int SampleSize => SampleShape.Aggregate(1, (a, d) => a * d);
    public int TargetSize => TargetShape.Aggregate(1, (a, d) => a * d);

    /// <summary>Copies the inputs of <paramref name="indices"/> one after another into <paramref name="destination"/>.</summary>
    public abstract void GatherInputs(ReadOnlySpan<int> indices, Span<float> destination);

    /// <summary>Copies class labels of <paramref name="indices"/> (classification datasets).</summary>
    public abstract void GatherTargets(ReadOnlySpan<int> indices, Span<long> destination);

    /// <summary>Copies float targets of <paramref name="indices"/> (regression datasets).</summary>
    public abstract void GatherTargets(ReadOnlySpan<int> indices, Span<float> destination);
}

/// <summary>
/// A dataset over two flat arrays: inputs (Count × SampleSize float32) and targets, either int64 class
/// labels or float32 values (Count × TargetSize). The arrays are owned by the dataset; transforms such
/// as <see cref="Standardizer"/> work on them in place.
/// </summary>
public sealed class TensorDataset : Dataset
{
    private readonly int[] _sampleShape;
    private readonly int[] _targetShape;

    public float[] Inputs { get; }
    public long[]? ClassLabels { get; }
    public float[]? Values { get; }

    /// <summary>A classification dataset: one int64 label per sample.</summary>
    public TensorDataset(float[] inputs, int[] sampleShape, long[] labels)
    {
        _sampleShape = CheckShape(sampleShape, nameof(sampleShape));
        _targetShape = [];
        Inputs = inputs ?? throw new ArgumentNullException(nameof(inputs));
        ClassLabels = labels ?? throw new ArgumentNullException(nameof(labels));
        if (inputs.Length != labels.LongLength * SampleSize)
            throw new ArgumentException($"inputs hold {inputs.Length} floats but {labels.Length} labels × sample shape " +
                                        $"[{string.Join(", ", sampleShape)}] needs {labels.LongLength * SampleSize}.", nameof(inputs));
    }

    /// <summary>A regression dataset: a float32 target of <paramref name="targetShape"/> per sample.</summary>
    public TensorDataset(float[] inputs, int[] sampleShape, float[] targets, int[] targetShape)
    {
        _sampleShape = CheckShape(sampleShape, nameof(sampleShape));
        _targetShape = CheckShape(targetShape, nameof(targetShape));
        Inputs = inputs ?? throw new ArgumentNullException(nameof(inputs));
        Values = targets ?? throw new ArgumentNullException(nameof(targets));
        if (SampleSize == 0 || inputs.Length % SampleSize != 0)
            throw new ArgumentException($"inputs hold {inputs.Length} floats, not a multiple of the sample size {SampleSize}.", nameof(inputs));
        long n = inputs.Length / SampleSize;
        if (targets.LongLength != n * TargetSize)
            throw new ArgumentException($"{n} samples need {n * TargetSize} target floats (target shape " +
                                        $"[{string.Join(", ", targetShape)}]) but {targets.Length} were given.", nameof(targets));
    }

    public override int Count => ClassLabels?.Length ?? Inputs.Length / SampleSize;
    public override int[] SampleShape => _sampleShape;
    public override int[] TargetShape => _targetShape;
    public override bool HasClassLabels => ClassLabels is not null;

    public override ReadOnlySpan<long> Labels => ClassLabels ??
        throw new InvalidOperationException("this dataset has float targets, not class labels; class-balanced sampling needs labels.");

    /// <summary>Input of one sample as a span over the dataset's own memory.</summary>
    public Span<float> Input(int index) => Inputs.AsSpan(checked(index * SampleSize), SampleSize);

    public override void GatherInputs(ReadOnlySpan<int> indices, Span<float> destination)
    {
        int size = SampleSize;
        CheckDestination(indices.Length * size, destination.Length, "inputs");
        for (int i = 0; i < indices.Length; i++)
            Inputs.AsSpan(CheckIndex(indices[i]) * size, size).CopyTo(destination.Slice(i * size, size));
    }

    public override void GatherTargets(ReadOnlySpan<int> indices, Span<long> destination)
    {
        var labels = ClassLabels ?? throw new InvalidOperationException("this dataset has float targets; gather them into a Span<float>.");
        CheckDestination(indices.Length, destination.Length, "labels");
        for (int i = 0; i < indices.Length; i++) destination[i] = labels[CheckIndex(indices[i])];
    }

    public override void GatherTargets(ReadOnlySpan<int> indices, Span<float> destination)
    {
        var values = Values ?? throw new InvalidOperationException("this dataset has class labels; gather them into a Span<long>.");
        int size = TargetSize;
        CheckDestination(indices.Length * size, destination.Length, "targets");
        for (int i = 0; i < indices.Length; i++)
            values.AsSpan(CheckIndex(indices[i]) * size, size).CopyTo(destination.Slice(i * size, size));
    }

    /// <summary>A new dataset holding copies of the given samples, in the given order.</summary>
    public TensorDataset Subset(ReadOnlySpan<int> indices)
    {
        var inputs = new float[(long)indices.Length * SampleSize];
        GatherInputs(indices, inputs);
        if (ClassLabels is not null)
        {
            var labels = new long[indices.Length];
            GatherTargets(indices, labels);
            return new TensorDataset(inputs, _sampleShape, labels);
        }
        var targets = new float[(long)indices.Length * TargetSize];
        GatherTargets(indices, targets);
        return new TensorDataset(inputs, _sampleShape, targets, _targetShape);
    }

    private int CheckIndex(int index) => (uint)index < (uint)Count
        ? index
        : throw new ArgumentOutOfRangeException(nameof(index), index, $"sample index outside the dataset of {Count} samples");

    private static void CheckDestination(long need, int have, string what)
    {
        if (have < need) throw new ArgumentException($"destination for {what} holds {have} elements; the batch needs {need}.");
    }

    private static int[] CheckShape(int[] shape, string name)
    {
        ArgumentNullException.ThrowIfNull(shape, name);
        if (shape.Any(d => d <= 0))
            throw new ArgumentException($"{name} [{string.Join(", ", shape)}] has a non-positive dimension.", name);
        return (int[])shape.Clone();
    }
}
