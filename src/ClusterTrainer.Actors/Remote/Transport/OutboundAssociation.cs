using System.Net.Sockets;
using System.Threading.Channels;
using ClusterTrainer.Actors.Serialization;

namespace ClusterTrainer.Actors.Remote.Transport;

/// <summary>One message waiting to go to a remote node.</summary>
internal readonly record struct OutboundEnvelope(string Recipient, string? Sender, object Message);

/// <summary>
/// The sending side towards one remote address: a bounded queue and one connection at a time, so
/// messages from this node to that node keep their order. The acceptor never sends on this connection
/// after the handshake; its read side only detects loss.
/// <code>
///   Idle --first send--> Connecting --TCP + TLS + handshake ok--> Connected (AssociatedEvent)
///                          ^   |  failure                            |  I/O error / peer closed
///                          |   v                                     v  (DisassociatedEvent)
///                          +-- Backoff (min * 2^failures, cap max, ±20% jitter) <--+
///   any --Quarantine / transport stop--> Closed (queued messages go to dead letters)
/// </code>
/// Queue policy: bounded (RemoteSettings.OutboundQueueCapacity); when full, Tell does not block: the
/// message goes to dead letters and is counted. Delivery is at most once: frames in flight when a
/// connection breaks are lost, exactly as with Akka's classic remoting.
/// </summary>
internal sealed class OutboundAssociation
{
    private readonly TcpTransport _transport;
    private readonly Channel<OutboundEnvelope> _queue;
    private readonly CancellationTokenSource _closed = new();
    private readonly MessageWriter _batch;
    private Task? _run;
    private Stream? _stream;
    private Socket? _socket;

