namespace ClusterTrainer.Actors.Persistence;

/// <summary>
/// An event journal (after Akka.Persistence's AsyncWriteJournal + AsyncRecovery), working on
/// serialized rows. Implementations: <see cref="MemoryJournal"/> (tests) and the SQLite and
/// PostgreSQL journals in ClusterTrainer.Persistence.Sql. All of them pass one contract suite.
///
/// Guarantees every implementation gives:
/// <list type="bullet">
/// <item>A write is atomic: every entry of the batch is stored, or none is.</item>
/// <item>(persistence id, sequence nr) is unique and a write must start above the highest sequence
///   number ever stored for that id; otherwise <see cref="JournalWriteConflictException"/> is thrown
///   and nothing is written. Two writers racing for one sequence number: exactly one wins.</item>
/// <item>Deleting keeps the highest sequence number, so numbering never restarts.</item>
/// </list>
/// </summary>
public interface IJournal
{
    /// <summary>
    /// Writes a batch for ONE persistence id with contiguous ascending sequence numbers, atomically.
    /// Throws <see cref="JournalWriteConflictException"/> when a sequence number is taken (another
    /// writer), <see cref="ArgumentException"/> when the batch itself is malformed.
    /// </summary>
    Task WriteAsync(IReadOnlyList<PersistentRepr> batch, CancellationToken cancellationToken = default);

    /// <summary>Non-deleted entries with fromSequenceNr ≤ seq ≤ toSequenceNr, ascending, at most <paramref name="max"/>.</summary>
    IAsyncEnumerable<PersistentRepr> ReplayAsync(
        string persistenceId, long fromSequenceNr, long toSequenceNr, long max, CancellationToken cancellationToken = default);

    /// <summary>Highest sequence number ever written for the id (deleted entries included); 0 when none.</summary>
    Task<long> ReadHighestSequenceNrAsync(string persistenceId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes entries with seq ≤ <paramref name="toSequenceNr"/>. Replay no longer returns them, but the
    /// highest sequence number stays readable. Deleting past the highest entry deletes up to it.
    /// </summary>
    Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default);
}

/// <summary>How a SQL journal deletes: mark rows (kept for audit) or remove them (highest row kept, marked).</summary>
public enum JournalDeleteMode
{
    /// <summary>Rows are removed; only the highest row survives, marked deleted, to keep the numbering.</summary>
    Physical,

    /// <summary>Rows stay and are marked deleted; replay skips them.</summary>
    Logical,
}
