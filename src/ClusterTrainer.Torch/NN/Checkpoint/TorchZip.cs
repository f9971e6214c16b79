using System.Buffers.Binary;
using System.Text;

namespace ClusterTrainer.Torch.Checkpoint;

/// <summary>
/// The container of PyTorch's checkpoint format: an uncompressed ("stored") zip archive whose entries sit under
/// one top folder (archive/data.pkl, archive/data/0, ..., archive/version). The writer aligns every entry's data
/// to 64 bytes as PyTorch does (padding in the local header's extra field), so libtorch can map tensors in place.
/// The reader verifies every entry's CRC-32 against the central directory, so a flipped byte anywhere in a
/// tensor is refused rather than loaded. ZIP64 (archives over 4 GiB) is not supported and is refused clearly.
/// </summary>
internal static class TorchZip
{
    private const uint LocalHeaderSig = 0x04034b50, CentralSig = 0x02014b50, EndSig = 0x06054b50;
    private const int Alignment = 64;

    internal sealed class Writer(Stream stream, string path)
    {
        private readonly List<(byte[] name, uint crc, long size, long offset)> _entries = new();

        public void Add(string name, ReadOnlySpan<byte> data)
        {
            var nameBytes = Encoding.UTF8.GetBytes(name);
            long offset = stream.Position;
            if (offset + data.Length > uint.MaxValue)
                throw new NotSupportedException($"Checkpoint {path} would exceed 4 GiB, which needs ZIP64; this writer does not support that yet. Save the model in parts.");
            uint crc = Crc32.Compute(data);
            int headerEnd = (int)((offset + 30 + nameBytes.Length + 4) % Alignment);
            int pad = headerEnd == 0 ? 0 : Alignment - headerEnd;
            int extraLength = 4 + pad; // "FB" field id, 2-byte length, padding
            Span<byte> header = stackalloc byte[30];
            BinaryPrimitives.WriteUInt32LittleEndian(header, LocalHeaderSig);
            BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 20);  // version needed
            BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 0);   // flags
            BinaryPrimitives.WriteUInt16LittleEndian(header[8..], 0);   // stored
            BinaryPrimitives.WriteUInt32LittleEndian(header[10..], 0);  // time, date
            BinaryPrimitives.WriteUInt32LittleEndian(header[14..], crc);
            BinaryPrimitives.WriteUInt32LittleEndian(header[18..], (uint)data.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(header[22..], (uint)data.Length);
            BinaryPrimitives.WriteUInt16LittleEndian(header[26..], (ushort)nameBytes.Length);
            BinaryPrimitives.WriteUInt16LittleEndian(header[28..], (ushort)extraLength);
            stream.Write(header);
            stream.Write(nameBytes);
            Span<byte> extra = stackalloc byte[extraLength];
            extra.Fill((byte)'Z');
            extra[0] = (byte)'F'; extra[1] = (byte)'B';
            BinaryPrimitives.WriteUInt16LittleEndian(extra[2..], (ushort)pad);
            stream.Write(extra);
            stream.Write(data);
            _entries.Add((nameBytes, crc, data.Length, offset));
        }

