using System.Collections.Concurrent;
using ClusterTrainer.Actors.Remote.Transport;
using ClusterTrainer.Actors.Serialization;

namespace ClusterTrainer.Actors.Remote;

/// <summary>
/// The actor-ref provider of a networked system (<c>ct.tcp://system@host:port</c>). It starts the TCP
/// transport while the system is being created (so the bound port is part of every local path), resolves
/// paths on other nodes to <see cref="RemoteActorRef"/>s, and delivers inbound frames to local actors with
/// a remote sender. Enable it with <see cref="RemotingOptions.WithRemoting"/>.
/// </summary>
public sealed class RemoteActorRefProvider : LocalActorRefProvider, ITransportHandler, IActorRefCodec
{
    private const int CacheLimit = 10_000;
    private readonly ActorSystem _system;
    private readonly ConcurrentDictionary<string, IInternalActorRef> _recipients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RemoteActorRef> _remoteRefs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<NodeAddress, string> _terminatedAddresses = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public RemoteActorRefProvider(ActorSystem system, RemoteSettings settings, SerializationRegistry? registry = null)
        : base(system.Name)
    {
        _system = system;
        Log = system.GetLogger("remote");
        Registry = registry ?? SerializationRegistry.CreateDefault();
        RemoteMessageCodecs.Register(Registry);
        Watcher = new RemoteWatcher(this);
        Transport = new TcpTransport(system.Name, settings, Registry, this);
        var node = Transport.Start();
        NodeAddress = node;
        Address = new Address(Address.TcpProtocol, node.System, node.Host, node.Port);
        Remoting = new Remoting(this);
    }

    public TcpTransport Transport { get; }
    public SerializationRegistry Registry { get; }
    public NodeAddress NodeAddress { get; }
    public Remoting Remoting { get; }
    internal ILoggingAdapter Log { get; }
    internal RemoteWatcher Watcher { get; }
    internal Task WhenStopped => _stopped.Task;

    public override void Init(ActorSystem system)
    {
        base.Init(system);
        system.RegisterExtension(_ => Remoting);
        system.CoordinatedShutdown.AddTask(CoordinatedShutdown.Phases.ActorSystemTerminate, "remoting-stop", async _ =>
        {
            await system.WhenTerminated.ConfigureAwait(false); // every actor stopped: their last messages are queued
            await Transport.DisposeAsync().ConfigureAwait(false);
            _stopped.TrySetResult();
        });
    }

    public override IActorRef ResolveActorRef(ActorPath path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (IsLocalAddress(path.Address) || path.Address.Protocol != Address.TcpProtocol || path.Address.Host is null)
            return base.ResolveActorRef(path);
        string key = path.ToSerializationFormat();
        if (_remoteRefs.TryGetValue(key, out var cached)) return cached;
        if (_remoteRefs.Count > CacheLimit) _remoteRefs.Clear();
        var node = new NodeAddress(path.Address.System, path.Address.Host, path.Address.Port ?? 0);
        return _remoteRefs.GetOrAdd(key, _ => new RemoteActorRef(this, path, node));
    }

    // ConcurrentDictionary.IsEmpty takes every lock when empty: a flag keeps the per-message check free.
    private volatile bool _anyTerminated;
    internal bool IsTerminatedAddress(NodeAddress node) => _anyTerminated && _terminatedAddresses.ContainsKey(node);

    internal void SendRemote(RemoteActorRef target, object message, IActorRef? sender)
    {
        if (IsTerminatedAddress(target.Node))
        {
            _system.DeadLetterOffice.Publish(message, sender, target);
            return;
        }
        Transport.Send(target.Node, target.WirePath, ToWire(sender), message);
    }

    /// <summary>Declares <paramref name="node"/> gone for good: quarantine, then Terminated to watchers of its actors.</summary>
    internal async Task DeclareAddressTerminatedAsync(NodeAddress node, string reason)
    {
        await Transport.QuarantineAsync(node, reason).ConfigureAwait(false); // publishes QuarantinedEvent → OnAddressTerminated
        OnAddressTerminated(node, reason);
    }

    private void OnAddressTerminated(NodeAddress node, string reason)
    {
        if (!_terminatedAddresses.TryAdd(node, reason)) return;
        _anyTerminated = true;
        Log.Warning($"address {node} terminated ({reason}); watchers of its actors get Terminated");
        Watcher.AddressTerminated(node);
    }

    // ---------------- wire form of refs ----------------

