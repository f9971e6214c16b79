using System.Collections.Concurrent;
using System.Net.Sockets;
using ClusterTrainer.Actors.Remote;
using ClusterTrainer.Actors.Remote.Transport;
using ClusterTrainer.Actors.Serialization;

namespace ClusterTrainer.Actors.Tests.Remote;

public sealed record Ping(int N);
public sealed record Pong(int N, string Text);

/// <summary>Records everything a transport reports, for assertions.</summary>
internal sealed class RecordingHandler : ITransportHandler
{
    public readonly ConcurrentQueue<(NodeAddress From, string Recipient, string? Sender, object Message)> Messages = new();
    public readonly ConcurrentQueue<AssociationEvent> Events = new();
    public readonly ConcurrentQueue<HandshakeRefusedEvent> Refusals = new();
    public readonly ConcurrentQueue<(string Recipient, object Message, string Reason)> Undelivered = new();
    public readonly ConcurrentQueue<string> Logs = new();

    public void OnMessage(NodeAddress from, string recipient, string? sender, object message)
    {
        Messages.Enqueue((from, recipient, sender, message));
    }

    public void OnAssociationEvent(AssociationEvent e) => Events.Enqueue(e);
    public void OnHandshakeRefused(HandshakeRefusedEvent e) => Refusals.Enqueue(e);
    public void OnUndelivered(NodeAddress to, string recipient, string? sender, object message, string reason) => Undelivered.Enqueue((recipient, message, reason));
    public void Log(TransportLogLevel level, string message) { if (level >= TransportLogLevel.Info) Logs.Enqueue($"{level}: {message}"); }
    public IActorRefCodec? RefCodec => null;
}

internal static class Poll
{
    /// <summary>Polls <paramref name="condition"/> until true or the deadline (generous: CI machines are busy).</summary>
    public static async Task UntilAsync(Func<bool> condition, string what, int timeoutMs = 30_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out after {timeoutMs} ms waiting for: {what}");
            await Task.Delay(10);
        }
    }
}

internal static class TestTransports
{
    public const string Secret = "test-cluster-secret";

    public static SerializationRegistry Registry()
    {
        var r = SerializationRegistry.CreateDefault();
        r.Register<Ping>(10001, (w, m) => w.WriteInt32(m.N), (ref MessageReader rd) => new Ping(rd.ReadInt32()));
        r.Register<Pong>(10002, (w, m) => { w.WriteInt32(m.N); w.WriteString(m.Text); }, (ref MessageReader rd) => new Pong(rd.ReadInt32(), rd.ReadRequiredString()));
        return r;
    }

    public static (TcpTransport Transport, RecordingHandler Handler) Start(string system, RemoteSettings? settings = null)
    {
        var h = new RecordingHandler();
        var t = new TcpTransport(system, settings ?? new RemoteSettings { Secret = Secret }, Registry(), h);
        t.Start();
        return (t, h);
    }

    /// <summary>A raw client that performs a real handshake, then lets the test write arbitrary bytes.</summary>
    public static async Task<(Socket Socket, NetworkStream Stream)> DialRawAsync(NodeAddress target, string secret = Secret, bool handshake = true)
    {
        var s = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await s.ConnectAsync(target.Host, target.Port);
        var stream = new NetworkStream(s, ownsSocket: true);
        if (handshake)
        {
            using var reader = new FrameReader(stream, Actors.Buffers.PinnedBufferPool.Shared);
            var self = new NodeAddress("raw", "127.0.0.1", 1);
            await Handshake.DialAsync(stream, reader, self, target, System.Text.Encoding.UTF8.GetBytes(secret), CancellationToken.None);
        }
        return (s, stream);
    }

    /// <summary>Waits until the peer closes the connection; true when it did within the timeout.</summary>
    public static async Task<bool> ClosedByPeerAsync(NetworkStream stream, int timeoutMs = 30_000)
    {
        using var cts = new CancellationTokenSource(timeoutMs);
        var buf = new byte[4096];
        try
        {
            while (true)
            {
                int n = await stream.ReadAsync(buf, cts.Token);
                if (n == 0) return true;
            }
        }
        catch (OperationCanceledException) { return false; }
        catch (IOException) { return true; }
        catch (SocketException) { return true; }
    }
}
