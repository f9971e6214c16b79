using System.Collections.Concurrent;
using ClusterTrainer.Actors;
using ClusterTrainer.Actors.Cluster;
using ClusterTrainer.Actors.Persistence;
using ClusterTrainer.Actors.Remote;
using ClusterTrainer.Actors.Serialization;
using ClusterTrainer.Actors.Sharding;
using ClusterTrainer.TestKit.MultiNode;
using Xunit;

namespace ClusterTrainer.MultiNode.Tests;

/// <summary>
/// The shard coordinator journals to a journal shared by the in-process nodes: when its node leaves, the
/// coordinator on the next-oldest node recovers the allocations from that journal and carries on the same
/// event stream, so replaying the whole stream gives exactly where the surviving regions host their shards.
/// </summary>
[Collection("multi-node")]
public sealed class ShardingPersistenceSpecs
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);
    private const string TypeName = "journaled";

    public sealed record Put(string EntityId, int Seq);
    public sealed record PutDone(string EntityId, int Seq);

    public sealed class EchoEntity : ReceiveActor
    {
        public EchoEntity() => Receive<Put>(p => Sender.Tell(new PutDone(p.EntityId, p.Seq), Self));
    }

    private static readonly IMessageExtractor Extractor = new HashCodeMessageExtractor(12, m => (m as Put)?.EntityId);

    private static readonly ClusterShardingSettings Settings = new()
    {
        RebalanceInterval = TimeSpan.FromMilliseconds(500),
        RetryInterval = TimeSpan.FromMilliseconds(300),
        PassivateIdleAfter = null,
        SnapshotAfter = 10,
    };

    private static IActorRef StartRegion(ActorSystem system, PersistencePlugins shared)
    {
        PersistenceExtension.Configure(system, shared);
        var registry = Remoting.Get(system).Registry;
        if (registry.FindById(10_111) is null)
        {
            registry.Register<Put>(10_111, (w, m) => { w.WriteString(m.EntityId); w.WriteInt32(m.Seq); },
                (ref MessageReader r) => new Put(r.ReadRequiredString(), r.ReadInt32()));
            registry.Register<PutDone>(10_112, (w, m) => { w.WriteString(m.EntityId); w.WriteInt32(m.Seq); },
                (ref MessageReader r) => new PutDone(r.ReadRequiredString(), r.ReadInt32()));
        }
        return ClusterSharding.Get(system).Start(TypeName, Props.Create<EchoEntity>(), Settings, Extractor);
    }

    [Fact]
    public async Task A_coordinator_moving_to_another_node_recovers_the_allocations_from_the_shared_journal()
    {
        var journal = new MemoryJournal();
        var shared = new PersistencePlugins(journal, new MemorySnapshotStore(), CoordinatorPersistence.Serializer);
        await using var spec = await MultiNodeSpec.StartAsync(new() { Roles = ["first", "second", "third"], AutoJoin = false });
        var seed = spec.Address("first");
        // "first" is up alone before the others join, so it is the oldest node and runs the coordinator.
        Cluster.Get(spec.System("first"), ClusterSettings.ForTests(seed)).JoinSeedNodes();
        await Await.ConditionAsync(() => spec.Cluster("first").State.Members.Any(m => m.Status == MemberStatus.Up), Long, "first node up");
        foreach (var r in new[] { "second", "third" })
            Cluster.Get(spec.System(r), ClusterSettings.ForTests(seed)).JoinSeedNodes();
        foreach (var r in spec.Roles) StartRegion(spec.System(r), shared);
        await Await.ConditionAsync(() => spec.Cluster("first").State.Members.Count(m => m.Status == MemberStatus.Up) == 3, Long, "three nodes up");

        // Before the hand-over only shards 0-5 are used, so the new coordinator has shards 6-11 to allocate.
        var all = Enumerable.Range(0, 60).Select(i => $"entity-{i}").ToArray();
        var entities = all.Where(e => int.Parse(Extractor.ShardId(e)!) < 6).ToArray();
        var region = ClusterSharding.Get(spec.System("second")).ShardRegion(TypeName);
        var acks = Recorder.Start(spec.System("second"), "acks");
        var seq = 0;
        Task SendRound()
        {
            var round = Interlocked.Increment(ref seq);
            var targets = entities;
            foreach (var e in targets) region.Tell(new Put(e, round), acks.Ref);
            return Await.ConditionAsync(() => acks.Received.OfType<PutDone>().Count(a => a.Seq == round) == targets.Length, Long, $"round {round} acknowledged");
        }

        await SendRound();
        var pid = CoordinatorPersistence.PersistenceId(TypeName);
        var firstWriter = (await ReadAll(journal, pid)).Select(e => e.WriterUuid).Distinct().Single();

        // The oldest node (the coordinator's) leaves; the coordinator moves to "second".
        var leaving = spec.System("first").Terminate();
        while (!leaving.IsCompleted) await SendRound();
        entities = all;
        await SendRound();

        await Await.AssertAsync(async () =>
        {
            var events = await ReadAll(journal, pid);
            Assert.Contains(events, e => e.WriterUuid != firstWriter);
            // One stream, two writers: it only folds without "already registered" if the new coordinator recovered it.
            var state = events.Select(e => (ICoordinatorEvent)CoordinatorPersistence.Serializer.Deserialize(e.Manifest, e.Payload))
                .Aggregate(CoordinatorState.Empty, (s, e) => s.Updated(e));
            var journaled = state.Regions.Values.Where(s => s.Count > 0).Select(s => string.Join(",", s.Order())).Order().ToList();
            var hosted = new List<string>();
            foreach (var r in new[] { "second", "third" })
            {
                var shards = (await ClusterSharding.Get(spec.System(r)).ShardRegion(TypeName)
                    .Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(10))).Shards.Select(s => s.ShardId).ToList();
                if (shards.Count > 0) hosted.Add(string.Join(",", shards.Order()));
            }
            Assert.Equal(hosted.Order().ToList(), journaled);
        }, Long);
    }

    private static async Task<List<PersistentRepr>> ReadAll(IJournal journal, string pid)
    {
        var all = new List<PersistentRepr>();
        await foreach (var e in journal.ReplayAsync(pid, 1, long.MaxValue, long.MaxValue)) all.Add(e);
        return all;
    }
}
