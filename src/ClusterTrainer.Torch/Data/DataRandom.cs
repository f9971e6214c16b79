namespace ClusterTrainer.Torch.Data;

/// <summary>
/// A small, fully specified pseudo-random generator (SplitMix64) for everything the data layer
/// shuffles or augments. It is independent of <see cref="System.Random"/>'s implementation and of
/// libtorch's generator, so an epoch's batch order and a sample's augmentation are the same on every
/// node, every runtime version and every run with the same seed — the distributed workers rely on it.
/// </summary>
public struct DataRandom
{
    private ulong _state;

    public DataRandom(ulong seed) => _state = seed;

    /// <summary>A generator for one purpose derived from a seed and up to three integer keys
    /// (for example seed, epoch and sample index), mixed so nearby keys give unrelated streams.</summary>
    public static DataRandom For(ulong seed, long a, long b = 0, long c = 0)
    {
        ulong s = Mix(seed ^ 0x9E3779B97F4A7C15UL);
        s = Mix(s ^ (ulong)a);
        s = Mix(s ^ ((ulong)b * 0xBF58476D1CE4E5B9UL));
        s = Mix(s ^ ((ulong)c * 0x94D049BB133111EBUL));
        return new DataRandom(s);
    }

    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>Uniform in [0, 1) with 53 bits of precision.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, exclusiveMax), without modulo bias.</summary>
    public int NextInt(int exclusiveMax)
    {
        if (exclusiveMax <= 0)
            throw new ArgumentOutOfRangeException(nameof(exclusiveMax), exclusiveMax, "must be positive");
        ulong bound = (ulong)exclusiveMax;
        ulong threshold = (0UL - bound) % bound;
        while (true)
        {
            ulong r = NextUInt64();
            if (r >= threshold) return (int)(r % bound);
        }
    }

    /// <summary>Standard normal sample (Box–Muller; one value per call keeps the stream simple).</summary>
    public double NextGaussian()
    {
        double u1 = 1.0 - NextDouble(); // (0, 1]
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Fisher–Yates shuffle in place.</summary>
    public void Shuffle(Span<int> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
