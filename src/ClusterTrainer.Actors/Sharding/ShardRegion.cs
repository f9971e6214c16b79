using System.Collections.Immutable;
using ClusterTrainer.Actors.Cluster;
using ClusterTrainer.Actors.Singleton;

namespace ClusterTrainer.Actors.Sharding;

/// <summary>
/// The entry point of one entity type on one node. Routes each message to the region hosting its
/// shard (asking the coordinator where that is, buffering meanwhile), hosts its own shards as
/// children, and takes part in hand-off: on <see cref="BeginHandOff"/> it forgets the shard's home (so
/// new messages wait in its buffer), on <see cref="HandOff"/> it stops the local shard. A proxy region
/// (no entity props) only routes.
/// </summary>
internal sealed class ShardRegion : ReceiveActor
{
    private sealed record RetryTick { public static readonly RetryTick Instance = new(); }
    internal sealed record StartGracefulShutdown { public static readonly StartGracefulShutdown Instance = new(); }

    private readonly string _typeName;
    private readonly Props? _entityProps;
    private readonly ClusterShardingSettings _settings;
    private readonly IMessageExtractor _extractor;
    private readonly string _coordinatorManagerPath;
    private readonly Dictionary<string, IActorRef> _homes = new();
    private readonly Dictionary<string, IActorRef> _shards = new();
    private readonly HashSet<string> _handingOff = [];
    private readonly Dictionary<string, Queue<(object, IActorRef)>> _buffers = new();
    private int _buffered;
    private IActorRef? _coordinatorProxy, _coordinator;
    private ICancelable? _retry;
    private bool _shuttingDown;
    private readonly List<IActorRef> _shutdownWaiters = [];

    public ShardRegion(string typeName, Props? entityProps, ClusterShardingSettings settings, IMessageExtractor extractor, string coordinatorManagerPath)
    {
        _typeName = typeName;
        _entityProps = entityProps;
        _settings = settings;
        _extractor = extractor;
        _coordinatorManagerPath = coordinatorManagerPath;
        Receive<RegisterAck>(a => { _coordinator = Context.Watch(a.Coordinator); });
        Receive<RetryTick>(_ => OnRetry());
        Receive<ShardHome>(OnShardHome);
        Receive<BeginHandOff>(b => { _homes.Remove(b.Shard); Sender.Tell(new BeginHandOffAck(b.Shard), Self); });
        Receive<HandOff>(OnHandOff);
        Receive<Terminated>(OnTerminated);
        Receive<GetShardRegionState>(_ => ReplyRegionState(Sender));
        Receive<GetShardRegionStats>(_ => ReplyRegionStats(Sender));
        Receive<GetClusterShardingStats>(g => ClusterStats(g, Sender));
        Receive<StartGracefulShutdown>(_ => { _shuttingDown = true; _shutdownWaiters.Add(Sender); SendRegistration(); });
        Receive<GracefulShutdownAck>(_ => { foreach (var w in _shutdownWaiters) w.Tell(Done.Instance, Self); Context.Stop(Self); });
        ReceiveAny(m => Route(m, Sender));
    }

    internal sealed record Done { public static readonly Done Instance = new(); }

    protected override void PreStart()
    {
        _coordinatorProxy = Context.ActorOf(ClusterSingletonProxy.Props(_coordinatorManagerPath,
            new ClusterSingletonProxySettings { SingletonName = "coordinator", Role = _settings.Role, BufferSize = 10_000 }), "coordinator-proxy");
        _retry = Context.System.Scheduler.ScheduleTellRepeatedly(TimeSpan.Zero, _settings.RetryInterval, Self, RetryTick.Instance, Self);
    }

    protected override void PostStop() => _retry?.Cancel();

    private bool IsProxy => _entityProps is null;

    private void OnRetry()
    {
        if (_coordinator is null || _shuttingDown) SendRegistration();
        foreach (var shard in _buffers.Keys) _coordinatorProxy!.Tell(new GetShardHome(shard), Self);
    }

    private void SendRegistration()
    {
        object msg = _shuttingDown ? new GracefulShutdownReq(Self)
            : IsProxy ? new RegisterProxy(Self) : new Register(Self, [.. _shards.Keys]);
        (_coordinator ?? _coordinatorProxy!).Tell(msg, Self);
    }

    private void Route(object message, IActorRef sender)
    {
        var id = _extractor.EntityId(message);
        if (id is null)
        {
            Context.GetLogger().Warning($"Sharding '{_typeName}': {message.GetType().Name} names no entity (the message extractor returned null); dropped.");
            Unhandled(message);
            return;
        }
        var shard = _extractor.ShardId(id);
        if (_homes.TryGetValue(shard, out var home) && !_handingOff.Contains(shard))
        {
            if (home.Equals(Self)) ShardActor(shard).Tell(message, sender);
            else home.Tell(message, sender);
            return;
        }
        Buffer(shard, message, sender);
    }

