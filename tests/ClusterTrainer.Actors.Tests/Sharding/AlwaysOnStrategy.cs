using System.Collections.Immutable;
using ClusterTrainer.Actors.Sharding;

namespace ClusterTrainer.Actors.Tests.Sharding;

/// <summary>Allocates every new shard to one region (if registered) and never rebalances: makes a strategy's choice visible.</summary>
internal sealed class AlwaysOnStrategy(string region) : IShardAllocationStrategy
{
    public string Allocate(string requester, string shardId, IReadOnlyDictionary<string, ImmutableList<string>> currentAllocations) =>
        currentAllocations.ContainsKey(region) ? region : currentAllocations.Keys.First();

    public ImmutableHashSet<string> Rebalance(IReadOnlyDictionary<string, ImmutableList<string>> currentAllocations,
        ImmutableHashSet<string> rebalanceInProgress) => [];
}
