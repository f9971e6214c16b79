using ClusterTrainer.Actors;
using Xunit;

namespace ClusterTrainer.Actors.Tests.Core;

public sealed class SupervisionSpec : TestKit.TestKit
{
    private sealed record Throw(Exception Error);
    private sealed record Get;
    private sealed record Incr;
    private sealed record MakeChild(Props Props, string Name);

    /// <summary>Counts Incr messages, throws on demand and reports lifecycle hooks to a probe.</summary>
    private sealed class Counter : ReceiveActor
    {
        private readonly IActorRef _report;
        private int _count;

        public Counter(IActorRef report)
        {
            _report = report;
            Receive<Incr>(_ => _count++);
            Receive<Get>(_ => Sender.Tell(_count));
            Receive<Throw>(t => throw t.Error);
        }

        protected override void PreStart() => _report.Tell($"prestart {Self.Path.Name}");
        protected override void PostStop() => _report.Tell($"poststop {Self.Path.Name}");
        protected override void PreRestart(Exception reason, object? message)
        {
            _report.Tell($"prerestart {Self.Path.Name} {message?.GetType().Name}");
            base.PreRestart(reason, message);
        }
        protected override void PostRestart(Exception reason)
        {
            _report.Tell($"postrestart {Self.Path.Name}");
            base.PostRestart(reason);
        }
    }

    /// <summary>A parent with a given strategy that creates children on request.</summary>
    private sealed class Supervisor : ReceiveActor
    {
        private readonly SupervisorStrategy _strategy;

        public Supervisor(SupervisorStrategy strategy)
        {
            _strategy = strategy;
            Receive<MakeChild>(m => Sender.Tell(Context.ActorOf(m.Props, m.Name)));
        }

        protected override SupervisorStrategy SupervisorStrategy() => _strategy;
    }

    private IActorRef Child(IActorRef supervisor, IActorRef report, string name)
    {
        supervisor.Tell(new MakeChild(Props.Create(() => new Counter(report)), name));
        return ExpectMsg<IActorRef>();
    }

    private IActorRef NewSupervisor(SupervisorStrategy strategy) =>
        Sys.ActorOf(Props.Create(() => new Supervisor(strategy)));

    [Fact]
    public void Resume_keeps_state()
    {
        var report = CreateTestProbe();
        var sup = NewSupervisor(new OneForOneStrategy(_ => Directive.Resume));
        var child = Child(sup, report, "c");
        report.ExpectMsg("prestart c");
        child.Tell(new Incr());
        child.Tell(new Throw(new InvalidOperationException("oops")));
        child.Tell(new Incr());
        child.Tell(new Get());
        ExpectMsg(2);
        report.ExpectNoMsg(TimeSpan.FromMilliseconds(100)); // no restart hooks
    }

    [Fact]
    public void Restart_runs_hooks_in_order_resets_state_and_keeps_the_rest_of_the_mailbox()
    {
        var report = CreateTestProbe();
        var sup = NewSupervisor(new OneForOneStrategy(_ => Directive.Restart));
        var child = Child(sup, report, "c");
        report.ExpectMsg("prestart c");
        child.Tell(new Incr());
        child.Tell(new Throw(new InvalidOperationException("oops")));
        child.Tell(new Incr()); // queued behind the failing message: must survive the restart
        child.Tell(new Incr());
        child.Tell(new Get());
        report.ExpectMsg("prerestart c Throw");
        report.ExpectMsg("poststop c");
        report.ExpectMsg("postrestart c");
        report.ExpectMsg("prestart c");
        ExpectMsg(2); // the fresh instance counted only the two messages after the failure
    }

    [Fact]
    public void Stop_directive_stops_the_child()
    {
        var report = CreateTestProbe();
        var sup = NewSupervisor(new OneForOneStrategy(_ => Directive.Stop));
        var child = Child(sup, report, "c");
        report.ExpectMsg("prestart c");
        Watch(child);
        child.Tell(new Throw(new InvalidOperationException("oops")));
        report.ExpectMsg("poststop c");
        ExpectTerminated(child);
    }

    [Fact]
    public void Escalate_fails_the_supervisor_which_its_own_parent_restarts()
    {
        var report = CreateTestProbe();
        var top = NewSupervisor(new OneForOneStrategy(_ => Directive.Restart));
        top.Tell(new MakeChild(Props.Create(() => new Supervisor(new OneForOneStrategy(_ => Directive.Escalate))), "middle"));
        var middle = ExpectMsg<IActorRef>();
        var leaf = Child(middle, report, "leaf");
        report.ExpectMsg("prestart leaf");
        leaf.Tell(new Throw(new InvalidOperationException("deep")));
        // middle restarts; its default PreRestart stops the leaf
        report.ExpectMsg("poststop leaf");
        Watch(leaf);
        ExpectTerminated(leaf);
        // middle survived its restart and still answers
        middle.Tell(new MakeChild(Props.Create(() => new Counter(report)), "leaf"));
        ExpectMsg<IActorRef>();
        report.ExpectMsg("prestart leaf");
    }

