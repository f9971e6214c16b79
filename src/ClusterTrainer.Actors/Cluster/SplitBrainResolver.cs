namespace ClusterTrainer.Actors.Cluster;

/// <summary>Which side of a partition survives. Configured in <see cref="ClusterSettings"/>.</summary>
public abstract record DowningStrategy
{
    /// <summary>
    /// The side with more members survives; on an even split, the side holding the member with the
    /// lowest address. Optionally only members with <paramref name="Role"/> are counted.
    /// </summary>
    public sealed record KeepMajority(string? Role = null) : DowningStrategy;

    /// <summary>
    /// The side with at least <paramref name="QuorumSize"/> members survives (set it to n/2+1 for a
    /// cluster of n). If neither or both sides reach it, every side downs itself.
    /// </summary>
    public sealed record StaticQuorum(int QuorumSize, string? Role = null) : DowningStrategy
    {
        public int QuorumSize { get; } = QuorumSize >= 1 ? QuorumSize
            : throw new ArgumentException($"Static quorum size must be >= 1 (was {QuorumSize}); use n/2+1 for a cluster of n nodes.");
    }

    /// <summary>No automatic downing: an operator must Down unreachable members.</summary>
    public sealed record None : DowningStrategy;
}

public enum SbrDecision
{
    /// <summary>Nothing unreachable, or not stable long enough yet.</summary>
    NoDecision,
    /// <summary>This side survives: down the unreachable members.</summary>
    DownUnreachable,
    /// <summary>This side loses: down every reachable member, this node included.</summary>
    DownReachable,
}

/// <summary>
/// The split-brain resolver's decision, as a pure function of the membership view seen from one
/// node. Members count when Up, Leaving or Exiting (Joining members have no say). Each side of a
/// partition computes this for itself; the strategies are built so that at most one side survives.
/// </summary>
public static class SplitBrainResolver
{
    public static SbrDecision Decide(DowningStrategy strategy, Gossip gossip, UniqueAddress self)
    {
        var counted = gossip.Members.Values
            .Where(m => m.Status is MemberStatus.Up or MemberStatus.Leaving or MemberStatus.Exiting)
            .Where(m => m.HasRole(RoleOf(strategy)))
            .ToList();
        var unreachable = counted.Where(m => m.UniqueAddress != self && !gossip.IsReachable(m.UniqueAddress)).ToList();
        var allUnreachable = gossip.Members.Values.Any(m => m.UniqueAddress != self && !gossip.IsReachable(m.UniqueAddress)
                                                            && m.Status is not (MemberStatus.Down or MemberStatus.Removed));
        if (!allUnreachable) return SbrDecision.NoDecision;
        var reachable = counted.Where(m => !unreachable.Contains(m)).ToList();

        switch (strategy)
        {
            case DowningStrategy.KeepMajority:
                if (reachable.Count > unreachable.Count) return SbrDecision.DownUnreachable;
                if (reachable.Count < unreachable.Count) return SbrDecision.DownReachable;
                if (counted.Count == 0) return SbrDecision.DownUnreachable; // nothing counted: only Joining members are unreachable
                var lowest = counted.Min(m => m.UniqueAddress)!;
                return reachable.Any(m => m.UniqueAddress == lowest) ? SbrDecision.DownUnreachable : SbrDecision.DownReachable;
            case DowningStrategy.StaticQuorum q:
                var reachableOk = reachable.Count >= q.QuorumSize;
                var unreachableOk = unreachable.Count >= q.QuorumSize;
                return reachableOk && !unreachableOk ? SbrDecision.DownUnreachable : SbrDecision.DownReachable;
            default:
                return SbrDecision.NoDecision;
        }
    }

    private static string? RoleOf(DowningStrategy s) => s switch
    {
        DowningStrategy.KeepMajority k => k.Role,
        DowningStrategy.StaticQuorum q => q.Role,
        _ => null,
    };
}

/// <summary>
/// Tracks how long the set of unreachable members has stayed the same; the resolver acts only after
/// it has been stable for the stable-after interval, so a flapping link does not down anyone.
/// </summary>
public sealed class StabilityTracker
{
    private string _signature = "";
    private double _sinceMs;

    /// <summary>Feeds the current unreachable set; returns true once it has been unchanged for <paramref name="stableAfter"/>.</summary>
    public bool IsStable(IEnumerable<UniqueAddress> unreachable, double nowMs, TimeSpan stableAfter)
    {
        var sig = string.Join("|", unreachable.Order());
        if (sig != _signature)
        {
            _signature = sig;
            _sinceMs = nowMs;
        }
        return sig.Length > 0 && nowMs - _sinceMs >= stableAfter.TotalMilliseconds;
    }
}
