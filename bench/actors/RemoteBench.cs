using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using ClusterTrainer.Actors;
using ClusterTrainer.Actors.Remote;
using ClusterTrainer.Actors.Remote.Transport;
using ClusterTrainer.Actors.Serialization;

namespace ClusterTrainer.Bench.Actors;

/// <summary>Remote transport throughput on loopback: small messages per second, and 64 MiB buffers against a raw socket.</summary>
internal static class RemoteBench
{
    public sealed record Small(int N);

    private sealed class CountingHandler : ITransportHandler
    {
        public long Count, Bytes;
        public void OnMessage(NodeAddress from, string recipient, string? sender, object message)
        {
            if (message is TensorPayload t) { Interlocked.Add(ref Bytes, t.Data.Length); t.Dispose(); }
            Interlocked.Increment(ref Count);
        }
        public void OnAssociationEvent(AssociationEvent e) { }
        public void OnHandshakeRefused(HandshakeRefusedEvent e) => Console.Error.WriteLine($"refused: {e.Reason}");
        public void OnUndelivered(NodeAddress to, string recipient, string? sender, object message, string reason) => Console.Error.WriteLine($"undelivered: {reason}");
        public void Log(TransportLogLevel level, string message) { if (level >= TransportLogLevel.Warning) Console.Error.WriteLine(message); }
        public IActorRefCodec? RefCodec => null;
    }

    private static SerializationRegistry Registry() =>
        SerializationRegistry.CreateDefault().Register<Small>(10001, (w, m) => w.WriteInt32(m.N), (ref MessageReader r) => new Small(r.ReadInt32()));

    private static (TcpTransport, CountingHandler) Node(string name)
    {
        var h = new CountingHandler();
        var t = new TcpTransport(name, new RemoteSettings { Secret = "bench-secret" }, Registry(), h);
        t.Start();
        return (t, h);
    }

