using System.Collections.Immutable;

namespace ClusterTrainer.Actors.Sharding;

// ---- between regions and the coordinator (serialized: sharding type-id range 400-439) ----

/// <summary>A region (re)registers, telling the coordinator which shards it already hosts (so a new coordinator rebuilds its state).</summary>
public sealed record Register(IActorRef Region, ImmutableArray<string> HostedShards);
public sealed record RegisterProxy(IActorRef Proxy);
public sealed record RegisterAck(IActorRef Coordinator);
public sealed record GetShardHome(string Shard);
public sealed record ShardHome(string Shard, IActorRef Region);
/// <summary>Forget where the shard lives (buffer its messages) and acknowledge.</summary>
public sealed record BeginHandOff(string Shard);
public sealed record BeginHandOffAck(string Shard);
/// <summary>Stop the shard's entities, then answer <see cref="ShardStopped"/>.</summary>
public sealed record HandOff(string Shard);
public sealed record ShardStopped(string Shard);
/// <summary>The region is going away: move all its shards elsewhere, then ack.</summary>
public sealed record GracefulShutdownReq(IActorRef Region);
public sealed record GracefulShutdownAck(IActorRef Region);
public sealed record GetRegions { public static readonly GetRegions Instance = new(); }
public sealed record RegionsList(ImmutableArray<IActorRef> Regions);
public sealed record GetShardRegionStats { public static readonly GetShardRegionStats Instance = new(); }
/// <summary>Entities per shard hosted by one region.</summary>
public sealed record ShardRegionStats(ImmutableSortedDictionary<string, int> Stats);

// ---- local API ----

/// <summary>Sent by an entity to its shard: stop me with <paramref name="StopMessage"/>; messages meanwhile are kept and delivered to a fresh incarnation.</summary>
public sealed record Passivate(object StopMessage);
public sealed record GetShardRegionState { public static readonly GetShardRegionState Instance = new(); }
public sealed record ShardState(string ShardId, ImmutableSortedSet<string> EntityIds);
public sealed record CurrentShardRegionState(ImmutableArray<ShardState> Shards);
public sealed record GetClusterShardingStats(TimeSpan Timeout);
/// <summary>Per region (by node address), entities per shard. Regions that did not answer in time are missing.</summary>
public sealed record ClusterShardingStats(ImmutableSortedDictionary<string, ShardRegionStats> Regions);

public sealed record ClusterShardingSettings
{
    /// <summary>Only nodes with this role host entities (others get a proxy region).</summary>
    public string? Role { get; init; }
    /// <summary>Entities idle this long are passivated (stopped); null keeps them forever.</summary>
    public TimeSpan? PassivateIdleAfter { get; init; } = TimeSpan.FromMinutes(2);
    /// <summary>Sent to entities to stop them on hand-off and idle passivation.</summary>
    public object HandOffStopMessage { get; init; } = PoisonPill.Instance;
    public TimeSpan RebalanceInterval { get; init; } = TimeSpan.FromSeconds(2);
    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan HandOffTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Messages a region keeps while shard homes are unknown; beyond it new ones go to dead letters (logged).</summary>
    public int BufferSize { get; init; } = 100_000;
    public int RebalanceThreshold { get; init; } = 1;
    public int MaxSimultaneousRebalance { get; init; } = 3;
    /// <summary>The coordinator saves a snapshot of its state every this many journaled events (recovery replays at most this many).</summary>
    public int SnapshotAfter { get; init; } = 1000;

    public void Validate()
    {
        if (BufferSize < 0) throw new ArgumentException($"Sharding BufferSize must be >= 0 (was {BufferSize}).");
        if (RebalanceInterval <= TimeSpan.Zero || RetryInterval <= TimeSpan.Zero || HandOffTimeout <= TimeSpan.Zero)
            throw new ArgumentException("Sharding RebalanceInterval, RetryInterval and HandOffTimeout must be > 0.");
        if (SnapshotAfter < 1)
            throw new ArgumentException($"Sharding SnapshotAfter must be >= 1 journaled events (was {SnapshotAfter}).");
        if (PassivateIdleAfter is { } p && p <= TimeSpan.Zero)
            throw new ArgumentException($"Sharding PassivateIdleAfter must be > 0 or null to switch passivation off (was {p}).");
    }
}
