using ClusterTrainer.Actors;
using ClusterTrainer.Actors.Persistence;
using ClusterTrainer.TestKit;
using Xunit;
using Kit = ClusterTrainer.TestKit.TestKit;

namespace ClusterTrainer.Actors.Tests.Persistence;

public sealed class PersistentActorTests : Kit
{
    private static readonly TimeSpan WriteWait = TimeSpan.FromSeconds(30);
    private readonly MemoryJournal store = new();
    private readonly GatedJournal journal;
    private readonly MemorySnapshotStore snapshots = new();

    public PersistentActorTests()
        : base(settings: new TestKitSettings { DefaultTimeout = TimeSpan.FromSeconds(20) })
    {
        journal = new GatedJournal(store);
        PersistenceExtension.Configure(Sys, new PersistencePlugins(journal, snapshots, Ledger.Serializer()));
    }

    [Fact]
    public void A_fresh_actor_recovers_empty_and_numbers_its_first_event_1()
    {
        var ledger = StartLedger("fresh");
        Assert.Equal(new Recovered("fresh", 0, 0, 0, 0), ExpectMsg<Recovered>());

        ledger.Tell(new Add(5), TestActor);
        Assert.Equal(new Ack(5, 1), ExpectMsg<Ack>());
    }

    [Fact]
    public void Persisted_events_are_replayed_after_a_restart_of_the_actor()
    {
        var ledger = StartLedger("ledger-1");
        ExpectMsg<Recovered>();
        foreach (var amount in new[] { 1, 2, 3 })
        {
            ledger.Tell(new Add(amount), TestActor);
        }

        Assert.Equal(new long[] { 1, 2, 3 }, ReceiveAcks(3).Select(a => a.SequenceNr));
        StopAndWait(ledger);

        var again = StartLedger("ledger-1");
        Assert.Equal(new Recovered("ledger-1", 6, 3, 3, 0), ExpectMsg<Recovered>());
        again.Tell(new Add(10), TestActor);
        Assert.Equal(new Ack(10, 4), ExpectMsg<Ack>());
    }

    [Fact]
    public void Recovery_offers_the_snapshot_then_replays_only_later_events()
    {
        var ledger = StartLedger("snap-1");
        ExpectMsg<Recovered>();
        ledger.Tell(new Add(1), TestActor);
        ledger.Tell(new Add(2), TestActor);
        ReceiveAcks(2);
        ledger.Tell(new TakeSnapshot(), TestActor);
        Assert.Equal(2, ExpectMsg<SaveSnapshotSuccess>().Metadata.SequenceNr);
        ledger.Tell(new Add(4), TestActor);
        ExpectMsg<Ack>();
        StopAndWait(ledger);

        var again = StartLedger("snap-1");
        Assert.Equal(new Recovered("snap-1", 7, EventsReplayed: 1, LastSequenceNr: 3, SnapshotSequenceNr: 2), ExpectMsg<Recovered>());
        again.Tell(GetState.Instance, TestActor);
        Assert.True(ExpectMsg<LedgerState>().FromSnapshot);
    }

    [Fact]
    public async Task A_long_journal_is_replayed_completely_across_pages()
    {
        var serializer = Ledger.Serializer();
        const int events = 2_500; // more than two replay pages
        for (var first = 1; first <= events; first += 500)
        {
            await store.WriteAsync(Enumerable.Range(first, 500).Select(seq =>
            {
                var (manifest, payload) = serializer.Serialize(new Added(1));
                return new PersistentRepr("long-1", seq, manifest, payload, "seeder");
            }).ToArray());
        }

        StartLedger("long-1");

        Assert.Equal(new Recovered("long-1", events, events, events, 0), ExpectMsg<Recovered>());
    }

