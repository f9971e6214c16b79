using System.Globalization;

namespace ClusterTrainer.TestKit;

/// <summary>
/// Time budgets of the TestKit. Every budget is multiplied by <see cref="TimeFactor"/>, which defaults to
/// the environment variable <c>CLUSTERTRAINER_TESTKIT_TIMEOUT_FACTOR</c> (e.g. 3 on a slow CI machine).
/// </summary>
public sealed record TestKitSettings
{
    public const string TimeFactorVariable = "CLUSTERTRAINER_TESTKIT_TIMEOUT_FACTOR";

    /// <summary>Default wait of ExpectMsg and friends outside a Within block.</summary>
    public TimeSpan DefaultTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Default quiet period of ExpectNoMsg().</summary>
    public TimeSpan DefaultNoMessageDuration { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Default polling interval of AwaitAssert/AwaitCondition.</summary>
    public TimeSpan DefaultPollInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Slack (dilated) allowed above a Within block's maximum, so that an expectation that legitimately
    /// waits out the remaining budget (ExpectNoMsg inside Within) does not fail the block by a scheduling hair.
    /// </summary>
    public TimeSpan WithinGrace { get; init; } = TimeSpan.FromMilliseconds(300);

    public double TimeFactor { get; init; } = ReadTimeFactor();

    public static TestKitSettings Default { get; } = new();

    /// <summary>Scales a duration by <see cref="TimeFactor"/>.</summary>
    public TimeSpan Dilated(TimeSpan duration) =>
        duration == Timeout.InfiniteTimeSpan ? duration : TimeSpan.FromTicks((long)(duration.Ticks * TimeFactor));

    private static double ReadTimeFactor()
    {
        var text = Environment.GetEnvironmentVariable(TimeFactorVariable);
        if (string.IsNullOrWhiteSpace(text)) return 1.0;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) && f >= 1.0 && f <= 100.0) return f;
        throw new InvalidOperationException(
            $"{TimeFactorVariable}='{text}' is not valid: use a number from 1 to 100 (e.g. 2.5) to stretch TestKit timeouts.");
    }
}
