using System.Buffers.Binary;
using System.IO.Compression;

namespace ClusterTrainer.Torch.Data;

/// <summary>The element types the IDX format names in its third magic byte.</summary>
public enum IdxElementType : byte
{
    UInt8 = 0x08,
    Int8 = 0x09,
    Int16 = 0x0B,
    Int32 = 0x0C,
    Float32 = 0x0D,
    Float64 = 0x0E,
}

/// <summary>One IDX file: its dimensions and its raw big-endian element bytes (a window on the file's
/// bytes, not a copy).</summary>
public sealed record IdxFile(string Path, IdxElementType ElementType, int[] Dimensions, ReadOnlyMemory<byte> Data)
{
    public long ElementCount => Dimensions.Aggregate(1L, (a, d) => a * d);
}

/// <summary>
/// Reads the IDX format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/), gzip-compressed
/// or plain (gzip is recognised by its magic bytes, not the file name). Every problem — missing file,
/// wrong magic, unknown element type, too few or too many bytes — is an exception naming the file and
/// what was expected.
/// </summary>
public static class IdxReader
{
    public static IdxFile Read(string path, int? expectedRank = null)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException(
                $"IDX file '{path}' does not exist. Install Debian's dataset-fashion-mnist package " +
                "(./build.sh setup does) or point the data directory option at a folder holding the IDX files.", path);
        byte[] bytes;
        try { bytes = ReadAllDecompressed(path); }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"IDX file '{path}' looks gzip-compressed but cannot be decompressed " +
                                           $"(truncated or corrupt download?): {e.Message}", e);
        }
        return Parse(path, bytes, expectedRank);
    }

    /// <summary>Parses IDX bytes already in memory; <paramref name="path"/> is only used in messages.</summary>
    public static IdxFile Parse(string path, byte[] bytes, int? expectedRank = null)
    {
        if (bytes.Length < 4)
            throw new InvalidDataException($"IDX file '{path}' is {bytes.Length} bytes long; an IDX file starts with a 4-byte magic number.");
        if (bytes[0] != 0 || bytes[1] != 0)
            throw new InvalidDataException(
                $"IDX file '{path}' has magic 0x{bytes[0]:X2}{bytes[1]:X2}{bytes[2]:X2}{bytes[3]:X2}; expected 0x0000TTNN " +
                "(two zero bytes, element type, rank). Is this really an MNIST/Fashion-MNIST IDX file?");
        var type = (IdxElementType)bytes[2];
        if (!Enum.IsDefined(type))
            throw new InvalidDataException($"IDX file '{path}' names element type 0x{bytes[2]:X2}; expected one of 0x08 (uint8), 0x09, 0x0B, 0x0C, 0x0D, 0x0E.");
        int rank = bytes[3];
        if (rank == 0)
            throw new InvalidDataException($"IDX file '{path}' declares rank 0; expected at least one dimension.");
        if (expectedRank is { } want && rank != want)
            throw new InvalidDataException($"IDX file '{path}' has {rank} dimension(s); expected {want} " +
                                           $"({(want == 1 ? "a labels file" : want == 3 ? "an images file" : "rank " + want)}).");
        int header = 4 + 4 * rank;
        if (bytes.Length < header)
            throw new InvalidDataException($"IDX file '{path}' is truncated inside its header: {bytes.Length} bytes, expected at least {header} for rank {rank}.");
        var dims = new int[rank];
        long count = 1;
        for (int i = 0; i < rank; i++)
        {
            int d = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * i));
            if (d < 0) throw new InvalidDataException($"IDX file '{path}' declares dimension {i} = {d}; dimensions must be non-negative.");
            dims[i] = d;
            count *= d;
        }
        long expected = header + count * ElementSize(type);
        if (bytes.Length != expected)
            throw new InvalidDataException(
                $"IDX file '{path}' holds {bytes.Length} bytes but its header [{string.Join("x", dims)}] of {type} needs exactly {expected} " +
                $"({(bytes.Length < expected ? "truncated" : "trailing data")}). Re-install or re-download the file.");
        return new IdxFile(path, type, dims, bytes.AsMemory(header));
    }

    public static int ElementSize(IdxElementType type) => type switch
    {
        IdxElementType.UInt8 or IdxElementType.Int8 => 1,
        IdxElementType.Int16 => 2,
        IdxElementType.Int32 or IdxElementType.Float32 => 4,
        IdxElementType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    private static byte[] ReadAllDecompressed(string path)
    {
        using var file = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[2];
        int n = file.Read(magic);
        file.Position = 0;
        if (n == 2 && magic[0] == 0x1F && magic[1] == 0x8B)
        {
            // gzip's trailer holds the uncompressed size mod 2^32: read straight into an exact buffer
            // (no doubling MemoryStream), which keeps the loader's peak memory at one copy of the data.
            int expected = 0;
            if (file.Length >= 18)
            {
                Span<byte> trailer = stackalloc byte[4];
                file.Position = file.Length - 4;
                file.ReadExactly(trailer);
                expected = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(trailer), int.MaxValue - 1);
                file.Position = 0;
            }
            using var gz = new GZipStream(file, CompressionMode.Decompress);
            var buffer = new byte[expected];
            int filled = gz.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            if (filled < buffer.Length || gz.ReadByte() >= 0)
            {
                // The trailer lied (a truncated file, or a member > 4 GiB): fall back to reading everything.
                file.Position = 0;
                using var again = new GZipStream(file, CompressionMode.Decompress);
                using var ms = new MemoryStream();
                again.CopyTo(ms);
                return ms.ToArray();
            }
            return buffer;
        }
        var plain = new byte[file.Length];
        file.ReadExactly(plain);
        return plain;
    }
}