    [Fact]
    public async Task Commands_sent_while_an_event_is_being_written_wait_for_its_handler()
    {
        var ledger = StartLedger("stash-1");
        ExpectMsg<Recovered>();
        journal.Gated = true;

        ledger.Tell(new Add(5), TestActor);
        await journal.WaitForWriteStartedAsync(WriteWait);
        // The write is held open: this query must not be answered before the event's handler ran.
        ledger.Tell(GetState.Instance, TestActor);
        ledger.Tell(new Add(7), TestActor);
        journal.Open(2);

        Assert.Equal(new Ack(5, 1), ExpectMsg<Ack>());
        Assert.Equal(new LedgerState(5, 0, false, 1), ExpectMsg<LedgerState>());
        Assert.Equal(new Ack(7, 2), ExpectMsg<Ack>());
    }

    [Fact]
    public void PersistAll_writes_one_atomic_batch_and_runs_each_handler_in_order()
    {
        var ledger = StartLedger("batch-1");
        ExpectMsg<Recovered>();

        ledger.Tell(new AddMany([3, 4, 5]), TestActor);

        Assert.Equal(new[] { new Ack(3, 1), new Ack(4, 2), new Ack(5, 3) }, ReceiveAcks(3));
        Assert.Equal(new List<int> { 3 }, journal.BatchSizes);
    }

    [Fact]
    public void Persist_inside_a_persist_handler_is_written_after_it()
    {
        var ledger = StartLedger("nested-1");
        ExpectMsg<Recovered>();

        ledger.Tell(new AddTwiceNested(2), TestActor);

        Assert.Equal(new Ack(2, 2), ExpectMsg<Ack>());
        ledger.Tell(GetState.Instance, TestActor);
        Assert.Equal(4, ExpectMsg<LedgerState>().Total);
    }

    [Fact]
    public void Deleted_messages_are_not_replayed_and_numbering_continues()
    {
        var ledger = StartLedger("delete-1");
        ExpectMsg<Recovered>();
        foreach (var amount in new[] { 1, 2, 3 })
        {
            ledger.Tell(new Add(amount), TestActor);
        }

        ReceiveAcks(3);
        ledger.Tell(new DeleteUpTo(2), TestActor);
        Assert.Equal(new DeleteMessagesSuccess(2), ExpectMsg<DeleteMessagesSuccess>());
        ledger.Tell(new DeleteUpTo(99), TestActor);
        Assert.Equal(99, ExpectMsg<DeleteMessagesFailure>().ToSequenceNr);
        StopAndWait(ledger);

        var again = StartLedger("delete-1");
        Assert.Equal(new Recovered("delete-1", 3, 1, 3, 0), ExpectMsg<Recovered>());

        // Delete everything: the next event still gets number 4.
        again.Tell(new DeleteUpTo(long.MaxValue), TestActor);
        Assert.Equal(new DeleteMessagesSuccess(3), ExpectMsg<DeleteMessagesSuccess>());
        StopAndWait(again);
        var third = StartLedger("delete-1");
        Assert.Equal(new Recovered("delete-1", 0, 0, 3, 0), ExpectMsg<Recovered>());
        third.Tell(new Add(1), TestActor);
        Assert.Equal(new Ack(1, 4), ExpectMsg<Ack>());
    }

    [Fact]
    public void A_failing_command_restarts_the_actor_which_recovers_its_state()
    {
        var ledger = StartLedger("restart-1");
        ExpectMsg<Recovered>();
        ledger.Tell(new Add(9), TestActor);
        ExpectMsg<Ack>();

        ledger.Tell(new Crash(), TestActor);

        Assert.Equal(new Recovered("restart-1", 9, 1, 1, 0), ExpectMsg<Recovered>());
        ledger.Tell(new Add(1), TestActor);
        Assert.Equal(new Ack(1, 2), ExpectMsg<Ack>());
    }

