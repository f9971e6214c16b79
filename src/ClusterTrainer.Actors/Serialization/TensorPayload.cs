using System.Runtime.InteropServices;
using ClusterTrainer.Actors.Buffers;

namespace ClusterTrainer.Actors.Serialization;

/// <summary>Element type of a <see cref="TensorPayload"/>; values are wire-stable.</summary>
public enum TensorDType : byte
{
    /// <summary>Opaque bytes (shape counts bytes).</summary>
    Raw = 0,
    Float32 = 1,
    BFloat16 = 2,
    Float16 = 3,
}

/// <summary>
/// A tensor as raw little-endian bytes next to a small header (name, version, dtype, shape). Remoting
/// sends <see cref="Data"/> straight from the caller's memory (header and bytes are written back to
/// back, never concatenated) and receives it straight into a pooled pinned buffer.
/// <para>
/// Ownership: a received payload holds a <see cref="PooledBuffer"/> lease. The actor that receives it
/// owns it and must <see cref="Dispose"/> it when done with <see cref="Data"/> (after that the bytes
/// belong to someone else). Disposing a payload built from caller memory does nothing; the sender
/// keeps its buffer, and must not change it until the payload has been written (use
/// <see cref="FromPooled"/> to hand a pooled buffer to remoting instead: it is returned after sending).
/// </para>
/// </summary>
public sealed record TensorPayload : IDisposable
{
    public TensorPayload(string name, long version, TensorDType dtype, int[] shape, ReadOnlyMemory<byte> data)
        : this(name, version, dtype, shape, data, null) { }

    private TensorPayload(string name, long version, TensorDType dtype, int[] shape, ReadOnlyMemory<byte> data, PooledBuffer? lease)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(shape);
        long expected = ExpectedBytes(dtype, shape);
        if (expected != data.Length)
            throw new ArgumentException($"Tensor '{name}' has shape [{string.Join(",", shape)}] of {dtype} = {expected} bytes but {data.Length} bytes of data were given.", nameof(data));
        Name = name; Version = version; DType = dtype; Shape = shape; Data = data; Lease = lease;
    }

    /// <summary>Wraps a pooled buffer; the payload takes ownership and returns it on <see cref="Dispose"/>.</summary>
    public static TensorPayload FromPooled(string name, long version, TensorDType dtype, int[] shape, PooledBuffer buffer) =>
        new(name, version, dtype, shape, buffer.Memory, buffer);

    public string Name { get; }
    public long Version { get; }
    public TensorDType DType { get; }
    public int[] Shape { get; }
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>The pooled buffer behind <see cref="Data"/>, when this payload owns one.</summary>
    public PooledBuffer? Lease { get; }

    /// <summary>The data as float32 values (only for <see cref="TensorDType.Float32"/>; little-endian hosts).</summary>
    public ReadOnlySpan<float> AsFloats() => DType == TensorDType.Float32
        ? MemoryMarshal.Cast<byte, float>(Data.Span)
        : throw new InvalidOperationException($"Tensor '{Name}' is {DType}, not Float32.");

    public void Dispose() => Lease?.Dispose();

    public static int ElementSize(TensorDType dtype) => dtype switch
    {
        TensorDType.Raw => 1,
        TensorDType.Float32 => 4,
        TensorDType.BFloat16 or TensorDType.Float16 => 2,
        _ => throw new FrameFormatException($"Unknown tensor dtype {(byte)dtype}."),
    };

    public static long ExpectedBytes(TensorDType dtype, int[] shape)
    {
        long n = ElementSize(dtype);
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"Tensor dimension {d} is negative.");
            n = checked(n * d);
        }
        return n;
    }

    internal static TensorPayload Received(string name, long version, TensorDType dtype, int[] shape, PooledBuffer buffer) =>
        new(name, version, dtype, shape, buffer.Memory, buffer);
}

/// <summary>The header of a tensor frame: everything except the data bytes, which follow it raw.</summary>
public readonly record struct TensorHeader(string Name, long Version, TensorDType DType, int[] Shape, long DataLength);

/// <summary>Writes and reads the <see cref="TensorHeader"/> part of a tensor frame.</summary>
public sealed class TensorPayloadHeaderCodec : IMessageCodec<TensorPayload>
{
    public static readonly TensorPayloadHeaderCodec Instance = new();

    /// <summary>Writes the header only; the transport sends <see cref="TensorPayload.Data"/> right after it.</summary>
    public void Write(MessageWriter writer, TensorPayload message)
    {
        writer.WriteString(message.Name);
        writer.WriteInt64(message.Version);
        writer.WriteByte((byte)message.DType);
        writer.WriteInt32Array(message.Shape);
        writer.WriteInt64(message.Data.Length);
    }

    /// <summary>Tensor payloads cannot be decoded from a plain message frame: their bytes travel in a tensor frame.</summary>
    public TensorPayload Read(ref MessageReader reader) =>
        throw new FrameFormatException("A tensor payload arrived in a plain message frame; tensors travel only in tensor frames.");

    public static TensorHeader ReadHeader(ref MessageReader reader)
    {
        string name = reader.ReadRequiredString();
        long version = reader.ReadInt64();
        byte dt = reader.ReadByte();
        if (dt > (byte)TensorDType.Float16) throw new FrameFormatException($"Unknown tensor dtype {dt}.");
        int[] shape = reader.ReadInt32Array();
        long length = reader.ReadInt64();
        long expected;
        try { expected = TensorPayload.ExpectedBytes((TensorDType)dt, shape); }
        catch (Exception e) when (e is ArgumentException or OverflowException) { throw new FrameFormatException($"Tensor '{name}' has an invalid shape: {e.Message}"); }
        if (expected != length) throw new FrameFormatException($"Tensor '{name}' declares {length} data bytes but its shape needs {expected}.");
        return new TensorHeader(name, version, (TensorDType)dt, shape, length);
    }
}
