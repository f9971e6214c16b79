using System.Runtime.InteropServices;

namespace ClusterTrainer.Training.Checkpoints;

/// <summary>Which shard a part belongs to and where it stands: its slice starts at <paramref name="Offset"/> (float
/// elements) of the flat parameter vector; <paramref name="Version"/> is the shard's parameter version at <paramref name="Step"/>.</summary>
public readonly record struct ShardPartHeader(int ShardId, long Offset, long Step, long Version);

/// <summary>One named piece of a shard's optimizer state (e.g. "exp_avg", "exp_avg_sq", "step"), as raw little-endian bytes.</summary>
public sealed record OptimizerStateEntry(string Name, ReadOnlyMemory<byte> Data)
{
    /// <summary>Copies a float32 buffer (momentum, moments) into an entry.</summary>
    public static OptimizerStateEntry FromFloats(string name, ReadOnlySpan<float> values) =>
        new(name, MemoryMarshal.AsBytes(values).ToArray());

    /// <summary>The entry as float32 values; throws when its length is not a multiple of 4.</summary>
    public float[] ToFloats()
    {
        if (Data.Length % sizeof(float) != 0)
        {
            throw new InvalidDataException($"optimizer state '{Name}' is {Data.Length} bytes, not a whole number of float32 values");
        }

        return MemoryMarshal.Cast<byte, float>(Data.Span).ToArray();
    }
}

/// <summary>A shard's part as read back and verified: its slice of the flat parameters and its optimizer state.</summary>
public sealed record ShardPartData(
    int ShardId, long Offset, long Step, long Version, float[] Values, IReadOnlyList<OptimizerStateEntry> OptimizerState);

/// <summary>A checkpoint file is missing, truncated or damaged. The message names the file and what is wrong.</summary>
public sealed class CheckpointCorruptException(string filePath, string problem, Exception? inner = null)
    : IOException($"checkpoint part '{filePath}' is unusable: {problem}", inner)
{
    public string FilePath { get; } = filePath;

    public string Problem { get; } = problem;
}
