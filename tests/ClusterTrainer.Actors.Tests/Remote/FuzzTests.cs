using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using ClusterTrainer.Actors.Remote;
using ClusterTrainer.Actors.Remote.Transport;
using ClusterTrainer.Actors.Serialization;
using Xunit;
using Xunit.Abstractions;

namespace ClusterTrainer.Actors.Tests.Remote;

[CollectionDefinition("fuzz", DisableParallelization = true)]
public sealed class FuzzCollection;

/// <summary>
/// 100,000 random and mutated frames against a live node over many connections, while a good peer keeps
/// doing request/response round trips with it. The node must not crash, must keep its memory bounded,
/// must drop every connection that sent a fatal frame with a logged reason, and must keep serving.
/// </summary>
/// <remarks>Runs alone (its own non-parallel collection): it asserts on process-wide memory.</remarks>
[Collection("fuzz")]
public sealed class FuzzTests(ITestOutputHelper output)
{
    private const int TotalFrames = 100_000;
    private const int Workers = 4;
    // A smaller frame limit than the default keeps the worst case (every worker mid-way through a
    // maximal frame) small; oversize handling is the same code path at any limit.
    private const int MaxFrame = 1024 * 1024;

    /// <summary>Counts what the node logs instead of storing 100k lines.</summary>
    private sealed class CountingSink : ILogSink
    {
        public long Dropped, Refused;
        public void Write(LogEvent e)
        {
            if (e.Message.StartsWith("dropping connection", StringComparison.Ordinal)) Interlocked.Increment(ref Dropped);
            else if (e.Message.StartsWith("refused inbound connection", StringComparison.Ordinal)) Interlocked.Increment(ref Refused);
        }
    }

    private sealed class Echo : ReceiveActor
    {
        public Echo() => Receive<Ping>(p => Sender.Tell(new Pong(p.N, "pong"), Self));
    }

    private sealed class Sink : ReceiveActor
    {
        public Sink() => ReceiveAny(m => (m as IDisposable)?.Dispose());
    }

    private static ActorSystem Networked(string name, ILogSink sink, RemoteSettings settings) =>
        ActorSystem.Create(name, new ActorSystemOptions { LogSink = sink, LogLevel = LogLevel.Info, TerminateOnSigterm = false }
            .WithRemoting(settings, TestTransports.Registry()));

