using System.Text;
using Xunit.Sdk;

namespace ClusterTrainer.Training.Tests.Compression;

/// <summary>Comparisons that say which elements differ and by how much when they fail.</summary>
internal static class CodecAssert
{
    /// <summary>Every element equal bit for bit.</summary>
    public static void BitsEqual(ReadOnlySpan<ushort> expected, ReadOnlySpan<ushort> actual, ReadOnlySpan<float> inputs, string what)
    {
        if (expected.Length != actual.Length) throw new XunitException($"{what}: {actual.Length} values, expected {expected.Length}");
        var report = new StringBuilder();
        int bad = 0;
        for (int i = 0; i < expected.Length; i++)
            if (expected[i] != actual[i] && bad++ < 10)
                report.Append($"\n  [{i}] input 0x{BitConverter.SingleToUInt32Bits(inputs[i]):X8} ({inputs[i]:R}): torch 0x{expected[i]:X4}, ours 0x{actual[i]:X4}");
        if (bad > 0) throw new XunitException($"{what}: {bad} of {expected.Length} values differ from torch:{report}");
    }

    /// <summary>Every float equal bit for bit (NaN payloads included).</summary>
    public static void SingleBitsEqual(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        if (expected.Length != actual.Length) throw new XunitException($"{what}: {actual.Length} values, expected {expected.Length}");
        var report = new StringBuilder();
        int bad = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            uint e = BitConverter.SingleToUInt32Bits(expected[i]), a = BitConverter.SingleToUInt32Bits(actual[i]);
            if (e != a && bad++ < 10) report.Append($"\n  [{i}] torch 0x{e:X8} ({expected[i]:R}), ours 0x{a:X8} ({actual[i]:R})");
        }
        if (bad > 0) throw new XunitException($"{what}: {bad} of {expected.Length} values differ:{report}");
    }

    /// <summary>Every float within <paramref name="maxUlps"/> units in the last place (NaN matches NaN, ±0 match).</summary>
    public static void WithinUlps(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, int maxUlps, string what)
    {
        if (expected.Length != actual.Length) throw new XunitException($"{what}: {actual.Length} values, expected {expected.Length}");
        long worst = 0;
        int worstAt = -1, bad = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            long d = Ulps(expected[i], actual[i]);
            if (d > maxUlps) bad++;
            if (d > worst) (worst, worstAt) = (d, i);
        }
        if (bad > 0)
            throw new XunitException($"{what}: {bad} of {expected.Length} values differ from torch by more than {maxUlps} ulp; " +
                $"max difference {worst} ulp at [{worstAt}]: torch {expected[worstAt]:R}, ours {actual[worstAt]:R}");
    }

    public static long Ulps(float a, float b)
    {
        if (float.IsNaN(a) || float.IsNaN(b)) return float.IsNaN(a) && float.IsNaN(b) ? 0 : long.MaxValue;
        return Math.Abs(Ordered(a) - Ordered(b));
    }

    /// <summary>Maps float bits onto a line where neighbouring floats are neighbouring integers (-0 and +0 both 0).</summary>
    private static long Ordered(float f)
    {
        int i = BitConverter.SingleToInt32Bits(f);
        return i < 0 ? -(long)(i & 0x7FFF_FFFF) : i;
    }
}
