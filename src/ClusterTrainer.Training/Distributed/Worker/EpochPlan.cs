namespace ClusterTrainer.Training.Distributed.Worker;

/// <summary>
/// Which samples each worker trains on in one epoch, from nothing but (seed, epoch, sizes): a permutation of
/// the sample indices (Fisher-Yates driven by SplitMix64, identical on every machine and .NET version) cut into
/// global batches of <c>workers × perWorkerBatch</c>; worker w takes the w-th contiguous part of each global
/// batch. The last global batch may be short: it is split as evenly as possible (parts differ by at most one
/// sample, the later parts longer; a part may be empty when fewer samples than workers remain).
/// Concatenating the workers' parts of step t in worker order gives exactly global batch t, which is what
/// makes synchronous training equal single-process training with the global batch.
/// </summary>
public sealed class EpochPlan
{
    private readonly int[] _order;

    public EpochPlan(int sampleCount, int workers, int perWorkerBatch, long seed, int epoch)
        : this(sampleCount, workers, perWorkerBatch, seed, epoch, globalBatch: null) { }

    /// <summary>
    /// A plan whose global batch is <paramref name="globalBatch"/> whatever the number of live workers that share
    /// it (<paramref name="workers"/> parts): the batches, and so synchronous training, do not change when workers
    /// come and go.
    /// </summary>
    public static EpochPlan Shared(int sampleCount, int globalBatch, int workers, long seed, int epoch)
    {
        if (globalBatch <= 0) throw new ArgumentOutOfRangeException(nameof(globalBatch), globalBatch, "The global batch size must be at least 1.");
        return new EpochPlan(sampleCount, workers, (globalBatch + workers - 1) / Math.Max(workers, 1), seed, epoch, globalBatch);
    }

    private EpochPlan(int sampleCount, int workers, int perWorkerBatch, long seed, int epoch, int? globalBatch)
    {
        if (sampleCount <= 0) throw new ArgumentOutOfRangeException(nameof(sampleCount), sampleCount, "An epoch needs at least one sample.");
        if (workers <= 0) throw new ArgumentOutOfRangeException(nameof(workers), workers, "An epoch plan needs at least one worker.");
        if (perWorkerBatch <= 0) throw new ArgumentOutOfRangeException(nameof(perWorkerBatch), perWorkerBatch, "The per-worker batch size must be at least 1.");
        if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), epoch, "Epochs count from 0.");
        SampleCount = sampleCount;
        Workers = workers;
        PerWorkerBatch = perWorkerBatch;
        GlobalBatch = globalBatch ?? checked(workers * perWorkerBatch);
        Seed = seed;
        Epoch = epoch;
        StepsPerEpoch = (sampleCount + GlobalBatch - 1) / GlobalBatch;
        _order = Shuffle(sampleCount, Mix(unchecked((ulong)seed) ^ Mix(0x9E3779B97F4A7C15UL * (ulong)(epoch + 1))));
    }

    public int SampleCount { get; }
    public int Workers { get; }
    public int PerWorkerBatch { get; }
    public int GlobalBatch { get; }
    public long Seed { get; }
    public int Epoch { get; }
    public int StepsPerEpoch { get; }

    /// <summary>The epoch's sample order.</summary>
    public ReadOnlySpan<int> Order => _order;

    /// <summary>The sample indices of global batch <paramref name="step"/> (0-based within the epoch).</summary>
    public ReadOnlySpan<int> GlobalBatchAt(int step)
    {
        CheckStep(step);
        int start = step * GlobalBatch;
        return _order.AsSpan(start, Math.Min(GlobalBatch, SampleCount - start));
    }

    /// <summary>Worker <paramref name="worker"/>'s part of global batch <paramref name="step"/>.</summary>
    public ReadOnlySpan<int> WorkerBatch(int step, int worker)
    {
        if (worker < 0 || worker >= Workers)
            throw new ArgumentOutOfRangeException(nameof(worker), worker, $"Workers are numbered 0..{Workers - 1}.");
        var global = GlobalBatchAt(step);
        int m = global.Length;
        int from = (int)((long)worker * m / Workers), to = (int)((long)(worker + 1) * m / Workers);
        return global[from..to];
    }

    private void CheckStep(int step)
    {
        if (step < 0 || step >= StepsPerEpoch)
            throw new ArgumentOutOfRangeException(nameof(step), step, $"Epoch {Epoch} has steps 0..{StepsPerEpoch - 1}.");
    }

    private static int[] Shuffle(int n, ulong state)
    {
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        for (int i = n - 1; i > 0; i--)
        {
            state += 0x9E3779B97F4A7C15UL;
            int j = (int)(Mix(state) % (ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
