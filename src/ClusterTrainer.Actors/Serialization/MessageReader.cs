using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace ClusterTrainer.Actors.Serialization;

/// <summary>
/// Bounds-checked little-endian reader over one frame's payload. Every read checks what is left, so a
/// truncated or lying payload raises <see cref="FrameFormatException"/> instead of reading past the
/// frame or allocating a claimed length: string and array lengths are checked against the bytes that
/// are really there before anything is allocated.
/// </summary>
public ref struct MessageReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public MessageReader(ReadOnlySpan<byte> data, IActorRefCodec? refCodec = null)
    {
        _data = data;
        _position = 0;
        RefCodec = refCodec;
    }

    public IActorRefCodec? RefCodec { get; }
    public int Remaining => _data.Length - _position;
    public bool End => _position == _data.Length;

    public byte ReadByte() { Need(1); return _data[_position++]; }

    public bool ReadBool()
    {
        byte b = ReadByte();
        if (b > 1) throw new FrameFormatException($"A bool field holds {b}; only 0 and 1 are valid.");
        return b == 1;
    }

    public ushort ReadUInt16() { Need(2); ushort v = BinaryPrimitives.ReadUInt16LittleEndian(_data[_position..]); _position += 2; return v; }
    public uint ReadUInt32() { Need(4); uint v = BinaryPrimitives.ReadUInt32LittleEndian(_data[_position..]); _position += 4; return v; }
    public int ReadInt32() { Need(4); int v = BinaryPrimitives.ReadInt32LittleEndian(_data[_position..]); _position += 4; return v; }
    public long ReadInt64() { Need(8); long v = BinaryPrimitives.ReadInt64LittleEndian(_data[_position..]); _position += 8; return v; }
    public double ReadDouble() { Need(8); double v = BinaryPrimitives.ReadDoubleLittleEndian(_data[_position..]); _position += 8; return v; }
    public float ReadSingle() { Need(4); float v = BinaryPrimitives.ReadSingleLittleEndian(_data[_position..]); _position += 4; return v; }

    public string? ReadString()
    {
        int n = ReadInt32();
        if (n == -1) return null;
        if (n < 0 || n > Remaining) throw new FrameFormatException($"A string claims {n} bytes but the frame has {Remaining} left.");
        string s;
        try { s = StrictUtf8.GetString(_data.Slice(_position, n)); }
        catch (DecoderFallbackException) { throw new FrameFormatException("A string field is not valid UTF-8."); }
        _position += n;
        return s;
    }

    /// <summary>Reads a string that must be present.</summary>
    public string ReadRequiredString() => ReadString() ?? throw new FrameFormatException("A required string field is null.");

    public byte[] ReadBytes()
    {
        int n = ReadInt32();
        if (n < 0 || n > Remaining) throw new FrameFormatException($"A byte block claims {n} bytes but the frame has {Remaining} left.");
        byte[] b = _data.Slice(_position, n).ToArray();
        _position += n;
        return b;
    }

    /// <summary>Returns the next <paramref name="count"/> bytes without copying.</summary>
    public ReadOnlySpan<byte> ReadRaw(int count)
    {
        if (count < 0 || count > Remaining) throw new FrameFormatException($"A field claims {count} bytes but the frame has {Remaining} left.");
        var s = _data.Slice(_position, count);
        _position += count;
        return s;
    }

    public int[] ReadInt32Array()
    {
        int n = ReadCount(4);
        var a = new int[n];
        for (int i = 0; i < n; i++) a[i] = ReadInt32();
        return a;
    }

    public string[] ReadStringArray()
    {
        int n = ReadCount(4);
        var a = new string[n];
        for (int i = 0; i < n; i++) a[i] = ReadRequiredString();
        return a;
    }

    /// <summary>Reads an element count and checks that at least <paramref name="minElementSize"/> bytes per element are left.</summary>
    public int ReadCount(int minElementSize)
    {
        int n = ReadInt32();
        if (n < 0 || (long)n * Math.Max(1, minElementSize) > Remaining)
            throw new FrameFormatException($"An array claims {n} elements but the frame has only {Remaining} bytes left.");
        return n;
    }

    /// <summary>Reads an actor ref written by <see cref="MessageWriter.WriteActorRef"/>.</summary>
    public object? ReadActorRef()
    {
        string? path = ReadString();
        if (RefCodec is null) throw new InvalidOperationException("This reader has no IActorRefCodec; actor refs can only be read by the remote transport.");
        return RefCodec.FromWire(path);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly void Need(int n)
    {
        if (_data.Length - _position < n) ThrowTruncated(n);
    }

    private readonly void ThrowTruncated(int n) =>
        throw new FrameFormatException($"The payload is truncated: needed {n} more bytes at offset {_position}, only {_data.Length - _position} left.");
}
