using ClusterTrainer.Actors.Remote;

namespace ClusterTrainer.Actors.Cluster;

public enum InitialStateMode
{
    /// <summary>Only changes from now on.</summary>
    NoInitialState,
    /// <summary>First a <see cref="CurrentClusterState"/>, then changes.</summary>
    InitialStateAsSnapshot,
    /// <summary>First the events that lead to the current state (MemberUp, UnreachableMember, ...), then changes.</summary>
    InitialStateAsEvents,
}

/// <summary>
/// Cluster membership of one actor system, after Akka's <c>Cluster.Get(system)</c>:
/// <code>
///   var cluster = Cluster.Get(system, ClusterSettings.Default with { SeedNodes = [...] });
///   cluster.JoinSeedNodes();
///   cluster.Subscribe(probe, InitialStateMode.InitialStateAsEvents, typeof(IMemberEvent));
///   cluster.Leave(cluster.SelfAddress);
/// </code>
/// Needs remoting (a <c>ct.tcp://</c> address). The first call fixes the settings.
/// </summary>
public sealed class Cluster
{
    private readonly ActorSystem _system;
    private volatile CurrentClusterState _state;
    private volatile Member? _selfMember;

    private Cluster(ActorSystem system, ClusterSettings settings)
    {
        settings.Validate();
        _system = system;
        Settings = settings;
        var a = system.Provider.Address;
        if (a.Host is null || a.Port is null)
            throw new InvalidOperationException(
                $"Cluster needs remoting: actor system '{system.Name}' has the local address {a}. Create it with the remote provider (a ct.tcp://system@host:port address).");
        SelfAddress = new NodeAddress(a.System, a.Host, a.Port.Value);
        SelfUniqueAddress = new UniqueAddress(SelfAddress, Random.Shared.NextInt64(1, long.MaxValue));
        _state = new CurrentClusterState([], [], null);
        Daemon = system.SystemActorOf(Props.CreateBy(() => new ClusterDaemon(this)), "cluster");
        system.CoordinatedShutdown.AddTask(CoordinatedShutdown.Phases.ClusterLeave, "leave", LeaveOnShutdownAsync);
    }

    public static Cluster Get(ActorSystem system, ClusterSettings? settings = null) =>
        system.RegisterExtension(sys => new Cluster(sys, settings ?? new ClusterSettings()));

    public ClusterSettings Settings { get; }
    public NodeAddress SelfAddress { get; }
    public UniqueAddress SelfUniqueAddress { get; }
    public IActorRef Daemon { get; }
    public ActorSystem System => _system;

    /// <summary>The latest membership view (updated by the daemon after every change).</summary>
    public CurrentClusterState State => _state;
    public Member? SelfMember => _selfMember;
    public bool IsTerminated => _system.WhenTerminated.IsCompleted;

    public void JoinSeedNodes(IReadOnlyList<NodeAddress>? seeds = null) => Daemon.Tell(new ClusterDaemon.JoinSeedNodes(seeds), ActorRefs.NoSender);
    public void Join(NodeAddress address) => Daemon.Tell(new ClusterDaemon.JoinTo(address), ActorRefs.NoSender);
    public void Leave(NodeAddress address) => Daemon.Tell(new ClusterDaemon.LeaveCommand(address), ActorRefs.NoSender);
    public void Down(NodeAddress address) => Daemon.Tell(new ClusterDaemon.DownCommand(address), ActorRefs.NoSender);

    public void Subscribe(IActorRef subscriber, InitialStateMode mode, params Type[] eventTypes)
    {
        if (eventTypes.Length == 0) throw new ArgumentException("Subscribe to at least one event type, e.g. typeof(IMemberEvent).");
        foreach (var t in eventTypes)
            if (!typeof(IClusterDomainEvent).IsAssignableFrom(t))
                throw new ArgumentException($"{t.Name} is not a cluster event; use IMemberEvent, IReachabilityEvent, LeaderChanged or a concrete event type.");
        Daemon.Tell(new ClusterDaemon.Subscribe(subscriber, mode, eventTypes), ActorRefs.NoSender);
    }

    public void Unsubscribe(IActorRef subscriber) => Daemon.Tell(new ClusterDaemon.Unsubscribe(subscriber), ActorRefs.NoSender);

    internal void UpdateState(CurrentClusterState state, Member? self)
    {
        _state = state;
        _selfMember = self;
    }

    internal void OnNodeRemoved(NodeAddress address) => RemoteHooks.AddressTerminated(_system, address);

    private async Task LeaveOnShutdownAsync(CancellationToken ct)
    {
        if (SelfMember is not { Status: MemberStatus.Up or MemberStatus.Joining }) return;
        Leave(SelfAddress);
        while (!ct.IsCancellationRequested && SelfMember is { Status: not (MemberStatus.Exiting or MemberStatus.Removed or MemberStatus.Down) }
               && _state.Members.Any(m => m.UniqueAddress == SelfUniqueAddress))
            await Task.Delay(50, ct).ConfigureAwait(false);
    }

    internal static Address ToCoreAddress(NodeAddress a) => new(Address.TcpProtocol, a.System, a.Host, a.Port);
}
