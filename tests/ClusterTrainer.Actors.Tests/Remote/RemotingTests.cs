using System.Collections.Concurrent;
using System.Security.Cryptography;
using ClusterTrainer.Actors.Remote;
using ClusterTrainer.Actors.Serialization;
using Xunit;

namespace ClusterTrainer.Actors.Tests.Remote;

/// <summary>Two actor systems in one process talking over loopback TCP.</summary>
public sealed class RemotingTests : IAsyncLifetime
{
    private readonly LogCapture _logA = new(), _logB = new();
    private ActorSystem _a = null!, _b = null!;

    private sealed class LogCapture : ILogSink
    {
        public readonly ConcurrentQueue<LogEvent> Events = new();
        public void Write(LogEvent e) => Events.Enqueue(e);
        public bool Contains(string text) => Events.Any(e => e.Message.Contains(text, StringComparison.Ordinal));
    }

    private sealed class Echo : ReceiveActor
    {
        public Echo()
        {
            Receive<Ping>(p => Sender.Tell(new Pong(p.N, "pong"), Self));
            Receive<string>(s => s == "fail", _ => Sender.Tell(new Status.Failure(new InvalidOperationException("boom")), Self));
        }
    }

    private sealed class Collector : ReceiveActor
    {
        public Collector(ConcurrentQueue<object> into) => ReceiveAny(m =>
        {
            if (m is TensorPayload t)
            {
                into.Enqueue(Convert.ToHexString(SHA256.HashData(t.Data.Span)));
                t.Dispose(); // the receiver owns the pooled buffer
            }
            else into.Enqueue(m);
        });
    }

    private sealed class Watcher : ReceiveActor
    {
        public Watcher(IActorRef target, ConcurrentQueue<Terminated> into)
        {
            Context.Watch(target);
            Receive<Terminated>(into.Enqueue);
        }
    }

    private static SerializationRegistry Registry() => TestTransports.Registry();

    private static ActorSystem Create(string name, LogCapture log, string secret = TestTransports.Secret) =>
        ActorSystem.Create(name, new ActorSystemOptions { LogSink = log, LogLevel = LogLevel.Info, TerminateOnSigterm = false }
            .WithRemoting(new RemoteSettings { Secret = secret }, Registry()));

    public Task InitializeAsync()
    {
        _a = Create("nodeA", _logA);
        _b = Create("nodeB", _logB);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await Task.WhenAll(_a.Terminate(), _b.Terminate());
        await Task.WhenAll(Remoting.Get(_a).WhenStopped, Remoting.Get(_b).WhenStopped);
    }

    private IActorRef RefOn(ActorSystem from, ActorSystem on, string name) =>
        Remoting.Get(from).ActorFor($"{Remoting.Get(on).Address}/user/{name}");

    [Fact]
    public async Task Tell_works_both_ways_with_the_sender_preserved()
    {
        var atA = new ConcurrentQueue<object>();
        var atB = new ConcurrentQueue<object>();
        var collectorA = _a.ActorOf(Props.Create(() => new Collector(atA)), "collector");
        _b.ActorOf(Props.Create(() => new Collector(atB)), "collector");

        RefOn(_a, _b, "collector").Tell(new Ping(1), collectorA);
        RefOn(_b, _a, "collector").Tell("hello from B", null);
        await Poll.UntilAsync(() => atA.Count == 1 && atB.Count == 1, "one message at each node");
        Assert.Equal(new Ping(1), atB.Single());
        Assert.Equal("hello from B", atA.Single());
        Assert.StartsWith("ct.tcp://nodeA@127.0.0.1:", Remoting.Get(_a).Address.ToString());
    }

