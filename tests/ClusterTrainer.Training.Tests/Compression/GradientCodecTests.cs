using System.Runtime.InteropServices;
using ClusterTrainer.Actors.Buffers;
using ClusterTrainer.Actors.Serialization;
using ClusterTrainer.Training.Distributed.Compression;
using ClusterTrainer.Training.Runs;
using Xunit;

namespace ClusterTrainer.Training.Tests.Compression;

/// <summary>The codec's contract: names, pooled buffers, and clear errors on mismatched payloads.</summary>
public sealed class GradientCodecTests
{
    [Fact]
    public void Every_run_spec_compression_name_parses_and_round_trips()
    {
        Assert.Equal(RunSpecParser.Compressions, GradientCompressions.Names);
        foreach (string name in RunSpecParser.Compressions)
            Assert.Equal(name, GradientCompressions.Parse(name).Name());
        Assert.Equal(GradientCompression.BFloat16, GradientCompressions.Parse(" BFloat16 "));
        Assert.Equal(GradientCompression.None, GradientCompressions.Parse("NONE"));
    }

    [Fact]
    public void An_unknown_compression_name_is_refused_with_the_allowed_names()
    {
        var e = Assert.Throws<ArgumentException>(() => GradientCompressions.Parse("fp8"));
        Assert.Contains("'fp8'", e.Message);
        Assert.Contains("none, float16, bfloat16", e.Message);
        Assert.Contains("sync.compression", e.Message);
    }

    [Theory]
    [InlineData(GradientCompression.None, TensorDType.Float32, 4)]
    [InlineData(GradientCompression.Float16, TensorDType.Float16, 2)]
    [InlineData(GradientCompression.BFloat16, TensorDType.BFloat16, 2)]
    public void Encode_rents_the_exact_size_from_the_pool_and_returns_it_on_dispose(GradientCompression c, TensorDType dtype, int bytesPerValue)
    {
        var pool = new PinnedBufferPool(minBufferSize: 4096, maxBufferSize: 1 << 20);
        var payload = GradientCodec.Encode("shard/2", 9, new float[1001], c, pool);
        Assert.Equal(dtype, payload.DType);
        Assert.Equal(1001 * bytesPerValue, payload.Data.Length);
        Assert.Equal(1001L * bytesPerValue, c.EncodedBytes(1001));
        Assert.Equal(1, pool.OutstandingCount);
        payload.Dispose();
        Assert.Equal(0, pool.OutstandingCount);
        Assert.Equal(0, pool.DoubleReturnCount);
    }

    [Fact]
    public void Encoding_with_a_warm_pool_allocates_no_large_managed_memory()
    {
        var pool = new PinnedBufferPool(minBufferSize: 4096, maxBufferSize: 8 << 20);
        var values = new float[1 << 20];
        new Random(5).NextBytes(MemoryMarshal.AsBytes(values.AsSpan()));
        foreach (var c in Enum.GetValues<GradientCompression>()) GradientCodec.Encode("warm", 0, values, c, pool).Dispose();
        foreach (var c in Enum.GetValues<GradientCompression>())
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            using (GradientCodec.Encode("shard/0", 1, values, c, pool)) { }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < 4096, $"encoding 4 MiB as {c} allocated {allocated} managed bytes; only the small payload objects should be new");
        }
    }

    [Fact]
    public void A_slice_larger_than_the_pools_largest_buffer_is_refused_before_renting()
    {
        var pool = new PinnedBufferPool(minBufferSize: 4096, maxBufferSize: 8192);
        var e = Assert.Throws<ArgumentException>(() => GradientCodec.Encode("shard/5", 1, new float[4097], GradientCompression.Float16, pool)); // 8194 bytes
        Assert.Contains("shard/5", e.Message);
        Assert.Contains("8192", e.Message);
        Assert.Contains("more shards", e.Message);
        Assert.Equal(0, pool.RentedCount);
    }

    [Fact]
    public void An_empty_slice_encodes_and_accumulates()
    {
        using var payload = GradientCodec.Encode("empty", 0, ReadOnlySpan<float>.Empty, GradientCompression.BFloat16);
        Assert.Equal([0], payload.Shape);
        GradientCodec.Accumulate(payload, Span<float>.Empty, 1f);
    }

    [Theory]
    [InlineData(GradientCompression.None)]
    [InlineData(GradientCompression.Float16)]
    [InlineData(GradientCompression.BFloat16)]
    public void Accumulate_adds_the_scaled_values_to_what_is_there(GradientCompression c)
    {
        // values exact in every dtype, so the sums are exact
        using var payload = GradientCodec.Encode("g", 1, [2f, -4f, 0.5f, 96f, -0.125f], c);
        float[] sum = [1f, 1f, 1f, 1f, 1f];
        GradientCodec.Accumulate(payload, sum, 0.5f);
        GradientCodec.Accumulate(payload, sum, 0.25f);
        Assert.Equal([2.5f, -2f, 1.375f, 73f, 0.90625f], sum);
        var decoded = new float[5];
        GradientCodec.Decode(payload, decoded);
        Assert.Equal([2f, -4f, 0.5f, 96f, -0.125f], decoded);
    }

    [Fact]
    public void A_destination_of_the_wrong_length_is_refused_with_both_counts()
    {
        using var payload = GradientCodec.Encode("shard/3", 17, new float[10], GradientCompression.Float16);
        var e = Assert.Throws<ArgumentException>(() => GradientCodec.Accumulate(payload, new float[9], 1f));
        Assert.Contains("'shard/3' (version 17) has 10 Float16 values", e.Message);
        Assert.Contains("accumulate into 9", e.Message);
        Assert.Contains("shard layout", e.Message);
        e = Assert.Throws<ArgumentException>(() => GradientCodec.Decode(payload, new float[11]));
        Assert.Contains("decode into 11", e.Message);
    }

    [Fact]
    public void A_raw_payload_is_refused_as_a_gradient()
    {
        using var raw = new TensorPayload("blob", 0, TensorDType.Raw, [8], new byte[8]);
        var e = Assert.Throws<ArgumentException>(() => GradientCodec.Accumulate(raw, new float[2], 1f));
        Assert.Contains("'blob' is Raw", e.Message);
        Assert.Throws<ArgumentException>(() => GradientCodec.Decode(raw, new float[2]));
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void A_non_finite_scale_is_refused(float scale)
    {
        using var payload = GradientCodec.Encode("g", 0, [1f], GradientCompression.None);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => GradientCodec.Accumulate(payload, new float[1], scale));
        Assert.Contains("finite", e.Message);
    }

    [Fact]
    public void Span_conversions_refuse_spans_of_different_lengths()
    {
        var e = Assert.Throws<ArgumentException>(() => Float16Bits.Encode(new float[4], new ushort[3]));
        Assert.Contains("4 values but the destination has 3", e.Message);
        Assert.Throws<ArgumentException>(() => BFloat16Bits.Accumulate(new ushort[2], new float[3], 1f));
        Assert.Throws<ArgumentException>(() => GradientCodec.AccumulateFloat32(new float[2], new float[1], 1f));
    }
}