    private void Buffer(string shard, object message, IActorRef sender)
    {
        if (_buffered >= _settings.BufferSize)
        {
            Context.GetLogger().Warning($"Sharding '{_typeName}': buffer full ({_settings.BufferSize}); {message.GetType().Name} for shard {shard} goes to dead letters. Raise ClusterShardingSettings.BufferSize.");
            Context.System.DeadLetters.Tell(message, sender);
            return;
        }
        if (!_buffers.TryGetValue(shard, out var q))
        {
            _buffers[shard] = q = new Queue<(object, IActorRef)>();
            _coordinatorProxy!.Tell(new GetShardHome(shard), Self);
        }
        q.Enqueue((message, sender));
        _buffered++;
    }

    private IActorRef ShardActor(string shard)
    {
        if (_shards.TryGetValue(shard, out var s)) return s;
        if (IsProxy) throw new InvalidOperationException($"Proxy region for '{_typeName}' was told to host shard {shard}.");
        s = Context.Watch(Context.ActorOf(Props.CreateBy(() => new Shard(shard, _entityProps!, _extractor, _settings)), Uri.EscapeDataString(shard)));
        _shards[shard] = s;
        return s;
    }

    private void OnShardHome(ShardHome h)
    {
        if (_handingOff.Contains(h.Shard)) return; // wait until the local shard is gone, then ask again
        _homes[h.Shard] = h.Region;
        if (!h.Region.Equals(Self)) Context.Watch(h.Region); // a dead region's shards must be looked up again
        if (!_buffers.Remove(h.Shard, out var q)) return;
        _buffered -= q.Count;
        foreach (var (m, s) in q) Route(m, s);
    }

    private void OnHandOff(HandOff h)
    {
        _homes.Remove(h.Shard);
        if (_shards.TryGetValue(h.Shard, out var shard) && _handingOff.Add(h.Shard))
            shard.Tell(new Shard.HandOffStop(Sender), Self);
        else if (!_shards.ContainsKey(h.Shard))
            Sender.Tell(new ShardStopped(h.Shard), Self);
    }

    private void OnTerminated(Terminated t)
    {
        if (t.ActorRef.Equals(_coordinator))
        {
            _coordinator = null;
            return;
        }
        var lost = _homes.Where(kv => kv.Value.Equals(t.ActorRef)).Select(kv => kv.Key).ToList();
        if (lost.Count > 0)
        {
            foreach (var s in lost) _homes.Remove(s);
            Context.GetLogger().Info($"Sharding '{_typeName}': region {t.ActorRef.Path} is gone; shards {string.Join(", ", lost)} will be looked up again.");
            return;
        }
        var shard = _shards.FirstOrDefault(kv => kv.Value.Equals(t.ActorRef)).Key;
        if (shard is null) return;
        _shards.Remove(shard);
        _handingOff.Remove(shard);
        if (_buffers.ContainsKey(shard)) _coordinatorProxy!.Tell(new GetShardHome(shard), Self);
    }

    private void ReplyRegionState(IActorRef replyTo)
    {
        var shards = _shards.Select(kv => kv.Value.Ask<ShardState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(5))).ToList();
        Task.WhenAll(shards).ContinueWith(t => replyTo.Tell(t.IsCompletedSuccessfully
            ? new CurrentShardRegionState([.. t.Result.OrderBy(s => s.ShardId, StringComparer.Ordinal)])
            : new Status.Failure(t.Exception ?? new Exception("shard state query failed")), Self));
    }

    private void ReplyRegionStats(IActorRef replyTo)
    {
        var shards = _shards.Select(kv => kv.Value.Ask<ShardState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(5))).ToList();
        Task.WhenAll(shards).ContinueWith(t => replyTo.Tell(t.IsCompletedSuccessfully
            ? new ShardRegionStats(t.Result.ToImmutableSortedDictionary(s => s.ShardId, s => s.EntityIds.Count, StringComparer.Ordinal))
            : new Status.Failure(t.Exception ?? new Exception("shard stats query failed")), Self));
    }

    private void ClusterStats(GetClusterShardingStats g, IActorRef replyTo)
    {
        var coordinator = _coordinatorProxy!;
        _ = Task.Run(async () =>
        {
            var regions = await coordinator.Ask<RegionsList>(GetRegions.Instance, g.Timeout).ConfigureAwait(false);
            var asks = regions.Regions.Select(async r =>
            {
                try { return (r, await r.Ask<ShardRegionStats>(GetShardRegionStats.Instance, g.Timeout).ConfigureAwait(false)); }
                catch (Exception) { return (r, (ShardRegionStats?)null); }
            });
            var answers = await Task.WhenAll(asks).ConfigureAwait(false);
            return new ClusterShardingStats(answers.Where(a => a.Item2 is not null)
                .ToImmutableSortedDictionary(a => a.r.Path.Address.ToString(), a => a.Item2!, StringComparer.Ordinal));
        }).ContinueWith(t => replyTo.Tell(t.IsCompletedSuccessfully ? t.Result
            : new Status.Failure(t.Exception ?? new Exception("cluster sharding stats failed")), ActorRefs.NoSender));
    }
}