    [Fact]
    public async Task Node_survives_100k_random_and_mutated_frames_and_keeps_serving_a_good_peer()
    {
        var log = new CountingSink();
        var node = Networked("fuzzed", log, new RemoteSettings { Secret = TestTransports.Secret, MaxFrameSize = MaxFrame, HandshakeTimeout = TimeSpan.FromSeconds(20) });
        var good = Networked("good", new CountingSink(), new RemoteSettings { Secret = TestTransports.Secret });
        try
        {
            node.ActorOf(Props.Create<Echo>(), "echo");
            node.ActorOf(Props.Create<Sink>(), "sink");
            var nodeRemoting = Remoting.Get(node);
            var echo = Remoting.Get(good).ActorFor($"{nodeRemoting.Address}/user/echo");
            async Task RoundTripAsync(int n) =>
                Assert.Equal(new Pong(n, "pong"), await echo.Ask<Pong>(new Ping(n), TimeSpan.FromSeconds(30)));

            await RoundTripAsync(-1);
            GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
            long heapBefore = GC.GetTotalMemory(true);
            long peakWorkingSet = 0, peakHeapGrowth = 0;

            var sw = Stopwatch.StartNew();
            using var stopGood = new CancellationTokenSource();
            int goodRoundTrips = 0;
            var goodLoop = Task.Run(async () =>
            {
                for (int i = 0; !stopGood.IsCancellationRequested; i++)
                {
                    await RoundTripAsync(i);
                    goodRoundTrips++;
                    peakWorkingSet = Math.Max(peakWorkingSet, Environment.WorkingSet);
                    peakHeapGrowth = Math.Max(peakHeapGrowth, GC.GetTotalMemory(false) - heapBefore);
                }
            });

            int framesLeft = TotalFrames;
            long fatalConnections = 0, connections = 0;
            var workers = Enumerable.Range(0, Workers).Select(w => Task.Run(async () =>
            {
                var rng = new Random(1234 + w);
                while (Volatile.Read(ref framesLeft) > 0)
                {
                    var (sent, fatal) = await FuzzOneConnectionAsync(nodeRemoting.NodeAddress, rng);
                    Interlocked.Add(ref framesLeft, -sent);
                    Interlocked.Increment(ref connections);
                    if (fatal) Interlocked.Increment(ref fatalConnections);
                }
            })).ToArray();
            await Task.WhenAll(workers);
            stopGood.Cancel();
            await goodLoop;

            for (int i = 0; i < 20; i++) await RoundTripAsync(1_000_000 + i); // still serving after the storm
            await Poll.UntilAsync(() => Interlocked.Read(ref log.Dropped) + Interlocked.Read(ref log.Refused) >= fatalConnections, "every fatal connection logged");
            // The node may still be closing the last fuzz connections: the log line and the counter of one drop
            // are not written at the same instant, so wait until both agree before comparing them below.
            await Poll.UntilAsync(() => Interlocked.Read(ref log.Dropped) == nodeRemoting.Counters.ConnectionsDropped
                                        && Interlocked.Read(ref log.Refused) == nodeRemoting.Counters.HandshakesRefused,
                                  "drop and refusal counters agree with the log");
            GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
            long heapAfter = GC.GetTotalMemory(true);

            var counters = nodeRemoting.Counters;
            output.WriteLine($"{TotalFrames - framesLeft} frames over {connections} connections in {sw.Elapsed.TotalSeconds:0.0} s; " +
                             $"fatal connections {fatalConnections}, logged drops {log.Dropped}, refusals {log.Refused}; " +
                             $"good asks during fuzz {goodRoundTrips}; heap {heapBefore >> 20} -> {heapAfter >> 20} MiB, peak heap growth {peakHeapGrowth >> 20} MiB, " +
                             $"peak working set {peakWorkingSet >> 20} MiB; counters {counters}");
            Assert.True(TotalFrames - framesLeft >= TotalFrames);
            Assert.True(fatalConnections > 500, $"the fuzzer should produce many fatal connections, got {fatalConnections}");
            // Every drop/refusal is logged with its reason and counted, and every fatal connection was dropped.
            Assert.Equal(log.Dropped, counters.ConnectionsDropped);
            Assert.Equal(log.Refused, counters.HandshakesRefused);
            Assert.True(log.Dropped + log.Refused >= fatalConnections);
            Assert.True(goodRoundTrips > 0, "the good peer must get answers while the fuzzer runs");
            Assert.True(heapAfter - heapBefore < 64L * 1024 * 1024, $"managed heap grew by {(heapAfter - heapBefore) >> 20} MiB");
            Assert.True(peakHeapGrowth < 512L * 1024 * 1024, $"managed heap grew by up to {peakHeapGrowth >> 20} MiB during the fuzz");
            Assert.True(peakWorkingSet < 2L * 1024 * 1024 * 1024, $"working set peaked at {peakWorkingSet >> 20} MiB");
        }
        finally
        {
            await Task.WhenAll(node.Terminate(), good.Terminate());
        }
    }

    /// <summary>One connection: a garbage handshake, or a real handshake followed by valid and mutated frames.
    /// Returns the frames sent and whether a certainly-fatal frame was among them (then the node must close).</summary>
    private static async Task<(int Sent, bool Fatal)> FuzzOneConnectionAsync(NodeAddress target, Random rng)
    {
        if (rng.NextDouble() < 0.2) return (1, await GarbageHandshakeAsync(target, rng));
        var (socket, stream) = await TestTransports.DialRawAsync(target);
        await using var _ = stream;
        int count = rng.Next(20, 120), sent = 0;
        bool fatal = false, mutated = false;
        var batch = new MemoryStream();
        // Valid frames, then (usually) one mutated frame last: after a non-fatal mutation such as a
        // truncation the stream is misaligned, and what the node makes of later bytes is unknowable.
        for (int i = 0; i < count && !mutated; i++, sent++)
        {
            byte[] frame = ValidFrame(rng);
            if (i == count - 1 || rng.NextDouble() < 0.02) { fatal = Mutate(frame, rng, out frame); mutated = true; }
            batch.Write(frame);
        }
        try { await stream.WriteAsync(batch.GetBuffer().AsMemory(0, (int)batch.Length)); }
        catch (IOException) { /* the node may already have closed on an earlier bad frame */ }
        if (fatal)
            Assert.True(await TestTransports.ClosedByPeerAsync(stream), "the node must close a connection that sent a fatal frame");
        else
            socket.Shutdown(SocketShutdown.Both);
        return (sent, fatal);
    }