        public void Finish()
        {
            long cdOffset = stream.Position;
            Span<byte> h = stackalloc byte[46];
            foreach (var (name, crc, size, offset) in _entries)
            {
                h.Clear();
                BinaryPrimitives.WriteUInt32LittleEndian(h, CentralSig);
                BinaryPrimitives.WriteUInt16LittleEndian(h[4..], 20);
                BinaryPrimitives.WriteUInt16LittleEndian(h[6..], 20);
                BinaryPrimitives.WriteUInt32LittleEndian(h[16..], crc);
                BinaryPrimitives.WriteUInt32LittleEndian(h[20..], (uint)size);
                BinaryPrimitives.WriteUInt32LittleEndian(h[24..], (uint)size);
                BinaryPrimitives.WriteUInt16LittleEndian(h[28..], (ushort)name.Length);
                BinaryPrimitives.WriteUInt32LittleEndian(h[42..], (uint)offset);
                stream.Write(h);
                stream.Write(name);
            }
            long cdSize = stream.Position - cdOffset;
            Span<byte> end = stackalloc byte[22];
            end.Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(end, EndSig);
            BinaryPrimitives.WriteUInt16LittleEndian(end[8..], (ushort)_entries.Count);
            BinaryPrimitives.WriteUInt16LittleEndian(end[10..], (ushort)_entries.Count);
            BinaryPrimitives.WriteUInt32LittleEndian(end[12..], (uint)cdSize);
            BinaryPrimitives.WriteUInt32LittleEndian(end[16..], (uint)cdOffset);
            stream.Write(end);
        }
    }

    /// <summary>Reads a whole archive held in memory; entry data are slices of the file's bytes.</summary>
    internal sealed class Reader
    {
        private readonly byte[] _file;
        private readonly string _path;
        private readonly Dictionary<string, (long offset, long size, uint crc)> _entries = new(StringComparer.Ordinal);

        public Reader(byte[] file, string path)
        {
            _file = file;
            _path = path;
            int end = FindEnd();
            int count = BinaryPrimitives.ReadUInt16LittleEndian(_file.AsSpan(end + 10));
            long cdSize = BinaryPrimitives.ReadUInt32LittleEndian(_file.AsSpan(end + 12));
            long cdOffset = BinaryPrimitives.ReadUInt32LittleEndian(_file.AsSpan(end + 16));
            if (count == 0xFFFF || cdOffset == 0xFFFFFFFF)
                throw Corrupt("is a ZIP64 archive (over 4 GiB or 65535 entries), which this reader does not support");
            if (cdOffset + cdSize > end) throw Corrupt("has a central directory that runs past its end record (truncated or overwritten)");
            long p = cdOffset;
            for (int i = 0; i < count; i++)
            {
                Need(p, 46, "central directory");
                var h = _file.AsSpan((int)p);
                if (BinaryPrimitives.ReadUInt32LittleEndian(h) != CentralSig) throw Corrupt($"has a damaged central directory entry #{i}");
                int method = BinaryPrimitives.ReadUInt16LittleEndian(h[10..]);
                uint crc = BinaryPrimitives.ReadUInt32LittleEndian(h[16..]);
                long compressed = BinaryPrimitives.ReadUInt32LittleEndian(h[20..]);
                long size = BinaryPrimitives.ReadUInt32LittleEndian(h[24..]);
                int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(h[28..]);
                int extraLength = BinaryPrimitives.ReadUInt16LittleEndian(h[30..]);
                int commentLength = BinaryPrimitives.ReadUInt16LittleEndian(h[32..]);
                long local = BinaryPrimitives.ReadUInt32LittleEndian(h[42..]);
                Need(p + 46, nameLength, "central directory");
                string name = Encoding.UTF8.GetString(_file, (int)p + 46, nameLength);
                if (method != 0 || compressed != size)
                    throw Corrupt($"entry '{name}' is compressed (method {method}); PyTorch checkpoints store entries uncompressed. Re-save it with torch.save");
                Need(local, 30, $"entry '{name}'");
                var lh = _file.AsSpan((int)local);
                if (BinaryPrimitives.ReadUInt32LittleEndian(lh) != LocalHeaderSig) throw Corrupt($"has a damaged local header for entry '{name}'");
                long dataOffset = local + 30 + BinaryPrimitives.ReadUInt16LittleEndian(lh[26..]) + BinaryPrimitives.ReadUInt16LittleEndian(lh[28..]);
                Need(dataOffset, size, $"entry '{name}'");
                _entries[name] = (dataOffset, size, crc);
                p += 46 + nameLength + extraLength + commentLength;
            }
        }

        public IEnumerable<string> Names => _entries.Keys;

        public bool Contains(string name) => _entries.ContainsKey(name);

        /// <summary>The entry's bytes, after checking its CRC-32.</summary>
        public ReadOnlySpan<byte> Read(string name)
        {
            if (!_entries.TryGetValue(name, out var e)) throw Corrupt($"has no entry '{name}'");
            var data = _file.AsSpan((int)e.offset, (int)e.size);
            uint actual = Crc32.Compute(data);
            if (actual != e.crc)
                throw Corrupt($"entry '{name}' fails its CRC-32 check (stored 0x{e.crc:x8}, computed 0x{actual:x8}): the file is corrupted");
            return data;
        }

        private int FindEnd()
        {
            int min = Math.Max(0, _file.Length - 22 - 0xFFFF);
            for (int i = _file.Length - 22; i >= min; i--)
                if (BinaryPrimitives.ReadUInt32LittleEndian(_file.AsSpan(i)) == EndSig) return i;
            throw Corrupt("has no zip end-of-central-directory record: it is truncated, or not a PyTorch checkpoint");
        }

        private void Need(long offset, long length, string what)
        {
            if (offset < 0 || length < 0 || offset + length > _file.Length) throw Corrupt($"is truncated: {what} runs past the end of the file");
        }

        private InvalidDataException Corrupt(string what) => new($"Checkpoint {_path} {what}.");
    }

    /// <summary>CRC-32 (IEEE 802.3, reflected, as zip uses), slicing-by-4.</summary>
    internal static class Crc32
    {
        private static readonly uint[] Table = Build();

        private static uint[] Build()
        {
            var t = new uint[4 * 256];
            for (uint i = 0; i < 256; i++)
            {
                uint c = i;
                for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
                t[i] = c;
            }
            for (int i = 0; i < 256; i++)
                for (int s = 1; s < 4; s++)
                    t[s * 256 + i] = (t[(s - 1) * 256 + i] >> 8) ^ t[t[(s - 1) * 256 + i] & 0xFF];
            return t;
        }

        public static uint Compute(ReadOnlySpan<byte> data)
        {
            uint c = 0xFFFFFFFFu;
            var t = Table;
            int i = 0;
            for (; i + 4 <= data.Length; i += 4)
            {
                c ^= BinaryPrimitives.ReadUInt32LittleEndian(data[i..]);
                c = t[768 + (c & 0xFF)] ^ t[512 + ((c >> 8) & 0xFF)] ^ t[256 + ((c >> 16) & 0xFF)] ^ t[c >> 24];
            }
            for (; i < data.Length; i++) c = t[(c ^ data[i]) & 0xFF] ^ (c >> 8);
            return ~c;
        }
    }
}
