using System.CommandLine.Parsing;
using System.Globalization;

namespace ClusterTrainer.Cli.Commands;

/// <summary>
/// Range checks for numeric arguments and options. They read the token themselves: a token that is not a number
/// already has System.CommandLine's own error, and asking it for the value then would throw.
/// </summary>
internal static class Checks
{
    public static Action<ArgumentResult> AtLeast(long minimum, string message) => r =>
    {
        if (Number(r) is { } value && value < minimum)
            r.AddError(message);
    };

    public static Action<OptionResult> AtLeast(double minimum, bool exclusive, string message) => r =>
    {
        if (r.Tokens.Count == 1 && double.TryParse(r.Tokens[0].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            && (double.IsNaN(value) || double.IsInfinity(value) || value < minimum || (exclusive && value == minimum)))
            r.AddError(message);
    };

    private static long? Number(ArgumentResult r) =>
        r.Tokens.Count == 1 && long.TryParse(r.Tokens[0].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
}