    private static async Task<bool> GarbageHandshakeAsync(NodeAddress target, Random rng)
    {
        var (socket, stream) = await TestTransports.DialRawAsync(target, handshake: false);
        await using var _ = stream;
        byte[] garbage;
        switch (rng.Next(4))
        {
            case 0: garbage = new byte[rng.Next(1, 300)]; rng.NextBytes(garbage); break;
            case 1: garbage = ValidFrame(rng); break; // a message before the handshake
            case 2: // a handshake-kind frame with a random body
                garbage = new byte[FrameFormat.PrefixAndHeader + rng.Next(0, 200)];
                rng.NextBytes(garbage.AsSpan(FrameFormat.PrefixAndHeader));
                FrameFormat.WriteHeader(garbage, garbage.Length - 4, FrameKind.Handshake, 1, 0, 0, garbage.Length - FrameFormat.PrefixAndHeader);
                break;
            default: // a huge handshake frame
                garbage = new byte[FrameFormat.PrefixAndHeader];
                FrameFormat.WriteHeader(garbage, 0, FrameKind.Handshake, 1, 0, 0, 0);
                BinaryPrimitives.WriteInt32LittleEndian(garbage, rng.Next(FrameFormat.MaxHandshakeFrame + 1, int.MaxValue));
                break;
        }
        try
        {
            await stream.WriteAsync(garbage);
            socket.Shutdown(SocketShutdown.Send); // a short garbage prefix then EOF must be refused too
        }
        catch (IOException) { }
        catch (SocketException) { }
        Assert.True(await TestTransports.ClosedByPeerAsync(stream), "the node must close a connection with a garbage handshake");
        return true;
    }

    private static readonly SerializationRegistry Registry = TestTransports.Registry();

    private static byte[] ValidFrame(Random rng)
    {
        object message = rng.Next(3) switch
        {
            0 => new Ping(rng.Next()),
            1 => new Pong(rng.Next(), new string('x', rng.Next(0, 40))),
            _ => (object)rng.NextInt64(),
        };
        var w = new MessageWriter(128);
        int start = w.Reserve(FrameFormat.PrefixAndHeader);
        w.WriteUtf8Raw("/user/sink");
        int r = w.Position - start - FrameFormat.PrefixAndHeader;
        int p0 = w.Position;
        ushort id = Registry.Serialize(w, message);
        int p = w.Position - p0;
        FrameFormat.WriteHeader(w.SpanAt(start, FrameFormat.PrefixAndHeader), FrameFormat.FixedHeader + r + p, FrameKind.Message, id, r, 0, p);
        return w.WrittenSpan.ToArray();
    }

    /// <summary>Mutates a valid frame; true when the result is certainly refused by the node.</summary>
    private static bool Mutate(byte[] frame, Random rng, out byte[] mutated)
    {
        mutated = frame;
        switch (rng.Next(6))
        {
            case 0: // flip a few bits anywhere: may or may not stay valid
                for (int i = rng.Next(1, 5); i > 0; i--) frame[rng.Next(frame.Length)] ^= (byte)(1 << rng.Next(8));
                return false;
            case 1: // truncated: the rest of the stream is now misaligned
                mutated = frame[..rng.Next(1, frame.Length)];
                return false;
            case 2: // huge (or negative) length prefix
                BinaryPrimitives.WriteInt32LittleEndian(frame, rng.Next(2) == 0 ? rng.Next(MaxFrame + 1, int.MaxValue) : -rng.Next(1, int.MaxValue));
                return true;
            case 3: // a type id that is not on the allow-list
                BinaryPrimitives.WriteUInt16LittleEndian(frame.AsSpan(6), (ushort)rng.Next(20_000, 65_536));
                return true;
            case 4: // unknown frame kind
                frame[4] = (byte)rng.Next(4, 256);
                return true;
            default: // a handshake frame after the handshake
                frame[4] = (byte)FrameKind.Handshake;
                return true;
        }
    }
}
