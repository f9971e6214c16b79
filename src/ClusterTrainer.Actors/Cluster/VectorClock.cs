using System.Collections.Immutable;

namespace ClusterTrainer.Actors.Cluster;

public enum VectorClockOrder { Same, Before, After, Concurrent }

/// <summary>A version vector: one counter per node that changed the gossip. Immutable.</summary>
public sealed class VectorClock
{
    public static readonly VectorClock Empty = new(ImmutableSortedDictionary<string, long>.Empty.WithComparers(StringComparer.Ordinal));

    public ImmutableSortedDictionary<string, long> Versions { get; }

    public VectorClock(ImmutableSortedDictionary<string, long> versions) => Versions = versions;

    public VectorClock Increment(string node) => new(Versions.SetItem(node, Versions.GetValueOrDefault(node) + 1));

    public VectorClock Merge(VectorClock other)
    {
        var merged = Versions;
        foreach (var (node, v) in other.Versions)
            if (v > merged.GetValueOrDefault(node)) merged = merged.SetItem(node, v);
        return new VectorClock(merged);
    }

    public VectorClockOrder CompareTo(VectorClock other)
    {
        bool less = false, greater = false;
        foreach (var node in Versions.Keys.Union(other.Versions.Keys))
        {
            var a = Versions.GetValueOrDefault(node);
            var b = other.Versions.GetValueOrDefault(node);
            if (a < b) less = true;
            else if (a > b) greater = true;
        }
        return (less, greater) switch
        {
            (false, false) => VectorClockOrder.Same,
            (true, false) => VectorClockOrder.Before,
            (false, true) => VectorClockOrder.After,
            _ => VectorClockOrder.Concurrent,
        };
    }

    public override bool Equals(object? obj) => obj is VectorClock o && CompareTo(o) == VectorClockOrder.Same;
    public override int GetHashCode() => Versions.Where(kv => kv.Value != 0).Aggregate(0, (h, kv) => h ^ HashCode.Combine(kv.Key, kv.Value));
    public override string ToString() => "VC(" + string.Join(", ", Versions.Select(kv => $"{kv.Key}->{kv.Value}")) + ")";
}