    [Fact]
    public void A_rejected_event_leaves_state_and_numbering_untouched_and_the_actor_running()
    {
        var ledger = StartLedger("reject-1");
        ExpectMsg<Recovered>();

        var logged = ExpectLog(LogLevel.Warning, "rejected to persist event NotRegistered", 1,
            () => ledger.Tell(new AddUnserializable(1), TestActor));
        Assert.Contains("Register<NotRegistered>", logged[0].Message);
        ledger.Tell(GetState.Instance, TestActor);

        Assert.Equal(new LedgerState(0, 0, false, 0), ExpectMsg<LedgerState>());
        ledger.Tell(new Add(2), TestActor);
        Assert.Equal(new Ack(2, 1), ExpectMsg<Ack>());
    }

    [Fact]
    public void A_second_writer_for_the_same_persistence_id_loses_and_stops_instead_of_diverging()
    {
        var first = StartLedger("dup-1", "first");
        ExpectMsg<Recovered>();
        var second = StartLedger("dup-1", "second");
        ExpectMsg<Recovered>();
        Watch(second);

        first.Tell(new Add(1), TestActor);
        Assert.Equal(new Ack(1, 1), ExpectMsg<Ack>());
        var logged = ExpectLog(LogLevel.Error, "persistence id 'dup-1'", 1, () => second.Tell(new Add(100), TestActor));

        var conflict = Assert.IsType<JournalWriteConflictException>(logged[0].Cause);
        Assert.Equal(("dup-1", 1L), (conflict.PersistenceId, conflict.SequenceNr));
        ExpectTerminated(second);
        var stored = store.ReplayAsync("dup-1", 1, long.MaxValue, long.MaxValue).ToBlockingEnumerable().ToArray();
        Assert.Single(stored);
        first.Tell(new Add(2), TestActor);
        Assert.Equal(new Ack(2, 2), ExpectMsg<Ack>());
    }

