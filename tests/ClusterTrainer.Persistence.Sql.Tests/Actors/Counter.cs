using ClusterTrainer.Actors;
using ClusterTrainer.Actors.Persistence;

namespace ClusterTrainer.Persistence.Sql.Tests.Actors;

public sealed record Increment(int By);
public sealed record Incremented(int By);
public sealed record CounterSnapshot(int Value);
public sealed record Snap;
public sealed record CounterRecovered(int Value, long LastSequenceNr, bool FromSnapshot);
public sealed record Counted(int Value, long SequenceNr);

/// <summary>A minimal persistent counter for end-to-end tests against the SQL stores.</summary>
public sealed class Counter : PersistentActor
{
    private int value;
    private bool fromSnapshot;

    public Counter(string persistenceId, IActorRef probe)
    {
        PersistenceId = persistenceId;
        Recover<SnapshotOffer>(o => (value, fromSnapshot) = (((CounterSnapshot)o.Snapshot).Value, true));
        Recover<Incremented>(e => value += e.By);
        Recover<RecoveryCompleted>(_ => probe.Tell(new CounterRecovered(value, LastSequenceNr, fromSnapshot), Self));
        Command<Increment>(c => Persist(new Incremented(c.By), e =>
        {
            value += e.By;
            Sender.Tell(new Counted(value, LastSequenceNr), Self);
        }));
        Command<Snap>(_ => SaveSnapshot(new CounterSnapshot(value)));
        Command<SaveSnapshotSuccess>(s => probe.Tell(s, Self));
        Command<SaveSnapshotFailure>(s => probe.Tell(s, Self));
    }

    public override string PersistenceId { get; }

    public static IEventSerializer Serializer() =>
        new JsonEventSerializer().Register<Incremented>("counter.incremented").Register<CounterSnapshot>("counter.snapshot");
}
