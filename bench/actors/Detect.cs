namespace ClusterTrainer.Bench.Actors;

/// <summary>Hook for the cluster helper: seconds from kill -9 of a node process to UnreachableMember, default settings.</summary>
public static class Detect
{
    /// <summary>Returns the measured seconds, or null while the cluster measurement has not landed (printed as NA).</summary>
    public static Task<double?> MeasureSecondsAsync() => Task.FromResult<double?>(null);
}
