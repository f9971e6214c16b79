using System.Collections.Immutable;

namespace ClusterTrainer.Actors.Sharding;

/// <summary>
/// Decides where shards live. Regions are identified by a key that orders deterministically (the
/// region actor's path); <c>currentAllocations</c> maps every live region to the shards it hosts.
/// </summary>
public interface IShardAllocationStrategy
{
    /// <summary>The region that should host the new shard <paramref name="shardId"/>.</summary>
    string Allocate(string requester, string shardId, IReadOnlyDictionary<string, ImmutableList<string>> currentAllocations);

    /// <summary>Shards to move now (they are handed off, then allocated again through <see cref="Allocate"/>).</summary>
    ImmutableHashSet<string> Rebalance(IReadOnlyDictionary<string, ImmutableList<string>> currentAllocations, ImmutableHashSet<string> rebalanceInProgress);
}

/// <summary>
/// Allocates a new shard to the region with the fewest shards (ties: the lowest region key), and
/// rebalances while the most and least loaded regions differ by more than
/// <see cref="RebalanceThreshold"/>, moving at most <see cref="MaxSimultaneousRebalance"/> shards at a
/// time (shards already moving count against it). Deterministic: the same allocations give the same
/// answer on every node.
/// </summary>
public sealed class LeastShardAllocationStrategy : IShardAllocationStrategy
{
    public int RebalanceThreshold { get; }
    public int MaxSimultaneousRebalance { get; }

    public LeastShardAllocationStrategy(int rebalanceThreshold = 1, int maxSimultaneousRebalance = 3)
    {
        if (rebalanceThreshold < 1)
            throw new ArgumentException($"Rebalance threshold must be >= 1 (was {rebalanceThreshold}); 1 evens regions out to within one shard.");
        if (maxSimultaneousRebalance < 1)
            throw new ArgumentException($"Max simultaneous rebalance must be >= 1 (was {maxSimultaneousRebalance}); 3 is a sensible default.");
        RebalanceThreshold = rebalanceThreshold;
        MaxSimultaneousRebalance = maxSimultaneousRebalance;
    }

    public string Allocate(string requester, string shardId, IReadOnlyDictionary<string, ImmutableList<string>> currentAllocations)
    {
        if (currentAllocations.Count == 0)
            throw new InvalidOperationException($"Cannot allocate shard '{shardId}': no shard region is registered with the coordinator yet.");
        return currentAllocations.OrderBy(kv => kv.Value.Count).ThenBy(kv => kv.Key, StringComparer.Ordinal).First().Key;
    }

    public ImmutableHashSet<string> Rebalance(IReadOnlyDictionary<string, ImmutableList<string>> currentAllocations, ImmutableHashSet<string> rebalanceInProgress)
    {
        var budget = MaxSimultaneousRebalance - rebalanceInProgress.Count;
        if (budget <= 0 || currentAllocations.Count < 2) return [];
        // Simulate moves on counts; take shards from the end of the most loaded region's list.
        var load = currentAllocations.ToDictionary(kv => kv.Key,
            kv => kv.Value.Where(s => !rebalanceInProgress.Contains(s)).ToList(), StringComparer.Ordinal);
        var moved = ImmutableHashSet.CreateBuilder<string>();
        while (moved.Count < budget)
        {
            var ordered = load.OrderBy(kv => kv.Value.Count).ThenBy(kv => kv.Key, StringComparer.Ordinal).ToList();
            var least = ordered[0];
            var most = ordered.OrderByDescending(kv => kv.Value.Count).ThenBy(kv => kv.Key, StringComparer.Ordinal).First();
            if (most.Value.Count - least.Value.Count <= RebalanceThreshold) break;
            var shard = most.Value[^1];
            most.Value.RemoveAt(most.Value.Count - 1);
            least.Value.Add(shard);
            moved.Add(shard);
        }
        return moved.ToImmutable();
    }
}
