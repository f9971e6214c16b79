using ClusterTrainer.Actors.Sharding;
using Xunit;

namespace ClusterTrainer.Actors.Tests.Sharding;

public sealed class CoordinatorStateTests
{
    [Fact]
    public void Replaying_events_rebuilds_where_each_shard_lives()
    {
        ICoordinatorEvent[] journal =
        [
            new ShardRegionRegistered("a"), new ShardRegionRegistered("b"),
            new ShardHomeAllocated("1", "a"), new ShardHomeAllocated("2", "b"), new ShardHomeAllocated("3", "a"),
            new ShardHomeDeallocated("3"), new ShardHomeAllocated("3", "b"),
        ];
        var state = journal.Aggregate(CoordinatorState.Empty, (s, e) => s.Updated(e));
        Assert.Equal("a", state.Shards["1"]);
        Assert.Equal("b", state.Shards["3"]);
        Assert.Equal(["2", "3"], state.Regions["b"]);

        var afterLoss = state.Updated(new ShardRegionTerminated("b"));
        Assert.False(afterLoss.Shards.ContainsKey("2"));
        Assert.Equal(["a"], afterLoss.Regions.Keys);
    }

    [Fact]
    public void Inconsistent_events_are_refused_loudly()
    {
        var s = CoordinatorState.Empty.Updated(new ShardRegionRegistered("a")).Updated(new ShardHomeAllocated("1", "a"));
        Assert.Contains("already allocated", Assert.Throws<InvalidOperationException>(() => s.Updated(new ShardHomeAllocated("1", "a"))).Message);
        Assert.Throws<InvalidOperationException>(() => s.Updated(new ShardHomeAllocated("2", "zzz")));
        Assert.Throws<InvalidOperationException>(() => s.Updated(new ShardHomeDeallocated("9")));
        Assert.Throws<InvalidOperationException>(() => s.Updated(new ShardRegionRegistered("a")));
    }

    [Fact]
    public void Hash_extractor_is_stable_and_unwraps_envelopes()
    {
        var x = new HashCodeMessageExtractor(10);
        var shards = Enumerable.Range(0, 1000).Select(i => x.ShardId($"entity-{i}")).ToList();
        Assert.All(shards, s => Assert.InRange(int.Parse(s), 0, 9));
        Assert.True(shards.Distinct().Count() == 10, "1000 ids should touch all 10 shards");
        // FNV-1a pinned: the same id maps to the same shard in every process (reference value from Python).
        Assert.Equal("2", new HashCodeMessageExtractor(10).ShardId("entity-7"));
        var env = new ShardingEnvelope("e1", 42);
        Assert.Equal("e1", x.EntityId(env));
        Assert.Equal(42, x.EntityMessage(env));
        Assert.Null(x.EntityId("not for an entity"));
    }
}
