using ClusterTrainer.Actors.Remote;
using ClusterTrainer.Actors.Cluster;
using Xunit;
using static ClusterTrainer.Actors.Tests.Cluster.MembershipModelTests;

namespace ClusterTrainer.Actors.Tests.Cluster;

public sealed class SplitBrainResolverTests
{
    /// <summary>Members on ports 1..n, all Up; the observer <paramref name="self"/> cannot reach <paramref name="unreachable"/>.</summary>
    private static Gossip View(int n, int self, params int[] unreachable)
    {
        var g = Gossip.Empty;
        for (var p = 1; p <= n; p++) g = g.Put(M(p, MemberStatus.Up, p, p % 2 == 0 ? "even" : "odd"), Node(self));
        var r = g.Reachability;
        foreach (var u in unreachable) r = r.Unreachable(Node(self), Node(u));
        return g.WithReachability(r, Node(self));
    }

    private static readonly DowningStrategy Majority = new DowningStrategy.KeepMajority();

    [Fact]
    public void Nothing_unreachable_means_no_decision() =>
        Assert.Equal(SbrDecision.NoDecision, SplitBrainResolver.Decide(Majority, View(3, 1), Node(1)));

    [Fact]
    public void Keep_majority_keeps_the_bigger_side_and_the_smaller_side_downs_itself()
    {
        Assert.Equal(SbrDecision.DownUnreachable, SplitBrainResolver.Decide(Majority, View(3, 1, 3), Node(1)));
        Assert.Equal(SbrDecision.DownReachable, SplitBrainResolver.Decide(Majority, View(3, 3, 1, 2), Node(3)));
        Assert.Equal(SbrDecision.DownUnreachable, SplitBrainResolver.Decide(Majority, View(5, 1, 4, 5), Node(1)));
    }

    [Fact]
    public void Keep_majority_on_an_even_split_keeps_the_side_with_the_lowest_address()
    {
        Assert.Equal(SbrDecision.DownUnreachable, SplitBrainResolver.Decide(Majority, View(4, 1, 3, 4), Node(1)));
        Assert.Equal(SbrDecision.DownReachable, SplitBrainResolver.Decide(Majority, View(4, 3, 1, 2), Node(3)));
    }

    [Fact]
    public void Both_sides_of_any_split_never_both_survive()
    {
        foreach (var strategy in new DowningStrategy[] { Majority, new DowningStrategy.StaticQuorum(3), new DowningStrategy.KeepMajority("odd") })
            for (var n = 2; n <= 6; n++)
                for (var mask = 1; mask < (1 << n) - 1; mask++)
                {
                    var sideA = Enumerable.Range(1, n).Where(p => (mask & (1 << (p - 1))) != 0).ToArray();
                    var sideB = Enumerable.Range(1, n).Except(sideA).ToArray();
                    var a = SplitBrainResolver.Decide(strategy, View(n, sideA[0], sideB), Node(sideA[0]));
                    var b = SplitBrainResolver.Decide(strategy, View(n, sideB[0], sideA), Node(sideB[0]));
                    Assert.False(a == SbrDecision.DownUnreachable && b == SbrDecision.DownUnreachable,
                        $"{strategy}: both [{string.Join(",", sideA)}] and [{string.Join(",", sideB)}] survive");
                }
    }

    [Fact]
    public void Static_quorum_keeps_only_a_side_with_at_least_the_quorum()
    {
        var q = new DowningStrategy.StaticQuorum(3);
        Assert.Equal(SbrDecision.DownUnreachable, SplitBrainResolver.Decide(q, View(5, 1, 4, 5), Node(1)));
        Assert.Equal(SbrDecision.DownReachable, SplitBrainResolver.Decide(q, View(5, 4, 1, 2, 3), Node(4)));
        Assert.Equal(SbrDecision.DownReachable, SplitBrainResolver.Decide(q, View(4, 1, 3, 4), Node(1)));
        Assert.Throws<ArgumentException>(() => new DowningStrategy.StaticQuorum(0));
    }

    [Fact]
    public void A_role_restricts_which_members_are_counted()
    {
        // 5 nodes; odd-role members are 1,3,5. Side {1,2} holds one odd, side {3,4,5} two.
        var byOdd = new DowningStrategy.KeepMajority("odd");
        Assert.Equal(SbrDecision.DownReachable, SplitBrainResolver.Decide(byOdd, View(5, 1, 3, 4, 5), Node(1)));
        // Side {1,2,4} vs {3,5}: by all members the first wins, by odd role the second wins.
        Assert.Equal(SbrDecision.DownUnreachable, SplitBrainResolver.Decide(Majority, View(5, 1, 3, 5), Node(1)));
        Assert.Equal(SbrDecision.DownReachable, SplitBrainResolver.Decide(byOdd, View(5, 1, 3, 5), Node(1)));
    }

    [Fact]
    public void Stability_tracker_waits_for_an_unchanged_unreachable_set()
    {
        var t = new StabilityTracker();
        var stableAfter = TimeSpan.FromSeconds(2);
        Assert.False(t.IsStable([Node(3)], 0, stableAfter));
        Assert.False(t.IsStable([Node(3)], 1500, stableAfter));
        Assert.True(t.IsStable([Node(3)], 2000, stableAfter));
        Assert.False(t.IsStable([Node(3), Node(4)], 2100, stableAfter));
        Assert.True(t.IsStable([Node(4), Node(3)], 4100, stableAfter));
        Assert.False(t.IsStable([], 9000, stableAfter));
    }
}
