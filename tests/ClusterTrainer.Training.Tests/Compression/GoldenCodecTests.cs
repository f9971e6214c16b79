using System.Numerics;
using System.Runtime.InteropServices;
using ClusterTrainer.Actors.Serialization;
using ClusterTrainer.Training.Distributed.Compression;
using Xunit;

namespace ClusterTrainer.Training.Tests.Compression;

/// <summary>
/// GradientCodec against fixtures made by torch 1.13 itself (make_codec_fixtures.py): random bit patterns, gradient-like
/// values over twelve decades, ties and their neighbours around every kind of half rounding boundary, and the edge cases
/// (±0, ±Inf, NaNs with payloads, overflow, subnormals). Encoding must equal <c>.half()</c> / <c>.bfloat16()</c> bit for
/// bit, decoding <c>.float()</c> bit for bit, and accumulating <c>dst + scale * x.float()</c> to 1 ulp.
/// </summary>
public sealed class GoldenCodecTests
{
    public static TheoryData<string> Cases => CodecFixtures.Names;

    public static TheoryData<string, GradientCompression> CasesByCompression
    {
        get
        {
            var data = new TheoryData<string, GradientCompression>();
            foreach (var c in CodecFixtures.Cases)
                foreach (var k in Enum.GetValues<GradientCompression>()) data.Add(c.Name, k);
            return data;
        }
    }

    private static ushort[] Expected(CodecCase c, GradientCompression k) => k == GradientCompression.Float16 ? c.Float16 : c.BFloat16;

    [Theory]
    [MemberData(nameof(CasesByCompression))]
    public void Encode_matches_torch_bit_for_bit(string name, GradientCompression compression)
    {
        var c = CodecFixtures.Case(name);
        using var payload = GradientCodec.Encode("shard/0", 7, c.Values, compression);
        Assert.Equal(("shard/0", 7L, compression.DType()), (payload.Name, payload.Version, payload.DType));
        Assert.Equal([c.Values.Length], payload.Shape);
        Assert.NotNull(payload.Lease);
        if (compression == GradientCompression.None)
            CodecAssert.SingleBitsEqual(c.Values, MemoryMarshal.Cast<byte, float>(payload.Data.Span), $"{name} as float32");
        else
            CodecAssert.BitsEqual(Expected(c, compression), MemoryMarshal.Cast<byte, ushort>(payload.Data.Span), c.Values, $"{name} as {compression}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_start_offset_matches_torch_so_vector_bodies_and_scalar_tails_agree(string name)
    {
        var c = CodecFixtures.Case(name);
        int offsets = 2 * Vector<float>.Count + 1; // every split between the 2-vector body and the scalar tail
        var bits = new ushort[c.Values.Length];
        for (int k = 0; k <= offsets && k < c.Values.Length; k++)
        {
            var src = c.Values.AsSpan(k);
            Float16Bits.Encode(src, bits.AsSpan(k));
            CodecAssert.BitsEqual(c.Float16.AsSpan(k), bits.AsSpan(k), src, $"{name}[{k}..] as float16");
            BFloat16Bits.Encode(src, bits.AsSpan(k));
            CodecAssert.BitsEqual(c.BFloat16.AsSpan(k), bits.AsSpan(k), src, $"{name}[{k}..] as bfloat16");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Scalar_conversions_match_torch_on_every_value(string name)
    {
        var c = CodecFixtures.Case(name);
        CodecAssert.BitsEqual(c.Float16, c.Values.Select(Float16Bits.FromSingle).ToArray(), c.Values, $"{name} scalar float16");
        CodecAssert.BitsEqual(c.BFloat16, c.Values.Select(BFloat16Bits.FromSingle).ToArray(), c.Values, $"{name} scalar bfloat16");
        CodecAssert.SingleBitsEqual(c.DecodedFloat16, c.Float16.Select(Float16Bits.ToSingle).ToArray(), $"{name} scalar float16 decode");
        CodecAssert.SingleBitsEqual(c.DecodedBFloat16, c.BFloat16.Select(BFloat16Bits.ToSingle).ToArray(), $"{name} scalar bfloat16 decode");
    }

    [Theory]
    [MemberData(nameof(CasesByCompression))]
    public void Decode_matches_torch_float_bit_for_bit(string name, GradientCompression compression)
    {
        var c = CodecFixtures.Case(name);
        using var payload = TorchPayload(c, compression);
        var decoded = new float[c.Values.Length];
        GradientCodec.Decode(payload, decoded);
        float[] expected = compression switch
        {
            GradientCompression.Float16 => c.DecodedFloat16,
            GradientCompression.BFloat16 => c.DecodedBFloat16,
            _ => c.Values,
        };
        CodecAssert.SingleBitsEqual(expected, decoded, $"{name} decoded from {compression}");
    }

    [Theory]
    [MemberData(nameof(CasesByCompression))]
    public void Accumulate_matches_torch_dst_plus_scale_times_x_to_one_ulp(string name, GradientCompression compression)
    {
        var c = CodecFixtures.Case(name);
        using var payload = GradientCodec.Encode("shard/1", 3, c.Values, compression);
        var destination = (float[])c.Destination.Clone();
        GradientCodec.Accumulate(payload, destination, c.Scale);
        float[] expected = compression switch
        {
            GradientCompression.Float16 => c.AccumulatedFloat16,
            GradientCompression.BFloat16 => c.AccumulatedBFloat16,
            _ => c.AccumulatedFloat32,
        };
        CodecAssert.WithinUlps(expected, destination, 1, $"{name}: dst + {c.Scale} * {compression}");
    }

    /// <summary>A payload holding torch's own encoded bits (not ours), so decoding is checked on its own.</summary>
    private static TensorPayload TorchPayload(CodecCase c, GradientCompression compression)
    {
        byte[] bytes = compression switch
        {
            GradientCompression.Float16 => MemoryMarshal.AsBytes(c.Float16.AsSpan()).ToArray(),
            GradientCompression.BFloat16 => MemoryMarshal.AsBytes(c.BFloat16.AsSpan()).ToArray(),
            _ => MemoryMarshal.AsBytes(c.Values.AsSpan()).ToArray(),
        };
        return new TensorPayload("torch", 0, compression.DType(), [c.Values.Length], bytes);
    }
}
