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
///   var cluster = Cluster.Get(system, new ClusterSettings { SeedNodes = [seed], Roles = ["ps"] });
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
        if (system.Provider is not RemoteActorRefProvider)
            throw new InvalidOperationException(
                $"Cluster needs remoting: actor system '{system.Name}' has the local address {system.Provider.Address}. " +
                "Create it with new ActorSystemOptions().WithRemoting(new RemoteSettings { Secret = ... }).");
        Remoting = Remoting.Get(system);
        ClusterCodecs.Register(Remoting.Registry);
        SelfAddress = Remoting.NodeAddress;
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
    public Remoting Remoting { get; }

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

    /// <summary>A removed node is gone for good: remoting quarantines it and its actors' watchers get Terminated.</summary>
    internal void OnNodeRemoved(NodeAddress address) =>
        _ = Remoting.DeclareAddressTerminatedAsync(Remoting.ToAddress(address), "removed from the cluster");

    private volatile bool _leaveOnShutdown = true;

    /// <summary>
    /// Stops this node's actor system without leaving, as a crash would: the other members find it
    /// unreachable and the split-brain resolver downs it. For tests and emergency stops only.
    /// </summary>
    public Task TerminateWithoutLeavingAsync()
    {
        _leaveOnShutdown = false;
        foreach (var m in _state.Members.Where(m => m.UniqueAddress != SelfUniqueAddress))
            Remoting.SetFault(Remoting.ToAddress(m.Address), FaultMode.Disconnect);
        return _system.Terminate();
    }

    private async Task LeaveOnShutdownAsync(CancellationToken ct)
    {
        if (!_leaveOnShutdown) return;
        if (SelfMember is not { Status: MemberStatus.Up or MemberStatus.Joining }) return;
        Leave(SelfAddress);
        while (!ct.IsCancellationRequested && SelfMember is { Status: not (MemberStatus.Exiting or MemberStatus.Removed or MemberStatus.Down) }
               && _state.Members.Any(m => m.UniqueAddress == SelfUniqueAddress))
            await Task.Delay(50, ct).ConfigureAwait(false);
    }

    internal static Address ToCoreAddress(NodeAddress a) => Remoting.ToAddress(a);
}
