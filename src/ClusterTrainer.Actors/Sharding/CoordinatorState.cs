using System.Collections.Immutable;

namespace ClusterTrainer.Actors.Sharding;

/// <summary>The coordinator's state changes; persisted (or replicated) and replayed to rebuild the state.</summary>
public interface ICoordinatorEvent;
public sealed record ShardRegionRegistered(string Region) : ICoordinatorEvent;
public sealed record ShardRegionProxyRegistered(string Proxy) : ICoordinatorEvent;
public sealed record ShardRegionTerminated(string Region) : ICoordinatorEvent;
public sealed record ShardHomeAllocated(string Shard, string Region) : ICoordinatorEvent;
public sealed record ShardHomeDeallocated(string Shard) : ICoordinatorEvent;

/// <summary>
/// Where every shard lives: regions (by key, the region actor's path) with their shards, and each
/// shard's region. Immutable; <see cref="Updated"/> applies one event and refuses inconsistent ones
/// with a message, so a corrupt journal is detected on replay rather than silently producing two homes.
/// </summary>
public sealed class CoordinatorState
{
    public static readonly CoordinatorState Empty = new(
        ImmutableSortedDictionary<string, ImmutableList<string>>.Empty.WithComparers(StringComparer.Ordinal),
        ImmutableDictionary<string, string>.Empty, ImmutableHashSet<string>.Empty);

    public ImmutableSortedDictionary<string, ImmutableList<string>> Regions { get; }
    public ImmutableDictionary<string, string> Shards { get; }
    public ImmutableHashSet<string> Proxies { get; }

    private CoordinatorState(ImmutableSortedDictionary<string, ImmutableList<string>> regions,
        ImmutableDictionary<string, string> shards, ImmutableHashSet<string> proxies)
    {
        Regions = regions;
        Shards = shards;
        Proxies = proxies;
    }

    public CoordinatorState Updated(ICoordinatorEvent e)
    {
        switch (e)
        {
            case ShardRegionRegistered r:
                Require(!Regions.ContainsKey(r.Region), e, "region already registered");
                return new(Regions.Add(r.Region, []), Shards, Proxies);
            case ShardRegionProxyRegistered p:
                return new(Regions, Shards, Proxies.Add(p.Proxy));
            case ShardRegionTerminated t:
                if (Proxies.Contains(t.Region)) return new(Regions, Shards, Proxies.Remove(t.Region));
                Require(Regions.TryGetValue(t.Region, out var lost), e, "region not registered");
                return new(Regions.Remove(t.Region), Shards.RemoveRange(lost!), Proxies);
            case ShardHomeAllocated a:
                Require(Regions.TryGetValue(a.Region, out var shards), e, "region not registered");
                Require(!Shards.ContainsKey(a.Shard), e, $"shard already allocated to {Shards.GetValueOrDefault(a.Shard)}");
                return new(Regions.SetItem(a.Region, shards!.Add(a.Shard)), Shards.Add(a.Shard, a.Region), Proxies);
            case ShardHomeDeallocated d:
                Require(Shards.TryGetValue(d.Shard, out var region), e, "shard not allocated");
                return new(Regions.SetItem(region!, Regions[region!].Remove(d.Shard)), Shards.Remove(d.Shard), Proxies);
            default:
                throw new ArgumentException($"Unknown coordinator event {e.GetType().Name}.");
        }
    }

    private static void Require(bool ok, ICoordinatorEvent e, string why)
    {
        if (!ok) throw new InvalidOperationException($"Shard coordinator event {e} does not apply: {why}. The coordinator's journal is inconsistent.");
    }
}
