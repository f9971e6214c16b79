using ClusterTrainer.Actors;
using ClusterTrainer.Actors.Cluster;
using ClusterTrainer.TestKit.MultiNode;
using Xunit;

namespace ClusterTrainer.MultiNode.Tests;

/// <summary>Membership, failure detection and split-brain specs. Generous budgets: they must pass on a loaded 2-core box.</summary>
[Collection("multi-node")]
public sealed class ClusterMembershipSpecs
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task Three_nodes_form_a_cluster_and_agree_on_members()
    {
        await using var spec = await MultiNodeSpec.StartAsync(new() { Roles = ["first", "second", "third"] });
        await spec.RunAsync(async node =>
        {
            await node.AwaitMembersUp(3, Long);
            await node.EnterBarrier("cluster-up");
            await node.AwaitAssert(() =>
            {
                var mine = node.Cluster.State;
                foreach (var role in spec.Roles)
                {
                    var theirs = spec.Cluster(role).State;
                    Assert.Equal(mine.Members.Select(m => (m.Address, m.Status)), theirs.Members.Select(m => (m.Address, m.Status)));
                    Assert.Equal(mine.Leader, theirs.Leader);
                }
                Assert.NotNull(mine.Leader);
            }, Long);
            await node.EnterBarrier("agreed");
        });
    }

    [Fact]
    public async Task A_two_one_partition_leaves_only_the_majority_side_up()
    {
        await using var spec = await MultiNodeSpec.StartAsync(new() { Roles = ["first", "second", "third"] });
        await spec.RunAsync(async node =>
        {
            await node.AwaitMembersUp(3, Long);
            await node.EnterBarrier("cluster-up");
            await node.RunOn(() =>
            {
                spec.Blackhole("first", "third");
                spec.Blackhole("second", "third");
            }, "first");
            await node.EnterBarrier("partitioned");
            await node.RunOn(async () =>
            {
                // The lone node downs itself and shuts its actor system down.
                await node.Within(Long, () => node.System.WhenTerminated);
            }, "third");
            await node.RunOn(async () =>
            {
                await node.AwaitMembersUp(2, Long);
                Assert.DoesNotContain(node.Cluster.State.Members, m => m.Address == spec.Address("third"));
                Assert.False(node.System.WhenTerminated.IsCompleted);
            }, "first", "second");
            await node.EnterBarrier("resolved");
        });
    }
    [Fact]
    public async Task A_throttled_link_slows_gossip_but_the_cluster_stays_whole_and_heals_after_a_blackhole()
    {
        // A long stable-after: the resolver must not act during the short blackhole, even on a slow machine.
        await using var spec = await MultiNodeSpec.StartAsync(new()
        {
            Roles = ["first", "second", "third"],
            ClusterSettings = _ => ClusterSettings.ForTests() with { StableAfter = TimeSpan.FromSeconds(20) },
        });
        await spec.RunAsync(async node =>
        {
            await node.AwaitMembersUp(3, Long);
            await node.EnterBarrier("cluster-up");
            // 64 KiB/s is plenty for heartbeats and gossip: nobody is suspected.
            await node.RunOn(() => spec.Throttle("first", "second", 64 * 1024), "first");
            await node.EnterBarrier("throttled");
            await node.AwaitAssert(() => Assert.Empty(node.Cluster.State.Unreachable), Long);
            // A short blackhole (shorter than stable-after plus detection) heals without anyone being downed.
            await node.RunOn(() => spec.Blackhole("second", "third"), "second");
            await node.RunOn(async () =>
                await node.AwaitAssert(() => Assert.Contains(node.Cluster.State.Unreachable, m => m.Address == spec.Address("third")), Long), "second");
            await node.RunOn(() => spec.PassThrough("second", "third"), "second");
            await node.EnterBarrier("healed");
            await node.AwaitAssert(() => Assert.Empty(node.Cluster.State.Unreachable), Long);
            await node.AwaitMembersUp(3, Long);
            await node.EnterBarrier("done");
        });
    }
}
