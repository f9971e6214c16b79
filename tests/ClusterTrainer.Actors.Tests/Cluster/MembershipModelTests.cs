using ClusterTrainer.Actors.Remote;
using System.Collections.Immutable;
using ClusterTrainer.Actors.Cluster;
using Xunit;

namespace ClusterTrainer.Actors.Tests.Cluster;

public sealed class MembershipModelTests
{
    internal static UniqueAddress Node(int port, long uid = 1) => new(new NodeAddress("sys", "127.0.0.1", port), uid);

    internal static Member M(int port, MemberStatus status, int upNumber = int.MaxValue, params string[] roles) =>
        new(Node(port), status, roles.ToImmutableSortedSet(StringComparer.Ordinal), upNumber);

    private static Gossip G(params Member[] members)
    {
        var g = Gossip.Empty;
        foreach (var m in members) g = g.Put(m, Node(1));
        return g;
    }

    [Theory]
    [InlineData(MemberStatus.Joining, MemberStatus.Up, true)]
    [InlineData(MemberStatus.Up, MemberStatus.Leaving, true)]
    [InlineData(MemberStatus.Leaving, MemberStatus.Exiting, true)]
    [InlineData(MemberStatus.Exiting, MemberStatus.Removed, true)]
    [InlineData(MemberStatus.Up, MemberStatus.Down, true)]
    [InlineData(MemberStatus.Down, MemberStatus.Removed, true)]
    [InlineData(MemberStatus.Down, MemberStatus.Up, false)]
    [InlineData(MemberStatus.Up, MemberStatus.Joining, false)]
    [InlineData(MemberStatus.Exiting, MemberStatus.Up, false)]
    [InlineData(MemberStatus.Removed, MemberStatus.Up, false)]
    public void Member_lifecycle_allows_only_the_drawn_transitions(MemberStatus from, MemberStatus to, bool allowed)
    {
        Assert.Equal(allowed, MemberStatusRules.IsAllowed(from, to));
        var m = M(1, from);
        if (allowed) Assert.Equal(to, m.WithStatus(to).Status);
        else Assert.Contains("cannot move", Assert.Throws<InvalidOperationException>(() => m.WithStatus(to)).Message);
    }

    [Fact]
    public void Addresses_order_by_host_then_port_numerically()
    {
        Assert.True(AddressOrdering.Compare(new NodeAddress("s", "127.0.0.1", 9000), new NodeAddress("s", "127.0.0.1", 10000)) < 0);
        Assert.Equal(new NodeAddress("trainer", "10.0.0.5", 4053), NodeAddress.Parse("ct.tcp://trainer@10.0.0.5:4053"));
        Assert.Contains("expected", Assert.Throws<FormatException>(() => NodeAddress.Parse("10.0.0.5:4053")).Message);
    }

    [Fact]
    public void Vector_clocks_order_and_merge()
    {
        var a = VectorClock.Empty.Increment("a");
        var ab = a.Increment("b");
        var ac = a.Increment("c");
        Assert.Equal(VectorClockOrder.Before, a.CompareTo(ab));
        Assert.Equal(VectorClockOrder.After, ab.CompareTo(a));
        Assert.Equal(VectorClockOrder.Concurrent, ab.CompareTo(ac));
        var merged = ab.Merge(ac);
        Assert.Equal(VectorClockOrder.After, merged.CompareTo(ab));
        Assert.Equal(VectorClockOrder.Same, merged.CompareTo(ac.Merge(ab)));
    }

    [Fact]
    public void Concurrent_gossips_merge_deterministically_with_the_furthest_status_winning()
    {
        var baseG = G(M(1, MemberStatus.Up, 1), M(2, MemberStatus.Up, 2), M(3, MemberStatus.Joining));
        var left = baseG.Put(M(2, MemberStatus.Leaving, 2), Node(1)).Put(M(4, MemberStatus.Joining), Node(1));
        var right = baseG.Put(M(3, MemberStatus.Up, 3), Node(2)).Put(M(2, MemberStatus.Down, 2), Node(2));
        Assert.Equal(VectorClockOrder.Concurrent, left.Version.CompareTo(right.Version));

        var lr = left.Merge(right);
        var rl = right.Merge(left);
        Assert.Equal(lr.Members.Values, rl.Members.Values);
        Assert.Equal(VectorClockOrder.Same, lr.Version.CompareTo(rl.Version));
        Assert.Equal(MemberStatus.Down, lr.GetMember(Node(2))!.Status);
        Assert.Equal(MemberStatus.Up, lr.GetMember(Node(3))!.Status);
        Assert.True(lr.HasMember(Node(4)));
        Assert.Empty(lr.Seen);
        Assert.Equal(VectorClockOrder.After, lr.Version.CompareTo(left.Version));
    }

