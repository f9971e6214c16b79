using System.Collections.Immutable;
using System.Diagnostics;

namespace ClusterTrainer.Actors.Sharding;

/// <summary>
/// One shard inside a region: creates entities on demand (child named by entity id), delivers the
/// unwrapped message, passivates idle entities and those that ask (<see cref="Passivate"/>), and on
/// hand-off stops every entity and then itself, telling the coordinator <see cref="ShardStopped"/>.
/// <code>
///   Active --HandOffStop--> Stopping (entities get the stop message) --all Terminated--> ShardStopped, stop self
///   per entity:  running --Passivate / idle--> passivating (messages buffered) --Terminated--> gone
///                                                                  | buffered messages
///                                                                  +--> restarted, buffer delivered
/// </code>
/// </summary>
internal sealed class Shard : ReceiveActor
{
    internal sealed record HandOffStop(IActorRef ReplyTo);
    private sealed record IdleCheck { public static readonly IdleCheck Instance = new(); }

    private readonly string _shardId;
    private readonly Props _entityProps;
    private readonly IMessageExtractor _extractor;
    private readonly ClusterShardingSettings _settings;
    private readonly Dictionary<string, IActorRef> _entities = new();
    private readonly Dictionary<IActorRef, string> _ids = new();
    private readonly Dictionary<string, long> _lastActive = new();
    private readonly Dictionary<string, Queue<(object, IActorRef)>> _passivating = new();
    private IActorRef? _handOffReplyTo;
    private ICancelable? _idleTimer;

    public Shard(string shardId, Props entityProps, IMessageExtractor extractor, ClusterShardingSettings settings)
    {
        _shardId = shardId;
        _entityProps = entityProps;
        _extractor = extractor;
        _settings = settings;
        Receive<Passivate>(OnPassivate);
        Receive<Terminated>(OnTerminated);
        Receive<HandOffStop>(OnHandOff);
        Receive<IdleCheck>(_ => PassivateIdle());
        Receive<GetShardRegionState>(_ => Sender.Tell(new ShardState(_shardId, _entities.Keys.ToImmutableSortedSet(StringComparer.Ordinal)), Self));
        ReceiveAny(Deliver);
    }

    protected override void PreStart()
    {
        if (_settings.PassivateIdleAfter is { } idle)
        {
            var every = TimeSpan.FromTicks(Math.Max(idle.Ticks / 2, TimeSpan.FromMilliseconds(50).Ticks));
            _idleTimer = Context.System.Scheduler.ScheduleTellRepeatedly(every, every, Self, IdleCheck.Instance, Self);
        }
    }

    protected override void PostStop() => _idleTimer?.Cancel();

    private void Deliver(object message)
    {
        if (_handOffReplyTo is not null)
        {
            // Stopping for hand-off: give it back to the region, which buffers it until the new home is known.
            Context.Parent.Tell(message, Sender);
            return;
        }
        var id = _extractor.EntityId(message);
        if (id is null)
        {
            Unhandled(message);
            return;
        }
        if (_passivating.TryGetValue(id, out var buffer))
        {
            buffer.Enqueue((message, Sender));
            return;
        }
        EntityFor(id).Tell(_extractor.EntityMessage(message), Sender);
        _lastActive[id] = Stopwatch.GetTimestamp();
    }

    private IActorRef EntityFor(string id)
    {
        if (_entities.TryGetValue(id, out var e)) return e;
        e = Context.Watch(Context.ActorOf(_entityProps, Uri.EscapeDataString(id)));
        _entities[id] = e;
        _ids[e] = id;
        return e;
    }

    private void OnPassivate(Passivate p)
    {
        if (!_ids.TryGetValue(Sender, out var id) || _passivating.ContainsKey(id)) return;
        _passivating[id] = new Queue<(object, IActorRef)>();
        Sender.Tell(p.StopMessage, Self);
    }

    private void PassivateIdle()
    {
        if (_settings.PassivateIdleAfter is not { } idle || _handOffReplyTo is not null) return;
        var now = Stopwatch.GetTimestamp();
        foreach (var (id, last) in _lastActive.ToList())
        {
            if (Stopwatch.GetElapsedTime(last, now) < idle || _passivating.ContainsKey(id) || !_entities.TryGetValue(id, out var e)) continue;
            _passivating[id] = new Queue<(object, IActorRef)>();
            e.Tell(_settings.HandOffStopMessage, Self);
        }
    }

    private void OnTerminated(Terminated t)
    {
        if (!_ids.Remove(t.ActorRef, out var id)) return;
        _entities.Remove(id);
        _lastActive.Remove(id);
        if (_passivating.Remove(id, out var buffer) && buffer.Count > 0)
        {
            if (_handOffReplyTo is not null)
                foreach (var (m, s) in buffer) Context.Parent.Tell(m, s);
            else
            {
                var fresh = EntityFor(id); // a new incarnation gets what arrived while the old one stopped, in order
                foreach (var (m, s) in buffer) fresh.Tell(_extractor.EntityMessage(m), s);
                _lastActive[id] = Stopwatch.GetTimestamp();
            }
        }
        if (_handOffReplyTo is not null && _entities.Count == 0) FinishHandOff();
    }

    private void OnHandOff(HandOffStop h)
    {
        _handOffReplyTo = h.ReplyTo;
        if (_entities.Count == 0)
        {
            FinishHandOff();
            return;
        }
        foreach (var (id, e) in _entities)
        {
            _passivating.TryAdd(id, new Queue<(object, IActorRef)>());
            e.Tell(_settings.HandOffStopMessage, Self);
        }
    }

    private void FinishHandOff()
    {
        _handOffReplyTo!.Tell(new ShardStopped(_shardId), Context.Parent);
        Context.Stop(Self);
    }
}
