using System.Collections.Immutable;

namespace ClusterTrainer.Actors.Cluster;

/// <summary>
/// What each observer's failure detector says: per observer, a version and the set of subjects it
/// cannot reach. Only the observer changes its own record (bumping its version), so a merge simply
/// keeps, per observer, the record with the higher version. A subject is unreachable when any
/// observer still in the cluster marks it so.
/// </summary>
public sealed record ObserverRecord(long Version, ImmutableSortedSet<UniqueAddress> Unreachable);

public sealed class Reachability
{
    public static readonly Reachability Empty = new(ImmutableSortedDictionary<UniqueAddress, ObserverRecord>.Empty);

    public ImmutableSortedDictionary<UniqueAddress, ObserverRecord> Records { get; }

    public Reachability(ImmutableSortedDictionary<UniqueAddress, ObserverRecord> records) => Records = records;

    public bool IsAllReachable => Records.Values.All(r => r.Unreachable.IsEmpty);

    public Reachability Unreachable(UniqueAddress observer, UniqueAddress subject) => Change(observer, subject, reachable: false);

    public Reachability Reachable(UniqueAddress observer, UniqueAddress subject) => Change(observer, subject, reachable: true);

    private Reachability Change(UniqueAddress observer, UniqueAddress subject, bool reachable)
    {
        var rec = Records.GetValueOrDefault(observer) ?? new ObserverRecord(0, ImmutableSortedSet<UniqueAddress>.Empty);
        var has = rec.Unreachable.Contains(subject);
        if (has != reachable) return this; // already in the requested state
        var set = reachable ? rec.Unreachable.Remove(subject) : rec.Unreachable.Add(subject);
        return new Reachability(Records.SetItem(observer, new ObserverRecord(rec.Version + 1, set)));
    }

    public bool IsReachable(UniqueAddress subject) => !Records.Values.Any(r => r.Unreachable.Contains(subject));

    public bool IsReachable(UniqueAddress observer, UniqueAddress subject) =>
        Records.GetValueOrDefault(observer) is not { } r || !r.Unreachable.Contains(subject);

    public ImmutableSortedSet<UniqueAddress> AllUnreachable =>
        Records.Values.SelectMany(r => r.Unreachable).ToImmutableSortedSet();

    public ImmutableSortedSet<UniqueAddress> AllUnreachableFrom(UniqueAddress observer) =>
        Records.GetValueOrDefault(observer)?.Unreachable ?? ImmutableSortedSet<UniqueAddress>.Empty;

    public Reachability Merge(Reachability other)
    {
        var merged = Records;
        foreach (var (observer, rec) in other.Records)
            if (!merged.TryGetValue(observer, out var mine) || rec.Version > mine.Version)
                merged = merged.SetItem(observer, rec);
        return new Reachability(merged);
    }

    /// <summary>Forgets removed nodes both as observers and as subjects.</summary>
    public Reachability Remove(IEnumerable<UniqueAddress> nodes)
    {
        var set = nodes.ToHashSet();
        if (set.Count == 0) return this;
        var b = ImmutableSortedDictionary.CreateBuilder<UniqueAddress, ObserverRecord>();
        foreach (var (observer, rec) in Records)
        {
            if (set.Contains(observer)) continue;
            var pruned = rec.Unreachable.Except(set);
            b.Add(observer, pruned.Count == rec.Unreachable.Count ? rec : new ObserverRecord(rec.Version + 1, pruned));
        }
        return new Reachability(b.ToImmutable());
    }

    public override string ToString() =>
        "Reachability(" + string.Join("; ", Records.Where(r => !r.Value.Unreachable.IsEmpty)
            .Select(r => $"{r.Key} -/-> [{string.Join(", ", r.Value.Unreachable)}]")) + ")";
}
