using ClusterTrainer.Actors;
using Xunit;

namespace ClusterTrainer.Actors.Tests.Core;

public sealed class WatchSpec : TestKit.TestKit
{
    private sealed class Idle : ReceiveActor
    {
        public Idle() => ReceiveAny(_ => { });
    }

    /// <summary>Watches a target and reports Terminated to the given probe.</summary>
    private sealed class Watcher : ReceiveActor
    {
        public Watcher(IActorRef target, IActorRef report)
        {
            Context.Watch(target);
            report.Tell("watching");
            Receive<Terminated>(t => report.Tell(t));
        }
    }

    [Fact]
    public void Watcher_gets_Terminated_exactly_once()
    {
        var target = Sys.ActorOf(Props.Create<Idle>(), "target");
        var probe = CreateTestProbe();
        Sys.ActorOf(Props.Create(() => new Watcher(target, probe.Ref)));
        Sys.ActorOf(Props.Create(() => new Watcher(target, probe.Ref)));
        probe.ExpectMsg("watching");
        probe.ExpectMsg("watching");
        Watch(target);
        Sys.Stop(target);
        ExpectTerminated(target);
        var t1 = probe.ExpectMsg<Terminated>();
        var t2 = probe.ExpectMsg<Terminated>();
        Assert.Equal(target, t1.ActorRef);
        Assert.Equal(target, t2.ActorRef);
        Assert.True(t1.ExistenceConfirmed);
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Watching_an_already_dead_actor_still_delivers_Terminated()
    {
        var target = Sys.ActorOf(Props.Create<Idle>());
        Watch(target);
        Sys.Stop(target);
        ExpectTerminated(target);
        var probe = CreateTestProbe();
        Sys.ActorOf(Props.Create(() => new Watcher(target, probe.Ref)));
        probe.ExpectMsg("watching");
        var t = probe.ExpectMsg<Terminated>();
        Assert.Equal(target, t.ActorRef);
        Assert.False(t.ExistenceConfirmed); // the watch reached an actor that was already gone
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void PoisonPill_is_processed_in_order_and_later_mail_is_dead()
    {
        var target = Sys.ActorOf(Props.Create(() => new EchoUntil()));
        Watch(target);
        target.Tell(1);
        target.Tell(2);
        target.Tell(PoisonPill.Instance);
        ExpectMsg(1);
        ExpectMsg(2);
        ExpectTerminated(target);
        var before = Sys.DeadLetterCount;
        target.Tell(3);
        AwaitCondition(() => Sys.DeadLetterCount == before + 1);
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    private sealed class EchoUntil : ReceiveActor
    {
        public EchoUntil() => Receive<int>(i => Sender.Tell(i));
    }

    [Fact]
    public async Task System_terminate_completes_WhenTerminated()
    {
        var target = Sys.ActorOf(Props.Create<Idle>());
        Watch(target);
        await Sys.Terminate().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(Sys.WhenTerminated.IsCompletedSuccessfully);
    }
}
