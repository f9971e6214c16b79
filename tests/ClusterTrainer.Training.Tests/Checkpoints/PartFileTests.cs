using ClusterTrainer.Persistence.Sql.Checkpoints;
using ClusterTrainer.Training.Checkpoints;
using Xunit;

namespace ClusterTrainer.Training.Tests.Checkpoints;

/// <summary>A part file reads back exactly what was written, and every kind of damage is refused naming the file.</summary>
public sealed class PartFileTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("ct-part-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private CheckpointPart Write(int shard = 2, int length = 1000)
    {
        var values = CheckpointTestBed.SliceValues(shard, 40, length);
        return PartFile.Write(dir, $"shard-{shard}.part", new ShardPartHeader(shard, 5000, Step: 40, Version: 41), values,
            [OptimizerStateEntry.FromFloats("momentum_buffer", values.Select(v => -v).ToArray()), new("step", BitConverter.GetBytes(40L))]);
    }

    [Fact]
    public void Round_trip_returns_the_slice_the_header_and_the_optimizer_state()
    {
        var part = Write();
        Assert.Equal(PartFile.HeaderSize + 1000 * 4 + (2 + 15 + 8 + 4000) + (2 + 4 + 8 + 8) + PartFile.TrailerSize, part.SizeBytes);
        Assert.Equal(part.SizeBytes, new FileInfo(Path.Combine(dir, part.FileName)).Length);
        Assert.Equal(Crc32C.Format(Crc32C.Compute(File.ReadAllBytes(Path.Combine(dir, part.FileName)).AsSpan(..^PartFile.TrailerSize))), part.Checksum);

        var read = PartFile.Read(dir, part);
        Assert.Equal((2, 5000L, 40L, 41L), (read.ShardId, read.Offset, read.Step, read.Version));
        Assert.Equal(CheckpointTestBed.SliceValues(2, 40, 1000), read.Values);
        Assert.Equal(["momentum_buffer", "step"], read.OptimizerState.Select(e => e.Name));
        Assert.Equal(read.Values.Select(v => -v), read.OptimizerState[0].ToFloats());
        Assert.Equal(40L, BitConverter.ToInt64(read.OptimizerState[1].Data.Span));
        Assert.Empty(Directory.GetFiles(dir, "*.tmp-*"));
    }

    [Fact]
    public void Crc32C_matches_the_standard_check_value()
    {
        // The CRC-32C check value of "123456789" (RFC 3720, iSCSI) is 0xE3069283.
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
        var split = new Crc32C();
        split.Append("1234"u8);
        split.Append("56789"u8);
        Assert.Equal(0xE3069283u, split.Value);
    }

    [Fact]
    public void A_truncated_part_is_refused_naming_the_file_and_sizes()
    {
        var part = Write();
        var path = Path.Combine(dir, part.FileName);
        using (var fs = new FileStream(path, FileMode.Open))
        {
            fs.SetLength(fs.Length - 100);
        }

        var ex = Assert.Throws<CheckpointCorruptException>(() => PartFile.Read(dir, part));
        Assert.Equal(path, ex.FilePath);
        Assert.Contains($"{part.SizeBytes - 100} bytes but the manifest records {part.SizeBytes}", ex.Message);
    }

    [Theory]
    [InlineData(20)]    // header (the offset field)
    [InlineData(2000)]  // parameter data
    [InlineData(-12)]   // optimizer state, just before the trailer
    public void A_flipped_byte_anywhere_is_refused_as_a_checksum_mismatch(int position)
    {
        var part = Write();
        var path = Path.Combine(dir, part.FileName);
        var bytes = File.ReadAllBytes(path);
        var at = position >= 0 ? position : bytes.Length + position;
        bytes[at] ^= 0x10;
        File.WriteAllBytes(path, bytes);

        var ex = Assert.Throws<CheckpointCorruptException>(() => PartFile.Read(dir, part));
        Assert.Contains(path, ex.Message);
        Assert.Contains("checksum mismatch", ex.Message);
    }

    [Fact]
    public void A_missing_part_is_refused_naming_the_file()
    {
        var part = Write();
        File.Delete(Path.Combine(dir, part.FileName));
        var ex = Assert.Throws<CheckpointCorruptException>(() => PartFile.Read(dir, part));
        Assert.Contains(Path.Combine(dir, part.FileName), ex.Message);
        Assert.Contains("missing", ex.Message);
    }

    [Fact]
    public void A_valid_part_of_another_checkpoint_in_its_place_is_refused()
    {
        var part = Write(shard: 2);
        var other = Write(shard: 3);
        File.Copy(Path.Combine(dir, other.FileName), Path.Combine(dir, part.FileName), overwrite: true);
        var ex = Assert.Throws<CheckpointCorruptException>(() => PartFile.Read(dir, part));
        Assert.Contains("the manifest records " + part.Checksum, ex.Message);
    }
}
