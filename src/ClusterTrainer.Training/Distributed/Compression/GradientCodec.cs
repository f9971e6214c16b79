using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ClusterTrainer.Actors.Buffers;
using ClusterTrainer.Actors.Serialization;

namespace ClusterTrainer.Training.Distributed.Compression;

/// <summary>
/// Gradient slices on the wire: a worker <see cref="Encode"/>s its float32 slice into a pooled payload of the
/// run's <see cref="GradientCompression"/>; a shard <see cref="Accumulate"/>s whatever dtype arrives straight
/// into its float32 sum (no decoded copy), or <see cref="Decode"/>s it. Rounding matches torch's
/// <c>.half()</c> / <c>.bfloat16()</c> bit for bit (<see cref="Float16Bits"/>, <see cref="BFloat16Bits"/>).
/// <para>
/// Ownership: an encoded payload owns a <see cref="PooledBuffer"/>. Telling it to a remote actor hands the
/// buffer to remoting, which returns it once written; a local receiver (or a sender that never sends it)
/// disposes it. To send an uncompressed slice without any copy, see <see cref="BorrowedFloats"/>.
/// </para>
/// </summary>
public static class GradientCodec
{
    /// <summary>
    /// Encodes <paramref name="values"/> as a one-dimensional payload named <paramref name="name"/> at
    /// <paramref name="version"/>: Float32 for <see cref="GradientCompression.None"/> (one copy), Float16 or
    /// BFloat16 otherwise. The bytes live in a buffer rented from <paramref name="pool"/>
    /// (default <see cref="PinnedBufferPool.Shared"/>), so a steady stream of pushes allocates nothing large.
    /// </summary>
    public static TensorPayload Encode(string name, long version, ReadOnlySpan<float> values, GradientCompression compression,
        PinnedBufferPool? pool = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        var dtype = compression.DType();
        long bytes = compression.EncodedBytes(values.Length);
        pool ??= PinnedBufferPool.Shared;
        if (bytes > pool.MaxBufferSize)
            throw new ArgumentException(
                $"Gradient '{name}' has {values.Length} values = {bytes} bytes as {dtype}, more than the buffer pool's largest buffer " +
                $"({pool.MaxBufferSize} bytes); use smaller parameter shards (more shards) or a pool with a larger maxBufferSize.",
                nameof(values));
        var buffer = pool.Rent((int)bytes);
        try
        {
            Span<byte> target = buffer.Span;
            switch (compression)
            {
                case GradientCompression.None: values.CopyTo(MemoryMarshal.Cast<byte, float>(target)); break;
                case GradientCompression.Float16: Float16Bits.Encode(values, MemoryMarshal.Cast<byte, ushort>(target)); break;
                default: BFloat16Bits.Encode(values, MemoryMarshal.Cast<byte, ushort>(target)); break;
            }
            return TensorPayload.FromPooled(name, version, dtype, [values.Length], buffer);
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    /// <summary>Writes the payload's values, widened to float32, into <paramref name="destination"/>
    /// (which must hold exactly as many values).</summary>
    public static void Decode(TensorPayload payload, Span<float> destination)
    {
        CheckedCount(payload, destination.Length, "decode into");
        ReadOnlySpan<byte> data = payload.Data.Span;
        switch (payload.DType)
        {
            case TensorDType.Float32: MemoryMarshal.Cast<byte, float>(data).CopyTo(destination); break;
            case TensorDType.Float16: Float16Bits.Decode(MemoryMarshal.Cast<byte, ushort>(data), destination); break;
            default: BFloat16Bits.Decode(MemoryMarshal.Cast<byte, ushort>(data), destination); break;
        }
    }

    /// <summary>
    /// <c>destination[i] += scale * value[i]</c> for every value of the payload (Float32, Float16 or BFloat16),
    /// multiply then add, each rounded to float32, as torch's <c>dst + scale * x.float()</c>.
    /// <paramref name="destination"/> must hold exactly as many values; <paramref name="scale"/> must be finite.
    /// </summary>
    public static void Accumulate(TensorPayload payload, Span<float> destination, float scale)
    {
        if (!float.IsFinite(scale))
            throw new ArgumentOutOfRangeException(nameof(scale), scale,
                "The accumulation scale must be finite (it is usually 1 / number of gradients averaged).");
        CheckedCount(payload, destination.Length, "accumulate into");
        ReadOnlySpan<byte> data = payload.Data.Span;
        switch (payload.DType)
        {
            case TensorDType.Float32: AccumulateFloat32(MemoryMarshal.Cast<byte, float>(data), destination, scale); break;
            case TensorDType.Float16: Float16Bits.Accumulate(MemoryMarshal.Cast<byte, ushort>(data), destination, scale); break;
            default: BFloat16Bits.Accumulate(MemoryMarshal.Cast<byte, ushort>(data), destination, scale); break;
        }
    }

    /// <summary><c>destination[i] += scale * source[i]</c>, multiply then add, each rounded to float32.</summary>
    public static void AccumulateFloat32(ReadOnlySpan<float> source, Span<float> destination, float scale)
    {
        SpanChecks.SameLength(source.Length, destination.Length, "float32 accumulate");
        ref float src = ref MemoryMarshal.GetReference(source);
        ref float dst = ref MemoryMarshal.GetReference(destination);
        int n = source.Length, i = 0, lanes = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated)
        {
            var s = new Vector<float>(scale);
            for (; i <= n - lanes; i += lanes)
                (Vector.LoadUnsafe(ref dst, (nuint)i) + s * Vector.LoadUnsafe(ref src, (nuint)i)).StoreUnsafe(ref dst, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref dst, i) += scale * Unsafe.Add(ref src, i);
    }

    /// <summary>Checks the payload's dtype and that the destination holds exactly its values.</summary>
    private static void CheckedCount(TensorPayload payload, int destinationLength, string operation)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (payload.DType is not (TensorDType.Float32 or TensorDType.Float16 or TensorDType.BFloat16))
            throw new ArgumentException(
                $"Gradient '{payload.Name}' is {payload.DType}; gradients travel as Float32, Float16 or BFloat16 " +
                "(build them with GradientCodec.Encode or BorrowedFloats).", nameof(payload));
        int count = payload.Data.Length / TensorPayload.ElementSize(payload.DType);
        if (count != destinationLength)
            throw new ArgumentException(
                $"Cannot {operation} {destinationLength} values: gradient '{payload.Name}' (version {payload.Version}) has {count} " +
                $"{payload.DType} values. The sender's shard layout differs from the receiver's; both must cut the same model into the same shards.",
                nameof(payload));
    }
}
