using ClusterTrainer.Actors.Remote;
using System.Collections.Immutable;

namespace ClusterTrainer.Actors.Cluster;

/// <summary>
/// The lifecycle of a cluster member. The leader moves members along the solid arrows once the
/// cluster has converged; <c>Down</c> can be set at any time (by an operator or the split-brain
/// resolver) and is then only followed by removal.
/// <code>
///            join              leader             Leave()            leader            leader
///   (none) -------> Joining ----------> Up ---------------> Leaving --------> Exiting --------> Removed
///                      |                 |                     |                 |                ^
///                      |                 |    Down(address)    |                 |                |
///                      +-----------------+---------------------+-----------------+---> Down ------+
///                                                                                         leader
/// </code>
/// </summary>
public enum MemberStatus
{
    Joining = 0,
    Up = 1,
    Leaving = 2,
    Exiting = 3,
    Down = 4,
    Removed = 5,
}

public static class MemberStatusRules
{
    /// <summary>Whether a member may move from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static bool IsAllowed(MemberStatus from, MemberStatus to) => (from, to) switch
    {
        _ when from == to => true,
        (MemberStatus.Joining, MemberStatus.Up or MemberStatus.Leaving or MemberStatus.Down or MemberStatus.Removed) => true,
        (MemberStatus.Up, MemberStatus.Leaving or MemberStatus.Down or MemberStatus.Removed) => true,
        (MemberStatus.Leaving, MemberStatus.Exiting or MemberStatus.Down or MemberStatus.Removed) => true,
        (MemberStatus.Exiting, MemberStatus.Down or MemberStatus.Removed) => true,
        (MemberStatus.Down, MemberStatus.Removed) => true,
        _ => false,
    };

    /// <summary>
    /// When two concurrent gossips disagree about a member, the status further along wins:
    /// Removed &gt; Down &gt; Exiting &gt; Leaving &gt; Up &gt; Joining.
    /// </summary>
    public static MemberStatus HighestPriority(MemberStatus a, MemberStatus b) => (MemberStatus)Math.Max((int)a, (int)b);
}

/// <summary>
/// One cluster member as the gossip sees it. <see cref="UpNumber"/> is assigned by the leader when the
/// member moves to Up and orders members by age (lower = older); int.MaxValue until then.
/// </summary>
public sealed record Member(UniqueAddress UniqueAddress, MemberStatus Status, ImmutableSortedSet<string> Roles, int UpNumber)
{
    public NodeAddress Address => UniqueAddress.Address;

    public static Member Create(UniqueAddress node, IEnumerable<string>? roles) =>
        new(node, MemberStatus.Joining, (roles ?? []).ToImmutableSortedSet(StringComparer.Ordinal), int.MaxValue);

    public bool HasRole(string? role) => role is null || Roles.Contains(role);

    /// <summary>Returns this member in <paramref name="status"/>; throws on a transition the lifecycle forbids.</summary>
    public Member WithStatus(MemberStatus status)
    {
        if (!MemberStatusRules.IsAllowed(Status, status))
            throw new InvalidOperationException($"Member {UniqueAddress} cannot move from {Status} to {status}; see the lifecycle diagram on MemberStatus.");
        return this with { Status = status };
    }

    /// <summary>True when this member is older (was Up earlier) than <paramref name="other"/>; ties broken by address.</summary>
    public bool IsOlderThan(Member other) =>
        UpNumber != other.UpNumber ? UpNumber < other.UpNumber : UniqueAddress.CompareTo(other.UniqueAddress) < 0;

    public bool Equals(Member? other) =>
        other is not null && UniqueAddress == other.UniqueAddress && Status == other.Status
        && UpNumber == other.UpNumber && Roles.SetEquals(other.Roles);

    public override int GetHashCode() => HashCode.Combine(UniqueAddress, Status, UpNumber, Roles.Count);

    public override string ToString() => $"Member({UniqueAddress}, {Status}, roles=[{string.Join(",", Roles)}], up#{(UpNumber == int.MaxValue ? "-" : UpNumber)})";
}
