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
public sealed class ShardingSpecs
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    public sealed record Add(string EntityId, int Seq);
    public sealed record Added(string EntityId, int Seq);

    /// <summary>Counts what each entity id received in a process-wide table, so counts survive hand-off.</summary>
    public sealed class CountingEntity : ReceiveActor
    {
        public static readonly ConcurrentDictionary<string, int> Received = new();

        public CountingEntity() => Receive<Add>(a =>
        {
            Received.AddOrUpdate(a.EntityId, 1, (_, n) => n + 1);
            Sender.Tell(new Added(a.EntityId, a.Seq), Self);
        });
    }

    private static readonly IMessageExtractor Extractor = new HashCodeMessageExtractor(12, m => (m as Add)?.EntityId);

    private static readonly ClusterShardingSettings Settings = new()
    {
        RebalanceInterval = TimeSpan.FromMilliseconds(500),
        RetryInterval = TimeSpan.FromMilliseconds(300),
        PassivateIdleAfter = null,
    };

    private static IActorRef StartRegion(ActorSystem system)
    {
        var registry = Remoting.Get(system).Registry; // spec messages cross nodes: allow-list them
        if (registry.FindById(10_101) is null)
        {
            registry.Register<Add>(10_101, (w, m) => { w.WriteString(m.EntityId); w.WriteInt32(m.Seq); },
                (ref MessageReader r) => new Add(r.ReadRequiredString(), r.ReadInt32()));
            registry.Register<Added>(10_102, (w, m) => { w.WriteString(m.EntityId); w.WriteInt32(m.Seq); },
                (ref MessageReader r) => new Added(r.ReadRequiredString(), r.ReadInt32()));
        }
        return ClusterSharding.Get(system).Start("counter", Props.Create<CountingEntity>(), Settings, Extractor);
    }

    private static async Task<int> ShardCount(ActorSystem system) =>
        (await ClusterSharding.Get(system).ShardRegion("counter").Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(10))).Shards.Length;

    [Fact]
    public async Task Shards_rebalance_onto_a_joining_node_and_away_from_a_leaving_one_with_no_message_lost()
    {
        CountingEntity.Received.Clear();
        await using var spec = await MultiNodeSpec.StartAsync(new() { Roles = ["first", "second", "third"], AutoJoin = false });
        var seed = spec.Address("first");
        foreach (var r in new[] { "first", "second" })
            Cluster.Get(spec.System(r), ClusterSettings.ForTests(seed)).JoinSeedNodes();
        var region = StartRegion(spec.System("first"));
        StartRegion(spec.System("second"));
        await Await.ConditionAsync(() => spec.Cluster("first").State.Members.Count(m => m.Status == MemberStatus.Up) == 2, Long, "two nodes up");

        var entities = Enumerable.Range(0, 30).Select(i => $"entity-{i}").ToArray();
        var sent = new ConcurrentDictionary<string, int>();
        var acks = Recorder.Start(spec.System("first"), "acks");
        var seq = 0;

        async Task SendRound()
        {
            var round = Interlocked.Increment(ref seq);
            foreach (var e in entities)
            {
                sent.AddOrUpdate(e, 1, (_, n) => n + 1);
                region.Tell(new Add(e, round), acks.Ref);
            }
            await Await.ConditionAsync(() => acks.Received.OfType<Added>().Count(a => a.Seq == round) == entities.Length, Long, $"round {round} acknowledged");
        }

        await SendRound();
        Assert.True(await ShardCount(spec.System("first")) > 0 && await ShardCount(spec.System("second")) > 0);

        // A third node joins: some shards move to it while traffic keeps flowing.
        Cluster.Get(spec.System("third"), ClusterSettings.ForTests(seed)).JoinSeedNodes();
        StartRegion(spec.System("third"));
        while (await ShardCount(spec.System("third")) == 0) await SendRound();
        await SendRound();

        // The second node leaves gracefully (coordinated shutdown hands its shards off first).
        var leaving = spec.System("second").Terminate();
        while (!leaving.IsCompleted) await SendRound();
        await SendRound();
        var hosted = new List<string>();
        foreach (var r in new[] { "first", "third" })
            hosted.AddRange((await ClusterSharding.Get(spec.System(r)).ShardRegion("counter")
                .Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(10))).Shards.SelectMany(s => s.EntityIds));
        Assert.Equal(entities.Order(), hosted.Select(Uri.UnescapeDataString).Order());

        foreach (var e in entities)
            Assert.True(CountingEntity.Received.GetValueOrDefault(e) == sent[e], $"{e}: sent {sent[e]}, received {CountingEntity.Received.GetValueOrDefault(e)}");
    }
}
