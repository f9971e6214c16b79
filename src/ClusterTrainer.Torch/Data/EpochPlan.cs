namespace ClusterTrainer.Torch.Data;

/// <summary>
/// The batches of one epoch as lists of sample indices — a pure function of (dataset size, batch size,
/// sampler, seed, epoch, drop_last). It needs no tensors and no data, so a coordinator and every
/// distributed worker can compute the same plan and take disjoint parts of it:
/// <see cref="BatchShard"/> splits one global batch across the workers of a synchronous step (worker k of
/// N with per-worker batch b sees exactly rows [k·b, (k+1)·b) of a single-process batch of N·b), and
/// <see cref="BatchesFor"/> deals whole batches round-robin for asynchronous training.
/// </summary>
public sealed class EpochPlan
{
    private readonly int[] _order;

    public int Epoch { get; }
    public int BatchSize { get; }
    public bool DropLast { get; }
    public int BatchCount { get; }

    private EpochPlan(int[] order, int epoch, int batchSize, bool dropLast)
    {
        _order = order;
        Epoch = epoch;
        BatchSize = batchSize;
        DropLast = dropLast;
        BatchCount = dropLast ? order.Length / batchSize : (order.Length + batchSize - 1) / batchSize;
    }

    /// <summary>Builds the plan. <paramref name="sampler"/> defaults to a <see cref="RandomSampler"/>.</summary>
    public static EpochPlan Create(Dataset dataset, int batchSize, ulong seed, int epoch, ISampler? sampler = null, bool dropLast = false)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "the batch size must be at least 1");
        if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), epoch, "epochs count from 0");
        var order = (sampler ?? RandomSampler.Instance).EpochIndices(dataset, seed, epoch);
        return new EpochPlan(order, epoch, batchSize, dropLast);
    }

    /// <summary>All sample indices of the epoch in visiting order (including a dropped last partial batch).</summary>
    public ReadOnlySpan<int> Order => _order;

    /// <summary>Number of samples the epoch's batches visit (drop_last removes the partial tail).</summary>
    public int SampleCount => DropLast ? BatchCount * BatchSize : _order.Length;

    /// <summary>The sample indices of batch <paramref name="batch"/>.</summary>
    public ReadOnlySpan<int> Batch(int batch)
    {
        if ((uint)batch >= (uint)BatchCount)
            throw new ArgumentOutOfRangeException(nameof(batch), batch, $"epoch {Epoch} has {BatchCount} batches");
        int start = batch * BatchSize;
        return _order.AsSpan(start, Math.Min(BatchSize, _order.Length - start));
    }

    /// <summary>
    /// Worker <paramref name="rank"/>'s contiguous part of batch <paramref name="batch"/> when
    /// <paramref name="worldSize"/> workers share it: sizes differ by at most one, lower ranks first.
    /// </summary>
    public ReadOnlySpan<int> BatchShard(int batch, int rank, int worldSize)
    {
        CheckRank(rank, worldSize);
        var all = Batch(batch);
        int baseSize = all.Length / worldSize, extra = all.Length % worldSize;
        int start = rank * baseSize + Math.Min(rank, extra);
        return all.Slice(start, baseSize + (rank < extra ? 1 : 0));
    }

    /// <summary>The batch numbers worker <paramref name="rank"/> of <paramref name="worldSize"/> owns when
    /// whole batches are dealt round-robin (disjoint, together covering the epoch).</summary>
    public IEnumerable<int> BatchesFor(int rank, int worldSize)
    {
        CheckRank(rank, worldSize);
        for (int b = rank; b < BatchCount; b += worldSize) yield return b;
    }

    private static void CheckRank(int rank, int worldSize)
    {
        if (worldSize <= 0) throw new ArgumentOutOfRangeException(nameof(worldSize), worldSize, "need at least one worker");
        if ((uint)rank >= (uint)worldSize) throw new ArgumentOutOfRangeException(nameof(rank), rank, $"rank must be in 0..{worldSize - 1}");
    }
}
