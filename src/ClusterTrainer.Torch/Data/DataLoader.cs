using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Torch.Data;

/// <summary>
/// Yields (input, target) mini-batches of a <see cref="Dataset"/> as PyTorch's DataLoader does:
/// batch size, deterministic shuffle per (seed, epoch), drop_last, an optional sampler for
/// over/under-sampling and optional image augmentation. Each batch tensor is allocated once and the
/// samples are gathered straight into its contiguous memory — no per-sample tensors, no staging copy.
/// The caller owns the yielded tensors (dispose them, or let a dispose scope collect them).
/// <para>
/// The batch order of an epoch is an <see cref="EpochPlan"/>; <see cref="Plan"/> exposes it so a
/// distributed worker can load only its part (<see cref="LoadBatch(EpochPlan,int,int,int)"/>).
/// </para>
/// </summary>
public sealed class DataLoader
{
    public Dataset Dataset { get; }
    public int BatchSize { get; }
    public bool Shuffle { get; }
    public bool DropLast { get; }
    public ulong Seed { get; }
    public ISampler Sampler { get; }
    public ImageAugmentation? Augmentation { get; }

    public DataLoader(Dataset dataset, int batchSize, bool shuffle = false, ulong seed = 0, bool dropLast = false,
                      ISampler? sampler = null, ImageAugmentation? augmentation = null)
    {
        Dataset = dataset ?? throw new ArgumentNullException(nameof(dataset));
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "the batch size must be at least 1");
        if (sampler is not null && shuffle)
            throw new ArgumentException("give either shuffle: true or a sampler, not both (as PyTorch's DataLoader); the sampler decides the order.");
        if (dataset.Count == 0) throw new ArgumentException("the dataset is empty.", nameof(dataset));
        BatchSize = batchSize;
        Shuffle = shuffle;
        DropLast = dropLast;
        Seed = seed;
        Sampler = sampler ?? (shuffle ? RandomSampler.Instance : SequentialSampler.Instance);
        Augmentation = augmentation;
    }

    /// <summary>The epoch's batches as index lists; the same on every node for the same (seed, epoch).</summary>
    public EpochPlan Plan(int epoch) => EpochPlan.Create(Dataset, BatchSize, Seed, epoch, Sampler, DropLast);

    /// <summary>Number of batches per epoch (for the default samplers; a resampling sampler may differ).</summary>
    public int BatchesPerEpoch => Plan(0).BatchCount;

    /// <summary>All batches of one epoch, in plan order.</summary>
    public IEnumerable<(Tensor Input, Tensor Target)> Epoch(int epoch)
    {
        var plan = Plan(epoch);
        for (int b = 0; b < plan.BatchCount; b++) yield return LoadBatch(plan, b);
    }

    /// <summary>Loads batch <paramref name="batch"/> of <paramref name="plan"/>.</summary>
    public (Tensor Input, Tensor Target) LoadBatch(EpochPlan plan, int batch) => Load(plan.Batch(batch), plan.Epoch);

    /// <summary>Loads worker <paramref name="rank"/>'s share of batch <paramref name="batch"/> (synchronous data parallelism).</summary>
    public (Tensor Input, Tensor Target) LoadBatch(EpochPlan plan, int batch, int rank, int worldSize) =>
        Load(plan.BatchShard(batch, rank, worldSize), plan.Epoch);

    /// <summary>Gathers the given samples into a new (input, target) pair of tensors.</summary>
    public (Tensor Input, Tensor Target) Load(ReadOnlySpan<int> indices, int epoch)
    {
        var inputShape = new long[Dataset.SampleShape.Length + 1];
        inputShape[0] = indices.Length;
        for (int i = 0; i < Dataset.SampleShape.Length; i++) inputShape[i + 1] = Dataset.SampleShape[i];
        var input = empty(inputShape, ScalarType.Float32);
        Tensor? target = null;
        try
        {
            var inputs = input.data<float>();
            Dataset.GatherInputs(indices, inputs);
            Augmentation?.ApplyToBatch(inputs, indices, Dataset.SampleShape, Seed, epoch);
            if (Dataset.HasClassLabels)
            {
                target = empty([indices.Length], ScalarType.Int64);
                Dataset.GatherTargets(indices, target.data<long>());
            }
            else
            {
                var targetShape = new long[Dataset.TargetShape.Length + 1];
                targetShape[0] = indices.Length;
                for (int i = 0; i < Dataset.TargetShape.Length; i++) targetShape[i + 1] = Dataset.TargetShape[i];
                target = empty(targetShape, ScalarType.Float32);
                Dataset.GatherTargets(indices, target.data<float>());
            }
            return (input, target);
        }
        catch
        {
            input.Dispose();
            target?.Dispose();
            throw;
        }
    }
}
