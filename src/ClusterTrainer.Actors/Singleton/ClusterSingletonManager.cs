using ClusterTrainer.Actors.Remote;
using ClusterTrainer.Actors.Cluster;

namespace ClusterTrainer.Actors.Singleton;

public sealed record ClusterSingletonManagerSettings
{
    /// <summary>Name of the singleton child under the manager.</summary>
    public string SingletonName { get; init; } = "singleton";
    /// <summary>Only members with this role host the singleton (null: any member).</summary>
    public string? Role { get; init; }
    /// <summary>
    /// After a previous host was removed without handing over (it crashed or was downed), wait this
    /// long before starting: time for a downed node on the other side of a partition to stop its copy.
    /// </summary>
    public TimeSpan RemovalMargin { get; init; } = TimeSpan.FromSeconds(3);
    public TimeSpan HandOverRetryInterval { get; init; } = TimeSpan.FromMilliseconds(500);
}

/// <summary>Asks the previous host's manager to stop the singleton and say when it has.</summary>
public sealed record HandOverToMe(UniqueAddress From);
/// <summary>The previous host's singleton has stopped.</summary>
public sealed record HandOverDone(UniqueAddress From);

/// <summary>
/// Runs on every node (with the role) under the same path, and runs the singleton child only on the
/// oldest Up member. Hand-over when the oldest leaves: the new oldest asks the old one
/// (<see cref="HandOverToMe"/>), the old one stops its singleton and answers <see cref="HandOverDone"/>,
/// then the new one starts it. After a crash the new oldest starts only once the old host has been
/// removed (plus <see cref="ClusterSingletonManagerSettings.RemovalMargin"/>), so two never run at once.
/// <code>
///               oldest == self, previous gone             
///   Younger ---------------------------------------------------------------> Oldest (running)
///      |  oldest == self, previous alive                                       |     ^
///      v                                                                       |     |
///   BecomingOldest --HandOverDone / previous removed (+margin)-----------------+-----+
///                                                                              | oldest != self (left, downed)
///                                                                              v     or HandOverToMe
///                                                        HandingOver --singleton Terminated--> Younger
///                                                                            (answers HandOverDone)
/// </code>
/// </summary>
public sealed class ClusterSingletonManager : ReceiveActor
{
    private enum State { Younger, BecomingOldest, Oldest, HandingOver }

    private sealed record Retry { public static readonly Retry Instance = new(); }
    private sealed record StartAfterMargin(UniqueAddress Previous);

    private readonly Props _singletonProps;
    private readonly ClusterSingletonManagerSettings _settings;
    private readonly Cluster.Cluster _cluster;
    private readonly OldestTracker _tracker;
    private State _state = State.Younger;
    private UniqueAddress? _lastOldest, _previous;
    private IActorRef? _singleton;
    private readonly List<IActorRef> _handOverRequesters = [];
    private ICancelable? _retry;
    private MemberStatus _selfStatus = MemberStatus.Joining;

    public ClusterSingletonManager(Props singletonProps, ClusterSingletonManagerSettings settings)
    {
        _singletonProps = singletonProps;
        _settings = settings;
        _cluster = Cluster.Cluster.Get(Context.System);
        SingletonCodecs.Register(_cluster.Remoting.Registry);
        _tracker = new OldestTracker(settings.Role);
        Receive<CurrentClusterState>(s => { _tracker.Apply(s); Evaluate(); });
        Receive<IMemberEvent>(e =>
        {
            if (e.Member.UniqueAddress == _cluster.SelfUniqueAddress) _selfStatus = e.Member.Status;
            _tracker.Apply(e);
            Evaluate();
        });
        Receive<HandOverToMe>(OnHandOverToMe);
        Receive<HandOverDone>(d => { if (_state == State.BecomingOldest && d.From == _previous) StartSingleton(); });
        Receive<Retry>(_ => RequestHandOver());
        Receive<StartAfterMargin>(s => { if (_state == State.BecomingOldest && s.Previous == _previous) StartSingleton(); });
        Receive<Terminated>(t => { if (t.ActorRef.Equals(_singleton)) OnSingletonStopped(); });
    }