    public OutboundAssociation(TcpTransport transport, NodeAddress remote)
    {
        _transport = transport;
        Remote = remote;
        _queue = Channel.CreateBounded<OutboundEnvelope>(new BoundedChannelOptions(transport.Settings.OutboundQueueCapacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _batch = new MessageWriter(transport.Settings.WriteBatchBytes + 64 * 1024) { RefCodec = transport.Handler.RefCodec };
    }

    public NodeAddress Remote { get; }
    public bool IsConnected { get; private set; }

    /// <summary>Queues a message; false when the queue is full or the association is closed.</summary>
    public bool TryEnqueue(in OutboundEnvelope envelope)
    {
        if (!_queue.Writer.TryWrite(envelope)) return false;
        if (_run is null) StartOnce();
        return true;
    }

    private void StartOnce()
    {
        lock (_closed)
        {
            if (_run is null && !_closed.IsCancellationRequested) _run = Task.Run(RunAsync);
        }
    }

    /// <summary>Resets the current connection (abrupt disconnect); the loop reconnects after backoff.</summary>
    public void ResetConnection()
    {
        try { _socket?.Close(0); } catch (ObjectDisposedException) { }
    }

    /// <summary>Closes for good; queued messages become undelivered with <paramref name="reason"/>.</summary>
    public async Task CloseAsync(string reason, TimeSpan drain = default)
    {
        _queue.Writer.TryComplete();
        if (drain > TimeSpan.Zero && _run is not null && IsConnected)
        {
            // Graceful stop: let the writer send what is queued (e.g. the last DeathWatchNotifications).
            try { await _run.WaitAsync(drain).ConfigureAwait(false); } catch (TimeoutException) { }
        }
        lock (_closed) _closed.Cancel();
        ResetConnection();
        if (_run is not null) { try { await _run.ConfigureAwait(false); } catch (OperationCanceledException) { } }
        while (_queue.Reader.TryRead(out var e)) _transport.Undelivered(Remote, e, reason);
    }

    private async Task RunAsync()
    {
        var ct = _closed.Token;
        int failures = 0;
        while (!ct.IsCancellationRequested)
        {
            bool associated = false;
            try
            {
                if (_transport.FaultOf(Remote).Mode == FaultMode.Disconnect)
                    throw new IOException("fault injection: Disconnect");
                await ConnectAsync(ct).ConfigureAwait(false);
                associated = true;
                failures = 0;
                IsConnected = true;
                Interlocked.Increment(ref _transport.Counters.associations);
                _transport.Publish(new AssociatedEvent(Remote));
                await PumpAsync(ct).ConfigureAwait(false);
                break; // the queue was completed and drained: a graceful close
            }
            catch (Exception e)
            {
                if (ct.IsCancellationRequested) break;
                failures++;
                string reason = Describe(e);
                if (associated)
                {
                    // A peer that closes cleanly is usually shutting down; a reset or protocol error is worth a warning.
                    var level = e is IOException { InnerException: null } && reason.Contains("closed the connection") ? TransportLogLevel.Info : TransportLogLevel.Warning;
                    _transport.Handler.Log(level, $"association to {Remote} lost: {reason}; reconnecting");
                    _transport.Publish(new DisassociatedEvent(Remote, reason));
                }
                else
                    _transport.Handler.Log(TransportLogLevel.Debug, $"connection attempt {failures} to {Remote} failed: {reason}");
                if (e is HandshakeException or AuthenticationFailure)
                    _transport.RefusedOutbound(Remote, reason);
                if (_transport.Settings.QuarantineAfterFailedAttempts is int limit && failures >= limit)
                {
                    _ = _transport.QuarantineAsync(Remote, $"{failures} consecutive connection attempts failed, last: {reason}");
                    break;
                }
            }
            finally
            {
                IsConnected = false;
                DisposeConnection();
            }
            try { await Task.Delay(Backoff(failures), ct).ConfigureAwait(false); }
            catch (OperationCanceledException) { break; }
        }
    }

    private TimeSpan Backoff(int failures)
    {
        var s = _transport.Settings;
        double ms = s.ReconnectBackoffMin.TotalMilliseconds * Math.Pow(2, Math.Max(0, failures - 1));
        ms = Math.Min(ms, s.ReconnectBackoffMax.TotalMilliseconds);
        ms *= 0.8 + 0.4 * Random.Shared.NextDouble();
        return TimeSpan.FromMilliseconds(ms);
    }

    private static string Describe(Exception e) => e switch
    {
        SocketException se => $"socket error {se.SocketErrorCode}",
        OperationCanceledException => "timed out",
        _ => e.Message,
    };

    private async Task ConnectAsync(CancellationToken ct)
    {
        var s = _transport.Settings;
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        _socket = socket;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            timeout.CancelAfter(s.ConnectTimeout);
            await socket.ConnectAsync(Remote.Host, Remote.Port, timeout.Token).ConfigureAwait(false);
        }
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        _stream = stream;
        using var hs = CancellationTokenSource.CreateLinkedTokenSource(ct);
        hs.CancelAfter(s.HandshakeTimeout);
        if (_transport.Tls is { } tls)
        {
            try { stream = _stream = await tls.AuthenticateAsClientAsync(stream, hs.Token).ConfigureAwait(false); }
            catch (System.Security.Authentication.AuthenticationException e) { throw new AuthenticationFailure($"TLS failed: {e.Message}"); }
        }
        using var reader = new FrameReader(stream, s.BufferPool);
        try
        {
            await Handshake.DialAsync(stream, reader, _transport.LocalAddress, Remote, _transport.Key, hs.Token).ConfigureAwait(false);
        }
        catch (HandshakeException e) when (e.TellPeer)
        {
            await Handshake.TrySendRejectAsync(stream, e.Message, hs.Token).ConfigureAwait(false);
            throw;
        }
        catch (FrameFormatException e) { throw new HandshakeException($"malformed handshake: {e.Message}", tellPeer: false); }
        catch (FrameRejectedException e) { throw new HandshakeException($"malformed handshake: {e.Message}", tellPeer: false); }
    }

    /// <summary>Writes queued messages until the connection fails or the association closes.</summary>
    private async Task PumpAsync(CancellationToken ct)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var stream = _stream!;
        // The acceptor never writes after the handshake: a read returning is a close (or a protocol error).
        var watch = WatchForCloseAsync(stream, linked);
        try
        {
            var reader = _queue.Reader;
            while (await reader.WaitToReadAsync(linked.Token).ConfigureAwait(false))
            {
                _batch.Reset();
                int frames = 0;
                while (_batch.Position < _transport.Settings.WriteBatchBytes && reader.TryRead(out var env))
                {
                    var fault = _transport.FaultOf(Remote);
                    if (fault.Mode == FaultMode.Blackhole) { _transport.Undelivered(Remote, env, "blackholed by fault injection"); continue; }
                    if (fault.Mode == FaultMode.Disconnect)
                    {
                        _transport.Undelivered(Remote, env, "disconnected by fault injection");
                        throw new IOException("fault injection: Disconnect");
                    }
                    if (env.Message is TensorPayload tensor)
                    {
                        if (!AppendFrame(env, FrameKind.Tensor, tensor.Data.Length)) continue;
                        await FlushAsync(stream, frames + 1, linked.Token).ConfigureAwait(false);
                        frames = 0;
                        await WriteThrottledAsync(stream, tensor.Data, linked.Token).ConfigureAwait(false);
                        Interlocked.Add(ref _transport.Counters.bytesOut, tensor.Data.Length);
                        tensor.Dispose(); // ownership passed to remoting with the Tell; sent now
                        continue;
                    }
                    if (AppendFrame(env, FrameKind.Message, 0)) frames++;
                }
                await FlushAsync(stream, frames, linked.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (watch.IsCompleted && !ct.IsCancellationRequested)
        {
            await watch.ConfigureAwait(false); // surfaces why the connection closed
        }
        finally
        {
            linked.Cancel();
        }
    }

    private static async Task WatchForCloseAsync(Stream stream, CancellationTokenSource onClose)
    {
        try
        {
            byte[] one = new byte[1];
            int n = await stream.ReadAsync(one, onClose.Token).ConfigureAwait(false);
            throw new IOException(n == 0 ? "the peer closed the connection" : "the peer sent data on an outbound-only connection");
        }
        finally { onClose.Cancel(); }
    }

    /// <summary>Serializes one frame into the batch; false (and dead-lettered) when it cannot be sent.</summary>
    private bool AppendFrame(in OutboundEnvelope env, FrameKind kind, long dataLength)
    {
        int start = _batch.Reserve(FrameFormat.PrefixAndHeader);
        try
        {
            int r = WriteUtf8(env.Recipient);
            int s = env.Sender is null ? 0 : WriteUtf8(env.Sender);
            int p0 = _batch.Position;
            ushort id = _transport.Registry.Serialize(_batch, env.Message);
            int p = _batch.Position - p0;
            long length = FrameFormat.FixedHeader + (long)r + s + p + dataLength;
            if (length > _transport.Settings.MaxFrameSize)
                throw new InvalidOperationException($"the frame would be {length} bytes, over RemoteSettings.MaxFrameSize {_transport.Settings.MaxFrameSize}");
            FrameFormat.WriteHeader(_batch.SpanAt(start, FrameFormat.PrefixAndHeader), (int)length, kind, id, r, s, p);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _batch.Truncate(start);
            _transport.Handler.Log(TransportLogLevel.Warning, $"cannot send {env.Message.GetType().Name} to {env.Recipient}: {e.Message}");
            _transport.Undelivered(Remote, env, e.Message);
            return false;
        }
    }

    private int WriteUtf8(string s)
    {
        int before = _batch.Position;
        _batch.WriteUtf8Raw(s);
        int n = _batch.Position - before;
        if (n > ushort.MaxValue) throw new InvalidOperationException($"actor path of {n} bytes is longer than 65535");
        return n;
    }

    private async ValueTask FlushAsync(Stream stream, int frames, CancellationToken ct)
    {
        if (_batch.Position == 0) return;
        await WriteThrottledAsync(stream, _batch.WrittenMemory, ct).ConfigureAwait(false);
        Interlocked.Add(ref _transport.Counters.framesOut, frames);
        Interlocked.Add(ref _transport.Counters.bytesOut, _batch.Position);
        _batch.Reset();
    }

    private async ValueTask WriteThrottledAsync(Stream stream, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        var fault = _transport.FaultOf(Remote);
        if (fault.Mode != FaultMode.Throttle || fault.BytesPerSecond <= 0)
        {
            await stream.WriteAsync(data, ct).ConfigureAwait(false);
            return;
        }
        int chunk = (int)Math.Clamp(fault.BytesPerSecond / 20, 1, 64 * 1024);
        for (int off = 0; off < data.Length; off += chunk)
        {
            int n = Math.Min(chunk, data.Length - off);
            await stream.WriteAsync(data.Slice(off, n), ct).ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromSeconds((double)n / fault.BytesPerSecond), ct).ConfigureAwait(false);
        }
    }

    private void DisposeConnection()
    {
        try { _stream?.Dispose(); } catch (Exception) { }
        try { _socket?.Dispose(); } catch (Exception) { }
        _stream = null;
        _socket = null;
    }
}

/// <summary>TLS authentication of the peer failed.</summary>
internal sealed class AuthenticationFailure(string message) : Exception(message);
