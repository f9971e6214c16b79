namespace ClusterTrainer.Torch.Data;

/// <summary>
/// Decides which sample indices make up an epoch, and in what order. A sampler is a pure function of
/// (dataset, seed, epoch): every node computes the same order without talking to the others.
/// </summary>
public interface ISampler
{
    int[] EpochIndices(Dataset dataset, ulong seed, int epoch);
}

/// <summary>0, 1, ..., n-1 every epoch (evaluation).</summary>
public sealed class SequentialSampler : ISampler
{
    public static readonly SequentialSampler Instance = new();
    public int[] EpochIndices(Dataset dataset, ulong seed, int epoch) => Enumerable.Range(0, dataset.Count).ToArray();
}

/// <summary>A fresh permutation of all samples per (seed, epoch).</summary>
public sealed class RandomSampler : ISampler
{
    public static readonly RandomSampler Instance = new();

    public int[] EpochIndices(Dataset dataset, ulong seed, int epoch)
    {
        var order = Enumerable.Range(0, dataset.Count).ToArray();
        DataRandom.For(seed, 0x5AFF1E, epoch).Shuffle(order);
        return order;
    }
}

/// <summary>
/// Like PyTorch's WeightedRandomSampler: draws <see cref="NumSamples"/> indices with probability
/// proportional to <see cref="Weights"/>, with or without replacement.
/// </summary>
public sealed class WeightedRandomSampler : ISampler
{
    public double[] Weights { get; }
    public int NumSamples { get; }
    public bool Replacement { get; }

    public WeightedRandomSampler(double[] weights, int numSamples, bool replacement = true)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Length == 0 || weights.Any(w => !(w >= 0) || double.IsInfinity(w)) || weights.Sum() <= 0)
            throw new ArgumentException("weights must be finite, non-negative and not all zero.", nameof(weights));
        if (numSamples <= 0) throw new ArgumentOutOfRangeException(nameof(numSamples), numSamples, "must be positive");
        if (!replacement && numSamples > weights.Count(w => w > 0))
            throw new ArgumentException($"cannot draw {numSamples} samples without replacement from {weights.Count(w => w > 0)} with non-zero weight; " +
                                        "lower numSamples or set replacement: true.", nameof(numSamples));
        Weights = weights;
        NumSamples = numSamples;
        Replacement = replacement;
    }

    /// <summary>Weights 1 / (size of the sample's class): every class is drawn equally often on average.</summary>
    public static WeightedRandomSampler BalancedClasses(Dataset dataset, int? numSamples = null, bool replacement = true)
    {
        var labels = dataset.Labels;
        var counts = new Dictionary<long, int>();
        foreach (long l in labels) counts[l] = counts.GetValueOrDefault(l) + 1;
        var weights = new double[labels.Length];
        for (int i = 0; i < labels.Length; i++) weights[i] = 1.0 / counts[labels[i]];
        return new WeightedRandomSampler(weights, numSamples ?? labels.Length, replacement);
    }

    public int[] EpochIndices(Dataset dataset, ulong seed, int epoch)
    {
        if (Weights.Length != dataset.Count)
            throw new InvalidOperationException($"the sampler has {Weights.Length} weights but the dataset has {dataset.Count} samples.");
        var rng = DataRandom.For(seed, 0x3E1647, epoch);
        return Replacement ? WithReplacement(ref rng) : WithoutReplacement(ref rng);
    }

    private int[] WithReplacement(ref DataRandom rng)
    {
        var cumulative = new double[Weights.Length];
        double total = 0;
        for (int i = 0; i < Weights.Length; i++) cumulative[i] = total += Weights[i];
        int lastPositive = Array.FindLastIndex(Weights, w => w > 0);
        var result = new int[NumSamples];
        for (int k = 0; k < NumSamples; k++)
        {
            double u = rng.NextDouble() * total;
            int i = Array.BinarySearch(cumulative, u);
            i = i < 0 ? ~i : i + 1; // first cumulative weight strictly above u
            if (i >= Weights.Length) i = lastPositive; // u rounded up to the total
            result[k] = i;
        }
        return result;
    }

    private int[] WithoutReplacement(ref DataRandom rng)
    {
        // Efraimidis–Spirakis: the NumSamples largest keys u^(1/w) form a weighted sample without replacement.
        var keys = new (double Key, int Index)[Weights.Length];
        for (int i = 0; i < Weights.Length; i++)
        {
            double u = rng.NextDouble();
            keys[i] = (Weights[i] > 0 ? Math.Log(1.0 - u) / Weights[i] : double.NegativeInfinity, i);
        }
        Array.Sort(keys, (a, b) => b.Key.CompareTo(a.Key));
        return keys.Take(NumSamples).Select(k => k.Index).ToArray();
    }
}

/// <summary>How <see cref="ClassBalancedSampler"/> evens out class sizes.</summary>
public enum Rebalance
{
    /// <summary>Every class is brought up to the largest class's size: all its samples plus random repeats.</summary>
    Oversample,
    /// <summary>Every class is cut down to the smallest class's size by a fresh random subset each epoch.</summary>
    Undersample,
}

/// <summary>
/// Exact class balancing for imbalanced data: each epoch holds the same number of samples of every
/// class (over- or under-sampled, redrawn per epoch), shuffled together.
/// </summary>
public sealed class ClassBalancedSampler(Rebalance mode) : ISampler
{
    public Rebalance Mode { get; } = mode;

    public int[] EpochIndices(Dataset dataset, ulong seed, int epoch)
    {
        var labels = dataset.Labels;
        var byClass = new SortedDictionary<long, List<int>>();
        for (int i = 0; i < labels.Length; i++)
        {
            if (!byClass.TryGetValue(labels[i], out var list)) byClass[labels[i]] = list = [];
            list.Add(i);
        }
        if (byClass.Count == 0) throw new InvalidOperationException("cannot balance an empty dataset.");
        int target = Mode == Rebalance.Oversample ? byClass.Values.Max(l => l.Count) : byClass.Values.Min(l => l.Count);
        var rng = DataRandom.For(seed, 0xBA1A, epoch);
        var result = new List<int>(target * byClass.Count);
        foreach (var members in byClass.Values)
        {
            var shuffled = members.ToArray();
            rng.Shuffle(shuffled);
            if (target <= shuffled.Length) result.AddRange(shuffled.AsSpan(0, target).ToArray());
            else
            {
                result.AddRange(shuffled);
                for (int k = shuffled.Length; k < target; k++) result.Add(shuffled[rng.NextInt(shuffled.Length)]);
            }
        }
        var order = result.ToArray();
        rng.Shuffle(order);
        return order;
    }
}
