using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using ClusterTrainer.Persistence.Sql.Checkpoints;

namespace ClusterTrainer.Training.Checkpoints;

/// <summary>
/// The part file one parameter shard writes per checkpoint. Layout (little-endian):
/// <code>
///  0  "CTCKPART"   8  format version u32   12 shard id i32   16 offset i64   24 length i64 (floats)
/// 32  step i64    40  version i64          48 optimizer entries i32   52 reserved   56 optimizer bytes i64
/// 64  length x float32 (the slice, written straight from the caller's span)
///     optimizer entries: name length u16, UTF-8 name, data length i64, data
///     trailer: CRC-32C u32 of every byte before it, then "CEND"
/// </code>
/// Written durably: temp file, one write per section, fsync, rename, fsync of the directory.
/// </summary>
public static class PartFile
{
    public const int FormatVersion = 1;
    public const int HeaderSize = 64;
    public const int TrailerSize = 8;
    private static ReadOnlySpan<byte> Magic => "CTCKPART"u8;
    private static ReadOnlySpan<byte> EndMagic => "CEND"u8;

    /// <summary>Writes the part durably to <paramref name="directory"/>/<paramref name="fileName"/> and returns what
    /// the manifest records about it (size and CRC-32C).</summary>
    public static CheckpointPart Write(
        string directory, string fileName, ShardPartHeader header, ReadOnlySpan<float> values, IReadOnlyList<OptimizerStateEntry> optimizerState)
    {
        ArgumentNullException.ThrowIfNull(optimizerState);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("checkpoint part files are little-endian; this CPU is big-endian");
        if (header.ShardId < 0 || header.Offset < 0 || header.Step < 0)
        {
            throw new ArgumentException($"part header {header} is invalid: shard id, offset and step must be >= 0", nameof(header));
        }

        var prefixes = EncodeOptimizerPrefixes(optimizerState);
        long optimizerLength = 0;
        for (int i = 0; i < optimizerState.Count; i++) optimizerLength += prefixes[i].Length + optimizerState[i].Data.Length;
        var headerBytes = new byte[HeaderSize];
        var h = headerBytes.AsSpan();
        Magic.CopyTo(h);
        BinaryPrimitives.WriteUInt32LittleEndian(h[8..], FormatVersion);
        BinaryPrimitives.WriteInt32LittleEndian(h[12..], header.ShardId);
        BinaryPrimitives.WriteInt64LittleEndian(h[16..], header.Offset);
        BinaryPrimitives.WriteInt64LittleEndian(h[24..], values.Length);
        BinaryPrimitives.WriteInt64LittleEndian(h[32..], header.Step);
        BinaryPrimitives.WriteInt64LittleEndian(h[40..], header.Version);
        BinaryPrimitives.WriteInt32LittleEndian(h[48..], optimizerState.Count);
        BinaryPrimitives.WriteInt64LittleEndian(h[56..], optimizerLength);

        var data = MemoryMarshal.AsBytes(values);
        var crc = new Crc32C();
        crc.Append(headerBytes);
        crc.Append(data);
        for (int i = 0; i < optimizerState.Count; i++)
        {
            crc.Append(prefixes[i]);
            crc.Append(optimizerState[i].Data.Span);
        }
        Span<byte> trailer = stackalloc byte[TrailerSize];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, crc.Value);
        EndMagic.CopyTo(trailer[4..]);
        long size = HeaderSize + data.Length + optimizerLength + TrailerSize;

        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, fileName);
        var tmp = path + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            using (var fs = new FileStream(tmp, new FileStreamOptions
                   {
                       Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 0, PreallocationSize = size,
                   }))
            {
                fs.Write(headerBytes);
                fs.Write(data);
                for (int i = 0; i < optimizerState.Count; i++)
                {
                    fs.Write(prefixes[i]);
                    fs.Write(optimizerState[i].Data.Span); // straight from the caller's buffers: no copy of the state
                }
                fs.Write(trailer);
                fs.Flush(flushToDisk: true);
            }

            File.Move(tmp, path, overwrite: true);
            DurableFile.SyncDirectory(directory);
        }
        catch
        {
            File.Delete(tmp);
            throw;
        }

        return new CheckpointPart(header.ShardId, header.Offset, values.Length, fileName, size, Crc32C.Format(crc.Value));
    }

    /// <summary>Reads and verifies the part the manifest entry <paramref name="expected"/> describes: the file must exist,
    /// have the recorded size and checksum, and hold the recorded shard and slice. Anything else throws
    /// <see cref="CheckpointCorruptException"/> naming the file and the problem.</summary>
    public static ShardPartData Read(string directory, CheckpointPart expected)
    {
        ArgumentNullException.ThrowIfNull(expected);
        var path = Path.Combine(directory, expected.FileName);
        if (!File.Exists(path))
        {
            throw new CheckpointCorruptException(path, $"the file is missing (shard {expected.ShardId}); it was deleted or never reached this disk");
        }

        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var size = RandomAccess.GetLength(handle);
        if (size != expected.SizeBytes)
        {
            throw new CheckpointCorruptException(path, $"it is {size} bytes but the manifest records {expected.SizeBytes} (truncated or overwritten)");
        }

        if (size < HeaderSize + TrailerSize || expected.Length * sizeof(float) > size - HeaderSize - TrailerSize)
        {
            throw new CheckpointCorruptException(path, $"{size} bytes cannot hold a {expected.Length}-float slice plus header and trailer");
        }

        var header = new byte[HeaderSize];
        ReadExactly(handle, header, 0, path);
        var values = new float[expected.Length];
        var valueBytes = MemoryMarshal.AsBytes(values.AsSpan());
        ReadExactly(handle, valueBytes, HeaderSize, path);
        var rest = new byte[size - HeaderSize - valueBytes.Length];
        ReadExactly(handle, rest, HeaderSize + valueBytes.Length, path);

        var crc = new Crc32C();
        crc.Append(header);
        crc.Append(valueBytes);
        crc.Append(rest.AsSpan(0, rest.Length - TrailerSize));
        var stored = BinaryPrimitives.ReadUInt32LittleEndian(rest.AsSpan(rest.Length - TrailerSize));
        if (crc.Value != stored || !rest.AsSpan(rest.Length - 4).SequenceEqual(EndMagic))
        {
            throw new CheckpointCorruptException(path, $"checksum mismatch: the file's CRC-32C is {Crc32C.Format(crc.Value)}, its trailer says {Crc32C.Format(stored)} (bytes were changed on disk)");
        }

        if (Crc32C.Format(crc.Value) != expected.Checksum)
        {
            throw new CheckpointCorruptException(path, $"checksum mismatch: the file's CRC-32C is {Crc32C.Format(crc.Value)}, the manifest records {expected.Checksum} (a different file was put in its place)");
        }

        var h = header.AsSpan();
        if (!h[..8].SequenceEqual(Magic) || BinaryPrimitives.ReadUInt32LittleEndian(h[8..]) != FormatVersion)
        {
            throw new CheckpointCorruptException(path, $"it is not a version-{FormatVersion} ClusterTrainer part file (bad magic or format version)");
        }

        var shard = BinaryPrimitives.ReadInt32LittleEndian(h[12..]);
        var offset = BinaryPrimitives.ReadInt64LittleEndian(h[16..]);
        var length = BinaryPrimitives.ReadInt64LittleEndian(h[24..]);
        if (shard != expected.ShardId || offset != expected.Offset || length != expected.Length)
        {
            throw new CheckpointCorruptException(path,
                $"it holds shard {shard} [{offset}, +{length}) but the manifest expects shard {expected.ShardId} [{expected.Offset}, +{expected.Length})");
        }

        var entries = DecodeOptimizerState(rest.AsMemory(0, rest.Length - TrailerSize), BinaryPrimitives.ReadInt32LittleEndian(h[48..]), path);
        return new ShardPartData(shard, offset, BinaryPrimitives.ReadInt64LittleEndian(h[32..]), BinaryPrimitives.ReadInt64LittleEndian(h[40..]), values, entries);
    }

    private static void ReadExactly(Microsoft.Win32.SafeHandles.SafeFileHandle handle, Span<byte> buffer, long offset, string path)
    {
        while (buffer.Length > 0)
        {
            var n = RandomAccess.Read(handle, buffer, offset);
            if (n == 0) throw new CheckpointCorruptException(path, $"unexpected end of file at byte {offset}");
            buffer = buffer[n..];
            offset += n;
        }
    }

    /// <summary>Each entry's prefix in the file: name length (u16), UTF-8 name, data length (i64); its data follows.</summary>
    private static byte[][] EncodeOptimizerPrefixes(IReadOnlyList<OptimizerStateEntry> entries)
    {
        var prefixes = new byte[entries.Count][];
        for (int i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            ArgumentNullException.ThrowIfNull(entry);
            var name = Encoding.UTF8.GetBytes(entry.Name ?? string.Empty);
            if (name.Length is 0 or > ushort.MaxValue)
            {
                throw new ArgumentException($"optimizer state name '{entry.Name}' must be 1-65535 UTF-8 bytes", nameof(entries));
            }

            var prefix = new byte[2 + name.Length + 8];
            BinaryPrimitives.WriteUInt16LittleEndian(prefix, (ushort)name.Length);
            name.CopyTo(prefix, 2);
            BinaryPrimitives.WriteInt64LittleEndian(prefix.AsSpan(2 + name.Length), entry.Data.Length);
            prefixes[i] = prefix;
        }

        return prefixes;
    }

    private static List<OptimizerStateEntry> DecodeOptimizerState(ReadOnlyMemory<byte> bytes, int count, string path)
    {
        var entries = new List<OptimizerStateEntry>(Math.Max(0, count));
        var pos = 0;
        try
        {
            for (var i = 0; i < count; i++)
            {
                var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.Span[pos..]);
                var name = Encoding.UTF8.GetString(bytes.Span.Slice(pos + 2, nameLength));
                pos += 2 + nameLength;
                var dataLength = checked((int)BinaryPrimitives.ReadInt64LittleEndian(bytes.Span[pos..]));
                pos += 8;
                entries.Add(new OptimizerStateEntry(name, bytes.Slice(pos, dataLength).ToArray()));
                pos += dataLength;
            }
        }
        catch (Exception ex) when (ex is ArgumentOutOfRangeException or OverflowException)
        {
            throw new CheckpointCorruptException(path, "its optimizer-state section is malformed", ex);
        }

        if (pos != bytes.Length)
        {
            throw new CheckpointCorruptException(path, $"its optimizer-state section has {bytes.Length - pos} unexplained trailing bytes");
        }

        return entries;
    }
}
