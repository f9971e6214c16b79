using ClusterTrainer.Actors.Serialization;

namespace ClusterTrainer.Training.Distributed.Compression;

/// <summary>
/// How a worker's gradient slice travels to its shard (run spec <c>sync.compression</c>). Float16 and
/// BFloat16 halve the bytes on the wire; the shard widens them back to float32 before averaging.
/// </summary>
public enum GradientCompression
{
    /// <summary>Raw float32: exact, 4 bytes per value.</summary>
    None,

    /// <summary>IEEE binary16, rounded to nearest even like torch's <c>.half()</c>: 11-bit precision,
    /// magnitudes above 65504 become ±Inf, below 2^-24 flush towards zero.</summary>
    Float16,

    /// <summary>bfloat16 (the top half of a float32), rounded to nearest even like torch's <c>.bfloat16()</c>:
    /// float32's range with 8-bit precision.</summary>
    BFloat16,
}

/// <summary>Names, parsing and wire dtypes of <see cref="GradientCompression"/>.</summary>
public static class GradientCompressions
{
    /// <summary>The run-spec names, in <see cref="GradientCompression"/> order.</summary>
    public static IReadOnlyList<string> Names { get; } = ["none", "float16", "bfloat16"];

    /// <summary>Parses a run-spec name (case-insensitive): <c>none</c>, <c>float16</c> or <c>bfloat16</c>.</summary>
    /// <exception cref="ArgumentException">The name is none of those; the message lists them.</exception>
    public static GradientCompression Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string key = name.Trim();
        for (int i = 0; i < Names.Count; i++)
            if (string.Equals(Names[i], key, StringComparison.OrdinalIgnoreCase))
                return (GradientCompression)i;
        throw new ArgumentException(
            $"Unknown gradient compression '{name}'. Set sync.compression in the run spec to one of: {string.Join(", ", Names)}.",
            nameof(name));
    }

    /// <summary>The run-spec name of <paramref name="compression"/>.</summary>
    public static string Name(this GradientCompression compression) =>
        (uint)compression < (uint)Names.Count ? Names[(int)compression] : throw Unknown(compression);

    /// <summary>The dtype a gradient encoded with <paramref name="compression"/> carries on the wire.</summary>
    public static TensorDType DType(this GradientCompression compression) => compression switch
    {
        GradientCompression.None => TensorDType.Float32,
        GradientCompression.Float16 => TensorDType.Float16,
        GradientCompression.BFloat16 => TensorDType.BFloat16,
        _ => throw Unknown(compression),
    };

    /// <summary>Bytes on the wire for <paramref name="count"/> values.</summary>
    public static long EncodedBytes(this GradientCompression compression, int count) =>
        (long)count * TensorPayload.ElementSize(compression.DType());

    private static ArgumentOutOfRangeException Unknown(GradientCompression c) =>
        new(nameof(c), (int)c, $"{(int)c} is not a GradientCompression; use None, Float16 or BFloat16.");
}
