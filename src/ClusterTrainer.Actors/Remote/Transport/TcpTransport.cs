using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ClusterTrainer.Actors.Serialization;

namespace ClusterTrainer.Actors.Remote.Transport;

/// <summary>
/// TCP transport of one node: a listener for inbound connections (receive only) and one outbound
/// association per remote address (send only), so each sender→receiver pair has exactly one ordered
/// stream. Every connection is authenticated by <see cref="Handshake"/> (and optionally wrapped in TLS)
/// before a single message is decoded. Messages are serialized with the allow-list
/// <see cref="SerializationRegistry"/>.
/// <para>Thread-safety: every public member may be called from any thread.</para>
/// </summary>
public sealed class TcpTransport : IAsyncDisposable
{
    private readonly ConcurrentDictionary<NodeAddress, OutboundAssociation> _outbound = new();
    private readonly ConcurrentDictionary<InboundConnection, byte> _inbound = new();
    private readonly ConcurrentDictionary<NodeAddress, FaultState> _faults = new();
    private int _openInbound;
    private volatile bool _anyFault;
    private volatile bool _anyQuarantined; // hot-path shortcut: no dictionary lookup per frame while no fault is set
    private readonly ConcurrentDictionary<NodeAddress, string> _quarantined = new();
    private readonly CancellationTokenSource _stop = new();
    private Socket? _listener;
    private Task? _acceptLoop;
    private NodeAddress? _local;

    public TcpTransport(string systemName, RemoteSettings settings, SerializationRegistry registry, ITransportHandler handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(systemName);
        settings.Validate();
        SystemName = systemName;
        Settings = settings;
        Registry = registry;
        Handler = handler;
        Key = Encoding.UTF8.GetBytes(settings.Secret);
        Tls = settings.Tls is null ? null : new TlsContext(settings.Tls);
    }

    public string SystemName { get; }
    public RemoteSettings Settings { get; }
    public SerializationRegistry Registry { get; }
    public TransportCounters Counters { get; } = new();
    internal ITransportHandler Handler { get; }
    internal byte[] Key { get; }
    internal TlsContext? Tls { get; }

    /// <summary>This node's address with the real bound port; throws before <see cref="Start"/>.</summary>
    public NodeAddress LocalAddress => _local ?? throw new InvalidOperationException("The transport is not started; call Start() first.");