    [Fact]
    public void Retries_within_window_then_stop()
    {
        var report = CreateTestProbe();
        var sup = NewSupervisor(new OneForOneStrategy(2, TimeSpan.FromMinutes(1), _ => Directive.Restart));
        var child = Child(sup, report, "c");
        report.ExpectMsg("prestart c");
        Watch(child);
        for (var i = 0; i < 2; i++)
        {
            child.Tell(new Throw(new InvalidOperationException($"fail {i}")));
            report.ExpectMsg("prerestart c Throw");
            report.ExpectMsg("poststop c");
            report.ExpectMsg("postrestart c");
            report.ExpectMsg("prestart c");
        }
        child.Tell(new Throw(new InvalidOperationException("one too many")));
        report.ExpectMsg("poststop c");
        ExpectTerminated(child);
    }

    [Fact]
    public void AllForOne_restarts_the_siblings_too()
    {
        var report = CreateTestProbe();
        var sup = NewSupervisor(new AllForOneStrategy(_ => Directive.Restart));
        var a = Child(sup, report, "a");
        report.ExpectMsg("prestart a");
        var b = Child(sup, report, "b");
        report.ExpectMsg("prestart b");
        b.Tell(new Incr());
        a.Tell(new Throw(new InvalidOperationException("a broke")));
        var hooks = report.ReceiveN(8);
        Assert.Contains("postrestart a", hooks);
        Assert.Contains("postrestart b", hooks);
        b.Tell(new Get());
        ExpectMsg(0); // b's state was reset by the restart
    }

    [Fact]
    public void Default_strategy_restarts_and_exception_in_constructor_stops()
    {
        var report = CreateTestProbe();
        var top = Sys.ActorOf(Props.Create(() => new Counter(report)), "top");
        report.ExpectMsg("prestart top");
        top.Tell(new Throw(new InvalidOperationException("user guardian restarts me")));
        report.ExpectMsg("prerestart top Throw");
        report.ExpectMsg("poststop top");
        report.ExpectMsg("postrestart top");
        report.ExpectMsg("prestart top");

        var broken = Sys.ActorOf(Props.Create(() => new Broken()), "broken");
        Watch(broken);
        ExpectTerminated(broken);
    }

    private sealed class Broken : ReceiveActor
    {
        public Broken() => throw new InvalidOperationException("cannot construct");
    }

    [Fact]
    public void Guardian_strategy_from_options_applies_to_top_level_actors()
    {
        using var kit = new TestKit.TestKit(TestKit.TestKit.DefaultOptions with
        {
            GuardianSupervisorStrategy = SupervisorStrategy.StoppingStrategy,
        });
        var report = kit.CreateTestProbe();
        var top = kit.Sys.ActorOf(Props.Create(() => new Counter(report)), "top");
        report.ExpectMsg("prestart top");
        kit.Watch(top);
        top.Tell(new Throw(new InvalidOperationException("stop me")), kit.TestActor);
        report.ExpectMsg("poststop top");
        kit.ExpectTerminated(top);
    }

    [Fact]
    public void Kill_fails_the_actor_and_the_default_decider_stops_it()
    {
        var report = CreateTestProbe();
        var top = Sys.ActorOf(Props.Create(() => new Counter(report)));
        report.ExpectMsg<string>();
        Watch(top);
        top.Tell(Kill.Instance);
        ExpectTerminated(top);
    }

    private sealed class ReportingParent : ReceiveActor
    {
        private readonly IActorRef _report;

        public ReportingParent(IActorRef report)
        {
            _report = report;
            Context.ActorOf(Props.Create(() => new Counter(report)), "c1");
            Context.ActorOf(Props.Create(() => new Counter(report)), "c2");
        }

        protected override void PostStop() => _report.Tell("poststop parent");
    }

    [Fact]
    public void Children_stop_before_their_parent()
    {
        var report = CreateTestProbe();
        var parent = Sys.ActorOf(Props.Create(() => new ReportingParent(report)), "parent");
        report.ExpectMsgAllOf("prestart c1", "prestart c2");
        Sys.Stop(parent);
        report.ExpectMsgAllOf("poststop c1", "poststop c2");
        report.ExpectMsg("poststop parent");
    }
}
