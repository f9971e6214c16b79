using System.Net.Sockets;
using System.Text;
using ClusterTrainer.Actors.Serialization;

namespace ClusterTrainer.Actors.Remote.Transport;

/// <summary>
/// The receiving side of one accepted connection: handshake first (nothing else is decoded before it
/// succeeds), then frames in order to <see cref="ITransportHandler.OnMessage"/>. Any frame that breaks
/// the protocol (size, kind, unknown type id, malformed payload) drops the connection with a logged
/// reason; the node itself carries on.
/// <code>
///   Accepted --TLS? + handshake ok--> Reading --frame ok--> Reading
///       |  refused (logged, counted)      |  bad frame / closed / Disconnect fault
///       v                                 v
///     Closed <----------------------------+
/// </code>
/// </summary>
internal sealed class InboundConnection
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);
    private readonly TcpTransport _transport;
    private readonly Socket _socket;
    private readonly string _peer;

    public InboundConnection(TcpTransport transport, Socket socket)
    {
        _transport = transport;
        _socket = socket;
        _peer = socket.RemoteEndPoint?.ToString() ?? "?";
    }

    public NodeAddress? Remote { get; private set; }

    public void Abort()
    {
        try { _socket.Close(0); } catch (ObjectDisposedException) { }
    }

    public async Task RunAsync(CancellationToken ct)
    {
        var t = _transport;
        Stream stream = new NetworkStream(_socket, ownsSocket: true);
        FrameReader? reader = null;
        try
        {
            using (var hs = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                hs.CancelAfter(t.Settings.HandshakeTimeout);
                try
                {
                    if (t.Tls is { } tls) stream = await tls.AuthenticateAsServerAsync(stream, hs.Token).ConfigureAwait(false);
                    reader = new FrameReader(stream, t.Settings.BufferPool);
                    Remote = await Handshake.AcceptAsync(stream, reader, t.LocalAddress, t.Key, t.Admit, hs.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    string reason = e switch
                    {
                        OperationCanceledException => $"no complete handshake within {t.Settings.HandshakeTimeout.TotalSeconds:0.#} s",
                        FrameFormatException or FrameRejectedException => $"malformed handshake: {e.Message}",
                        System.Security.Authentication.AuthenticationException => $"TLS failed: {e.Message}",
                        EndOfStreamException or IOException or SocketException => $"connection lost during the handshake: {e.Message}",
                        _ => e.Message,
                    };
                    if (e is HandshakeException { TellPeer: true })
                        await Handshake.TrySendRejectAsync(stream, reason, CancellationToken.None).ConfigureAwait(false);
                    t.RefusedInbound(_peer, reason);
                    return;
                }
            }
            t.Attach(this);
            await ReadFramesAsync(reader, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FrameRejectedException or FrameFormatException)
        {
            Interlocked.Increment(ref t.Counters.connectionsDropped);
            t.Handler.Log(TransportLogLevel.Warning, $"dropping connection from {_peer} ({Remote}): {e.Message}");
        }
        catch (Exception e) when (e is IOException or SocketException or EndOfStreamException or ObjectDisposedException or OperationCanceledException)
        {
            if (!ct.IsCancellationRequested)
                t.Handler.Log(TransportLogLevel.Debug, $"inbound connection from {_peer} ({Remote}) closed: {e.Message}");
        }
        finally
        {
            t.Detach(this);
            reader?.Dispose();
            try { await stream.DisposeAsync().ConfigureAwait(false); } catch (Exception) { }
        }
    }

    private async Task ReadFramesAsync(FrameReader reader, CancellationToken ct)
    {
        var t = _transport;
        var remote = Remote!;
        var refCodec = t.Handler.RefCodec;
        long lastBytes = reader.BytesRead;
        while (true)
        {
            var maybe = await reader.ReadHeaderAsync(t.Settings.MaxFrameSize, ct).ConfigureAwait(false);
            if (maybe is not { } h) return; // clean close between frames
            if (h.Kind == FrameKind.Handshake) throw new FrameRejectedException("a handshake frame arrived after the handshake");
            if (h.RecipientLength == 0) throw new FrameRejectedException($"a {h.Kind} frame has no recipient");
            var body = await reader.ReadBodyAsync(h.VariableLength, ct).ConfigureAwait(false);
            string recipient = Utf8(body.Span[..h.RecipientLength], "recipient");
            string? sender = h.SenderLength == 0 ? null : Utf8(body.Span.Slice(h.RecipientLength, h.SenderLength), "sender");
            var payload = body.Slice(h.RecipientLength + h.SenderLength, h.PayloadLength);
            object message;
            if (h.Kind == FrameKind.Message)
            {
                if (h.TypeId == TypeIds.TensorPayload) throw new FrameRejectedException("a tensor payload id arrived in a message frame");
                message = Decode(h.TypeId, payload.Span, refCodec);
            }
            else
            {
                if (h.TypeId != TypeIds.TensorPayload) throw new FrameRejectedException($"a tensor frame carries type id {h.TypeId}, expected {TypeIds.TensorPayload}");
                var th = ReadTensorHeader(payload.Span);
                if (th.DataLength != h.DataLength) throw new FrameRejectedException($"tensor '{th.Name}' declares {th.DataLength} data bytes but the frame carries {h.DataLength}");
                var data = t.Settings.BufferPool.Rent((int)th.DataLength);
                try { await reader.ReadIntoAsync(data.Memory, ct).ConfigureAwait(false); }
                catch { data.Dispose(); throw; }
                message = TensorPayload.Received(th.Name, th.Version, th.DType, th.Shape, data);
            }
            Interlocked.Increment(ref t.Counters.framesIn);
            Interlocked.Add(ref t.Counters.bytesIn, reader.BytesRead - lastBytes);
            lastBytes = reader.BytesRead;
            if (t.FaultOf(remote).Mode != FaultMode.PassThrough && t.FaultOf(remote).Mode != FaultMode.Throttle)
            {
                (message as IDisposable)?.Dispose();
                continue; // blackholed (or being disconnected): discard silently
            }
            try { t.Handler.OnMessage(remote, recipient, sender, message); }
            catch (Exception e) { t.Handler.Log(TransportLogLevel.Error, $"delivering {message.GetType().Name} from {remote} to {recipient} failed: {e.Message}"); }
        }
    }

    private object Decode(ushort typeId, ReadOnlySpan<byte> payload, IActorRefCodec? refCodec)
    {
        try { return _transport.Registry.Deserialize(typeId, payload, refCodec); }
        catch (FrameFormatException) { throw; }
        catch (Exception e) { throw new FrameFormatException($"type id {typeId} failed to decode: {e.Message}"); }
    }

    private static TensorHeader ReadTensorHeader(ReadOnlySpan<byte> payload)
    {
        var rd = new MessageReader(payload);
        var th = TensorPayloadHeaderCodec.ReadHeader(ref rd);
        if (!rd.End) throw new FrameRejectedException("the tensor header has trailing bytes");
        return th;
    }

    private static string Utf8(ReadOnlySpan<byte> bytes, string what)
    {
        try { return StrictUtf8.GetString(bytes); }
        catch (DecoderFallbackException) { throw new FrameRejectedException($"the {what} path is not valid UTF-8"); }
    }
}
