using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ClusterTrainer.Training.Distributed.Compression;

/// <summary>
/// float32 ⇄ IEEE binary16 bit conversions that give exactly torch's results (c10's
/// <c>fp16_ieee_from_fp32_value</c> / <c>fp16_ieee_to_fp32_value</c>, the FP16 library's branch-free
/// algorithms): round to nearest even, overflow to ±Inf, subnormal halves kept, every NaN becomes the quiet
/// NaN 0x7E00 with its sign, and decoding a signalling NaN quiets it. Each conversion has a
/// <see cref="Vector{T}"/> form (the same arithmetic per lane, no branches) and a scalar form for tails. They rely on float32 arithmetic rounding to nearest even without flush-to-zero, which
/// .NET guarantees.
/// </summary>
public static class Float16Bits
{
    private const uint SignMask = 0x8000_0000;
    private const uint ExponentMask2 = 0xFF00_0000;          // the exponent of 2*w (sign shifted out)
    private const uint MinBias = 0x7100_0000;                // 2*w exponent of 2^-14 (half's smallest normal)
    private const uint BiasToAdd = 0x0780_0000;              // 2^(e+15) from bias: its ulp is half's ulp of 4|x|
    private const uint QuietNaN = 0x7E00;
    private const uint DenormalCutoff = 1u << 27;            // 2*w below this: a subnormal half
    private const uint ExponentOffset = 0xE0u << 23;         // re-bias 15 → 127 (with exp scale below)
    private const uint MagicMask = 126u << 23;               // 0.5f's exponent
    private static readonly float ScaleToInf = BitConverter.UInt32BitsToSingle(0x7780_0000);  // 2^112
    private static readonly float ScaleToZero = BitConverter.UInt32BitsToSingle(0x0880_0000); // 2^-110
    private static readonly float ExpScale = BitConverter.UInt32BitsToSingle(0x0780_0000);    // 2^-112

    /// <summary>The binary16 bits nearest to <paramref name="value"/> (ties to even), as torch's <c>.half()</c>.</summary>
    public static ushort FromSingle(float value)
    {
        // Scaling up by 2^112 overflows exactly the values that round to Inf; scaling back down by 2^-110
        // leaves the value at 4x so that adding the magic below rounds it at half's precision.
        float scaled = Math.Abs(value) * ScaleToInf * ScaleToZero;
        uint w = BitConverter.SingleToUInt32Bits(value);
        uint shl1 = w + w;
        uint bias = Math.Max(shl1 & ExponentMask2, MinBias);
        scaled = BitConverter.UInt32BitsToSingle((bias >> 1) + BiasToAdd) + scaled;
        uint bits = BitConverter.SingleToUInt32Bits(scaled);
        uint nonSign = ((bits >> 13) & 0x7C00) + (bits & 0x0FFF);
        return (ushort)(((w & SignMask) >> 16) | (shl1 > ExponentMask2 ? QuietNaN : nonSign));
    }

    /// <summary>The float32 equal to binary16 <paramref name="bits"/> (exact), as torch's <c>.float()</c>.</summary>
    public static float ToSingle(ushort bits)
    {
        uint w = (uint)bits << 16;
        uint twoW = w + w;
        float normalized = BitConverter.UInt32BitsToSingle((twoW >> 4) + ExponentOffset) * ExpScale;
        float denormalized = BitConverter.UInt32BitsToSingle((twoW >> 17) | MagicMask) - 0.5f;
        uint magnitude = twoW < DenormalCutoff ? BitConverter.SingleToUInt32Bits(denormalized) : BitConverter.SingleToUInt32Bits(normalized);
        return BitConverter.UInt32BitsToSingle((w & SignMask) | magnitude);
    }

    /// <summary>Lane-wise <see cref="FromSingle(float)"/>; each result lane holds 16 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<uint> FromSingle(Vector<float> value)
    {
        var scaled = Vector.Abs(value) * new Vector<float>(ScaleToInf) * new Vector<float>(ScaleToZero);
        var w = Vector.AsVectorUInt32(value);
        var shl1 = w + w;
        var bias = Vector.Max(shl1 & new Vector<uint>(ExponentMask2), new Vector<uint>(MinBias));
        scaled = Vector.AsVectorSingle(Vector.ShiftRightLogical(bias, 1) + new Vector<uint>(BiasToAdd)) + scaled;
        var bits = Vector.AsVectorUInt32(scaled);
        var nonSign = (Vector.ShiftRightLogical(bits, 13) & new Vector<uint>(0x7C00)) + (bits & new Vector<uint>(0x0FFF));
        var nan = Vector.GreaterThan(shl1, new Vector<uint>(ExponentMask2));
        return Vector.ShiftRightLogical(w & new Vector<uint>(SignMask), 16) | Vector.ConditionalSelect(nan, new Vector<uint>(QuietNaN), nonSign);
    }

    /// <summary>Lane-wise <see cref="ToSingle(ushort)"/> of zero-extended binary16 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> ToSingle(Vector<uint> bits)
    {
        var w = Vector.ShiftLeft(bits, 16);
        var twoW = w + w;
        var normalized = Vector.AsVectorSingle(Vector.ShiftRightLogical(twoW, 4) + new Vector<uint>(ExponentOffset)) * new Vector<float>(ExpScale);
        var denormalized = Vector.AsVectorSingle(Vector.ShiftRightLogical(twoW, 17) | new Vector<uint>(MagicMask)) - new Vector<float>(0.5f);
        var isDenormal = Vector.LessThan(twoW, new Vector<uint>(DenormalCutoff));
        var magnitude = Vector.ConditionalSelect(isDenormal, Vector.AsVectorUInt32(denormalized), Vector.AsVectorUInt32(normalized));
        return Vector.AsVectorSingle((w & new Vector<uint>(SignMask)) | magnitude);
    }

    /// <summary>Encodes <paramref name="source"/> into <paramref name="destination"/> (same length).</summary>
    public static void Encode(ReadOnlySpan<float> source, Span<ushort> destination) => HalfSpans<Format>.Encode(source, destination);

    /// <summary>Decodes <paramref name="source"/> into <paramref name="destination"/> (same length).</summary>
    public static void Decode(ReadOnlySpan<ushort> source, Span<float> destination) => HalfSpans<Format>.Decode(source, destination);

    /// <summary><c>destination[i] += scale * decode(source[i])</c>, multiply then add, each rounded to float32
    /// (as torch's <c>dst + scale * x.float()</c>).</summary>
    public static void Accumulate(ReadOnlySpan<ushort> source, Span<float> destination, float scale) =>
        HalfSpans<Format>.Accumulate(source, destination, scale);

    private readonly struct Format : IHalfFormat
    {
        public static string Name => "float16";
        public static ushort FromSingle(float value) => Float16Bits.FromSingle(value);
        public static float ToSingle(ushort bits) => Float16Bits.ToSingle(bits);
        public static Vector<uint> FromSingle(Vector<float> value) => Float16Bits.FromSingle(value);
        public static Vector<float> ToSingle(Vector<uint> bits) => Float16Bits.ToSingle(bits);
    }
}
