using ClusterTrainer.Actors;
using ClusterTrainer.Actors.Persistence;

namespace ClusterTrainer.Actors.Tests.Persistence;

// Commands
public sealed record Add(int Amount);
public sealed record AddMany(int[] Amounts);
public sealed record AddTwiceNested(int Amount);
public sealed record AddUnserializable(int Amount);
public sealed record TakeSnapshot;
public sealed record DeleteUpTo(long ToSequenceNr);
public sealed record Crash;
public sealed record TakeUnserializableSnapshot;
public sealed record DeleteSnapshotsUpTo(long MaxSequenceNr);
public sealed record DeleteOneSnapshot(long SequenceNr);
public sealed record GetState
{
    public static readonly GetState Instance = new();
}

// Events and state (registered with the serializer)
public sealed record Added(int Amount);
public sealed record NotRegistered(int Amount);
public sealed record LedgerSnapshot(int Total, int EventsSeen);

// Replies
public sealed record Ack(int Amount, long SequenceNr);
public sealed record LedgerState(int Total, int EventsReplayed, bool FromSnapshot, long LastSequenceNr);
public sealed record Recovered(string PersistenceId, int Total, int EventsReplayed, long LastSequenceNr, long SnapshotSequenceNr);

/// <summary>The persistent actor under test: a running total, reporting recovery and store replies to a probe.</summary>
public sealed class Ledger : PersistentActor
{
    private readonly IActorRef probe;
    private int total;
    private int eventsSeen;
    private int eventsReplayed;
    private bool fromSnapshot;

    private readonly Recovery recovery;

    public Ledger(string persistenceId, IActorRef probe, Recovery? recovery = null)
    {
        PersistenceId = persistenceId;
        this.probe = probe;
        this.recovery = recovery ?? Recovery.Default;

        Recover<SnapshotOffer>(offer =>
        {
            var snapshot = (LedgerSnapshot)offer.Snapshot;
            (total, eventsSeen, fromSnapshot) = (snapshot.Total, snapshot.EventsSeen, true);
        });
        Recover<Added>(e =>
        {
            Apply(e);
            eventsReplayed++;
        });
        Recover<RecoveryCompleted>(_ =>
            probe.Tell(new Recovered(PersistenceId, total, eventsReplayed, LastSequenceNr, SnapshotSequenceNr), Self));

        Command<Add>(c => Persist(new Added(c.Amount), e =>
        {
            Apply(e);
            Sender.Tell(new Ack(e.Amount, LastSequenceNr), Self);
        }));
        Command<AddMany>(c => PersistAll(c.Amounts.Select(a => new Added(a)), e =>
        {
            Apply(e);
            Sender.Tell(new Ack(e.Amount, LastSequenceNr), Self);
        }));
        Command<AddTwiceNested>(c => Persist(new Added(c.Amount), first =>
        {
            Apply(first);
            Persist(new Added(c.Amount), second =>
            {
                Apply(second);
                Sender.Tell(new Ack(second.Amount, LastSequenceNr), Self);
            });
        }));
        Command<AddUnserializable>(c => Persist(new NotRegistered(c.Amount), _ => total += 1_000_000));
        Command<GetState>(_ => Sender.Tell(new LedgerState(total, eventsReplayed, fromSnapshot, LastSequenceNr), Self));
        Command<TakeSnapshot>(_ => SaveSnapshot(new LedgerSnapshot(total, eventsSeen)));
        Command<DeleteUpTo>(d => DeleteMessages(d.ToSequenceNr));
        Command<Crash>(_ => throw new InvalidOperationException("crash requested by the test"));
        Command<TakeUnserializableSnapshot>(_ => SaveSnapshot(new NotRegistered(total)));
        Command<DeleteSnapshotsUpTo>(d => DeleteSnapshots(new SnapshotSelectionCriteria(d.MaxSequenceNr)));
        Command<DeleteOneSnapshot>(d => DeleteSnapshot(d.SequenceNr));
        Command<DeleteSnapshotsSuccess>(m => probe.Tell(m, Self));
        Command<DeleteSnapshotSuccess>(m => probe.Tell(m, Self));
        Command<SaveSnapshotSuccess>(m => probe.Tell(m, Self));
        Command<SaveSnapshotFailure>(m => probe.Tell(m, Self));
        Command<DeleteMessagesSuccess>(m => probe.Tell(m, Self));
        Command<DeleteMessagesFailure>(m => probe.Tell(m, Self));
    }

    public override string PersistenceId { get; }

    protected override Recovery Recovery => recovery;

    public static JsonEventSerializer Serializer() =>
        new JsonEventSerializer().Register<Added>("ledger.added").Register<LedgerSnapshot>("ledger.snapshot");

    private void Apply(Added e)
    {
        total += e.Amount;
        eventsSeen++;
    }
}

/// <summary>A journal whose writes wait until the test opens the gate; counts writes and batch sizes.</summary>
public sealed class GatedJournal(IJournal inner) : IJournal
{
    private readonly SemaphoreSlim gate = new(0, int.MaxValue);
    private readonly SemaphoreSlim started = new(0, int.MaxValue);
    private int writes;

    public bool Gated { get; set; }

    public int Writes => Volatile.Read(ref writes);

    public List<int> BatchSizes { get; } = new();

    public async Task WaitForWriteStartedAsync(TimeSpan timeout)
    {
        if (!await started.WaitAsync(timeout))
        {
            throw new TimeoutException($"no journal write started within {timeout}");
        }
    }

    public void Open(int count = 1) => gate.Release(count);

    public async Task WriteAsync(IReadOnlyList<PersistentRepr> batch, CancellationToken cancellationToken = default)
    {
        lock (BatchSizes)
        {
            BatchSizes.Add(batch.Count);
        }

        Interlocked.Increment(ref writes);
        if (Gated)
        {
            started.Release();
            await gate.WaitAsync(cancellationToken);
        }

        await inner.WriteAsync(batch, cancellationToken);
    }

    public IAsyncEnumerable<PersistentRepr> ReplayAsync(string persistenceId, long fromSequenceNr, long toSequenceNr, long max, CancellationToken cancellationToken = default) =>
        inner.ReplayAsync(persistenceId, fromSequenceNr, toSequenceNr, max, cancellationToken);

    public Task<long> ReadHighestSequenceNrAsync(string persistenceId, CancellationToken cancellationToken = default) =>
        inner.ReadHighestSequenceNrAsync(persistenceId, cancellationToken);

    public Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default) =>
        inner.DeleteMessagesToAsync(persistenceId, toSequenceNr, cancellationToken);
}
