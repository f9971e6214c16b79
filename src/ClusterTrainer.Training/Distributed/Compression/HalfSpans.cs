using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ClusterTrainer.Training.Distributed.Compression;

/// <summary>The conversions of one 16-bit float format (float16, bfloat16), scalar and lane-wise.</summary>
internal interface IHalfFormat
{
    static abstract string Name { get; }
    static abstract ushort FromSingle(float value);
    static abstract float ToSingle(ushort bits);
    static abstract Vector<uint> FromSingle(Vector<float> value);
    static abstract Vector<float> ToSingle(Vector<uint> bits);
}

/// <summary>
/// The span loops shared by the 16-bit formats: vectorized over two <see cref="Vector{T}"/> of floats per
/// iteration with a scalar tail. <typeparamref name="TFormat"/> is a struct, so the JIT specializes and inlines the
/// conversions per format.
/// </summary>
internal static class HalfSpans<TFormat> where TFormat : struct, IHalfFormat
{
    /// <summary>Encodes <paramref name="source"/> into <paramref name="destination"/> (same length).</summary>
    public static void Encode(ReadOnlySpan<float> source, Span<ushort> destination)
    {
        SpanChecks.SameLength(source.Length, destination.Length, $"{TFormat.Name} encode");
        ref float src = ref MemoryMarshal.GetReference(source);
        ref ushort dst = ref MemoryMarshal.GetReference(destination);
        int n = source.Length, i = 0, lanes = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated)
            for (; i <= n - 2 * lanes; i += 2 * lanes)
            {
                var lo = TFormat.FromSingle(Vector.LoadUnsafe(ref src, (nuint)i));
                var hi = TFormat.FromSingle(Vector.LoadUnsafe(ref src, (nuint)(i + lanes)));
                Vector.Narrow(lo, hi).StoreUnsafe(ref dst, (nuint)i);
            }
        for (; i < n; i++) Unsafe.Add(ref dst, i) = TFormat.FromSingle(Unsafe.Add(ref src, i));
    }

    /// <summary>Decodes <paramref name="source"/> into <paramref name="destination"/> (same length).</summary>
    public static void Decode(ReadOnlySpan<ushort> source, Span<float> destination)
    {
        SpanChecks.SameLength(source.Length, destination.Length, $"{TFormat.Name} decode");
        ref ushort src = ref MemoryMarshal.GetReference(source);
        ref float dst = ref MemoryMarshal.GetReference(destination);
        int n = source.Length, i = 0, lanes = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated)
            for (; i <= n - 2 * lanes; i += 2 * lanes)
            {
                Vector.Widen(Vector.LoadUnsafe(ref src, (nuint)i), out var lo, out var hi);
                TFormat.ToSingle(lo).StoreUnsafe(ref dst, (nuint)i);
                TFormat.ToSingle(hi).StoreUnsafe(ref dst, (nuint)(i + lanes));
            }
        for (; i < n; i++) Unsafe.Add(ref dst, i) = TFormat.ToSingle(Unsafe.Add(ref src, i));
    }

    /// <summary><c>destination[i] += scale * decode(source[i])</c>, multiply then add, each rounded to float32
    /// (as torch's <c>dst + scale * x.float()</c>).</summary>
    public static void Accumulate(ReadOnlySpan<ushort> source, Span<float> destination, float scale)
    {
        SpanChecks.SameLength(source.Length, destination.Length, $"{TFormat.Name} accumulate");
        ref ushort src = ref MemoryMarshal.GetReference(source);
        ref float dst = ref MemoryMarshal.GetReference(destination);
        int n = source.Length, i = 0, lanes = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated)
        {
            var s = new Vector<float>(scale);
            for (; i <= n - 2 * lanes; i += 2 * lanes)
            {
                Vector.Widen(Vector.LoadUnsafe(ref src, (nuint)i), out var lo, out var hi);
                (Vector.LoadUnsafe(ref dst, (nuint)i) + s * TFormat.ToSingle(lo)).StoreUnsafe(ref dst, (nuint)i);
                (Vector.LoadUnsafe(ref dst, (nuint)(i + lanes)) + s * TFormat.ToSingle(hi)).StoreUnsafe(ref dst, (nuint)(i + lanes));
            }
        }
        for (; i < n; i++) Unsafe.Add(ref dst, i) += scale * TFormat.ToSingle(Unsafe.Add(ref src, i));
    }
}