    /// <summary>Binds the listener (port 0 = ephemeral) and starts accepting.</summary>
    public NodeAddress Start()
    {
        if (_local is not null) return _local;
        if (!IPAddress.TryParse(Settings.Host, out var ip))
        {
            try { ip = Dns.GetHostAddresses(Settings.Host).First(a => a.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6); }
            catch (Exception e) when (e is SocketException or InvalidOperationException)
            {
                throw new InvalidOperationException($"Cannot resolve RemoteSettings.Host '{Settings.Host}' to an IP address to bind; use an IP such as 127.0.0.1 or 0.0.0.0.", e);
            }
        }
        var listener = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(ip, Settings.Port));
            listener.Listen(512);
        }
        catch (SocketException e)
        {
            listener.Dispose();
            throw new InvalidOperationException($"Cannot listen on {Settings.Host}:{Settings.Port}: {e.SocketErrorCode}. Pick a free port (remote.port) or 0 for an ephemeral one.", e);
        }
        _listener = listener;
        _local = new NodeAddress(SystemName, Settings.PublicHost ?? Settings.Host, ((IPEndPoint)listener.LocalEndPoint!).Port);
        _acceptLoop = Task.Run(AcceptLoopAsync);
        Handler.Log(TransportLogLevel.Info, $"remoting listening on {_local}{(Tls is null ? "" : " (TLS)")}");
        return _local;
    }

    /// <summary>
    /// Queues <paramref name="message"/> for the actor at <paramref name="recipientPath"/> on <paramref name="to"/>.
    /// Never blocks; returns false when the message was not accepted (then it went to
    /// <see cref="ITransportHandler.OnUndelivered"/>): queue full, address quarantined, transport stopped.
    /// </summary>
    public bool Send(NodeAddress to, string recipientPath, string? senderPath, object message)
    {
        var env = new OutboundEnvelope(recipientPath, senderPath, message);
        if (_stop.IsCancellationRequested) { Undelivered(to, env, "the transport is stopped"); return false; }
        if (_anyQuarantined && _quarantined.TryGetValue(to, out string? why)) { Undelivered(to, env, $"{to} is quarantined ({why})"); return false; }
        var assoc = _outbound.GetOrAdd(to, static (a, t) => new OutboundAssociation(t, a), this);
        if (assoc.TryEnqueue(env)) return true;
        Undelivered(to, env, $"the outbound queue to {to} is full ({Settings.OutboundQueueCapacity} messages, RemoteSettings.OutboundQueueCapacity)");
        return false;
    }

    /// <summary>Whether an outbound connection to <paramref name="remote"/> is currently established.</summary>
    public bool IsAssociated(NodeAddress remote) => _outbound.TryGetValue(remote, out var a) && a.IsConnected;

    /// <summary>Fault injection towards <paramref name="remote"/> (tests and the multi-node TestKit).</summary>
    public void SetFault(NodeAddress remote, FaultMode mode, long throttleBytesPerSecond = 0)
    {
        if (mode == FaultMode.Throttle && throttleBytesPerSecond <= 0)
            throw new ArgumentException("FaultMode.Throttle needs throttleBytesPerSecond > 0.", nameof(throttleBytesPerSecond));
        lock (_faults)
        {
            if (mode == FaultMode.PassThrough) _faults.TryRemove(remote, out _);
            else _faults[remote] = new FaultState(mode, throttleBytesPerSecond);
            _anyFault = !_faults.IsEmpty;
        }
        Handler.Log(TransportLogLevel.Info, $"fault injection towards {remote}: {mode}{(mode == FaultMode.Throttle ? $" {throttleBytesPerSecond} B/s" : "")}");
        if (mode == FaultMode.Disconnect)
        {
            if (_outbound.TryGetValue(remote, out var a)) a.ResetConnection();
            foreach (var c in _inbound.Keys) if (c.Remote == remote) c.Abort();
        }
    }

    public FaultState FaultOf(NodeAddress remote) => _anyFault && _faults.TryGetValue(remote, out var f) ? f : FaultState.None;

    /// <summary>Gives up on <paramref name="remote"/> for good: connections closed, queued and future messages
    /// undelivered, inbound connections from it refused; publishes <see cref="QuarantinedEvent"/>.</summary>
    public async Task QuarantineAsync(NodeAddress remote, string reason)
    {
        if (!_quarantined.TryAdd(remote, reason)) return;
        _anyQuarantined = true;
        Handler.Log(TransportLogLevel.Warning, $"quarantining {remote}: {reason}");
        if (_outbound.TryRemove(remote, out var a)) await a.CloseAsync($"{remote} is quarantined ({reason})").ConfigureAwait(false);
        foreach (var c in _inbound.Keys) if (c.Remote == remote) c.Abort();
        Publish(new QuarantinedEvent(remote, reason));
    }

    public bool IsQuarantined(NodeAddress remote) => _quarantined.ContainsKey(remote);

    private async Task AcceptLoopAsync()
    {
        var ct = _stop.Token;
        while (!ct.IsCancellationRequested)
        {
            Socket s;
            try { s = await _listener!.AcceptAsync(ct).ConfigureAwait(false); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException) { return; }
            catch (SocketException e)
            {
                Handler.Log(TransportLogLevel.Warning, $"accept failed: {e.SocketErrorCode}");
                continue;
            }
            s.NoDelay = true;
            Interlocked.Increment(ref Counters.inboundConnections);
            if (Interlocked.Increment(ref _openInbound) > Settings.MaxInboundConnections)
            {
                Interlocked.Decrement(ref _openInbound);
                RefusedInbound(s.RemoteEndPoint?.ToString() ?? "?", $"too many inbound connections (RemoteSettings.MaxInboundConnections = {Settings.MaxInboundConnections})");
                s.Close(0);
                continue;
            }
            var conn = new InboundConnection(this, s);
            _ = Task.Run(async () =>
            {
                try { await conn.RunAsync(ct).ConfigureAwait(false); }
                finally { Interlocked.Decrement(ref _openInbound); }
            });
        }
    }

    internal string? Admit(NodeAddress remote)
    {
        if (_quarantined.TryGetValue(remote, out string? why)) return $"{remote} is quarantined by this node ({why})";
        if (FaultOf(remote).Mode == FaultMode.Disconnect) return $"fault injection: {remote} is disconnected";
        return null;
    }

    internal void Attach(InboundConnection c) => _inbound.TryAdd(c, 0);
    internal void Detach(InboundConnection c) => _inbound.TryRemove(c, out _);

    internal void RefusedInbound(string peer, string reason)
    {
        Interlocked.Increment(ref Counters.handshakesRefused);
        Handler.Log(TransportLogLevel.Warning, $"refused inbound connection from {peer}: {reason}");
        Handler.OnHandshakeRefused(new HandshakeRefusedEvent(peer, Inbound: true, reason));
    }

    internal void RefusedOutbound(NodeAddress remote, string reason)
    {
        Interlocked.Increment(ref Counters.handshakesRefused);
        Handler.Log(TransportLogLevel.Warning, $"handshake with {remote} refused: {reason}");
        Handler.OnHandshakeRefused(new HandshakeRefusedEvent(remote.HostPort, Inbound: false, reason));
    }

    internal void Undelivered(NodeAddress to, in OutboundEnvelope env, string reason)
    {
        Interlocked.Increment(ref Counters.messagesDropped);
        try { Handler.OnUndelivered(to, env.Recipient, env.Sender, env.Message, reason); }
        catch (Exception e) { Handler.Log(TransportLogLevel.Error, $"dead-letter handler failed: {e.Message}"); }
    }

    internal void Publish(AssociationEvent e)
    {
        try { Handler.OnAssociationEvent(e); }
        catch (Exception ex) { Handler.Log(TransportLogLevel.Error, $"association event handler failed: {ex.Message}"); }
    }

    /// <summary>Stops: sends what is queued on established connections (up to 2 s), then closes everything.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested) return;
        _stop.Cancel();
        try { _listener?.Dispose(); } catch (Exception) { }
        var closing = _outbound.Values.Select(a => a.CloseAsync("the transport is stopping", drain: TimeSpan.FromSeconds(2))).ToArray();
        _outbound.Clear();
        await Task.WhenAll(closing).ConfigureAwait(false);
        foreach (var c in _inbound.Keys) c.Abort();
        if (_acceptLoop is not null) await _acceptLoop.ConfigureAwait(false);
    }
}

/// <summary>The fault injected towards one address.</summary>
public readonly record struct FaultState(FaultMode Mode, long BytesPerSecond)
{
    public static readonly FaultState None = new(FaultMode.PassThrough, 0);
}
