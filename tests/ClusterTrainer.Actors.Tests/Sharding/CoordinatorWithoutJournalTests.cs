using System.Collections.Immutable;
using ClusterTrainer.Actors;
using ClusterTrainer.Actors.Sharding;
using ClusterTrainer.TestKit;
using Xunit;
using Kit = ClusterTrainer.TestKit.TestKit;

namespace ClusterTrainer.Actors.Tests.Sharding;

/// <summary>
/// No PersistenceExtension.Configure on the system: the coordinator still allocates (as before persistence),
/// and a new incarnation knows only what the regions report, so its strategy decides again.
/// </summary>
public sealed class CoordinatorWithoutJournalTests : Kit
{
    public CoordinatorWithoutJournalTests() : base(settings: new TestKitSettings { DefaultTimeout = TimeSpan.FromSeconds(20) }) { }

    [Fact]
    public void Without_a_journal_a_new_coordinator_rebuilds_from_region_reports_only()
    {
        var regionA = CreateTestProbe("region-a");
        var regionB = CreateTestProbe("region-b");
        var settings = new ClusterShardingSettings { RetryInterval = TimeSpan.FromMilliseconds(100), RebalanceInterval = TimeSpan.FromHours(1) };

        var first = Start("c1", new AlwaysOnStrategy(regionA.Path.ToString()), settings, (regionA, []), (regionB, []));
        first.Tell(new GetShardHome("s1"), TestActor);
        Assert.Equal(regionA.Path, ExpectMsg<ShardHome>().Region.Path);
        first.Tell(new GetShardHome("s2"), TestActor);
        Assert.Equal(regionA.Path, ExpectMsg<ShardHome>().Region.Path);
        Watch(first);
        Sys.Stop(first);
        ExpectTerminated(first);

        // A reports hosting s1 only: s1 stays there, s2 (not reported, not journaled) goes where the new strategy says.
        var second = Start("c2", new AlwaysOnStrategy(regionB.Path.ToString()), settings, (regionA, ["s1"]), (regionB, []));
        second.Tell(new GetShardHome("s1"), TestActor);
        Assert.Equal(regionA.Path, ExpectMsg<ShardHome>().Region.Path);
        second.Tell(new GetShardHome("s2"), TestActor);
        Assert.Equal(regionB.Path, ExpectMsg<ShardHome>().Region.Path);
    }

    private IActorRef Start(string name, IShardAllocationStrategy strategy, ClusterShardingSettings settings, params (TestProbe Region, string[] Hosted)[] regions)
    {
        var coordinator = Sys.ActorOf(ClusterSharding.CoordinatorProps("plain", settings, strategy), name);
        foreach (var (region, hosted) in regions)
        {
            coordinator.Tell(new Register(region, [.. hosted]), region);
            region.ExpectMsg<RegisterAck>();
        }

        return coordinator;
    }
}
