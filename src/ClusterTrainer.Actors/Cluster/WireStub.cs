// TEMPORARY: stand-ins with the same member names as ClusterTrainer.Actors.Serialization's
// MessageWriter/MessageReader (actors-remote), so ClusterCodecs compiles and is tested before remote
// lands on main. Deleted when it does.
using System.Buffers.Binary;
using System.Text;

namespace ClusterTrainer.Actors.Cluster;

public sealed class MessageWriter
{
    private readonly MemoryStream _ms = new();
    public ReadOnlySpan<byte> WrittenSpan => _ms.GetBuffer().AsSpan(0, (int)_ms.Length);
    public void WriteByte(byte v) => _ms.WriteByte(v);
    public void WriteInt32(int v) { Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteInt32LittleEndian(b, v); _ms.Write(b); }
    public void WriteInt64(long v) { Span<byte> b = stackalloc byte[8]; BinaryPrimitives.WriteInt64LittleEndian(b, v); _ms.Write(b); }
    public void WriteString(string? v)
    {
        if (v is null) { WriteInt32(-1); return; }
        var bytes = Encoding.UTF8.GetBytes(v);
        WriteInt32(bytes.Length);
        _ms.Write(bytes);
    }
}

public ref struct MessageReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _pos;
    private void Need(int n) { if (_data.Length - _pos < n) throw new FormatException("truncated"); }
    public byte ReadByte() { Need(1); return _data[_pos++]; }
    public int ReadInt32() { Need(4); var v = BinaryPrimitives.ReadInt32LittleEndian(_data[_pos..]); _pos += 4; return v; }
    public long ReadInt64() { Need(8); var v = BinaryPrimitives.ReadInt64LittleEndian(_data[_pos..]); _pos += 8; return v; }
    public string? ReadString()
    {
        var n = ReadInt32();
        if (n < 0) return null;
        Need(n);
        var s = Encoding.UTF8.GetString(_data.Slice(_pos, n));
        _pos += n;
        return s;
    }
    public string ReadRequiredString() => ReadString() ?? throw new FormatException("null string");
    public int ReadCount(int minElementSize)
    {
        var n = ReadInt32();
        if (n < 0 || (long)n * minElementSize > _data.Length - _pos) throw new FormatException("bad count");
        return n;
    }
    public bool End => _pos == _data.Length;
}