    public string? ToWire(object? actorRef) => actorRef switch
    {
        null or Nobody => null,
        IActorRef r => r.Path.ToSerializationFormat(),
        _ => throw new ArgumentException($"Expected an IActorRef, got {actorRef.GetType().Name}."),
    };

    public object? FromWire(string? path)
    {
        if (path is null) return null;
        if (_remoteRefs.TryGetValue(path, out var cached)) return cached;
        if (!ActorPath.TryParse(path, out var parsed)) throw new FrameFormatException($"'{Trunc(path)}' is not an actor path.");
        return ResolveActorRef(parsed);
    }

    internal RemoteActorRef? ResolveRemote(NodeAddress from, string path) => FromWire(path) as RemoteActorRef;

    /// <summary>Resolves a wire recipient (<c>/user/a/b#uid</c>) to a live local actor, or null.</summary>
    internal IInternalActorRef? ResolveLocalWire(string wirePath)
    {
        if (_recipients.TryGetValue(wirePath, out var hit))
        {
            if (!hit.IsTerminated) return hit;
            _recipients.TryRemove(wirePath, out _);
        }
        var path = ParseWire(wirePath);
        if (path is null) return null;
        var found = ResolveLocalActorRef(path);
        if (found is null) return null;
        if (_recipients.Count > CacheLimit) _recipients.Clear();
        _recipients[wirePath] = found;
        return found;
    }

    internal string LocalWire(string wirePath) => Address + wirePath;

    private ActorPath? ParseWire(string wirePath)
    {
        if (wirePath.Length == 0 || wirePath[0] != '/') return null;
        long uid = 0;
        int hash = wirePath.IndexOf('#');
        string elements = wirePath;
        if (hash >= 0)
        {
            if (!long.TryParse(wirePath.AsSpan(hash + 1), out uid)) return null;
            elements = wirePath[..hash];
        }
        return new ActorPath(Address, elements.Split('/', StringSplitOptions.RemoveEmptyEntries), uid);
    }

    private static string Trunc(string s) => s.Length <= 80 ? s : s[..80] + "...";

    // ---------------- ITransportHandler ----------------

    IActorRefCodec? ITransportHandler.RefCodec => this;

    void ITransportHandler.OnMessage(NodeAddress from, string recipient, string? sender, object message)
    {
        switch (message)
        {
            case RemoteWatch w: Watcher.OnRemoteWatch(from, w); return;
            case RemoteUnwatch u: Watcher.OnRemoteUnwatch(from, u); return;
        }
        var senderRef = (IActorRef?)FromWire(sender);
        var target = ResolveLocalWire(recipient);
        if (message is RemoteDeathWatchNotification d)
        {
            if (target is not null) Watcher.OnRemoteDeathWatchNotification(from, target, d);
            return;
        }
        if (target is null)
        {
            if (message is Identify identify && senderRef is not null)
            {
                senderRef.Tell(new ActorIdentity(identify.MessageId, null), null); // nobody there: answer at once
                return;
            }
            var path = ParseWire(recipient) ?? new ActorPath(Address, ["deadLetters"]);
            _system.DeadLetterOffice.Publish(message, senderRef, new DeadLetterActorRef(_system, path));
            return;
        }
        target.Tell(message, senderRef);
    }

    void ITransportHandler.OnAssociationEvent(AssociationEvent e)
    {
        if (e is QuarantinedEvent q) OnAddressTerminated(q.Remote, q.Reason);
        _system.EventStream.Publish(e);
    }

    void ITransportHandler.OnHandshakeRefused(HandshakeRefusedEvent e) => _system.EventStream.Publish(e);

    void ITransportHandler.OnUndelivered(NodeAddress to, string recipient, string? sender, object message, string reason)
    {
        if (message is RemoteWatch or RemoteUnwatch or RemoteDeathWatchNotification) return; // handled by address termination
        IActorRef? senderRef = null;
        try { senderRef = (IActorRef?)FromWire(sender); } catch (FrameFormatException) { }
        var recipientRef = ResolveActorRef(new ActorPath(new Address(Address.TcpProtocol, to.System, to.Host, to.Port), ParseWire(recipient)?.Elements ?? []));
        _system.DeadLetterOffice.Publish(message, senderRef, recipientRef);
    }

    void ITransportHandler.Log(TransportLogLevel level, string message) => Log.Log(level switch
    {
        TransportLogLevel.Debug => LogLevel.Debug,
        TransportLogLevel.Info => LogLevel.Info,
        TransportLogLevel.Warning => LogLevel.Warning,
        _ => LogLevel.Error,
    }, null, message);
}
