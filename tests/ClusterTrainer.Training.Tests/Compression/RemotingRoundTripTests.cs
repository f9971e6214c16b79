using System.Runtime.InteropServices;
using System.Threading.Channels;
using ClusterTrainer.Actors;
using ClusterTrainer.Actors.Buffers;
using ClusterTrainer.Actors.Remote;
using ClusterTrainer.Actors.Serialization;
using ClusterTrainer.TestKit.MultiNode;
using ClusterTrainer.Training.Distributed.Compression;
using Xunit;

namespace ClusterTrainer.Training.Tests.Compression;

/// <summary>
/// Gradient payloads through real remoting: two actor systems on loopback TCP, the payload told to an actor on the
/// other one, which copies what arrived and disposes its pooled buffer.
/// </summary>
public sealed class RemotingRoundTripTests : IAsyncLifetime
{
    private const string Secret = "codec-test-secret";
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(60);
    private ActorSystem _sender = null!, _receiver = null!;
    private readonly Channel<Arrived> _arrived = Channel.CreateUnbounded<Arrived>();

    private sealed record Arrived(string Name, long Version, TensorDType DType, int[] Shape, byte[] Bytes, bool HadLease);

    private sealed class Sink : ReceiveActor
    {
        public Sink(ChannelWriter<Arrived> into) => Receive<TensorPayload>(t =>
        {
            into.TryWrite(new Arrived(t.Name, t.Version, t.DType, t.Shape, t.Data.ToArray(), t.Lease is not null));
            t.Dispose(); // the receiver owns the pooled buffer it arrived in
        });
    }

    private static ActorSystem Create(string name) =>
        ActorSystem.Create(name, new ActorSystemOptions { TerminateOnSigterm = false }.WithRemoting(new RemoteSettings { Secret = Secret }));

    public Task InitializeAsync()
    {
        _sender = Create("codec-sender");
        _receiver = Create("codec-receiver");
        _receiver.ActorOf(Props.Create(() => new Sink(_arrived.Writer)), "shard");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await Task.WhenAll(_sender.Terminate(), _receiver.Terminate());
        await Task.WhenAll(Remoting.Get(_sender).WhenStopped, Remoting.Get(_receiver).WhenStopped);
    }

    private IActorRef Shard => Remoting.Get(_sender).ActorFor($"{Remoting.Get(_receiver).Address}/user/shard");

    private async Task<Arrived> NextAsync()
    {
        using var cts = new CancellationTokenSource(Budget);
        return await _arrived.Reader.ReadAsync(cts.Token);
    }

    [Fact]
    public async Task A_borrowed_native_slice_arrives_with_identical_bytes()
    {
        const int count = (1 << 20) + 3; // a 4 MiB frame, and an odd tail
        using var native = new NativeFloats(count);
        new Random(11).NextBytes(MemoryMarshal.AsBytes(native.Span)); // every bit pattern, NaNs included
        byte[] sent = MemoryMarshal.AsBytes(native.Span).ToArray();

        Shard.Tell(BorrowedFloats.Payload("shard/0", 41, native.Address, count), null);
        var got = await NextAsync(); // for a worker this is its next pull's answer: only now may it write the buffer again

        Assert.Equal(("shard/0", 41L, TensorDType.Float32), (got.Name, got.Version, got.DType));
        Assert.Equal([count], got.Shape);
        Assert.True(got.HadLease, "a received tensor lands in a pooled buffer");
        Assert.True(sent.AsSpan().SequenceEqual(got.Bytes), "the received bytes differ from the native buffer's");
        Assert.True(sent.AsSpan().SequenceEqual(MemoryMarshal.AsBytes(native.Span)), "sending changed the native buffer");
    }

    /// <summary>Floats in native memory, as the worker's flat gradient buffer is.</summary>
    private sealed unsafe class NativeFloats(int count) : IDisposable
    {
        public nint Address { get; } = (nint)NativeMemory.AlignedAlloc((nuint)count * sizeof(float), 64);
        public Span<float> Span => new((void*)Address, count);
        public void Dispose() => NativeMemory.AlignedFree((void*)Address);
    }

    [Theory]
    [InlineData(GradientCompression.Float16)]
    [InlineData(GradientCompression.BFloat16)]
    public async Task A_compressed_gradient_arrives_intact_and_its_pooled_buffer_goes_back_after_sending(GradientCompression compression)
    {
        var pool = new PinnedBufferPool(minBufferSize: 4096, maxBufferSize: 1 << 22);
        var gradient = new float[100_003];
        var rng = new Random(13);
        for (int i = 0; i < gradient.Length; i++) gradient[i] = (float)(rng.NextDouble() * 2 - 1) * 1e-3f;
        var payload = GradientCodec.Encode("shard/2", 8, gradient, compression, pool);
        byte[] encoded = payload.Data.ToArray();
        float[] local = new float[gradient.Length];
        GradientCodec.Accumulate(payload, local, 0.5f);

        Shard.Tell(payload, null); // ownership of the pooled buffer passes to remoting
        var got = await NextAsync();

        Assert.Equal((compression.DType(), 8L), (got.DType, got.Version));
        Assert.True(encoded.AsSpan().SequenceEqual(got.Bytes), "the received bytes differ from the encoded ones");
        using var received = new TensorPayload(got.Name, got.Version, got.DType, got.Shape, got.Bytes);
        float[] remote = new float[gradient.Length];
        GradientCodec.Accumulate(received, remote, 0.5f);
        Assert.Equal(local, remote);
        await Await.ConditionAsync(() => pool.OutstandingCount == 0, Budget, "remoting returns the sent payload's buffer");
        Assert.Equal(0, pool.DoubleReturnCount);
    }
}
