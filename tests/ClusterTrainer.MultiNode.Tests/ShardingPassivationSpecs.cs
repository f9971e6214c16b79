using System.Collections.Concurrent;
using ClusterTrainer.Actors;
using ClusterTrainer.Actors.Cluster;
using ClusterTrainer.Actors.Remote;
using ClusterTrainer.Actors.Serialization;
using ClusterTrainer.Actors.Sharding;
using ClusterTrainer.TestKit.MultiNode;
using Xunit;

namespace ClusterTrainer.MultiNode.Tests;

[Collection("multi-node")]
public sealed class ShardingPassivationSpecs
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(45);

    public sealed record Touch(string EntityId);
    public sealed record Sleep(string EntityId);

    /// <summary>Counts its incarnations; asks to be passivated on <see cref="Sleep"/>.</summary>
    public sealed class Sleepy : ReceiveActor
    {
        public static readonly ConcurrentDictionary<string, int> Incarnations = new();
        public static readonly ConcurrentDictionary<string, int> Touched = new();

        public Sleepy()
        {
            var id = Uri.UnescapeDataString(Self.Path.Name);
            Incarnations.AddOrUpdate(id, 1, (_, n) => n + 1);
            Receive<Touch>(t => Touched.AddOrUpdate(t.EntityId, 1, (_, n) => n + 1));
            Receive<Sleep>(_ => Context.Parent.Tell(new Passivate(PoisonPill.Instance), Self));
        }
    }

    private static readonly IMessageExtractor Extractor = new HashCodeMessageExtractor(4, m => m switch
    {
        Touch t => t.EntityId,
        Sleep s => s.EntityId,
        _ => null,
    });

    /// <summary>Spec messages cross nodes: allow-list them on every node.</summary>
    private static void RegisterMessages(ActorSystem system)
    {
        var registry = Remoting.Get(system).Registry;
        if (registry.FindById(10_201) is not null) return;
        registry.Register<Touch>(10_201, (w, m) => w.WriteString(m.EntityId), (ref MessageReader r) => new Touch(r.ReadRequiredString()));
        registry.Register<Sleep>(10_202, (w, m) => w.WriteString(m.EntityId), (ref MessageReader r) => new Sleep(r.ReadRequiredString()));
    }

    private static IActorRef Start(ActorSystem system, TimeSpan? idle)
    {
        RegisterMessages(system);
        return ClusterSharding.Get(system).Start("sleepy", Props.Create<Sleepy>(),
            new ClusterShardingSettings { PassivateIdleAfter = idle, RetryInterval = TimeSpan.FromMilliseconds(300) }, Extractor);
    }

    private static async Task<int> EntityCount(ActorSystem system) =>
        (await ClusterSharding.Get(system).ShardRegion("sleepy").Ask<CurrentShardRegionState>(GetShardRegionState.Instance, Long))
        .Shards.Sum(s => s.EntityIds.Count);

    [Fact]
    public async Task Entities_passivate_on_request_and_when_idle_and_stats_cover_every_region()
    {
        Sleepy.Incarnations.Clear();
        Sleepy.Touched.Clear();
        await using var spec = await MultiNodeSpec.StartAsync(new() { Roles = ["first", "second"] });
        var region = Start(spec.System("first"), idle: null);
        Start(spec.System("second"), idle: null);
        await spec.RunAsync(node => node.AwaitMembersUp(2, Long));

        // Explicit passivation: the entity stops, the next message starts a fresh incarnation.
        region.Tell(new Touch("a"));
        region.Tell(new Sleep("a"));
        await Await.AssertAsync(async () =>
        {
            Assert.Equal(1, Sleepy.Touched.GetValueOrDefault("a"));
            Assert.Equal(0, await EntityCount(spec.System("first")) + await EntityCount(spec.System("second")));
        }, Long);
        region.Tell(new Touch("a"));
        await Await.ConditionAsync(() => Sleepy.Touched.GetValueOrDefault("a") == 2, Long, "a touched by its second incarnation");
        Assert.Equal(2, Sleepy.Incarnations["a"]);

        // Stats across the cluster: every region answers, entity "a" is counted once.
        // Envelopes cross nodes too (the payload is written with its own type id).
        foreach (var id in new[] { "b", "c", "d", "e" }) region.Tell(new ShardingEnvelope(id, new Touch(id)));
        await Await.ConditionAsync(() => Sleepy.Touched.Count == 5, Long, "five entities touched");
        var stats = await region.Ask<ClusterShardingStats>(new GetClusterShardingStats(Long), Long);
        Assert.Equal(2, stats.Regions.Count);
        Assert.Equal(5, stats.Regions.Values.Sum(r => r.Stats.Values.Sum()));
    }

    [Fact]
    public async Task Idle_entities_are_passivated_and_come_back_on_the_next_message()
    {
        Sleepy.Incarnations.Clear();
        Sleepy.Touched.Clear();
        await using var spec = await MultiNodeSpec.StartAsync(new() { Roles = ["only"] });
        var region = Start(spec.System("only"), idle: TimeSpan.FromMilliseconds(500));
        await spec.RunAsync(node => node.AwaitMembersUp(1, Long));
        region.Tell(new Touch("x"));
        await Await.ConditionAsync(() => Sleepy.Touched.GetValueOrDefault("x") == 1, Long, "x touched");
        await Await.AssertAsync(async () => Assert.Equal(0, await EntityCount(spec.System("only"))), Long);
        region.Tell(new Touch("x"));
        await Await.ConditionAsync(() => Sleepy.Touched.GetValueOrDefault("x") == 2, Long, "x touched again");
        Assert.Equal(2, Sleepy.Incarnations["x"]);
    }
    [Fact]
    public async Task A_proxy_region_on_a_node_without_the_role_routes_to_the_hosting_nodes()
    {
        Sleepy.Incarnations.Clear();
        Sleepy.Touched.Clear();
        await using var spec = await MultiNodeSpec.StartAsync(new()
        {
            Roles = ["host", "client"],
            ClusterSettings = role => ClusterSettings.ForTests() with { Roles = role == "host" ? ["ps"] : [] },
        });
        var settings = new ClusterShardingSettings { Role = "ps", PassivateIdleAfter = null, RetryInterval = TimeSpan.FromMilliseconds(300) };
        RegisterMessages(spec.System("host"));
        RegisterMessages(spec.System("client"));
        ClusterSharding.Get(spec.System("client")).StartProxy("sleepy-ps", "ps", Extractor);
        ClusterSharding.Get(spec.System("host")).Start("sleepy-ps", Props.Create<Sleepy>(), settings, Extractor);
        await spec.RunAsync(node => node.AwaitMembersUp(2, Long));

        var proxy = ClusterSharding.Get(spec.System("client")).ShardRegion("sleepy-ps");
        foreach (var id in new[] { "p1", "p2", "p3" }) proxy.Tell(new Touch(id));
        await Await.ConditionAsync(() => Sleepy.Touched.Count == 3, Long, "three entities touched through the proxy");
        var hosted = await ClusterSharding.Get(spec.System("host")).ShardRegion("sleepy-ps")
            .Ask<CurrentShardRegionState>(GetShardRegionState.Instance, Long);
        Assert.Equal(3, hosted.Shards.Sum(x => x.EntityIds.Count));
        var onClient = await proxy.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, Long);
        Assert.Empty(onClient.Shards);
    }
}
