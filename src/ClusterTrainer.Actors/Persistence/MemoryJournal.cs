using System.Runtime.CompilerServices;

namespace ClusterTrainer.Actors.Persistence;

/// <summary>
/// An in-process journal for tests and single-process experiments: same contract as the SQL journals
/// (atomic batches, write conflicts, highest sequence number kept on delete), nothing survives the process.
/// Thread-safe; one lock, no callbacks under it.
/// </summary>
public sealed class MemoryJournal : IJournal
{
    private readonly object gate = new();
    private readonly Dictionary<string, Stream> streams = new(StringComparer.Ordinal);

    public Task WriteAsync(IReadOnlyList<PersistentRepr> batch, CancellationToken cancellationToken = default)
    {
        JournalBatch.Validate(batch);
        cancellationToken.ThrowIfCancellationRequested();
        var pid = batch[0].PersistenceId;
        lock (gate)
        {
            var stream = GetOrAdd(pid);
            if (batch[0].SequenceNr <= stream.Highest)
            {
                throw new JournalWriteConflictException(pid, batch[0].SequenceNr);
            }

            stream.Entries.AddRange(batch);
            stream.Highest = batch[^1].SequenceNr;
        }

        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<PersistentRepr> ReplayAsync(
        string persistenceId, long fromSequenceNr, long toSequenceNr, long max,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        JournalBatch.ValidatePersistenceId(persistenceId);
        PersistentRepr[] snapshot;
        lock (gate)
        {
            if (!streams.TryGetValue(persistenceId, out var stream))
            {
                yield break;
            }

            snapshot = stream.Entries
                .Where(e => e.SequenceNr >= fromSequenceNr && e.SequenceNr <= toSequenceNr && e.SequenceNr > stream.DeletedTo)
                .Take((int)Math.Min(max, int.MaxValue))
                .ToArray();
        }

        foreach (var entry in snapshot)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return entry;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    public Task<long> ReadHighestSequenceNrAsync(string persistenceId, CancellationToken cancellationToken = default)
    {
        JournalBatch.ValidatePersistenceId(persistenceId);
        lock (gate)
        {
            return Task.FromResult(streams.TryGetValue(persistenceId, out var stream) ? stream.Highest : 0L);
        }
    }

    public Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default)
    {
        JournalBatch.ValidatePersistenceId(persistenceId);
        lock (gate)
        {
            if (streams.TryGetValue(persistenceId, out var stream))
            {
                var to = Math.Min(toSequenceNr, stream.Highest);
                stream.DeletedTo = Math.Max(stream.DeletedTo, to);
                stream.Entries.RemoveAll(e => e.SequenceNr <= to);
            }
        }

        return Task.CompletedTask;
    }

    private Stream GetOrAdd(string pid)
    {
        if (!streams.TryGetValue(pid, out var stream))
        {
            stream = new Stream();
            streams.Add(pid, stream);
        }

        return stream;
    }

    private sealed class Stream
    {
        public List<PersistentRepr> Entries { get; } = new();

        public long Highest { get; set; }

        public long DeletedTo { get; set; }
    }
}
