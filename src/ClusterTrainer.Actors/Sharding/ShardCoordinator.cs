using System.Collections.Immutable;
using ClusterTrainer.Actors.Cluster;
using ClusterTrainer.Actors.Persistence;

namespace ClusterTrainer.Actors.Sharding;

/// <summary>
/// Decides where shards live (a cluster singleton per entity type). Its state is a
/// <see cref="CoordinatorState"/> journaled as events under <see cref="CoordinatorPersistence.PersistenceId"/>
/// (snapshot every <see cref="ClusterShardingSettings.SnapshotAfter"/> events), so a coordinator that moves
/// to another node recovers the allocations from the journal. The regions' registrations (each region
/// reports the shards it hosts) stay as a consistency check and the fallback: a reported shard the
/// journal does not know is adopted; a region the journal knows that does not re-register within the
/// registration window is journaled as terminated. Without a configured journal the coordinator uses an
/// in-memory one per incarnation and so rebuilds from the reports alone (as before persistence).
/// State is applied at once and the event persisted in the same command; replies that depend on it
/// (ShardHome, RegisterAck, GracefulShutdownAck) are deferred until the journal has stored it.
/// <code>
///   Recovering --(snapshot + events)--> RegistrationWindow --(RetryInterval*3)--> Allocating
///   (regions re-register during the window; unknown ones after it are journaled as terminated)
///
///   rebalance of one shard:
///   BeginHandOff -> every region and proxy --all BeginHandOffAck--> HandOff -> hosting region
///        --ShardStopped--> deallocated; waiting GetShardHome requests get the new home
///   (no answer within HandOffTimeout: the move is abandoned, the shard stays where it was)
/// </code>
/// </summary>
internal sealed class ShardCoordinator : PersistentActor
{
    private sealed record RebalanceTick { public static readonly RebalanceTick Instance = new(); }
    private sealed record RebalanceTimeout(string Shard);
    private sealed record RegistrationWindowOver { public static readonly RegistrationWindowOver Instance = new(); }

    private sealed class Move(string shard, IActorRef from, HashSet<IActorRef> awaitingAck)
    {
        public string Shard { get; } = shard;
        public IActorRef From { get; } = from;
        public HashSet<IActorRef> AwaitingAck { get; } = awaitingAck;
        public bool HandOffSent { get; set; }
    }

    private readonly ClusterShardingSettings _settings;
    private readonly IShardAllocationStrategy _strategy;
    private readonly string _typeName;
    private CoordinatorState _state = CoordinatorState.Empty;
    private readonly Dictionary<string, IActorRef> _regions = new();
    private readonly Dictionary<string, IActorRef> _proxies = new();
    private readonly Dictionary<string, Move> _moves = new();
    private readonly Dictionary<string, List<IActorRef>> _waiting = new();
    private readonly HashSet<string> _shuttingDown = [];
    private bool _allocating;
    private ICancelable? _rebalanceTimer;
    private PersistencePlugins? _plugins;
    private bool _durable;

    public ShardCoordinator(string typeName, ClusterShardingSettings settings, IShardAllocationStrategy strategy)
    {
        _typeName = typeName;
        _settings = settings;
        _strategy = strategy;
        Recover<SnapshotOffer>(o => _state = (CoordinatorState)o.Snapshot);
        Recover<ICoordinatorEvent>(e => _state = _state.Updated(e));
        Recover<RecoveryCompleted>(_ =>
        {
            if (_state.Regions.Count > 0)
                Log.Info($"Sharding '{_typeName}': recovered {_state.Shards.Count} shard homes in {_state.Regions.Count} regions from the journal.");
        });
        Command<Register>(OnRegister);
        Command<RegisterProxy>(p =>
        {
            _proxies[Key(p.Proxy)] = Context.Watch(p.Proxy);
            p.Proxy.Tell(new RegisterAck(Self), Self);
        });
        Command<GetShardHome>(g => OnGetShardHome(g.Shard, Sender));
        Command<BeginHandOffAck>(OnBeginHandOffAck);
        Command<ShardStopped>(s => FinishMove(s.Shard, completed: true));
        Command<RebalanceTimeout>(t => FinishMove(t.Shard, completed: false));
        Command<RebalanceTick>(_ => Rebalance());
        Command<GracefulShutdownReq>(OnGracefulShutdown);
        Command<GetRegions>(_ => Sender.Tell(new RegionsList([.. _regions.Values]), Self));
        Command<Terminated>(OnTerminated);
        Command<RegistrationWindowOver>(_ => StartAllocating());
        Command<SaveSnapshotSuccess>(_ => { });
        Command<SaveSnapshotFailure>(f => Log.Warning($"Sharding '{_typeName}': saving a coordinator snapshot failed ({f.Cause.Message}); recovery replays more events."));
    }

