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
}
