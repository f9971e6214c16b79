using System.Globalization;

namespace ClusterTrainer.Torch.Optim;

/// <summary>
/// Conversion of one run-spec keyword value, shared by <see cref="OptimizerCatalog"/> and
/// <see cref="SchedulerCatalog"/>: the same values count as numbers for both.
/// </summary>
internal static class KeywordValue
{
    /// <summary>The value as a double when it is a number or an invariant-culture numeric string, else null.</summary>
    public static double? ToDouble(object? v) => v switch
    {
        double d => d,
        float f => f,
        int i => i,
        long l => l,
        decimal m => (double)m,
        string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };
}
