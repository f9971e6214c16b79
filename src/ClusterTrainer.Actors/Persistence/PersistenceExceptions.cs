namespace ClusterTrainer.Actors.Persistence;

/// <summary>
/// A journal write lost against another writer for the same persistence id: the sequence number was
/// already taken. Two incarnations of one persistent actor are alive at once (a split brain, a
/// duplicated singleton, a restarted node whose old actor still runs). The persistent actor stops
/// rather than diverge; find and stop the other writer.
/// </summary>
public sealed class JournalWriteConflictException : Exception
{
    public JournalWriteConflictException(string persistenceId, long sequenceNr, Exception? inner = null)
        : base($"journal write conflict: sequence number {sequenceNr} of persistence id '{persistenceId}' is already " +
               "taken by another writer. Two writers for one persistence id are alive at once; nothing of this " +
               "batch was written. Make sure only one actor per persistence id runs (cluster singleton/sharding).", inner)
    {
        PersistenceId = persistenceId;
        SequenceNr = sequenceNr;
    }

    public string PersistenceId { get; }

    public long SequenceNr { get; }
}

/// <summary>An event was refused before it reached the store (e.g. it could not be serialized); state is intact.</summary>
public sealed class PersistenceRejectedException : Exception
{
    public PersistenceRejectedException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}
