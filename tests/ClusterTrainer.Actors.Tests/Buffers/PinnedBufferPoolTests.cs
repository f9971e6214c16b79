using System.Diagnostics;
using System.Runtime.InteropServices;
using ClusterTrainer.Actors.Buffers;
using Xunit;

namespace ClusterTrainer.Actors.Tests.Buffers;

/// <summary>Debug.Assert would kill the test host; these tests route asserts to a recording listener.</summary>
[CollectionDefinition("trace-listeners", DisableParallelization = true)]
public sealed class TraceListenerCollection;

[Collection("trace-listeners")]
public sealed class PinnedBufferPoolTests
{
    [Fact]
    public void Rent_gives_a_pinned_power_of_two_array_of_the_exact_usable_length_and_reuses_it()
    {
        var pool = new PinnedBufferPool(4096, 1 << 20, maxPerClass: 2);
        var a = pool.Rent(5000);
        Assert.Equal(5000, a.Length);
        Assert.Equal(8192, ArrayOf(a).Length);
        byte[] first = ArrayOf(a);
        a.Dispose();
        using var b = pool.Rent(8000);
        Assert.Same(first, ArrayOf(b));
        Assert.Equal(1, pool.AllocatedCount);
        Assert.Equal(1, pool.OutstandingCount);
    }

    [Fact]
    public void Idle_arrays_per_class_are_bounded()
    {
        var pool = new PinnedBufferPool(4096, 1 << 20, maxPerClass: 2);
        var leases = Enumerable.Range(0, 5).Select(_ => pool.Rent(4096)).ToList();
        leases.ForEach(l => l.Dispose());
        var again = Enumerable.Range(0, 5).Select(_ => pool.Rent(4096)).ToList();
        Assert.Equal(5 + 3, pool.AllocatedCount); // only 2 were kept idle
        again.ForEach(l => l.Dispose());
    }

    [Fact]
    public void A_request_over_the_largest_buffer_is_refused_with_the_limit()
    {
        var pool = new PinnedBufferPool(4096, 1 << 16, 1);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent((1 << 16) + 1));
        Assert.Contains("largest buffer is 65536", e.Message);
    }

    [Fact]
    public void Returning_twice_asserts_counts_and_does_not_hand_the_array_out_twice()
    {
        var pool = new PinnedBufferPool(4096, 1 << 20, 4);
        var recorder = new RecordingListener();
        var saved = Trace.Listeners.Cast<TraceListener>().ToArray();
        Trace.Listeners.Clear();
        Trace.Listeners.Add(recorder);
        try
        {
            var lease = pool.Rent(100);
            lease.Dispose();
            lease.Dispose();
            Assert.Equal(1, pool.DoubleReturnCount);
            Assert.Equal(1, pool.ReturnedCount);
#if DEBUG
            Assert.Contains(recorder.Failures, f => f.Contains("returned to its pool twice"));
#endif
            using var x = pool.Rent(100);
            using var y = pool.Rent(100);
            Assert.NotSame(ArrayOf(x), ArrayOf(y));
            Assert.Throws<ObjectDisposedException>(() => lease.Span.Length);
        }
        finally
        {
            Trace.Listeners.Clear();
            Trace.Listeners.AddRange(saved);
        }
    }

    private static byte[] ArrayOf(PooledBuffer b) =>
        MemoryMarshal.TryGetArray<byte>(b.Memory, out var segment) ? segment.Array! : throw new InvalidOperationException("not array-backed");

    private sealed class RecordingListener : TraceListener
    {
        public readonly List<string> Failures = [];
        public override void Fail(string? message, string? detailMessage) => Failures.Add(message ?? "");
        public override void Fail(string? message) => Failures.Add(message ?? "");
        public override void Write(string? message) { }
        public override void WriteLine(string? message) { }
    }
}
