using ClusterTrainer.Actors.Remote;
using System.Collections.Immutable;

namespace ClusterTrainer.Actors.Cluster;

/// <summary>
/// The membership view that nodes gossip to each other: members, who has seen this version,
/// reachability, tombstones of removed members (so an old gossip never brings them back) and the
/// version vector. Immutable; every change made by a node bumps that node's entry in the vector.
/// </summary>
public sealed class Gossip
{
    public static readonly Gossip Empty = new(
        ImmutableSortedDictionary<UniqueAddress, Member>.Empty, ImmutableSortedSet<UniqueAddress>.Empty,
        Reachability.Empty, ImmutableSortedSet<UniqueAddress>.Empty, VectorClock.Empty);

    public ImmutableSortedDictionary<UniqueAddress, Member> Members { get; }
    public ImmutableSortedSet<UniqueAddress> Seen { get; }
    public Reachability Reachability { get; }
    public ImmutableSortedSet<UniqueAddress> Tombstones { get; }
    public VectorClock Version { get; }

    public Gossip(ImmutableSortedDictionary<UniqueAddress, Member> members, ImmutableSortedSet<UniqueAddress> seen,
        Reachability reachability, ImmutableSortedSet<UniqueAddress> tombstones, VectorClock version)
    {
        Members = members;
        Seen = seen;
        Reachability = reachability;
        Tombstones = tombstones;
        Version = version;
    }

    private Gossip With(ImmutableSortedDictionary<UniqueAddress, Member>? members = null, ImmutableSortedSet<UniqueAddress>? seen = null,
        Reachability? reachability = null, ImmutableSortedSet<UniqueAddress>? tombstones = null, VectorClock? version = null) =>
        new(members ?? Members, seen ?? Seen, reachability ?? Reachability, tombstones ?? Tombstones, version ?? Version);

    public Member? GetMember(UniqueAddress node) => Members.GetValueOrDefault(node);

    public Member? GetMember(NodeAddress address) => Members.Values.FirstOrDefault(m => m.Address == address);

    public bool HasMember(UniqueAddress node) => Members.ContainsKey(node);

    // ---- changes made by one node: each bumps that node's version and leaves only it in Seen ----

    /// <summary>Adds or replaces a member; a tombstoned node is never re-added.</summary>
    public Gossip Put(Member member, UniqueAddress changedBy)
    {
        if (Tombstones.Contains(member.UniqueAddress)) return this;
        return Changed(With(members: Members.SetItem(member.UniqueAddress, member)), changedBy);
    }

    /// <summary>Removes a member for good (tombstone) and forgets its reachability records.</summary>
    public Gossip Remove(UniqueAddress node, UniqueAddress changedBy) =>
        Changed(With(members: Members.Remove(node), tombstones: Tombstones.Add(node),
            reachability: Reachability.Remove([node]), seen: Seen.Remove(node)), changedBy);

    public Gossip WithReachability(Reachability reachability, UniqueAddress changedBy) =>
        ReferenceEquals(reachability, Reachability) ? this : Changed(With(reachability: reachability), changedBy);

    private static Gossip Changed(Gossip g, UniqueAddress changedBy) =>
        g.With(version: g.Version.Increment(changedBy.ToString()), seen: ImmutableSortedSet.Create(changedBy));

    public Gossip MarkSeen(UniqueAddress node) => Seen.Contains(node) ? this : With(seen: Seen.Add(node));

    public bool SeenBy(UniqueAddress node) => Seen.Contains(node);

    /// <summary>For two gossips of the same version: the union of who has seen it.</summary>
    public Gossip MergeSeen(Gossip other) => With(seen: Seen.Union(other.Seen));

    /// <summary>
    /// Merges two gossips that diverged. Per member the status further along the lifecycle wins (and
    /// the lower up-number), tombstones are united and win over members, reachability keeps each
    /// observer's newer record, versions are merged. Seen is reset: nobody has seen the result yet.
    /// Deterministic and commutative.
    /// </summary>
    public Gossip Merge(Gossip other)
    {
        var tombstones = Tombstones.Union(other.Tombstones);
        var members = ImmutableSortedDictionary.CreateBuilder<UniqueAddress, Member>();
        foreach (var node in Members.Keys.Union(other.Members.Keys))
        {
            if (tombstones.Contains(node)) continue;
            var a = Members.GetValueOrDefault(node);
            var b = other.Members.GetValueOrDefault(node);
            members[node] = (a, b) switch
            {
                ({ } x, null) => x,
                (null, { } y) => y,
                ({ } x, { } y) => x with
                {
                    Status = MemberStatusRules.HighestPriority(x.Status, y.Status),
                    UpNumber = Math.Min(x.UpNumber, y.UpNumber),
                    Roles = x.Roles.Union(y.Roles),
                },
                _ => throw new InvalidOperationException("unreachable: node came from one of the two sets"),
            };
        }
        return new Gossip(members.ToImmutable(), ImmutableSortedSet<UniqueAddress>.Empty,
            Reachability.Merge(other.Reachability).Remove(tombstones), tombstones, Version.Merge(other.Version));
    }

    // ---- views from one node's perspective ----

    /// <summary>
    /// Unreachable in the eyes of any observer that is still a member and not downed: a downed node's
    /// failure detector (typically on the losing side of a partition) has no say any more.
    /// </summary>
    public bool IsReachable(UniqueAddress node) =>
        !Reachability.Records.Any(r => Members.TryGetValue(r.Key, out var o) && o.Status != MemberStatus.Down
                                       && r.Value.Unreachable.Contains(node));

    public IEnumerable<Member> UnreachableMembers => Members.Values.Where(m => !IsReachable(m.UniqueAddress));

    /// <summary>
    /// The leader: the first member by address order among the members the observer counts as
    /// reachable (itself always counts), preferring Up/Leaving members; null when there is none.
    /// </summary>
    public UniqueAddress? LeaderOf(UniqueAddress self)
    {
        var candidates = Members.Values
            .Where(m => m.Status is not (MemberStatus.Down or MemberStatus.Exiting or MemberStatus.Removed))
            .Where(m => m.UniqueAddress == self || IsReachable(m.UniqueAddress))
            .ToList();
        var preferred = candidates.FirstOrDefault(m => m.Status is MemberStatus.Up or MemberStatus.Leaving);
        return (preferred ?? candidates.FirstOrDefault())?.UniqueAddress;
    }

    /// <summary>
    /// Converged when no member blocks: every unreachable member is Down or Exiting, and every other
    /// member has seen this version. Only on convergence may the leader move members along.
    /// </summary>
    public bool IsConverged(UniqueAddress self)
    {
        foreach (var m in Members.Values)
        {
            var reachable = m.UniqueAddress == self || IsReachable(m.UniqueAddress);
            if (!reachable)
            {
                if (m.Status is not (MemberStatus.Down or MemberStatus.Exiting)) return false;
                continue;
            }
            if (!Seen.Contains(m.UniqueAddress)) return false;
        }
        return true;
    }

    public override string ToString() =>
        $"Gossip(members=[{string.Join(", ", Members.Values)}], seen=[{string.Join(", ", Seen)}], {Reachability}, {Version})";
}
