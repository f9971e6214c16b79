using Xunit;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Torch.Tests.Core;

/// <summary>Numeric assertions that print the largest difference when they fail.</summary>
internal static class TensorAssert
{
    public static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tolerance = 1e-6)
    {
        Assert.True(expected.Length == actual.Length, $"length differs: expected {expected.Length}, got {actual.Length}");
        double maxDiff = 0;
        var at = -1;
        for (var k = 0; k < expected.Length; k++)
        {
            var diff = Math.Abs((double)expected[k] - actual[k]);
            if (diff > maxDiff || (double.IsNaN(diff) && !double.IsNaN(maxDiff))) { maxDiff = diff; at = k; }
        }
        if (maxDiff > tolerance || double.IsNaN(maxDiff))
            Assert.Fail($"max |difference| {maxDiff:G6} at element {at} (expected {expected[at]}, got {actual[at]}) exceeds {tolerance:G3}");
    }

    public static void Close(ReadOnlySpan<float> expected, Tensor actual, double tolerance = 1e-6) =>
        Close(expected, actual.ToArray<float>(), tolerance);

    public static void Shape(Tensor t, params long[] expected) =>
        Assert.Equal(expected, t.shape);
}