    public override string PersistenceId => CoordinatorPersistence.PersistenceId(_typeName);

    protected override PersistencePlugins Plugins
    {
        get
        {
            if (_plugins is null) (_plugins, _durable) = CoordinatorPersistence.PluginsFor(Context.System);
            return _plugins;
        }
    }

    protected override void OnPreStart()
    {
        _ = Plugins;
        if (!_durable)
            Log.Debug($"Sharding '{_typeName}': no journal configured (PersistenceExtension.Configure); coordinator state is rebuilt from region reports after a hand-over.");
        // Regions re-register with a new coordinator (reporting what they host) within a retry
        // interval or two; allocating earlier could give a shard a second home.
        Context.System.Scheduler.ScheduleTellOnce(_settings.RetryInterval * 3, Self, RegistrationWindowOver.Instance, Self);
        _rebalanceTimer = Context.System.Scheduler.ScheduleTellRepeatedly(_settings.RebalanceInterval, _settings.RebalanceInterval, Self, RebalanceTick.Instance, Self);
    }

    protected override void PostStop() => _rebalanceTimer?.Cancel();

    private static string Key(IActorRef r) => r.Path.ToString();

    /// <summary>Applies at once (later steps of this command see it) and journals it; a snapshot captures the state at this event.</summary>
    private void Apply(ICoordinatorEvent e)
    {
        var after = _state = _state.Updated(e);
        Persist(e, _ =>
        {
            if (LastSequenceNr % _settings.SnapshotAfter == 0) SaveSnapshot(after);
        });
    }

    /// <summary>Sends once every event persisted so far is in the journal.</summary>
    private void Reply(IActorRef to, object message) => DeferAsync(message, m => to.Tell(m, Self));

    private void OnRegister(Register r)
    {
        var key = Key(r.Region);
        if (!_regions.ContainsKey(key))
        {
            _regions[key] = Context.Watch(r.Region);
            if (!_state.Regions.ContainsKey(key)) Apply(new ShardRegionRegistered(key));
        }
        foreach (var shard in r.HostedShards)
        {
            if (!_state.Shards.TryGetValue(shard, out var home)) Apply(new ShardHomeAllocated(shard, key));
            else if (home != key)
                Log.Warning($"Sharding '{_typeName}': region {key} reports hosting shard {shard}, but the journal has it at {home}; keeping the journal's home.");
        }
        Reply(r.Region, new RegisterAck(Self));
        if (_allocating) AnswerWaiting();
    }

    private void StartAllocating()
    {
        var gone = _state.Regions.Keys.Where(k => !_regions.ContainsKey(k)).ToList();
        foreach (var key in gone) Apply(new ShardRegionTerminated(key));
        if (gone.Count > 0)
            Log.Info($"Sharding '{_typeName}': {gone.Count} region(s) from the journal did not re-register; their shards will be allocated again on demand.");
        _allocating = true;
        AnswerWaiting();
    }

    private void OnGetShardHome(string shard, IActorRef requester)
    {
        if (!_allocating || _moves.ContainsKey(shard) || !TryHome(shard, out var home))
        {
            if (!_waiting.TryGetValue(shard, out var list)) _waiting[shard] = list = [];
            if (!list.Contains(requester)) list.Add(requester);
            return;
        }
        Reply(requester, new ShardHome(shard, home!));
    }

