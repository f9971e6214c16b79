using System.Collections.Immutable;
using ClusterTrainer.Actors;
using ClusterTrainer.Actors.Persistence;
using ClusterTrainer.Actors.Sharding;
using ClusterTrainer.TestKit;
using Xunit;
using Kit = ClusterTrainer.TestKit.TestKit;

namespace ClusterTrainer.Actors.Tests.Sharding;

/// <summary>
/// The shard coordinator journals its state: a coordinator stopped and started again with the same
/// journal answers the same shard homes, even though its allocation strategy would now choose differently.
/// Test probes stand in for the shard regions.
/// </summary>
public sealed class CoordinatorPersistenceTests : Kit
{
    private const string TypeName = "ledger";
    private static readonly string[] Shards = ["s0", "s1", "s2", "s3", "s4", "s5", "s6"];
    private readonly MemoryJournal journal = new();
    private readonly MemorySnapshotStore snapshots = new();
    private readonly TestProbe regionA;
    private readonly TestProbe regionB;

    public CoordinatorPersistenceTests() : base(settings: new TestKitSettings { DefaultTimeout = TimeSpan.FromSeconds(20) })
    {
        // The application's serializer is irrelevant: the coordinator writes with its own.
        PersistenceExtension.Configure(Sys, new PersistencePlugins(journal, snapshots, new JsonEventSerializer()));
        regionA = CreateTestProbe("region-a");
        regionB = CreateTestProbe("region-b");
    }

    private static ClusterShardingSettings ShardSettings(int snapshotAfter = 1000) => new()
    {
        RetryInterval = TimeSpan.FromMilliseconds(100),
        RebalanceInterval = TimeSpan.FromHours(1),
        SnapshotAfter = snapshotAfter,
    };

    [Fact]
    public void A_restarted_coordinator_recovers_the_allocations_from_the_journal()
    {
        var first = StartCoordinator("c1", new LeastShardAllocationStrategy(), ShardSettings());
        var homes = Homes(first, Shards);
        Assert.Contains(Key(regionA), homes.Values);
        Assert.Contains(Key(regionB), homes.Values);
        Stop(first);

        // The new incarnation would put every new shard on B: the old homes must come from the journal.
        var second = StartCoordinator("c2", new AlwaysOnStrategy(Key(regionB)), ShardSettings());
        Assert.Equal(homes, Homes(second, Shards));
        Assert.Equal(Key(regionB), Homes(second, ["new-shard"])["new-shard"]);
    }

    [Fact]
    public async Task Recovery_starts_from_a_snapshot_and_replays_the_events_after_it()
    {
        // 2 registrations + 7 allocations = 9 events: a snapshot at 4 and 8, event 9 replayed on top.
        var first = StartCoordinator("c1", new LeastShardAllocationStrategy(), ShardSettings(snapshotAfter: 4));
        var homes = Homes(first, Shards);
        await AwaitAssertAsync(async () =>
        {
            var latest = await snapshots.LoadAsync(CoordinatorPersistence.PersistenceId(TypeName), SnapshotSelectionCriteria.Latest);
            Assert.Equal(8, latest?.Metadata.SequenceNr);
        });
        Assert.Equal(9, await journal.ReadHighestSequenceNrAsync(CoordinatorPersistence.PersistenceId(TypeName)));
        Stop(first);

        var second = StartCoordinator("c2", new AlwaysOnStrategy(Key(regionB)), ShardSettings(snapshotAfter: 4));
        Assert.Equal(homes, Homes(second, Shards));
    }

    [Fact]
    public void Shards_of_a_journaled_region_that_does_not_come_back_are_allocated_again()
    {
        var first = StartCoordinator("c1", new AlwaysOnStrategy(Key(regionA)), ShardSettings());
        Assert.All(Homes(first, Shards).Values, h => Assert.Equal(Key(regionA), h));
        Stop(first);

        // Only B re-registers: after the registration window A is journaled as terminated.
        var second = StartCoordinator("c2", new LeastShardAllocationStrategy(), ShardSettings(), [regionB]);
        Assert.All(Homes(second, Shards).Values, h => Assert.Equal(Key(regionB), h));
    }

    [Fact]
    public void The_snapshot_codec_round_trips_the_state()
    {
        var state = CoordinatorState.Empty
            .Updated(new ShardRegionRegistered("a")).Updated(new ShardRegionRegistered("b"))
            .Updated(new ShardHomeAllocated("1", "a")).Updated(new ShardHomeAllocated("2", "b"))
            .Updated(new ShardRegionProxyRegistered("p"));
        var (manifest, payload) = CoordinatorPersistence.Serializer.Serialize(state);
        var back = (CoordinatorState)CoordinatorPersistence.Serializer.Deserialize(manifest, payload);
        Assert.Equal(state.Shards.OrderBy(kv => kv.Key), back.Shards.OrderBy(kv => kv.Key));
        Assert.Equal(state.Regions.Keys, back.Regions.Keys);
        Assert.Equal(["p"], back.Proxies);
    }

    private IActorRef StartCoordinator(string name, IShardAllocationStrategy strategy, ClusterShardingSettings settings, TestProbe[]? regions = null)
    {
        var coordinator = Sys.ActorOf(ClusterSharding.CoordinatorProps(TypeName, settings, strategy), name);
        foreach (var region in regions ?? [regionA, regionB])
        {
            coordinator.Tell(new Register(region, ImmutableArray<string>.Empty), region);
            region.ExpectMsg<RegisterAck>();
        }

        return coordinator;
    }

    /// <summary>Asks for each shard's home (answered once the registration window is over).</summary>
    private Dictionary<string, string> Homes(IActorRef coordinator, string[] shards)
    {
        var homes = new Dictionary<string, string>();
        foreach (var shard in shards)
        {
            coordinator.Tell(new GetShardHome(shard), TestActor);
            var home = ExpectMsg<ShardHome>(h => h.Shard == shard);
            homes[shard] = Key(home.Region);
        }

        return homes;
    }

    private void Stop(IActorRef coordinator)
    {
        Watch(coordinator);
        Sys.Stop(coordinator);
        ExpectTerminated(coordinator);
    }

    private static string Key(IActorRef region) => region.Path.ToString();
}
