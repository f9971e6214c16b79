using ClusterTrainer.Actors;
using ClusterTrainer.Actors.Persistence;
using ClusterTrainer.Persistence.Sql.Postgres;
using ClusterTrainer.Persistence.Sql.Sqlite;
using ClusterTrainer.Persistence.Sql.Tests.Postgres;
using ClusterTrainer.Persistence.Sql.Tests.Sqlite;
using ClusterTrainer.TestKit;
using Xunit;
using Kit = ClusterTrainer.TestKit.TestKit;

namespace ClusterTrainer.Persistence.Sql.Tests.Actors;

/// <summary>Persistent actors on the real stores: a node restart on SQLite, two nodes racing on PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class SqlPersistentActorTests(PostgresFixture fixture) : IDisposable
{
    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public void On_SQLite_state_survives_a_restart_of_the_whole_actor_system()
    {
        var settings = new SqliteStoreSettings { DataSource = Path.Combine(directory.Path, "node.db") };
        using (var node = NewNode())
        {
            Configure(node, new SqliteJournal(settings), new SqliteSnapshotStore(settings));
            var counter = StartCounter(node, "run-42");
            Assert.Equal(new CounterRecovered(0, 0, false), node.ExpectMsg<CounterRecovered>());
            foreach (var by in new[] { 1, 2, 3 })
            {
                counter.Tell(new Increment(by), node.TestActor);
                node.ExpectMsg<Counted>();
            }

            counter.Tell(new Snap(), node.TestActor);
            Assert.Equal(3, node.ExpectMsg<SaveSnapshotSuccess>().Metadata.SequenceNr);
            counter.Tell(new Increment(10), node.TestActor);
            Assert.Equal(new Counted(16, 4), node.ExpectMsg<Counted>());
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        using var restarted = NewNode();
        Configure(restarted, new SqliteJournal(settings), new SqliteSnapshotStore(settings));
        StartCounter(restarted, "run-42");
        Assert.Equal(new CounterRecovered(16, 4, true), restarted.ExpectMsg<CounterRecovered>());
    }

    [Fact]
    public async Task On_PostgreSQL_two_nodes_writing_one_persistence_id_one_loses_and_stops()
    {
        var settings = new PostgresStoreSettings
        {
            ConnectionString = fixture.ConnectionString,
            JournalTable = "journal_" + Guid.NewGuid().ToString("N")[..12],
            SnapshotTable = "snapshots_" + Guid.NewGuid().ToString("N")[..12],
        };
        await using var journalA = new PostgresJournal(settings);
        await using var journalB = new PostgresJournal(settings);
        await using var snapshots = new PostgresSnapshotStore(settings);
        using var nodeA = NewNode();
        using var nodeB = NewNode();
        Configure(nodeA, journalA, snapshots);
        Configure(nodeB, journalB, snapshots);

        // A split brain: both nodes run the "singleton" coordinator at once.
        var onA = StartCounter(nodeA, "coordinator");
        nodeA.ExpectMsg<CounterRecovered>();
        var onB = StartCounter(nodeB, "coordinator");
        nodeB.ExpectMsg<CounterRecovered>();
        nodeB.Watch(onB);

        onA.Tell(new Increment(1), nodeA.TestActor);
        Assert.Equal(new Counted(1, 1), nodeA.ExpectMsg<Counted>());
        onB.Tell(new Increment(50), nodeB.TestActor);

        nodeB.ExpectTerminated(onB);
        var stored = new List<PersistentRepr>();
        await foreach (var repr in journalA.ReplayAsync("coordinator", 1, long.MaxValue, long.MaxValue))
        {
            stored.Add(repr);
        }

        var only = Assert.Single(stored);
        Assert.Equal(1, only.SequenceNr);
        onA.Tell(new Increment(1), nodeA.TestActor);
        Assert.Equal(new Counted(2, 2), nodeA.ExpectMsg<Counted>());
    }

    // Generous: store round trips under a loaded CI machine; passing tests do not wait for it.
    private static Kit NewNode() => new(settings: new TestKitSettings { DefaultTimeout = TimeSpan.FromSeconds(30) });

    private static void Configure(Kit node, IJournal journal, ISnapshotStore snapshots) =>
        PersistenceExtension.Configure(node.Sys, new PersistencePlugins(journal, snapshots, Counter.Serializer()));

    private static IActorRef StartCounter(Kit node, string persistenceId)
    {
        var probe = node.TestActor;
        return node.Sys.ActorOf(Props.Create(() => new Counter(persistenceId, probe)), "counter-" + persistenceId);
    }
}
