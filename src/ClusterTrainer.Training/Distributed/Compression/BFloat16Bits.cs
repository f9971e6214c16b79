using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ClusterTrainer.Training.Distributed.Compression;

/// <summary>
/// float32 ⇄ bfloat16 bit conversions that give exactly torch 1.13's CPU results: the top 16 bits of the
/// float32 rounded to nearest even (so float32 subnormals round too, and values past bfloat16's largest
/// finite become ±Inf), and every NaN becomes 0xFFFF, which is what torch's vectorized CPU conversion (the
/// one <c>.bfloat16()</c> runs) writes. Decoding is exact: the bits shifted left by 16, NaN payloads kept.
/// Each conversion has a <see cref="Vector{T}"/> form and a scalar form for tails.
/// </summary>
public static class BFloat16Bits
{
    private const uint NaNBits = 0xFFFF;
    private const uint RoundingBias = 0x7FFF;

    /// <summary>The bfloat16 bits nearest to <paramref name="value"/> (ties to even), as torch's <c>.bfloat16()</c>.</summary>
    public static ushort FromSingle(float value)
    {
        if (float.IsNaN(value)) return (ushort)NaNBits;
        uint w = BitConverter.SingleToUInt32Bits(value);
        return (ushort)((w + RoundingBias + ((w >> 16) & 1)) >> 16); // no NaN here, so w + 0x8000 cannot wrap
    }

    /// <summary>The float32 equal to bfloat16 <paramref name="bits"/>.</summary>
    public static float ToSingle(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);

    /// <summary>Lane-wise <see cref="FromSingle(float)"/>; each result lane holds 16 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<uint> FromSingle(Vector<float> value)
    {
        var w = Vector.AsVectorUInt32(value);
        var rounded = Vector.ShiftRightLogical(w + new Vector<uint>(RoundingBias) + (Vector.ShiftRightLogical(w, 16) & Vector<uint>.One), 16);
        var notNaN = Vector.AsVectorUInt32(Vector.Equals(value, value));
        return Vector.ConditionalSelect(notNaN, rounded, new Vector<uint>(NaNBits));
    }

    /// <summary>Lane-wise <see cref="ToSingle(ushort)"/> of zero-extended bfloat16 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> ToSingle(Vector<uint> bits) => Vector.AsVectorSingle(Vector.ShiftLeft(bits, 16));

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
        public static string Name => "bfloat16";
        public static ushort FromSingle(float value) => BFloat16Bits.FromSingle(value);
        public static float ToSingle(ushort bits) => BFloat16Bits.ToSingle(bits);
        public static Vector<uint> FromSingle(Vector<float> value) => BFloat16Bits.FromSingle(value);
        public static Vector<float> ToSingle(Vector<uint> bits) => BFloat16Bits.ToSingle(bits);
    }
}
