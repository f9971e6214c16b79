using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace ClusterTrainer.Actors.Serialization;

/// <summary>
/// Append-only little-endian writer for the compact binary format. One instance is reused per
/// outbound connection (it doubles as the batch buffer that goes to the socket), so it is not
/// thread-safe. Strings are UTF-8 with an int32 byte-length prefix (-1 = null); arrays carry an int32
/// count prefix.
/// </summary>
public sealed class MessageWriter
{
    private byte[] _buffer;
    private int _position;

    public MessageWriter(int initialCapacity = 64 * 1024) => _buffer = new byte[Math.Max(16, initialCapacity)];

    /// <summary>Bytes written so far.</summary>
    public int Position => _position;

    /// <summary>What was written, valid until the next write or <see cref="Reset"/>.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => new(_buffer, 0, _position);
    public ReadOnlySpan<byte> WrittenSpan => new(_buffer, 0, _position);

    /// <summary>Resolves actor refs to and from their wire form; set by the remote transport.</summary>
    public IActorRefCodec? RefCodec { get; set; }

    public void Reset() => _position = 0;

    /// <summary>Drops everything written after <paramref name="position"/> (used to undo a failed serialization).</summary>
    public void Truncate(int position)
    {
        if ((uint)position > (uint)_position) throw new ArgumentOutOfRangeException(nameof(position));
        _position = position;
    }

    public void WriteByte(byte value) { Ensure(1); _buffer[_position++] = value; }
    public void WriteBool(bool value) => WriteByte(value ? (byte)1 : (byte)0);
    public void WriteUInt16(ushort value) { Ensure(2); BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(_position), value); _position += 2; }
    public void WriteUInt32(uint value) { Ensure(4); BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(_position), value); _position += 4; }
    public void WriteInt32(int value) { Ensure(4); BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_position), value); _position += 4; }
    public void WriteInt64(long value) { Ensure(8); BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(_position), value); _position += 8; }
    public void WriteDouble(double value) { Ensure(8); BinaryPrimitives.WriteDoubleLittleEndian(_buffer.AsSpan(_position), value); _position += 8; }
    public void WriteSingle(float value) { Ensure(4); BinaryPrimitives.WriteSingleLittleEndian(_buffer.AsSpan(_position), value); _position += 4; }

    public void WriteString(string? value)
    {
        if (value is null) { WriteInt32(-1); return; }
        int max = Encoding.UTF8.GetMaxByteCount(value.Length);
        Ensure(4 + max);
        int n = Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_position + 4));
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_position), n);
        _position += 4 + n;
    }

    /// <summary>Writes a string's UTF-8 bytes with no length prefix.</summary>
    public void WriteUtf8Raw(string value)
    {
        Ensure(Encoding.UTF8.GetMaxByteCount(value.Length));
        _position += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_position));
    }

    /// <summary>A writable view of already-written bytes (to patch a header).</summary>
    public Span<byte> SpanAt(int offset, int length) => _buffer.AsSpan(offset, length);

    /// <summary>Writes a length-prefixed byte block.</summary>
    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteInt32(value.Length);
        WriteRaw(value);
    }

    /// <summary>Writes bytes with no prefix.</summary>
    public void WriteRaw(ReadOnlySpan<byte> value)
    {
        Ensure(value.Length);
        value.CopyTo(_buffer.AsSpan(_position));
        _position += value.Length;
    }

    public void WriteInt32Array(ReadOnlySpan<int> values)
    {
        WriteInt32(values.Length);
        foreach (int v in values) WriteInt32(v);
    }

    public void WriteStringArray(IReadOnlyList<string> values)
    {
        WriteInt32(values.Count);
        for (int i = 0; i < values.Count; i++) WriteString(values[i]);
    }

    /// <summary>Writes an actor ref through <see cref="RefCodec"/> (its path, or null).</summary>
    public void WriteActorRef(object? actorRef)
    {
        if (RefCodec is null) throw new InvalidOperationException("This writer has no IActorRefCodec; actor refs can only be written by the remote transport.");
        WriteString(RefCodec.ToWire(actorRef));
    }

    /// <summary>Reserves <paramref name="count"/> bytes and returns their offset, to patch later (e.g. a length).</summary>
    public int Reserve(int count) { Ensure(count); int at = _position; _position += count; return at; }

    public void PatchInt32(int offset, int value) => BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(offset), value);
    public void PatchUInt16(int offset, ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(offset), value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Ensure(int extra)
    {
        if (_buffer.Length - _position < extra) Grow(extra);
    }

    private void Grow(int extra)
    {
        long needed = (long)_position + extra;
        if (needed > Array.MaxLength) throw new InvalidOperationException($"A message needs {needed} bytes, more than one buffer can hold.");
        int size = (int)Math.Min(Array.MaxLength, Math.Max(needed, (long)_buffer.Length * 2));
        Array.Resize(ref _buffer, size);
    }
}

/// <summary>How actor refs travel: as their full path string (null = no sender). Implemented by remoting.</summary>
public interface IActorRefCodec
{
    string? ToWire(object? actorRef);
    object? FromWire(string? path);
}
