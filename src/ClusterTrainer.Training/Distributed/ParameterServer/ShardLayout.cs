namespace ClusterTrainer.Training.Distributed.ParameterServer;

/// <summary>One contiguous piece of the flat parameter vector: elements [<see cref="Offset"/>, <see cref="End"/>).</summary>
public sealed record ShardSpec(int Index, long Offset, long Length)
{
    public long End => Offset + Length;
}

/// <summary>
/// The flat parameter vector (length <see cref="ParameterCount"/>) cut into contiguous shards of at most
/// <see cref="MaxShardElements"/> elements. The cut depends only on the two numbers: the fewest shards that fit
/// the bound, with lengths as even as possible (they differ by at most one, longer ones first).
/// </summary>
public sealed class ShardLayout
{
    public ShardLayout(long parameterCount, long maxShardElements)
    {
        if (parameterCount <= 0)
            throw new ArgumentOutOfRangeException(nameof(parameterCount), parameterCount,
                "A shard layout needs a positive parameter count; flatten the model first (FlatParameters.Count).");
        if (maxShardElements <= 0)
            throw new ArgumentOutOfRangeException(nameof(maxShardElements), maxShardElements,
                "The maximum shard size must be at least one element.");
        if (maxShardElements > int.MaxValue / sizeof(float))
            throw new ArgumentOutOfRangeException(nameof(maxShardElements), maxShardElements,
                $"A shard travels as one buffer; keep shards at or below {int.MaxValue / sizeof(float)} elements.");
        ParameterCount = parameterCount;
        MaxShardElements = maxShardElements;
        long count = (parameterCount + maxShardElements - 1) / maxShardElements;
        long baseLength = parameterCount / count, longer = parameterCount % count;
        var shards = new ShardSpec[count];
        long offset = 0;
        for (int i = 0; i < count; i++)
        {
            long length = baseLength + (i < longer ? 1 : 0);
            shards[i] = new ShardSpec(i, offset, length);
            offset += length;
        }
        Shards = shards;
    }

    /// <summary>The most elements <see cref="ShardBoundFor"/> puts in one shard: 1 Mi floats, 4 MiB per message.</summary>
    public const long LargestShard = 1L << 20;

    /// <summary>The fewest elements <see cref="ShardBoundFor"/> puts in one shard, so tiny models are not cut to crumbs.</summary>
    public const long SmallestShard = 4096;

    /// <summary>
    /// The shard bound the cluster uses for a model of <paramref name="parameterCount"/> elements on
    /// <paramref name="psNodes"/> parameter-server nodes: at least 4 shards and at least 2 per ps node, each at most
    /// <see cref="LargestShard"/> (and at least <see cref="SmallestShard"/>) elements. Several shards per step let the
    /// exchange pipeline: a shard applies its update and sends its slice while the pushes of the next shards are
    /// still arriving (`bench cluster` part 1: 4 shards of the seed CNN step 15-20% faster than one).
    /// </summary>
    public static long ShardBoundFor(long parameterCount, int psNodes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(parameterCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(psNodes);
        long shards = Math.Max(4, 2L * psNodes);
        long bound = (parameterCount + shards - 1) / shards;
        return Math.Clamp(bound, SmallestShard, LargestShard);
    }

    public long ParameterCount { get; }
    public long MaxShardElements { get; }
    public IReadOnlyList<ShardSpec> Shards { get; }
    public int Count => Shards.Count;

    /// <summary>The shard that holds flat element <paramref name="element"/>.</summary>
    public ShardSpec ShardOf(long element)
    {
        if (element < 0 || element >= ParameterCount)
            throw new ArgumentOutOfRangeException(nameof(element), element, $"The flat vector has elements 0..{ParameterCount - 1}.");
        int lo = 0, hi = Shards.Count - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) / 2;
            if (Shards[mid].Offset <= element) lo = mid; else hi = mid - 1;
        }
        return Shards[lo];
    }

    public override string ToString() => $"ShardLayout({ParameterCount} elements in {Count} shards of <= {MaxShardElements})";
}
