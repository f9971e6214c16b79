using ClusterTrainer.Actors.Buffers;
using System.Runtime.InteropServices;
using ClusterTrainer.Actors.Serialization;

namespace ClusterTrainer.Training.Distributed.Remote;

/// <summary>
/// Field-level writers and readers shared by the training codecs. Float arrays and tensor data travel as raw
/// little-endian bytes (one block copy each way, no per-element work); every count is checked against the
/// bytes left in the frame before anything is allocated, so a malformed payload is refused with a
/// <see cref="FrameFormatException"/> instead of a huge allocation.
/// </summary>
internal static class WireFields
{
    private static bool IsFloating(TensorDType d) => d is TensorDType.Float32 or TensorDType.Float16 or TensorDType.BFloat16;

    /// <summary>A float32/float16/bfloat16 <see cref="TensorPayload"/> inline in a message: its header, then its raw bytes.</summary>
    public static void WriteTensor(MessageWriter w, TensorPayload t)
    {
        if (!IsFloating(t.DType))
            throw new InvalidOperationException($"Tensor '{t.Name}' is {t.DType}; training messages carry Float32, Float16 or BFloat16 tensors only.");
        TensorPayloadHeaderCodec.Instance.Write(w, t);
        w.WriteRaw(t.Data.Span);
    }

    /// <summary>
    /// Reads a tensor written by <see cref="WriteTensor"/> into a buffer of the pinned pool (no large managed
    /// allocation per message); the receiver disposes the payload, which returns the buffer.
    /// </summary>
    public static TensorPayload ReadTensor(ref MessageReader r)
    {
        var h = TensorPayloadHeaderCodec.ReadHeader(ref r);
        if (!IsFloating(h.DType))
            throw new FrameFormatException($"Tensor '{h.Name}' arrived as {h.DType}; training messages carry Float32, Float16 or BFloat16 tensors only.");
        if (h.DataLength > r.Remaining)
            throw new FrameFormatException($"Tensor '{h.Name}' declares {h.DataLength} data bytes but the frame has only {r.Remaining} left.");
        var bytes = r.ReadRaw((int)h.DataLength);
        if (bytes.Length == 0) return new TensorPayload(h.Name, h.Version, h.DType, h.Shape, Array.Empty<byte>());
        var buffer = PinnedBufferPool.Shared.Rent(bytes.Length);
        bytes.CopyTo(buffer.Span);
        return TensorPayload.FromPooled(h.Name, h.Version, h.DType, h.Shape, buffer);
    }

    public static void WriteFloats(MessageWriter w, ReadOnlySpan<float> values)
    {
        w.WriteInt32(values.Length);
        w.WriteRaw(MemoryMarshal.AsBytes(values));
    }

    public static float[] ReadFloats(ref MessageReader r)
    {
        int n = r.ReadCount(sizeof(float));
        var values = new float[n];
        r.ReadRaw(n * sizeof(float)).CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    public static void WriteLongs(MessageWriter w, ReadOnlySpan<long> values)
    {
        w.WriteInt32(values.Length);
        foreach (long v in values) w.WriteInt64(v);
    }

    public static long[] ReadLongs(ref MessageReader r)
    {
        int n = r.ReadCount(sizeof(long));
        var values = new long[n];
        for (int i = 0; i < n; i++) values[i] = r.ReadInt64();
        return values;
    }

    /// <summary>Writes a list as a count followed by each element.</summary>
    public static void WriteList<T>(MessageWriter w, IReadOnlyList<T> items, Action<MessageWriter, T> write)
    {
        w.WriteInt32(items.Count);
        foreach (var item in items) write(w, item);
    }

    /// <summary>Reads a list written by <see cref="WriteList{T}"/>; <paramref name="minElementSize"/> bounds the count.</summary>
    public static T[] ReadList<T>(ref MessageReader r, int minElementSize, ReadMessage<T> read)
    {
        int n = r.ReadCount(minElementSize);
        var items = new T[n];
        for (int i = 0; i < n; i++) items[i] = read(ref r);
        return items;
    }

    public static int ReadNonNegative(ref MessageReader r, string field)
    {
        int v = r.ReadInt32();
        if (v < 0) throw new FrameFormatException($"{field} is {v}; it must not be negative.");
        return v;
    }
}
