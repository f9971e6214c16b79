using ClusterTrainer.Actors.Cluster;
using ClusterTrainer.Actors.Singleton;
using Xunit;
using static ClusterTrainer.Actors.Tests.Cluster.MembershipModelTests;

namespace ClusterTrainer.Actors.Tests.Singleton;

public sealed class OldestTrackerTests
{
    [Fact]
    public void The_oldest_up_member_with_the_role_hosts_the_singleton()
    {
        var t = new OldestTracker("ps");
        t.Apply(new MemberUp(M(3, MemberStatus.Up, 1, "worker")));
        t.Apply(new MemberUp(M(2, MemberStatus.Up, 3, "ps")));
        t.Apply(new MemberUp(M(1, MemberStatus.Up, 2, "ps")));
        Assert.Equal(Node(1), t.Oldest!.UniqueAddress);
        t.Apply(new MemberJoined(M(4, MemberStatus.Joining, int.MaxValue, "ps")));
        Assert.Equal(Node(1), t.Oldest!.UniqueAddress);
    }

    [Fact]
    public void A_leaving_oldest_gives_way_but_is_not_removed_until_the_cluster_says_so()
    {
        var t = new OldestTracker(null);
        t.Apply(new MemberUp(M(1, MemberStatus.Up, 1)));
        t.Apply(new MemberUp(M(2, MemberStatus.Up, 2)));
        t.Apply(new MemberLeft(M(1, MemberStatus.Leaving, 1)));
        Assert.Equal(Node(2), t.Oldest!.UniqueAddress);
        Assert.False(t.IsRemoved(Node(1)));
        t.Apply(new MemberRemoved(M(1, MemberStatus.Removed, 1), MemberStatus.Exiting));
        Assert.True(t.IsRemoved(Node(1)));
    }

    [Fact]
    public void A_crashed_oldest_stays_oldest_until_downed()
    {
        var t = new OldestTracker(null);
        t.Apply(new CurrentClusterState([M(1, MemberStatus.Up, 1), M(2, MemberStatus.Up, 2)], [], null));
        Assert.Equal(Node(1), t.Oldest!.UniqueAddress); // unreachable does not change age
        t.Apply(new MemberDowned(M(1, MemberStatus.Down, 1)));
        Assert.Equal(Node(2), t.Oldest!.UniqueAddress);
        Assert.False(t.IsRemoved(Node(1)), "a downed node may still run the singleton until removed");
    }
}