    private bool TryHome(string shard, out IActorRef? home)
    {
        home = null;
        if (_state.Shards.TryGetValue(shard, out var key)) return _regions.TryGetValue(key, out home);
        var candidates = _state.Regions.Where(kv => !_shuttingDown.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
        if (candidates.Count == 0) return false;
        var chosen = _strategy.Allocate(key ?? "", shard, candidates);
        Apply(new ShardHomeAllocated(shard, chosen));
        home = _regions[chosen];
        return true;
    }

    private void AnswerWaiting()
    {
        foreach (var shard in _waiting.Keys.ToList())
        {
            if (_moves.ContainsKey(shard) || !TryHome(shard, out var home)) continue;
            foreach (var r in _waiting[shard]) Reply(r, new ShardHome(shard, home!));
            _waiting.Remove(shard);
        }
    }

    private void Rebalance()
    {
        if (!_allocating) return;
        var live = _state.Regions.Where(kv => !_shuttingDown.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
        foreach (var shard in _strategy.Rebalance(live, [.. _moves.Keys])) StartMove(shard);
    }

    private void StartMove(string shard)
    {
        if (_moves.ContainsKey(shard) || !_state.Shards.TryGetValue(shard, out var key) || !_regions.TryGetValue(key, out var from)) return;
        var everyone = _regions.Values.Concat(_proxies.Values).ToHashSet();
        _moves[shard] = new Move(shard, from, everyone);
        foreach (var r in everyone) r.Tell(new BeginHandOff(shard), Self);
        Context.System.Scheduler.ScheduleTellOnce(_settings.HandOffTimeout, Self, new RebalanceTimeout(shard), Self);
        Log.Info($"Sharding '{_typeName}': moving shard {shard} away from {from.Path.Address}.");
    }

    private void OnBeginHandOffAck(BeginHandOffAck ack)
    {
        if (!_moves.TryGetValue(ack.Shard, out var move)) return;
        move.AwaitingAck.Remove(Sender);
        TrySendHandOff(move);
    }

    private void TrySendHandOff(Move move)
    {
        if (move.HandOffSent || move.AwaitingAck.Count > 0) return;
        move.HandOffSent = true;
        move.From.Tell(new HandOff(move.Shard), Self);
    }

    private void FinishMove(string shard, bool completed)
    {
        if (!_moves.Remove(shard)) return;
        if (completed && _state.Shards.ContainsKey(shard)) Apply(new ShardHomeDeallocated(shard));
        if (!completed) Log.Warning($"Sharding '{_typeName}': hand-off of shard {shard} timed out; it stays where it was.");
        AnswerWaiting();
        CheckGracefulShutdowns();
    }

    private void OnGracefulShutdown(GracefulShutdownReq req)
    {
        var key = Key(req.Region);
        if (!_regions.ContainsKey(key)) { Reply(req.Region, new GracefulShutdownAck(req.Region)); return; }
        if (_shuttingDown.Add(key))
            foreach (var shard in _state.Regions[key]) StartMove(shard);
        CheckGracefulShutdowns();
    }

    private void CheckGracefulShutdowns()
    {
        foreach (var key in _shuttingDown.ToList())
        {
            if (!_state.Regions.TryGetValue(key, out var shards)) { _shuttingDown.Remove(key); continue; }
            if (shards.Count > 0)
            {
                foreach (var s in shards) StartMove(s);
                continue;
            }
            Reply(_regions[key], new GracefulShutdownAck(_regions[key]));
        }
    }

    private void OnTerminated(Terminated t)
    {
        var key = Key(t.ActorRef);
        if (_proxies.Remove(key)) { }
        else if (_regions.Remove(key))
        {
            Apply(new ShardRegionTerminated(key));
            _shuttingDown.Remove(key);
            Log.Info($"Sharding '{_typeName}': region {t.ActorRef.Path} is gone; its shards will be allocated again on demand.");
        }
        foreach (var move in _moves.Values.ToList())
        {
            move.AwaitingAck.Remove(t.ActorRef);
            if (move.From.Equals(t.ActorRef)) FinishMove(move.Shard, completed: false);
            else TrySendHandOff(move);
        }
        AnswerWaiting();
    }
}
