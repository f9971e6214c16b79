using ClusterTrainer.Actors;
using Xunit;

namespace ClusterTrainer.Actors.Tests.Core;

public sealed class LifecycleSpec : TestKit.TestKit
{
    private sealed record Boom;
    private sealed record StopChild(string Name);
    private sealed record MakeChild(string Name);

    /// <summary>Creates named children in its constructor and reports their creation.</summary>
    private sealed class Family : ReceiveActor
    {
        public Family(IActorRef report)
        {
            foreach (var name in new[] { "kid-1", "kid-2" })
            {
                Context.ActorOf(Props.Create(() => new Kid(report)), name);
            }
            report.Tell($"family started with {Context.GetChildren().Count} kids");
            Receive<Boom>(_ => throw new InvalidOperationException("family failure"));
            Receive<StopChild>(s => Context.Stop(Context.Child(s.Name)!));
            Receive<MakeChild>(m =>
            {
                try { Sender.Tell(Context.ActorOf(Props.Create(() => new Kid(report)), m.Name)); }
                catch (InvalidActorNameException e) { Sender.Tell(e.Message); }
            });
        }
    }

    private sealed class Kid : ReceiveActor
    {
        private readonly IActorRef _report;
        public Kid(IActorRef report) { _report = report; ReceiveAny(_ => { }); }
        protected override void PostStop() => _report.Tell($"stopped {Self.Path.Name}");
    }

    [Fact]
    public void A_restarted_parent_can_recreate_children_with_the_same_names()
    {
        var report = CreateTestProbe();
        var family = Sys.ActorOf(Props.Create(() => new Family(report.Ref)), "family");
        report.ExpectMsg("family started with 2 kids");
        family.Tell(new Boom());
        report.ExpectMsgAllOf("stopped kid-1", "stopped kid-2");
        // the restart waited for both kids to stop, so the names were free again
        report.ExpectMsg("family started with 2 kids");
    }

    [Fact]
    public void A_child_name_is_reserved_until_the_child_has_stopped()
    {
        var report = CreateTestProbe();
        var family = Sys.ActorOf(Props.Create(() => new Family(report.Ref)));
        report.ExpectMsg<string>();
        var kid = Sys.Provider.ResolveLocalActorRef(ActorPath.Parse($"ct://{Sys.Name}/user/{family.Path.Name}/kid-1"))!;
        Watch(kid);
        family.Tell(new StopChild("kid-1"));
        ExpectTerminated(kid);
        report.ExpectMsg("stopped kid-1");
        AwaitAssert(() =>
        {
            family.Tell(new MakeChild("kid-1"));
            Assert.IsAssignableFrom<IActorRef>(ExpectMsg<object>());
        });
        family.Tell(new MakeChild("kid-2"));
        Assert.Contains("not unique", ExpectMsg<string>());
    }

    private sealed class Crasher : ReceiveActor
    {
        public Crasher(IActorRef report)
        {
            Receive<Boom>(_ => throw new ArithmeticException("props strategy decides"));
            Receive<string>(s => report.Tell(s));
        }
    }

    private sealed class PlainParent : ReceiveActor
    {
        public PlainParent(IActorRef report)
        {
            var child = Context.ActorOf(Props.Create(() => new Crasher(report)), "crasher");
            ReceiveAny(m => child.Forward(m));
        }
    }

    [Fact]
    public void Props_supervisor_strategy_is_used_for_the_actors_children()
    {
        var report = CreateTestProbe();
        var parent = Sys.ActorOf(Props.Create(() => new PlainParent(report.Ref))
            .WithSupervisorStrategy(new OneForOneStrategy(e => e is ArithmeticException ? Directive.Resume : Directive.Stop)));
        parent.Tell(new Boom());
        parent.Tell("still alive");
        report.ExpectMsg("still alive");
    }

    [Fact]
    public async Task A_hanging_shutdown_phase_times_out_and_the_system_still_terminates()
    {
        var system = ActorSystem.Create("hang", TestKit.TestKit.DefaultOptions with
        {
            TerminateOnSigterm = false,
            ShutdownPhaseTimeout = TimeSpan.FromMilliseconds(200),
        });
        var never = new TaskCompletionSource();
        system.CoordinatedShutdown.AddTask(CoordinatedShutdown.Phases.ClusterLeave, "hangs", _ => never.Task);
        await system.Terminate().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(system.WhenTerminated.IsCompletedSuccessfully);
    }

    private sealed class AllStop : ReceiveActor
    {
        public AllStop(IActorRef report)
        {
            Context.ActorOf(Props.Create(() => new Kid(report)), "a");
            Context.ActorOf(Props.Create(() => new Crasher(report)), "b");
            Receive<Boom>(b => Context.Child("b")!.Tell(b));
        }

        protected override SupervisorStrategy SupervisorStrategy() => new AllForOneStrategy(_ => Directive.Stop);
    }

    [Fact]
    public void AllForOne_stop_stops_every_child()
    {
        var report = CreateTestProbe();
        var parent = Sys.ActorOf(Props.Create(() => new AllStop(report.Ref)));
        parent.Tell(new Boom());
        report.ExpectMsg("stopped a"); // the sibling that did not fail is stopped too
    }
}
