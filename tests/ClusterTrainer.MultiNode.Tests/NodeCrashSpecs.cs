using ClusterTrainer.Actors;
using ClusterTrainer.Actors.Cluster;
using ClusterTrainer.Actors.Remote;
using ClusterTrainer.TestKit.MultiNode;
using Xunit;

namespace ClusterTrainer.MultiNode.Tests;

[Collection("multi-node")]
public sealed class NodeCrashSpecs
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task A_node_killed_abruptly_is_marked_unreachable_then_removed_and_its_watchers_get_terminated()
    {
        await using var spec = await MultiNodeSpec.StartAsync(new() { Roles = ["first", "second"], NodeHostAssembly = Specs.HostAssembly });
        await using var victim = await spec.StartProcessNodeAsync("victim");
        var victimAddress = NodeAddress.Parse((await victim.WaitForLineAsync("READY ", Long))["READY ".Length..]);
        var events = Recorder.Start(spec.System("first"), "events");
        spec.Cluster("first").Subscribe(events.Ref, InitialStateMode.NoInitialState, typeof(IReachabilityEvent), typeof(MemberRemoved));

        await spec.RunAsync(async node =>
        {
            await node.AwaitMembersUp(3, Long);
            await node.EnterBarrier("three-up");
        });
        var target = spec.System("second").Provider.ResolveActorRef(ActorPath.Parse($"{victimAddress}/user/target"));
        var terminated = Watcher.Watch(spec.System("second"), target);
        await victim.WaitForLineAsync("EVENT MemberUp", Long); // the victim itself is in the cluster

        victim.KillAbruptly(); // SIGKILL: no leave, no goodbye

        await Await.ConditionAsync(() => events.Received.OfType<UnreachableMember>().Any(e => e.Member.Address == victimAddress), Long,
            "first sees the killed node unreachable");
        await Await.ConditionAsync(() => events.Received.OfType<MemberRemoved>().Any(e => e.Member.Address == victimAddress), Long,
            "first removes the killed node");
        var t = await terminated.WaitAsync(Await.Dilated(Long));
        Assert.True(t.AddressTerminated, "the watcher learns of the loss through the node being removed");
        await spec.RunAsync(node => node.AwaitMembersUp(2, Long));
    }

    [Fact]
    public async Task A_node_with_the_wrong_secret_cannot_join()
    {
        await using var spec = await MultiNodeSpec.StartAsync(new() { Roles = ["first", "second"], NodeHostAssembly = Specs.HostAssembly });
        await spec.RunAsync(node => node.AwaitMembersUp(2, Long));
        var refusals = Recorder.Start(spec.System("first"), "refusals");
        spec.System("first").EventStream.Subscribe(refusals.Ref, typeof(HandshakeRefusedEvent));
        await using var intruder = await spec.StartProcessNodeAsync("intruder", secret: "not-the-cluster-secret");
        // The seed refuses the intruder's handshake, again on every join attempt.
        await Await.ConditionAsync(() => refusals.Received.Count >= 2, Long, "the seed refuses at least two handshakes");
        Assert.All(refusals.Received.OfType<HandshakeRefusedEvent>(), r => Assert.True(r.Inbound));
        Assert.All(spec.Roles, r => Assert.Equal(2, spec.Cluster(r).State.Members.Count));
        Assert.DoesNotContain(intruder.Lines, l => l.StartsWith("EVENT MemberUp", StringComparison.Ordinal));
        Assert.False(intruder.HasExited, "the intruder keeps trying; it is refused, not crashed");
    }
}
