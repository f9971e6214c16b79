using Xunit.Sdk;

namespace ClusterTrainer.Torch.Tests.Golden;

/// <summary>Element-wise comparison with a relative tolerance that reports the worst element on failure.</summary>
public static class OptimTolerance
{
    public const double Relative = 1e-5;

    /// <summary>Absolute floor for values near zero (float32 resolution of the fixtures' magnitudes).</summary>
    public const double AbsoluteFloor = 1e-7;

    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        if (expected.Length != actual.Length)
            throw new XunitException($"{what}: expected {expected.Length} elements, got {actual.Length}");
        double maxDiff = 0, maxRel = 0;
        int worst = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            double diff = Math.Abs(a - e);
            if (double.IsNaN(diff) && !(double.IsNaN(e) && double.IsNaN(a))) diff = double.PositiveInfinity;
            if (double.IsNaN(diff)) diff = 0;
            double rel = diff / Math.Max(Math.Abs(e), AbsoluteFloor / Relative);
            if (diff > maxDiff) maxDiff = diff;
            if (rel > maxRel) { maxRel = rel; worst = i; }
        }
        if (maxRel > Relative)
            throw new XunitException(
                $"{what}: max abs difference {maxDiff:G6}, max relative difference {maxRel:G6} > {Relative:G3} " +
                $"at element {worst} (expected {expected[worst]:G9}, got {actual[worst]:G9})");
    }

    public static void AssertClose(double expected, double actual, string what)
    {
        double diff = Math.Abs(expected - actual);
        double rel = diff / Math.Max(Math.Abs(expected), AbsoluteFloor / Relative);
        if (!(rel <= Relative))
            throw new XunitException(
                $"{what}: expected {expected:G17}, got {actual:G17} (abs difference {diff:G6}, relative {rel:G6})");
    }
}
