using ClusterTrainer.Actors.Remote;
using ClusterTrainer.Actors.Cluster;
using Xunit;
using static ClusterTrainer.Actors.Tests.Cluster.SimulatedCluster;

namespace ClusterTrainer.Actors.Tests.Cluster;

public sealed class ClusterEngineTests
{
    private static SimulatedCluster ThreeNodes(out double tookMs)
    {
        var sim = new SimulatedCluster { Settings = ClusterSettings.ForTests(Addr(1), Addr(2)) };
        sim.Start(1, "ps");
        sim.Start(2, "worker");
        sim.Start(3, "worker");
        tookMs = sim.RunUntil(() => AllUp(sim, [1, 2, 3], 3), 30_000, "3 members Up on every node");
        return sim;
    }

    private static bool AllUp(SimulatedCluster sim, int[] nodes, int count) => nodes.All(p =>
        sim[p].Gossip.Members.Count == count && sim[p].Gossip.Members.Values.All(m => m.Status == MemberStatus.Up));

    [Fact]
    public void Three_nodes_form_one_cluster_and_agree_on_members_leader_and_roles()
    {
        var sim = ThreeNodes(out _);
        sim.RunUntil(() => new[] { 1, 2, 3 }.All(p => sim[p].Gossip.IsConverged(sim[p].Self)), 10_000, "convergence");
        foreach (var p in new[] { 2, 3 })
        {
            Assert.Equal(sim[1].Gossip.Members.Values, sim[p].Gossip.Members.Values);
            Assert.Equal(Addr(1), sim[p].Leader);
        }
        Assert.Contains("worker", sim[1].Gossip.GetMember(Addr(3))!.Roles);
        Assert.Contains(sim.EventsOf(3), e => e is MemberUp up && up.Member.Address == Addr(1));
        // The first seed is the oldest member.
        var oldest = sim[2].Gossip.Members.Values.Aggregate((a, b) => a.IsOlderThan(b) ? a : b);
        Assert.Equal(Addr(1), oldest.Address);
    }

    [Fact]
    public void The_first_seed_forms_the_cluster_alone_when_no_other_seed_answers()
    {
        var sim = new SimulatedCluster { Settings = ClusterSettings.ForTests(Addr(1), Addr(2)) };
        sim.Start(1);
        sim.RunUntil(() => AllUp(sim, [1], 1), 10_000, "first seed up alone");
        Assert.True(sim.Now >= sim.Settings.SeedNodeTimeout.TotalMilliseconds, "it waited for the other seed first");
    }

    [Fact]
    public void A_silent_node_is_marked_unreachable_then_downed_and_removed_by_the_majority()
    {
        var sim = ThreeNodes(out _);
        sim.Kill(3);
        var detect = sim.RunUntil(() => sim.EventsOf(1).OfType<UnreachableMember>().Any(e => e.Member.Address == Addr(3)), 10_000, "node 3 unreachable");
        Assert.InRange(detect, 500, 5_000);
        sim.RunUntil(() => new[] { 1, 2 }.All(p => sim[p].Gossip.GetMember(Addr(3)) is null), 20_000, "node 3 removed on 1 and 2");
        Assert.Contains(sim.EventsOf(2), e => e is MemberRemoved r && r.Member.Address == Addr(3));
        Assert.True(AllUp(sim, [1, 2], 2));
    }

    [Fact]
    public void A_two_one_partition_leaves_only_the_majority_side_up()
    {
        var sim = ThreeNodes(out _);
        sim.Blackhole(1, 3);
        sim.Blackhole(2, 3);
        sim.RunUntil(() => sim.EventsOf(3).OfType<SelfDowned>().Any(), 20_000, "node 3 downs itself");
        sim.RunUntil(() => new[] { 1, 2 }.All(p => sim[p].Gossip.GetMember(Addr(3)) is null), 20_000, "majority removes node 3");
        Assert.DoesNotContain(sim.EventsOf(1), e => e is SelfDowned);
        Assert.DoesNotContain(sim.EventsOf(2), e => e is SelfDowned);
        Assert.True(AllUp(sim, [1, 2], 2));
        // Healing the link must not bring the downed node back into the majority's view.
        sim.PassThrough(1, 3);
        sim.PassThrough(2, 3);
        sim.Run(3_000);
        Assert.Null(sim[1].Gossip.GetMember(Addr(3)));
    }

    [Fact]
    public void A_leaving_member_goes_through_exiting_to_removed_and_stops()
    {
        var sim = ThreeNodes(out _);
        sim[2].Leave(Addr(2));
        sim.RunUntil(() => sim[2].IsStopped, 20_000, "node 2 stopped after leaving");
        sim.RunUntil(() => new[] { 1, 3 }.All(p => sim[p].Gossip.GetMember(Addr(2)) is null), 10_000, "node 2 removed");
        var seen = sim.EventsOf(1).OfType<IMemberEvent>().Where(e => e.Member.Address == Addr(2)).Select(e => e.GetType().Name).ToList();
        Assert.Equal(["MemberUp", "MemberLeft", "MemberExited", "MemberRemoved"], seen.Where(n => n != "MemberJoined"));
        Assert.Contains(sim.EventsOf(2), e => e is MemberRemoved r && r.Member.Address == Addr(2));
    }

    [Fact]
    public void The_leader_leaving_hands_leadership_to_the_next_member()
    {
        var sim = ThreeNodes(out _);
        sim[1].Leave(Addr(1));
        sim.RunUntil(() => sim[1].IsStopped, 20_000, "node 1 stopped");
        sim.RunUntil(() => sim[3].Leader == Addr(2) && sim[3].Gossip.Members.Count == 2, 10_000, "node 2 leads");
        Assert.Contains(sim.EventsOf(3), e => e is LeaderChanged { Leader: var l } && l == Addr(2));
    }

    [Fact]
    public void Operator_down_removes_the_member_and_the_downed_node_learns_it()
    {
        var sim = ThreeNodes(out _);
        sim[1].Down(Addr(3));
        sim.RunUntil(() => sim.EventsOf(3).OfType<SelfDowned>().Any(), 10_000, "node 3 sees itself down");
        sim.RunUntil(() => sim[1].Gossip.GetMember(Addr(3)) is null, 10_000, "node 3 removed");
    }

    [Fact]
    public void A_late_node_joins_a_running_cluster_through_any_seed()
    {
        var sim = ThreeNodes(out _);
        sim.Start(4);
        sim.RunUntil(() => AllUp(sim, [1, 2, 3, 4], 4), 20_000, "4 members Up everywhere");
    }
}
