using System.Collections.Concurrent;
using ClusterTrainer.Actors;
using Xunit;

namespace ClusterTrainer.Actors.Tests.Core;

public sealed class SystemSpec : TestKit.TestKit
{
    private sealed class Sink : ReceiveActor
    {
        public Sink() => ReceiveAny(_ => { });
    }

    [Fact]
    public void Dead_letters_are_counted_and_published()
    {
        var target = Sys.ActorOf(Props.Create<Sink>(), "gone");
        Watch(target);
        Sys.Stop(target);
        ExpectTerminated(target);
        Sys.EventStream.Subscribe(TestActor, typeof(DeadLetter));
        var before = Sys.DeadLetterCount;
        target.Tell("one");
        target.Tell("two", ActorRefs.NoSender);
        var first = ExpectMsg<DeadLetter>();
        Assert.Equal("one", first.Message);
        Assert.Equal(TestActor, first.Sender);
        Assert.Equal(target, first.Recipient);
        Assert.Equal("two", ExpectMsg<DeadLetter>().Message);
        Assert.Equal(before + 2, Sys.DeadLetterCount);
    }

    [Fact]
    public void Dead_letter_logging_is_rate_limited()
    {
        var sink = new CollectingSink();
        using var kit = new TestKit.TestKit(new ActorSystemOptions { LogLevel = LogLevel.Info, LogSink = sink, DeadLetterLogLimit = 3 });
        for (var i = 0; i < 20; i++) kit.Sys.DeadLetters.Tell(i, ActorRefs.NoSender);
        Assert.Equal(20, kit.Sys.DeadLetterCount);
        Assert.Equal(3, sink.Events.Count(e => e.Source == "DeadLetters" && e.Message.Contains("was not delivered")));
    }

    private sealed class CollectingSink : ILogSink
    {
        public ConcurrentQueue<LogEvent> Events { get; } = new();
        public void Write(LogEvent logEvent) => Events.Enqueue(logEvent);
    }

    private abstract record ClusterEvent;
    private sealed record MemberUp(string Node) : ClusterEvent;
    private sealed record MemberLeft(string Node) : ClusterEvent;