    /// <summary>Small messages A → B with at most <paramref name="window"/> in flight; returns messages per second.</summary>
    public static async Task<double> SmallMessagesPerSecondAsync(int count, int window = 50_000)
    {
        var (a, _) = Node("a");
        var (b, hb) = Node("b");
        await using (a) await using (b)
        {
            var msg = new Small(1);
            a.Send(b.LocalAddress, "/user/sink", "/user/src", msg);
            while (Volatile.Read(ref hb.Count) < 1) await Task.Delay(1);
            long start = hb.Count;
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < count; i++)
            {
                while (i - (Volatile.Read(ref hb.Count) - start) > window) Thread.Yield();
                a.Send(b.LocalAddress, "/user/sink", "/user/src", msg);
            }
            while (Volatile.Read(ref hb.Count) - start < count) Thread.Yield();
            return count / sw.Elapsed.TotalSeconds;
        }
    }

    /// <summary>Sends <paramref name="buffers"/> 64 MiB tensor payloads through remoting; returns bytes per second.</summary>
    public static async Task<double> TensorBytesPerSecondAsync(byte[] buffer, int buffers)
    {
        var (a, _) = Node("a");
        var (b, hb) = Node("b");
        await using (a) await using (b)
        {
            var payload = new TensorPayload("w", 0, TensorDType.Raw, [buffer.Length], buffer);
            a.Send(b.LocalAddress, "/user/ps", null, payload); // warm-up: connect + first buffer
            while (Volatile.Read(ref hb.Count) < 1) await Task.Delay(1);
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < buffers; i++) a.Send(b.LocalAddress, "/user/ps", null, payload);
            while (Volatile.Read(ref hb.Count) < buffers + 1) await Task.Delay(1);
            return (double)buffers * buffer.Length / sw.Elapsed.TotalSeconds;
        }
    }

    /// <summary>The baseline: the same buffers over one plain loopback socket into one preallocated buffer.</summary>
    public static async Task<double> RawSocketBytesPerSecondAsync(byte[] buffer, int buffers)
    {
        using var listener = new Socket(SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        using var client = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await client.ConnectAsync(listener.LocalEndPoint!);
        using var server = await listener.AcceptAsync();
        byte[] into = GC.AllocateUninitializedArray<byte>(buffer.Length, pinned: true);
        async Task ReceiveAsync(int n)
        {
            for (int i = 0; i < n; i++)
            {
                int done = 0;
                while (done < into.Length) done += await server.ReceiveAsync(into.AsMemory(done), SocketFlags.None);
            }
        }
        async Task SendAsync(int n)
        {
            for (int i = 0; i < n; i++)
            {
                int done = 0;
                while (done < buffer.Length) done += await client.SendAsync(buffer.AsMemory(done), SocketFlags.None);
            }
        }
        await Task.WhenAll(ReceiveAsync(1), SendAsync(1)); // warm-up
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(Task.Run(() => ReceiveAsync(buffers)), Task.Run(() => SendAsync(buffers)));
        return (double)buffers * buffer.Length / sw.Elapsed.TotalSeconds;
    }

    // ---------------- the same through actors: RemoteActorRef.Tell on node A, an actor on node B ----------------

    private sealed class Sink : ReceiveActor
    {
        public Sink(StrongBox<long> count)
        {
            Receive<Small>(_ => Interlocked.Increment(ref count.Value));
            Receive<TensorPayload>(t => { t.Dispose(); Interlocked.Increment(ref count.Value); });
        }
    }

    private static ActorSystem Networked(string name)
    {
        var system = ActorSystem.Create(name, new ActorSystemOptions { TerminateOnSigterm = false, LogLevel = ClusterTrainer.Actors.LogLevel.Warning }
            .WithRemoting(new RemoteSettings { Secret = "bench-secret" }));
        Remoting.Get(system).Registry.Register<Small>(10001, (w, m) => w.WriteInt32(m.N), (ref MessageReader r) => new Small(r.ReadInt32()));
        return system;
    }

    /// <summary>Actor to remote actor: small messages per second with at most <paramref name="window"/> in flight.</summary>
    public static async Task<double> ActorSmallMessagesPerSecondAsync(int count, int window = 50_000)
    {
        using var a = Networked("a");
        using var b = Networked("b");
        var received = new StrongBox<long>();
        b.ActorOf(Props.Create(() => new Sink(received)), "sink");
        var sink = Remoting.Get(a).ActorFor($"{Remoting.Get(b).Address}/user/sink");
        var msg = new Small(1);
        sink.Tell(msg, null);
        while (Volatile.Read(ref received.Value) < 1) await Task.Delay(1);
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            while (i - (Volatile.Read(ref received.Value) - 1) > window) Thread.Yield();
            sink.Tell(msg, null);
        }
        while (Volatile.Read(ref received.Value) - 1 < count) Thread.Yield();
        return count / sw.Elapsed.TotalSeconds;
    }

    /// <summary>Actor to remote actor: 64 MiB tensor payloads, bytes per second.</summary>
    public static async Task<double> ActorTensorBytesPerSecondAsync(byte[] buffer, int buffers)
    {
        using var a = Networked("a");
        using var b = Networked("b");
        var received = new StrongBox<long>();
        b.ActorOf(Props.Create(() => new Sink(received)), "ps");
        var ps = Remoting.Get(a).ActorFor($"{Remoting.Get(b).Address}/user/ps");
        var payload = new TensorPayload("w", 0, TensorDType.Raw, [buffer.Length], buffer);
        ps.Tell(payload, null);
        while (Volatile.Read(ref received.Value) < 1) await Task.Delay(1);
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < buffers; i++) ps.Tell(payload, null);
        while (Volatile.Read(ref received.Value) < buffers + 1) await Task.Delay(1);
        return (double)buffers * buffer.Length / sw.Elapsed.TotalSeconds;
    }
}
