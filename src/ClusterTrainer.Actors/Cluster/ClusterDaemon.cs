using ClusterTrainer.Actors.Remote;
using System.Diagnostics;

namespace ClusterTrainer.Actors.Cluster;

/// <summary>
/// The actor (/system/cluster) that runs this node's <see cref="ClusterEngine"/>: it feeds the engine
/// the protocol messages that remoting delivers and a tick every <see cref="TickInterval"/>, sends what
/// the engine sends to the daemons of other nodes, and publishes the engine's events on the event
/// stream. Commands from <see cref="Cluster"/> (join, leave, down, subscribe) arrive as messages, so
/// the engine is only ever touched by this actor.
/// </summary>
internal sealed class ClusterDaemon : ReceiveActor, IClusterOutbox
{
    internal static readonly TimeSpan TickInterval = TimeSpan.FromMilliseconds(50);

    internal sealed record Tick { public static readonly Tick Instance = new(); }
    internal sealed record JoinSeedNodes(IReadOnlyList<NodeAddress>? Seeds);
    internal sealed record JoinTo(NodeAddress Address);
    internal sealed record LeaveCommand(NodeAddress Address);
    internal sealed record DownCommand(NodeAddress Address);
    internal sealed record Subscribe(IActorRef Subscriber, InitialStateMode Mode, IReadOnlyList<Type> Types);
    internal sealed record Unsubscribe(IActorRef Subscriber);
    internal sealed record ShutdownSelf { public static readonly ShutdownSelf Instance = new(); }

    private readonly Cluster _cluster;
    private readonly ClusterEngine _engine;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Dictionary<NodeAddress, IActorRef> _daemons = new();
    private ICancelable? _ticker;
    private bool _shutdownScheduled;

    public ClusterDaemon(Cluster cluster)
    {
        _cluster = cluster;
        _engine = new ClusterEngine(cluster.SelfUniqueAddress, cluster.Settings, this);
        Receive<IClusterProtocolMessage>(m => { _engine.Receive(SenderOf(m), m, Now); AfterChange(); });
        Receive<Tick>(_ => { _engine.Tick(Now); AfterChange(); });
        Receive<JoinSeedNodes>(j => { _engine.JoinSeedNodes(j.Seeds, Now); AfterChange(); });
        Receive<JoinTo>(j => { _engine.Join(j.Address, Now); AfterChange(); });
        Receive<LeaveCommand>(l => { _engine.Leave(l.Address); AfterChange(); });
        Receive<DownCommand>(d => { _engine.Down(d.Address); AfterChange(); });
        Receive<Subscribe>(OnSubscribe);
        Receive<Unsubscribe>(u => Context.System.EventStream.Unsubscribe(u.Subscriber));
        Receive<ShutdownSelf>(_ => { Context.System.Terminate(); });
    }

    private double Now => _clock.Elapsed.TotalMilliseconds;

    protected override void PreStart() =>
        _ticker = Context.System.Scheduler.ScheduleTellRepeatedly(TickInterval, TickInterval, Self, Tick.Instance, Self);

    protected override void PostStop() => _ticker?.Cancel();

    private static NodeAddress SenderOf(IClusterProtocolMessage m) => m switch
    {
        InitJoin x => x.From,
        InitJoinAck x => x.From,
        Join x => x.Node.Address,
        Welcome x => x.From.Address,
        GossipEnvelope x => x.From.Address,
        Heartbeat x => x.From.Address,
        HeartbeatRsp x => x.From.Address,
        _ => throw new ArgumentException($"Unknown cluster protocol message {m.GetType().Name}."),
    };

    private void AfterChange()
    {
        _cluster.UpdateState(_engine.State, _engine.SelfMember);
        if (_engine.IsStopped && !_shutdownScheduled)
        {
            _shutdownScheduled = true;
            Self.Tell(ShutdownSelf.Instance, Self);
        }
    }

    void IClusterOutbox.Send(NodeAddress to, IClusterProtocolMessage message)
    {
        if (!_daemons.TryGetValue(to, out var daemon))
            _daemons[to] = daemon = Context.System.Provider.ResolveActorRef(
                new ActorPath(Cluster.ToCoreAddress(to), ["system", "cluster"]));
        daemon.Tell(message, Self);
    }

    void IClusterOutbox.Publish(IClusterDomainEvent e)
    {
        Context.System.EventStream.Publish(e);
        switch (e)
        {
            case MemberRemoved r when r.Member.UniqueAddress != _cluster.SelfUniqueAddress:
                _daemons.Remove(r.Member.Address);
                _cluster.OnNodeRemoved(r.Member.Address);
                break;
            case SelfDowned when !_shutdownScheduled:
                _shutdownScheduled = true;
                Context.System.Scheduler.ScheduleTellOnce(_cluster.Settings.ShutdownAfterDowned, Self, ShutdownSelf.Instance, Self);
                break;
        }
    }

    private void OnSubscribe(Subscribe s)
    {
        var state = _engine.State;
        if (s.Mode == InitialStateMode.InitialStateAsSnapshot)
            s.Subscriber.Tell(state, Self);
        else if (s.Mode == InitialStateMode.InitialStateAsEvents)
        {
            var initial = ClusterEventDiff.Diff(Gossip.Empty, _engine.Gossip, _cluster.SelfUniqueAddress);
            foreach (var e in initial.Where(e => s.Types.Any(t => t.IsInstanceOfType(e))))
                s.Subscriber.Tell(e, Self);
        }
        foreach (var t in s.Types) Context.System.EventStream.Subscribe(s.Subscriber, t);
    }
}