    [Fact]
    public void A_removed_member_stays_removed_when_an_older_gossip_is_merged()
    {
        var g = G(M(1, MemberStatus.Up, 1), M(2, MemberStatus.Down, 2));
        var removed = g.Remove(Node(2), Node(1));
        var stale = g.Put(M(3, MemberStatus.Joining), Node(3));
        var merged = removed.Merge(stale);
        Assert.False(merged.HasMember(Node(2)));
        Assert.True(merged.HasMember(Node(3)));
        Assert.False(removed.Put(M(2, MemberStatus.Joining), Node(1)).HasMember(Node(2)));
    }

    [Fact]
    public void Leader_is_the_first_reachable_member_by_address_preferring_up_members()
    {
        var g = G(M(3, MemberStatus.Up, 1), M(1, MemberStatus.Joining), M(2, MemberStatus.Up, 2));
        Assert.Equal(Node(2), g.LeaderOf(Node(3)));
        var unreachable2 = g.WithReachability(g.Reachability.Unreachable(Node(3), Node(2)), Node(3));
        Assert.Equal(Node(3), unreachable2.LeaderOf(Node(3)));
        Assert.Equal(Node(1), G(M(1, MemberStatus.Joining), M(2, MemberStatus.Joining)).LeaderOf(Node(2)));
        Assert.Null(Gossip.Empty.LeaderOf(Node(1)));
    }

    [Fact]
    public void Convergence_needs_every_reachable_member_to_have_seen_the_version()
    {
        var g = G(M(1, MemberStatus.Up, 1), M(2, MemberStatus.Up, 2), M(3, MemberStatus.Up, 3));
        Assert.False(g.IsConverged(Node(1)));
        var seen = g.MarkSeen(Node(1)).MarkSeen(Node(2)).MarkSeen(Node(3));
        Assert.True(seen.IsConverged(Node(1)));

        // An unreachable Up member blocks convergence until it is downed.
        var partitioned = seen.WithReachability(seen.Reachability.Unreachable(Node(1), Node(3)), Node(1)).MarkSeen(Node(2));
        Assert.False(partitioned.IsConverged(Node(1)));
        var downed = partitioned.Put(M(3, MemberStatus.Down, 3), Node(1)).MarkSeen(Node(2));
        Assert.True(downed.IsConverged(Node(1)));
    }

    [Fact]
    public void Reachability_keeps_the_newer_record_per_observer_and_forgets_removed_nodes()
    {
        var r1 = Reachability.Empty.Unreachable(Node(1), Node(3));
        var r2 = r1.Reachable(Node(1), Node(3));
        Assert.False(r1.IsReachable(Node(3)));
        Assert.True(r1.Merge(r2).IsReachable(Node(3)));
        Assert.True(r2.Merge(r1).IsReachable(Node(3)));
        var both = r1.Merge(Reachability.Empty.Unreachable(Node(2), Node(3)));
        Assert.False(both.IsReachable(Node(3)));
        Assert.True(both.Remove([Node(3)]).IsAllReachable);
    }

    [Fact]
    public void Event_diff_reports_status_changes_reachability_and_leader()
    {
        var before = G(M(1, MemberStatus.Up, 1), M(2, MemberStatus.Joining), M(3, MemberStatus.Up, 2));
        var after = before.Put(M(2, MemberStatus.Up, 3), Node(1)).Remove(Node(3), Node(1));
        after = after.WithReachability(after.Reachability.Unreachable(Node(1), Node(2)), Node(1));
        var events = ClusterEventDiff.Diff(before, after, Node(1));
        Assert.Contains(events, e => e is MemberUp up && up.Member.UniqueAddress == Node(2));
        Assert.Contains(events, e => e is MemberRemoved { PreviousStatus: MemberStatus.Up } r && r.Member.UniqueAddress == Node(3));
        Assert.Contains(events, e => e is UnreachableMember u && u.Member.UniqueAddress == Node(2));
        Assert.DoesNotContain(events, e => e is LeaderChanged);
    }
}
