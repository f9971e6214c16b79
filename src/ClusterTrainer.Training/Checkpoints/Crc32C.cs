using System.Numerics;
using System.Runtime.InteropServices;

namespace ClusterTrainer.Training.Checkpoints;

/// <summary>
/// CRC-32C (Castagnoli), incremental, on the CPU's crc32 instruction through <see cref="BitOperations.Crc32C(uint, ulong)"/>
/// (SSE4.2 / ARMv8; the BCL falls back to a table where absent). Eight bytes per instruction keeps the checksum
/// far cheaper than the disk write it guards.
/// </summary>
public struct Crc32C
{
    private uint state = uint.MaxValue;

    public Crc32C()
    {
    }

    public void Append(ReadOnlySpan<byte> data)
    {
        var crc = state;
        var words = MemoryMarshal.Cast<byte, ulong>(data);
        foreach (var w in words)
        {
            crc = BitOperations.Crc32C(crc, w);
        }

        foreach (var b in data[(words.Length * sizeof(ulong))..])
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        state = crc;
    }

    /// <summary>The CRC of everything appended so far.</summary>
    public readonly uint Value => ~state;

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = new Crc32C();
        crc.Append(data);
        return crc.Value;
    }

    /// <summary>How manifests write a CRC: 8 lowercase hex digits.</summary>
    public static string Format(uint crc) => crc.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
}