    [Fact]
    public async Task Ask_across_nodes_returns_the_reply_and_propagates_failures()
    {
        _b.ActorOf(Props.Create<Echo>(), "echo");
        var echo = RefOn(_a, _b, "echo");
        var pong = await echo.Ask<Pong>(new Ping(41), TimeSpan.FromSeconds(20));
        Assert.Equal(new Pong(41, "pong"), pong);
        var e = await Assert.ThrowsAsync<RemoteException>(() => echo.Ask<Pong>("fail", TimeSpan.FromSeconds(20)));
        Assert.Equal(typeof(InvalidOperationException).FullName, e.RemoteType);
        Assert.Equal("boom", e.RemoteMessage);
    }

    [Fact]
    public async Task Identify_returns_a_remote_ref_that_can_be_used()
    {
        _b.ActorOf(Props.Create<Echo>(), "echo");
        var identity = await RefOn(_a, _b, "echo").Ask<ActorIdentity>(new Identify(7), TimeSpan.FromSeconds(20));
        Assert.Equal(7, identity.MessageId);
        var subject = Assert.IsType<RemoteActorRef>(identity.Subject);
        Assert.Equal(new Pong(1, "pong"), await subject.Ask<Pong>(new Ping(1), TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task Ten_thousand_messages_keep_their_order()
    {
        var atB = new ConcurrentQueue<object>();
        _b.ActorOf(Props.Create(() => new Collector(atB)), "collector");
        var target = RefOn(_a, _b, "collector");
        for (int i = 0; i < 10_000; i++) target.Tell(new Ping(i), null);
        await Poll.UntilAsync(() => atB.Count == 10_000, "10,000 pings");
        Assert.Equal(Enumerable.Range(0, 10_000).Select(i => new Ping(i)), atB.Cast<Ping>());
    }

    [Fact]
    public async Task Remote_watch_gets_Terminated_when_the_remote_actor_stops()
    {
        var echoB = _b.ActorOf(Props.Create<Echo>(), "echo");
        var remoteEcho = RefOn(_a, _b, "echo");
        await remoteEcho.Ask<Pong>(new Ping(0), TimeSpan.FromSeconds(20)); // associated, actor alive
        var terminated = new ConcurrentQueue<Terminated>();
        _a.ActorOf(Props.Create(() => new Watcher(remoteEcho, terminated)), "watcher");
        await Poll.UntilAsync(() => Remoting.Get(_b).Counters.FramesIn >= 2, "the watch reached B");
        _b.Stop(echoB);
        await Poll.UntilAsync(() => terminated.Count == 1, "Terminated for the remote echo");
        var t = terminated.Single();
        Assert.Equal(remoteEcho, t.ActorRef);
        Assert.False(t.AddressTerminated);
    }

    [Fact]
    public async Task Watching_a_remote_actor_that_does_not_exist_gives_Terminated_at_once()
    {
        var terminated = new ConcurrentQueue<Terminated>();
        var ghost = RefOn(_a, _b, "ghost");
        _a.ActorOf(Props.Create(() => new Watcher(ghost, terminated)), "watcher");
        await Poll.UntilAsync(() => terminated.Count == 1, "Terminated for the missing actor");
        Assert.False(terminated.Single().ExistenceConfirmed);
    }

    [Fact]
    public async Task Remote_watch_gets_Terminated_when_the_other_system_terminates()
    {
        _b.ActorOf(Props.Create<Echo>(), "echo");
        var remoteEcho = RefOn(_a, _b, "echo");
        await remoteEcho.Ask<Pong>(new Ping(0), TimeSpan.FromSeconds(20));
        var terminated = new ConcurrentQueue<Terminated>();
        _a.ActorOf(Props.Create(() => new Watcher(remoteEcho, terminated)), "watcher");
        await Poll.UntilAsync(() => Remoting.Get(_b).Counters.FramesIn >= 2, "the watch reached B");
        await _b.Terminate();
        await Poll.UntilAsync(() => terminated.Count == 1, "Terminated after B terminated");
        Assert.Equal(remoteEcho, terminated.Single().ActorRef);
    }

    [Fact]
    public async Task Declaring_an_address_terminated_gives_watchers_address_terminated()
    {
        _b.ActorOf(Props.Create<Echo>(), "echo");
        var remoteEcho = RefOn(_a, _b, "echo");
        await remoteEcho.Ask<Pong>(new Ping(0), TimeSpan.FromSeconds(20));
        var terminated = new ConcurrentQueue<Terminated>();
        _a.ActorOf(Props.Create(() => new Watcher(remoteEcho, terminated)), "watcher");
        await Poll.UntilAsync(() => Remoting.Get(_b).Counters.FramesIn >= 2, "the watch reached B");
        await Remoting.Get(_a).DeclareAddressTerminatedAsync(Remoting.Get(_b).Address, "failure detector says so");
        await Poll.UntilAsync(() => terminated.Count == 1, "Terminated(addressTerminated)");
        Assert.True(terminated.Single().AddressTerminated);
        Assert.True(_logA.Contains("quarantining"));
    }

    [Fact]
    public async Task A_system_with_the_wrong_secret_is_refused_and_logged_on_both_sides()
    {
        var logC = new LogCapture();
        using var intruder = Create("nodeA", logC, secret: "wrong");
        var atA = new ConcurrentQueue<object>();
        _a.ActorOf(Props.Create(() => new Collector(atA)), "collector");
        RefOn(intruder, _a, "collector").Tell(new Ping(666), null);
        await Poll.UntilAsync(() => _logA.Contains("refused inbound connection") && logC.Contains("handshake with"), "refusal logged on both sides");
        Assert.True(_logA.Contains("could not prove it holds the cluster secret"));
        Assert.Empty(atA);
        Assert.Equal(0, Remoting.Get(_a).Counters.FramesIn);
        await intruder.Terminate();
    }

    [Fact]
    public async Task A_64_MiB_tensor_reaches_an_actor_intact()
    {
        var atB = new ConcurrentQueue<object>();
        _b.ActorOf(Props.Create(() => new Collector(atB)), "ps");
        byte[] data = GC.AllocateUninitializedArray<byte>(64 * 1024 * 1024, pinned: true);
        new Random(7).NextBytes(data);
        RefOn(_a, _b, "ps").Tell(new TensorPayload("grad", 12, TensorDType.Float32, [data.Length / 4], data), null);
        await Poll.UntilAsync(() => atB.Count == 1, "the tensor at B", 60_000);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(data)), atB.Single());
    }

    [Fact]
    public async Task Association_events_are_published_on_the_event_stream()
    {
        var events = new ConcurrentQueue<object>();
        var sub = _a.ActorOf(Props.Create(() => new Collector(events)), "events");
        _a.EventStream.Subscribe(sub, typeof(AssociationEvent));
        _b.ActorOf(Props.Create<Echo>(), "echo");
        await RefOn(_a, _b, "echo").Ask<Pong>(new Ping(1), TimeSpan.FromSeconds(20));
        await Poll.UntilAsync(() => events.OfType<AssociatedEvent>().Any(e => e.Remote == Remoting.Get(_b).NodeAddress), "AssociatedEvent for B");
    }

    [Fact]
    public async Task Actor_selection_resolves_remote_paths_and_reports_missing_ones_quickly()
    {
        var echoB = _b.ActorOf(Props.Create<Echo>(), "echo");
        string address = Remoting.Get(_b).Address.ToString();
        var resolved = await _a.ActorSelection($"{address}/user/echo").ResolveOne(TimeSpan.FromSeconds(20));
        Assert.Equal(echoB.Path.ToStringWithoutAddress(), resolved.Path.ToStringWithoutAddress());
        Assert.Equal(new Pong(3, "pong"), await resolved.Ask<Pong>(new Ping(3), TimeSpan.FromSeconds(20)));
        // A missing actor answers Identify with no subject at once (no waiting for the timeout).
        var sw = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAsync<ActorNotFoundException>(() => _a.ActorSelection($"{address}/user/nobody-here").ResolveOne(TimeSpan.FromSeconds(60)));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(50), "the missing actor should be reported before the ask timeout");
    }
}
