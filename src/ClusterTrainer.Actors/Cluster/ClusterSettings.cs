using ClusterTrainer.Actors.Remote;
namespace ClusterTrainer.Actors.Cluster;

/// <summary>
/// Cluster settings. The defaults mark a killed node unreachable within about 4 s and down it
/// (keep-majority) after <see cref="StableAfter"/>; tests use <see cref="ForTests"/> to go faster.
/// </summary>
public sealed record ClusterSettings
{
    /// <summary>Seed nodes; the first one forms the cluster by joining itself when no other seed answers.</summary>
    public IReadOnlyList<NodeAddress> SeedNodes { get; init; } = [];
    public IReadOnlyList<string> Roles { get; init; } = [];
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);
    public FailureDetectorSettings FailureDetector { get; init; } = FailureDetectorSettings.Default;
    public TimeSpan GossipInterval { get; init; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan LeaderActionsInterval { get; init; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan UnreachableReaperInterval { get; init; } = TimeSpan.FromMilliseconds(250);
    /// <summary>How long the first seed waits for another seed to answer before it joins itself.</summary>
    public TimeSpan SeedNodeTimeout { get; init; } = TimeSpan.FromSeconds(3);
    /// <summary>A join that got no Welcome is restarted (InitJoin to the seeds again) after this.</summary>
    public TimeSpan RetryUnsuccessfulJoinAfter { get; init; } = TimeSpan.FromSeconds(5);
    public DowningStrategy Downing { get; init; } = new DowningStrategy.KeepMajority();
    /// <summary>The split-brain resolver acts once the unreachable set has not changed for this long.</summary>
    public TimeSpan StableAfter { get; init; } = TimeSpan.FromSeconds(7);
    /// <summary>A node that sees itself downed keeps gossiping this long (so its side learns) and then shuts down.</summary>
    public TimeSpan ShutdownAfterDowned { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Short intervals for tests on one machine; generous enough for a loaded 2-core CI box.</summary>
    public static ClusterSettings ForTests(params NodeAddress[] seeds) => new()
    {
        SeedNodes = seeds,
        HeartbeatInterval = TimeSpan.FromMilliseconds(200),
        FailureDetector = FailureDetectorSettings.Default with
        {
            AcceptableHeartbeatPause = TimeSpan.FromMilliseconds(1500),
            FirstHeartbeatEstimate = TimeSpan.FromMilliseconds(200),
        },
        GossipInterval = TimeSpan.FromMilliseconds(150),
        LeaderActionsInterval = TimeSpan.FromMilliseconds(150),
        UnreachableReaperInterval = TimeSpan.FromMilliseconds(100),
        SeedNodeTimeout = TimeSpan.FromSeconds(1),
        RetryUnsuccessfulJoinAfter = TimeSpan.FromSeconds(2),
        StableAfter = TimeSpan.FromSeconds(1.5),
        ShutdownAfterDowned = TimeSpan.FromMilliseconds(500),
    };

    public void Validate()
    {
        FailureDetector.Validate();
        Check(HeartbeatInterval, nameof(HeartbeatInterval));
        Check(GossipInterval, nameof(GossipInterval));
        Check(LeaderActionsInterval, nameof(LeaderActionsInterval));
        Check(UnreachableReaperInterval, nameof(UnreachableReaperInterval));
        Check(SeedNodeTimeout, nameof(SeedNodeTimeout));
        Check(RetryUnsuccessfulJoinAfter, nameof(RetryUnsuccessfulJoinAfter));
        if (StableAfter < TimeSpan.Zero) throw new ArgumentException($"Cluster StableAfter must be >= 0 (was {StableAfter}).");
        foreach (var r in Roles)
            if (string.IsNullOrWhiteSpace(r)) throw new ArgumentException("Cluster roles must be non-empty names; remove the blank entry from Roles.");
    }

    private static void Check(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero) throw new ArgumentException($"Cluster setting {name} must be > 0 (was {value}).");
    }
}