    public static Props Props(Props singletonProps, ClusterSingletonManagerSettings? settings = null) =>
        Actors.Props.CreateBy(() => new ClusterSingletonManager(singletonProps, settings ?? new ClusterSingletonManagerSettings()));

    protected override void PreStart() =>
        _cluster.Subscribe(Self, InitialStateMode.InitialStateAsSnapshot, typeof(IMemberEvent));

    protected override void PostStop()
    {
        _retry?.Cancel();
        _cluster.Unsubscribe(Self);
    }

    private bool IsSelf(UniqueAddress? node) => node == _cluster.SelfUniqueAddress;

    private void Evaluate()
    {
        var oldest = _tracker.Oldest?.UniqueAddress;
        if (oldest != _lastOldest)
        {
            if (_lastOldest is not null && !IsSelf(_lastOldest)) _previous = _lastOldest;
            _lastOldest = oldest;
        }
        switch (_state)
        {
            case State.Younger when IsSelf(oldest):
                if (_previous is null || IsSelf(_previous)) StartSingleton();
                else
                {
                    _state = State.BecomingOldest;
                    RequestHandOver();
                }
                break;
            case State.BecomingOldest when !IsSelf(oldest):
                _retry?.Cancel();
                _state = State.Younger;
                break;
            case State.BecomingOldest when _previous is { } p && _tracker.IsRemoved(p):
                _retry?.Cancel();
                // The previous host vanished without handing over: give a downed node on the other side
                // of a partition time to stop its copy before starting ours.
                Context.System.Scheduler.ScheduleTellOnce(_settings.RemovalMargin, Self, new StartAfterMargin(p), Self);
                break;
            // Leaving: keep serving until the new oldest asks (HandOverToMe), so proxies that have not
            // yet seen the change still reach a running singleton. Exiting, downed or outranked: stop now.
            case State.Oldest when !IsSelf(oldest) && _selfStatus != MemberStatus.Leaving:
                StopSingleton();
                break;
        }
    }

    private void RequestHandOver()
    {
        if (_state != State.BecomingOldest || _previous is not { } p || _tracker.IsRemoved(p)) return;
        ManagerAt(p.Address).Tell(new HandOverToMe(_cluster.SelfUniqueAddress), Self);
        _retry?.Cancel();
        _retry = Context.System.Scheduler.ScheduleTellOnce(_settings.HandOverRetryInterval, Self, Retry.Instance, Self);
    }

    private IActorRef ManagerAt(NodeAddress address) =>
        Context.System.Provider.ResolveActorRef(Self.Path.WithAddress(Cluster.Cluster.ToCoreAddress(address)).WithUid(0));

    private void StartSingleton()
    {
        _retry?.Cancel();
        _state = State.Oldest;
        _singleton = Context.Watch(Context.ActorOf(_singletonProps, _settings.SingletonName));
        Context.GetLogger().Info($"Singleton '{_settings.SingletonName}' started on {_cluster.SelfAddress}.");
    }

    private void StopSingleton()
    {
        _state = State.HandingOver;
        if (_singleton is null) { OnSingletonStopped(); return; }
        Context.Stop(_singleton);
    }

    private void OnHandOverToMe(HandOverToMe req)
    {
        _handOverRequesters.Add(Sender);
        switch (_state)
        {
            case State.Oldest: StopSingleton(); break;
            case State.HandingOver: break; // answered when the singleton has stopped
            default: AnswerHandOver(); break; // nothing running here
        }
    }

    private void OnSingletonStopped()
    {
        _singleton = null;
        _state = State.Younger;
        Context.GetLogger().Info($"Singleton '{_settings.SingletonName}' stopped on {_cluster.SelfAddress}.");
        AnswerHandOver();
        Evaluate();
    }

    private void AnswerHandOver()
    {
        foreach (var r in _handOverRequesters) r.Tell(new HandOverDone(_cluster.SelfUniqueAddress), Self);
        _handOverRequesters.Clear();
    }
}