    [Fact]
    public void A_failed_write_stops_the_actor_and_does_not_run_the_handler()
    {
        var failing = new FailingJournal { FailWrites = true };
        PersistenceExtension.Configure(Sys, new PersistencePlugins(failing, snapshots, Ledger.Serializer()));
        var ledger = StartLedger("fail-1");
        ExpectMsg<Recovered>();
        Watch(ledger);

        ExpectLog(LogLevel.Error, "failed to persist event Added with sequence number 1 for persistence id 'fail-1'", 1,
            () => ledger.Tell(new Add(1), TestActor));

        ExpectTerminated(ledger);
        // The handler (which would have acked) never ran: the state did not move ahead of the journal.
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void A_recovery_failure_stops_the_actor()
    {
        PersistenceExtension.Configure(Sys, new PersistencePlugins(new FailingJournal { FailReplay = true }, snapshots, Ledger.Serializer()));
        IActorRef? ledger = null;

        var logged = ExpectLog(LogLevel.Error, "recovery of persistence id 'broken-1' failed", 1, () => ledger = StartLedger("broken-1"));

        Assert.Contains("journal unreadable (injected)", logged[0].Message);
        Watch(ledger!);
        ExpectTerminated(ledger!);
    }

    [Fact]
    public void With_the_remoting_registry_as_serializer_events_and_snapshots_recover()
    {
        PersistenceExtension.Configure(Sys, new PersistencePlugins(
            store, snapshots, new RegistryEventSerializer(EventSerializerTests.RegistryWithLedgerTypes())));
        var ledger = StartLedger("registry-1");
        ExpectMsg<Recovered>();
        ledger.Tell(new Add(3), TestActor);
        ExpectMsg<Ack>();
        ledger.Tell(new TakeSnapshot(), TestActor);
        ExpectMsg<SaveSnapshotSuccess>();
        ledger.Tell(new Add(4), TestActor);
        ExpectMsg<Ack>();
        StopAndWait(ledger);

        StartLedger("registry-1");

        Assert.Equal(new Recovered("registry-1", 7, 1, 2, 1), ExpectMsg<Recovered>());
    }

    [Fact]
    public void Deleted_snapshots_are_no_longer_offered()
    {
        var ledger = StartLedger("snapdel-1");
        ExpectMsg<Recovered>();
        for (var i = 1; i <= 3; i++)
        {
            ledger.Tell(new Add(i), TestActor);
            ExpectMsg<Ack>();
            ledger.Tell(new TakeSnapshot(), TestActor);
            Assert.Equal(i, ExpectMsg<SaveSnapshotSuccess>().Metadata.SequenceNr);
        }

        ledger.Tell(new DeleteOneSnapshot(3), TestActor);
        Assert.Equal(3, ExpectMsg<DeleteSnapshotSuccess>().Metadata.SequenceNr);
        StopAndWait(ledger);
        var again = StartLedger("snapdel-1");
        Assert.Equal(new Recovered("snapdel-1", 6, EventsReplayed: 1, LastSequenceNr: 3, SnapshotSequenceNr: 2), ExpectMsg<Recovered>());

        again.Tell(new DeleteSnapshotsUpTo(long.MaxValue), TestActor);
        ExpectMsg<DeleteSnapshotsSuccess>();
        StopAndWait(again);
        StartLedger("snapdel-1");
        Assert.Equal(new Recovered("snapdel-1", 6, EventsReplayed: 3, LastSequenceNr: 3, SnapshotSequenceNr: 0), ExpectMsg<Recovered>());
    }

    [Fact]
    public void A_snapshot_that_cannot_be_serialized_is_answered_with_a_failure()
    {
        var ledger = StartLedger("snapfail-1");
        ExpectMsg<Recovered>();

        ledger.Tell(new TakeUnserializableSnapshot(), TestActor);

        var failure = ExpectMsg<SaveSnapshotFailure>();
        Assert.IsType<PersistenceRejectedException>(failure.Cause);
        ledger.Tell(new Add(1), TestActor);
        Assert.Equal(new Ack(1, 1), ExpectMsg<Ack>());
    }

    [Fact]
    public void A_bounded_recovery_replays_up_to_its_limit_but_numbers_after_the_highest_event()
    {
        var ledger = StartLedger("bounded-1");
        ExpectMsg<Recovered>();
        foreach (var amount in new[] { 1, 2, 3, 4 })
        {
            ledger.Tell(new Add(amount), TestActor);
        }

        ReceiveAcks(4);
        StopAndWait(ledger);

        var probe = TestActor;
        var partial = Sys.ActorOf(Props.Create(() => new Ledger("bounded-1", probe, new Recovery(SnapshotSelectionCriteria.None, 2, long.MaxValue))));
        Assert.Equal(new Recovered("bounded-1", 3, 2, 4, 0), ExpectMsg<Recovered>());
        partial.Tell(new Add(10), TestActor);
        Assert.Equal(new Ack(10, 5), ExpectMsg<Ack>());
    }

    private IActorRef StartLedger(string persistenceId, string? name = null)
    {
        var probe = TestActor;
        return Sys.ActorOf(Props.Create(() => new Ledger(persistenceId, probe)), name ?? $"{persistenceId}-{Guid.NewGuid():N}");
    }

    private void StopAndWait(IActorRef actor)
    {
        Watch(actor);
        Sys.Stop(actor);
        ExpectTerminated(actor);
    }

    private Ack[] ReceiveAcks(int count) => Enumerable.Range(0, count).Select(_ => ExpectMsg<Ack>()).ToArray();

    private sealed class FailingJournal : IJournal
    {
        public bool FailWrites { get; init; }

        public bool FailReplay { get; init; }

        public Task WriteAsync(IReadOnlyList<PersistentRepr> batch, CancellationToken cancellationToken = default) =>
            FailWrites ? Task.FromException(new IOException("disk full (injected)")) : Task.CompletedTask;

        public async IAsyncEnumerable<PersistentRepr> ReplayAsync(string persistenceId, long fromSequenceNr, long toSequenceNr, long max,
            [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            if (FailReplay)
            {
                throw new IOException("journal unreadable (injected)");
            }

            yield break;
        }

        public Task<long> ReadHighestSequenceNrAsync(string persistenceId, CancellationToken cancellationToken = default) =>
            Task.FromResult(FailReplay ? 5L : 0L);

        public Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default) => Task.CompletedTask;
    }
}
