using ClusterTrainer.Actors;
using ClusterTrainer.Actors.Cluster;
using ClusterTrainer.Actors.Remote;
using ClusterTrainer.Actors.Serialization;
using ClusterTrainer.Actors.Singleton;
using ClusterTrainer.TestKit.MultiNode;
using Xunit;

namespace ClusterTrainer.MultiNode.Tests;

[Collection("multi-node")]
public sealed class SingletonSpecs
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(45);

    public sealed record Ping(int N);
    public sealed record Pong(int N, string Host);

    /// <summary>The singleton: counts how many instances run at once in this process.</summary>
    public sealed class Counted : ReceiveActor
    {
        public static int Running, MaxRunning, Started;

        public Counted()
        {
            var host = Context.System.Name + "@" + Cluster.Get(Context.System).SelfAddress;
            Receive<Ping>(p => Sender.Tell(new Pong(p.N, host), Self));
        }

        protected override void PreStart()
        {
            var now = Interlocked.Increment(ref Running);
            Interlocked.Increment(ref Started);
            int max;
            while (now > (max = Volatile.Read(ref MaxRunning)) && Interlocked.CompareExchange(ref MaxRunning, now, max) != max) { }
        }

        protected override void PostStop() => Interlocked.Decrement(ref Running);
    }

    [Fact]
    public async Task The_singleton_moves_when_its_node_leaves_and_when_it_dies_and_never_runs_twice()
    {
        Counted.Running = Counted.MaxRunning = Counted.Started = 0;
        await using var spec = await MultiNodeSpec.StartAsync(new() { Roles = ["first", "second", "third"] });
        var managers = new ClusterSingletonManagerSettings { RemovalMargin = TimeSpan.FromSeconds(2) };
        foreach (var r in spec.Roles)
        {
            var registry = Remoting.Get(spec.System(r)).Registry; // spec messages cross nodes: allow-list them
            registry.Register<Ping>(10_001, (w, m) => w.WriteInt32(m.N), (ref MessageReader rd) => new Ping(rd.ReadInt32()));
            registry.Register<Pong>(10_002, (w, m) => { w.WriteInt32(m.N); w.WriteString(m.Host); },
                (ref MessageReader rd) => new Pong(rd.ReadInt32(), rd.ReadRequiredString()));
        }
        foreach (var r in spec.Roles)
            spec.System(r).ActorOf(ClusterSingletonManager.Props(Props.Create<Counted>(), managers), "manager");
        await spec.RunAsync(node => node.AwaitMembersUp(3, Long));

        // The singleton runs on the oldest Up member. Which node that is depends on how the joins raced
        // (seeds joining together are numbered by the leader), so read the ages from the membership.
        await Await.ConditionAsync(() => spec.Cluster("third").State.Members.Count(m => m.Status == MemberStatus.Up) == 3, Long, "all up");
        var byAge = spec.Cluster("third").State.Members.Where(m => m.Status == MemberStatus.Up).ToList();
        byAge.Sort((a, b) => a.IsOlderThan(b) ? -1 : b.IsOlderThan(a) ? 1 : 0);
        string RoleOf(int age) => spec.Roles.Single(r => spec.Address(r) == byAge[age].Address);
        var oldest = RoleOf(0);
        var next = RoleOf(1);
        var last = RoleOf(2);
        var proxyOnLast = spec.System(last).ActorOf(ClusterSingletonProxy.Props("/user/manager"), "proxy");

        async Task<string> HostNow(int n) => (await proxyOnLast.Ask<Pong>(new Ping(n), Await.Dilated(Long))).Host;
        Assert.EndsWith(spec.Address(oldest).ToString(), await HostNow(1));

        // Crash of its node (2 of 3 survive, so the majority downs it): the singleton starts on the next
        // oldest only once the crashed node is removed.
        await spec.ExitAbruptlyAsync(oldest);
        // Pings sent before the crash is detected go to the dead node and are lost (at-most-once), so
        // each attempt has a short timeout and we retry.
        await Await.AssertAsync(async () =>
            Assert.EndsWith(spec.Address(next).ToString(), (await proxyOnLast.Ask<Pong>(new Ping(2), TimeSpan.FromSeconds(3))).Host),
            TimeSpan.FromSeconds(60));

        // Graceful leave of its node: hand-over to the last node; messages sent meanwhile are buffered, none lost.
        var leaving = spec.System(next).Terminate();
        var during = Enumerable.Range(100, 20).Select(n => proxyOnLast.Ask<Pong>(new Ping(n), Await.Dilated(Long))).ToList();
        await leaving.WaitAsync(Await.Dilated(Long));
        var answers = await Task.WhenAll(during);
        Assert.Equal(Enumerable.Range(100, 20), answers.Select(a => a.N));
        Assert.EndsWith(spec.Address(last).ToString(), (await proxyOnLast.Ask<Pong>(new Ping(3), Await.Dilated(Long))).Host);

        Assert.Equal(1, Counted.MaxRunning);
        Assert.Equal(3, Counted.Started);
    }
}
