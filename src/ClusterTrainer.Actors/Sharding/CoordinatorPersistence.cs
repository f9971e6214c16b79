using System.Collections.Immutable;
using ClusterTrainer.Actors.Persistence;
using ClusterTrainer.Actors.Serialization;

namespace ClusterTrainer.Actors.Sharding;

/// <summary>
/// How the shard coordinator stores its <see cref="CoordinatorState"/>: its events and snapshots are
/// written with type ids 430-435 (sharding range) through a registry of its own, so the journal rows do not
/// depend on the application's event serializer. The journal and snapshot store are those configured with
/// <see cref="PersistenceExtension.Configure"/>; without them the coordinator uses a fresh in-memory journal
/// per incarnation (the behaviour before persistence: a new coordinator rebuilds from the regions' reports).
/// </summary>
public static class CoordinatorPersistence
{
    public const ushort RegionRegisteredId = 430, ProxyRegisteredId = 431, RegionTerminatedId = 432,
        HomeAllocatedId = 433, HomeDeallocatedId = 434, StateSnapshotId = 435;

    private static readonly Lazy<RegistryEventSerializer> SharedSerializer = new(() => new RegistryEventSerializer(CreateRegistry()));

    /// <summary>The journal stream of the coordinator of <paramref name="typeName"/> (one per entity type).</summary>
    public static string PersistenceId(string typeName) => $"sharding-coordinator-{typeName}";

    /// <summary>The serializer the coordinator writes its events and snapshots with.</summary>
    public static IEventSerializer Serializer => SharedSerializer.Value;

    /// <summary>
    /// The configured stores with the coordinator's serializer, or (when the system has no persistence configured)
    /// fresh in-memory stores, so sharding keeps working without a journal but forgets allocations on hand-over.
    /// </summary>
    internal static (PersistencePlugins Plugins, bool Durable) PluginsFor(ActorSystem system)
    {
        PersistencePlugins configured;
        try
        {
            configured = PersistenceExtension.Get(system);
        }
        catch (InvalidOperationException)
        {
            // PersistenceExtension has no TryGet; "not configured" is its only InvalidOperationException.
            return (PersistencePlugins.InMemory(Serializer), false);
        }

        return (new PersistencePlugins(configured.Journal, configured.SnapshotStore, Serializer), true);
    }

    private static SerializationRegistry CreateRegistry()
    {
        var r = new SerializationRegistry();
        r.Register<ShardRegionRegistered>(RegionRegisteredId, (w, m) => w.WriteString(m.Region),
            (ref MessageReader rd) => new ShardRegionRegistered(rd.ReadRequiredString()));
        r.Register<ShardRegionProxyRegistered>(ProxyRegisteredId, (w, m) => w.WriteString(m.Proxy),
            (ref MessageReader rd) => new ShardRegionProxyRegistered(rd.ReadRequiredString()));
        r.Register<ShardRegionTerminated>(RegionTerminatedId, (w, m) => w.WriteString(m.Region),
            (ref MessageReader rd) => new ShardRegionTerminated(rd.ReadRequiredString()));
        r.Register<ShardHomeAllocated>(HomeAllocatedId, (w, m) => { w.WriteString(m.Shard); w.WriteString(m.Region); },
            (ref MessageReader rd) => new ShardHomeAllocated(rd.ReadRequiredString(), rd.ReadRequiredString()));
        r.Register<ShardHomeDeallocated>(HomeDeallocatedId, (w, m) => w.WriteString(m.Shard),
            (ref MessageReader rd) => new ShardHomeDeallocated(rd.ReadRequiredString()));
        r.Register<CoordinatorState>(StateSnapshotId, WriteState, ReadState);
        return r;
    }

    private static void WriteState(MessageWriter w, CoordinatorState s)
    {
        w.WriteInt32(s.Regions.Count);
        foreach (var (region, shards) in s.Regions)
        {
            w.WriteString(region);
            w.WriteStringArray(shards);
        }

        w.WriteStringArray([.. s.Proxies.Order(StringComparer.Ordinal)]);
    }

    /// <summary>A snapshot is rebuilt through the same events as a replay, so it is validated the same way.</summary>
    private static CoordinatorState ReadState(ref MessageReader r)
    {
        var n = r.ReadCount(8);
        var state = CoordinatorState.Empty;
        for (var i = 0; i < n; i++)
        {
            var region = r.ReadRequiredString();
            state = state.Updated(new ShardRegionRegistered(region));
            foreach (var shard in r.ReadStringArray()) state = state.Updated(new ShardHomeAllocated(shard, region));
        }

        foreach (var proxy in r.ReadStringArray()) state = state.Updated(new ShardRegionProxyRegistered(proxy));
        return state;
    }
}
