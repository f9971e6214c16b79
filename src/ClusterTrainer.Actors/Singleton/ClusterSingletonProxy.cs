using ClusterTrainer.Actors.Cluster;

namespace ClusterTrainer.Actors.Singleton;

public sealed record ClusterSingletonProxySettings
{
    public string SingletonName { get; init; } = "singleton";
    public string? Role { get; init; }
    /// <summary>Messages kept while no singleton is known (hand-over); beyond it the oldest is dropped (dead letter, logged).</summary>
    public int BufferSize { get; init; } = 1000;
    public TimeSpan IdentifyInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    public void Validate()
    {
        if (BufferSize is < 0 or > 100_000)
            throw new ArgumentException($"Singleton proxy BufferSize must be between 0 and 100000 (was {BufferSize}).");
        if (IdentifyInterval <= TimeSpan.Zero) throw new ArgumentException("Singleton proxy IdentifyInterval must be > 0.");
    }
}

/// <summary>
/// Forwards every message to the singleton wherever it runs (the oldest member with the role),
/// finding it by identifying <c>{managerPath}/{singletonName}</c> on that node. While there is none
/// (hand-over, crash) messages wait in a bounded buffer and are delivered, in order, once it is found.
/// </summary>
public sealed class ClusterSingletonProxy : ReceiveActor
{
    private sealed record TryIdentify { public static readonly TryIdentify Instance = new(); }

    private readonly string _managerPath;
    private readonly ClusterSingletonProxySettings _settings;
    private readonly Cluster.Cluster _cluster;
    private readonly OldestTracker _tracker;
    private readonly Queue<(object Message, IActorRef Sender)> _buffer = new();
    private UniqueAddress? _oldest;
    private IActorRef? _singleton;
    private ICancelable? _identifyTimer;
    private int _identifyId;

    public ClusterSingletonProxy(string singletonManagerPath, ClusterSingletonProxySettings settings)
    {
        settings.Validate();
        if (!singletonManagerPath.StartsWith('/'))
            throw new ArgumentException($"Singleton manager path must be absolute without address, e.g. '/user/coordinator' (was '{singletonManagerPath}').");
        _managerPath = singletonManagerPath.TrimEnd('/');
        _settings = settings;
        _cluster = Cluster.Cluster.Get(Context.System);
        _tracker = new OldestTracker(settings.Role);
        Receive<CurrentClusterState>(s => { _tracker.Apply(s); OnMembership(); });
        Receive<IMemberEvent>(e => { _tracker.Apply(e); OnMembership(); });
        Receive<TryIdentify>(_ => Identify());
        Receive<ActorIdentity>(OnIdentity);
        Receive<Terminated>(t =>
        {
            if (!t.ActorRef.Equals(_singleton)) return;
            _singleton = null;
            StartIdentifying();
        });
        ReceiveAny(OnMessage);
    }

    public static Props Props(string singletonManagerPath, ClusterSingletonProxySettings? settings = null) =>
        Actors.Props.CreateBy(() => new ClusterSingletonProxy(singletonManagerPath, settings ?? new ClusterSingletonProxySettings()));

    protected override void PreStart() =>
        _cluster.Subscribe(Self, InitialStateMode.InitialStateAsSnapshot, typeof(IMemberEvent));

    protected override void PostStop()
    {
        _identifyTimer?.Cancel();
        _cluster.Unsubscribe(Self);
    }

    private void OnMembership()
    {
        var oldest = _tracker.Oldest?.UniqueAddress;
        if (oldest == _oldest) return;
        _oldest = oldest;
        if (_singleton is not null) Context.Unwatch(_singleton);
        _singleton = null;
        StartIdentifying();
    }

    private void StartIdentifying()
    {
        _identifyTimer?.Cancel();
        if (_oldest is null) return;
        _identifyTimer = Context.System.Scheduler.ScheduleTellRepeatedly(TimeSpan.Zero, _settings.IdentifyInterval, Self, TryIdentify.Instance, Self);
    }

    private void Identify()
    {
        if (_oldest is not { } oldest) return;
        var path = ActorPath.Parse($"{Cluster.Cluster.ToCoreAddress(oldest.Address)}{_managerPath}/{_settings.SingletonName}");
        Context.System.Provider.ResolveActorRef(path).Tell(new Identify(++_identifyId), Self);
    }

    private void OnIdentity(ActorIdentity id)
    {
        // Any answer from the current oldest counts (not only the latest attempt: under load a reply can
        // take longer than the retry interval).
        if (id.Subject is null || _singleton is not null || _oldest is not { } oldest
            || !id.Subject.Path.Address.Equals(Cluster.Cluster.ToCoreAddress(oldest.Address))) return;
        _identifyTimer?.Cancel();
        _singleton = Context.Watch(id.Subject);
        while (_buffer.TryDequeue(out var m)) _singleton.Tell(m.Message, m.Sender);
    }

    private void OnMessage(object message)
    {
        if (_singleton is not null)
        {
            _singleton.Tell(message, Sender);
            return;
        }
        if (_settings.BufferSize == 0)
        {
            Context.System.DeadLetters.Tell(message, Sender);
            return;
        }
        if (_buffer.Count >= _settings.BufferSize)
        {
            var dropped = _buffer.Dequeue();
            Context.GetLogger().Warning($"Singleton proxy buffer full ({_settings.BufferSize}); dropped the oldest message {dropped.Message.GetType().Name}. Raise BufferSize if hand-overs take longer.");
            Context.System.DeadLetters.Tell(dropped.Message, dropped.Sender);
        }
        _buffer.Enqueue((message, Sender));
    }
}
