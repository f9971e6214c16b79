using System.Collections.Immutable;
using ClusterTrainer.Actors.Sharding;
using Xunit;

namespace ClusterTrainer.Actors.Tests.Sharding;

public sealed class LeastShardAllocationStrategyTests
{
    private static Dictionary<string, ImmutableList<string>> Alloc(params (string Region, int Shards)[] regions)
    {
        var next = 0;
        return regions.ToDictionary(r => r.Region, r => Enumerable.Range(0, r.Shards).Select(_ => $"s{next++}").ToImmutableList());
    }

    [Fact]
    public void Allocates_to_the_region_with_fewest_shards_ties_by_key()
    {
        var s = new LeastShardAllocationStrategy();
        Assert.Equal("b", s.Allocate("a", "x", Alloc(("a", 2), ("b", 1), ("c", 3))));
        Assert.Equal("a", s.Allocate("c", "x", Alloc(("c", 1), ("a", 1), ("b", 1))));
        Assert.Contains("no shard region", Assert.Throws<InvalidOperationException>(() => s.Allocate("a", "x", Alloc())).Message);
    }

    [Fact]
    public void Rebalances_onto_a_new_empty_region_within_the_limit()
    {
        var s = new LeastShardAllocationStrategy(rebalanceThreshold: 1, maxSimultaneousRebalance: 3);
        var alloc = Alloc(("a", 5), ("b", 5), ("c", 0));
        var moves = s.Rebalance(alloc, []);
        Assert.Equal(3, moves.Count);
        Assert.All(moves, m => Assert.True(alloc["a"].Contains(m) || alloc["b"].Contains(m)));
        // With moves in flight only the remaining budget is used.
        Assert.Single(s.Rebalance(alloc, [.. moves.Take(2)]));
    }

    [Fact]
    public void Balanced_regions_are_left_alone()
    {
        var s = new LeastShardAllocationStrategy();
        Assert.Empty(s.Rebalance(Alloc(("a", 4), ("b", 3), ("c", 4)), []));
        Assert.Empty(s.Rebalance(Alloc(("a", 4)), []));
        Assert.Empty(new LeastShardAllocationStrategy(rebalanceThreshold: 3).Rebalance(Alloc(("a", 4), ("b", 1)), []));
    }

    [Fact]
    public void Repeated_rebalancing_converges_to_an_even_spread()
    {
        var s = new LeastShardAllocationStrategy(1, 2);
        var alloc = Alloc(("a", 12), ("b", 0), ("c", 0), ("d", 1));
        for (var round = 0; round < 20; round++)
        {
            var moves = s.Rebalance(alloc, []);
            if (moves.IsEmpty) break;
            foreach (var shard in moves)
            {
                var from = alloc.First(kv => kv.Value.Contains(shard)).Key;
                alloc[from] = alloc[from].Remove(shard);
                var to = s.Allocate(from, shard, alloc);
                alloc[to] = alloc[to].Add(shard);
            }
        }
        var counts = alloc.Values.Select(v => v.Count).ToList();
        Assert.True(counts.Max() - counts.Min() <= 1, $"spread {string.Join(",", counts)}");
        Assert.Equal(13, counts.Sum());
    }

    [Fact]
    public void Same_input_gives_the_same_decision()
    {
        var s = new LeastShardAllocationStrategy(1, 3);
        var a = s.Rebalance(Alloc(("a", 6), ("b", 6), ("c", 0), ("d", 0)), []);
        var b = s.Rebalance(Alloc(("a", 6), ("b", 6), ("c", 0), ("d", 0)), []);
        Assert.Equal(a.Order(), b.Order());
        Assert.Throws<ArgumentException>(() => new LeastShardAllocationStrategy(0));
    }
}