    [Fact]
    public void EventStream_matches_subclasses_and_unsubscribes()
    {
        var all = CreateTestProbe();
        var upsOnly = CreateTestProbe();
        Assert.True(Sys.EventStream.Subscribe(all.Ref, typeof(ClusterEvent)));
        Assert.False(Sys.EventStream.Subscribe(all.Ref, typeof(ClusterEvent)));
        Sys.EventStream.Subscribe(upsOnly.Ref, typeof(MemberUp));
        Sys.EventStream.Publish(new MemberUp("a"));
        Sys.EventStream.Publish(new MemberLeft("b"));
        all.ExpectMsg(new MemberUp("a"));
        all.ExpectMsg(new MemberLeft("b"));
        upsOnly.ExpectMsg(new MemberUp("a"));
        upsOnly.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Assert.True(Sys.EventStream.Unsubscribe(all.Ref, typeof(ClusterEvent)));
        Sys.EventStream.Publish(new MemberUp("c"));
        upsOnly.ExpectMsg(new MemberUp("c"));
        all.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Logger_writes_to_sink_and_event_stream_above_the_level()
    {
        var sink = new CollectingSink();
        using var kit = new TestKit.TestKit(new ActorSystemOptions { LogLevel = LogLevel.Info, LogSink = sink, LogDeadLetters = false });
        kit.Sys.EventStream.Subscribe(kit.TestActor, typeof(LogEvent));
        var log = kit.Sys.GetLogger("spec");
        log.Debug("hidden");
        log.Info("shown");
        var e = kit.ExpectMsg<LogEvent>();
        Assert.Equal(LogLevel.Info, e.Level);
        Assert.Equal("shown", e.Message);
        Assert.DoesNotContain(sink.Events, x => x.Message == "hidden");
        Assert.Contains(sink.Events, x => x.Message == "shown" && x.Source == "spec");
    }

    private sealed class Counter(ActorSystem system)
    {
        public ActorSystem System { get; } = system;
        public int Value;
    }

    [Fact]
    public void Extensions_are_created_once_per_system()
    {
        var created = 0;
        Counter Factory(ActorSystem s) { Interlocked.Increment(ref created); return new Counter(s); }
        var results = new ConcurrentBag<Counter>();
        Parallel.For(0, 8, _ => results.Add(Sys.RegisterExtension(Factory)));
        Assert.Equal(1, created);
        Assert.Single(results.Distinct());
        Assert.Same(Sys, Sys.GetExtension<Counter>().System);
        var missing = Assert.Throws<InvalidOperationException>(() => Sys.GetExtension<string>());
        Assert.Contains("RegisterExtension", missing.Message);
    }

    private sealed class Flaky;

    [Fact]
    public void A_failing_extension_factory_can_be_retried()
    {
        Assert.Throws<InvalidOperationException>(() => Sys.RegisterExtension<Flaky>(_ => throw new InvalidOperationException("not yet")));
        Assert.False(Sys.HasExtension<Flaky>());
        Assert.NotNull(Sys.RegisterExtension(_ => new Flaky()));
    }

    [Fact]
    public async Task Coordinated_shutdown_runs_phases_in_order_before_actors_stop()
    {
        var order = new ConcurrentQueue<string>();
        var system = ActorSystem.Create("shutdown", TestKit.TestKit.DefaultOptions with { TerminateOnSigterm = false });
        var actor = system.ActorOf(Props.Create(() => new StopReporter(order)));
        system.CoordinatedShutdown.AddTask(CoordinatedShutdown.Phases.ServiceStop, "remote-stop", async _ => { await Task.Yield(); order.Enqueue("remote-stop"); });
        system.CoordinatedShutdown.AddTask(CoordinatedShutdown.Phases.ClusterLeave, "leave", _ => { order.Enqueue("cluster-leave"); return Task.CompletedTask; });
        system.CoordinatedShutdown.AddTask(CoordinatedShutdown.Phases.BeforeServiceUnbind, "first", _ => { order.Enqueue("first"); return Task.CompletedTask; });
        system.CoordinatedShutdown.AddTask(CoordinatedShutdown.Phases.ClusterShutdown, "failing", _ => throw new InvalidOperationException("ignored"));
        await system.Terminate().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(["first", "remote-stop", "cluster-leave", "actor-stopped"], order.ToArray());
        Assert.Throws<InvalidOperationException>(() => system.ActorOf(Props.Create<Sink>()));
        Assert.Throws<InvalidOperationException>(() => system.CoordinatedShutdown.AddTask(CoordinatedShutdown.Phases.ServiceStop, "late", _ => Task.CompletedTask));
        var unknown = Assert.Throws<ArgumentException>(() => CoordinatedShutdownPhaseCheck(system));
        Assert.Contains("Unknown shutdown phase", unknown.Message);
        Assert.NotNull(actor);
    }

    private static void CoordinatedShutdownPhaseCheck(ActorSystem system) =>
        system.CoordinatedShutdown.AddTask("no-such-phase", "x", _ => Task.CompletedTask);

    private sealed class StopReporter(ConcurrentQueue<string> order) : ReceiveActor
    {
        protected override void PostStop() => order.Enqueue("actor-stopped");
    }

    [Fact]
    public void Invalid_system_names_and_options_are_rejected_with_the_fix()
    {
        var e = Assert.Throws<ArgumentException>(() => ActorSystem.Create("bad name"));
        Assert.Contains("letters, digits", e.Message);
        var o = Assert.Throws<ArgumentOutOfRangeException>(() => ActorSystem.Create("ok", new ActorSystemOptions { Throughput = 0 }));
        Assert.Contains("Throughput", o.Message);
    }

    [Fact]
    public void Creating_an_actor_with_new_is_refused()
    {
        var e = Assert.Throws<ActorInitializationException>(() => new Sink());
        Assert.Contains("ActorOf", e.Message);
    }

    [Fact]
    public async Task Ask_on_a_stopped_actor_times_out_and_counts_a_dead_letter()
    {
        var target = Sys.ActorOf(Props.Create<Sink>());
        Watch(target);
        Sys.Stop(target);
        ExpectTerminated(target);
        var before = Sys.DeadLetterCount;
        await Assert.ThrowsAsync<AskTimeoutException>(() => target.Ask<string>("anyone?", TimeSpan.FromMilliseconds(100)));
        Assert.Equal(before + 1, Sys.DeadLetterCount);
    }

    [Fact]
    public void Unwatch_prevents_Terminated()
    {
        var target = Sys.ActorOf(Props.Create<Sink>());
        Watch(target);
        Unwatch(target);
        Sys.Stop(target);
        AwaitCondition(() => ((IInternalActorRef)target).IsTerminated);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Terminate_stops_every_actor_and_system_actors_last()
    {
        var order = new ConcurrentQueue<string>();
        var system = ActorSystem.Create("terminate", TestKit.TestKit.DefaultOptions with { TerminateOnSigterm = false });
        system.SystemActorOf(Props.Create(() => new Named(order, "system-actor")), "sys-a");
        var parent = system.ActorOf(Props.Create(() => new Named(order, "user-actor")), "user-a");
        await system.Terminate().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(["user-actor", "system-actor"], order.ToArray());
        Assert.True(((IInternalActorRef)parent).IsTerminated);
    }

    private sealed class Named(ConcurrentQueue<string> order, string name) : ReceiveActor
    {
        protected override void PostStop() => order.Enqueue(name);
    }
}
