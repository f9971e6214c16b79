namespace ClusterTrainer.Actors.Persistence;

/// <summary>An in-process snapshot store for tests; same contract as the SQL stores. Thread-safe.</summary>
public sealed class MemorySnapshotStore : ISnapshotStore
{
    private readonly object gate = new();
    private readonly Dictionary<string, SortedDictionary<long, SelectedSnapshot>> snapshots = new(StringComparer.Ordinal);

    public Task SaveAsync(SnapshotMetadata metadata, string manifest, byte[] payload, CancellationToken cancellationToken = default)
    {
        SnapshotArguments.Validate(metadata, manifest, payload);
        // Keep millisecond precision, like the SQL stores, so criteria behave identically.
        var stored = new SelectedSnapshot(
            metadata with { Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(metadata.TimestampMs) }, manifest, payload);
        lock (gate)
        {
            if (!snapshots.TryGetValue(metadata.PersistenceId, out var perId))
            {
                perId = new SortedDictionary<long, SelectedSnapshot>();
                snapshots.Add(metadata.PersistenceId, perId);
            }

            perId[metadata.SequenceNr] = stored;
        }

        return Task.CompletedTask;
    }

    public Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default)
    {
        JournalBatch.ValidatePersistenceId(persistenceId);
        ArgumentNullException.ThrowIfNull(criteria);
        lock (gate)
        {
            var found = snapshots.TryGetValue(persistenceId, out var perId)
                ? perId.Values.Where(s => criteria.Matches(s.Metadata)).LastOrDefault()
                : null;
            return Task.FromResult(found);
        }
    }

    public Task DeleteAsync(SnapshotMetadata metadata, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        JournalBatch.ValidatePersistenceId(metadata.PersistenceId);
        lock (gate)
        {
            if (snapshots.TryGetValue(metadata.PersistenceId, out var perId) &&
                perId.TryGetValue(metadata.SequenceNr, out var existing) &&
                (metadata.Timestamp == DateTimeOffset.MinValue || existing.Metadata.TimestampMs == metadata.TimestampMs))
            {
                perId.Remove(metadata.SequenceNr);
            }
        }

        return Task.CompletedTask;
    }

    public Task DeleteAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default)
    {
        JournalBatch.ValidatePersistenceId(persistenceId);
        ArgumentNullException.ThrowIfNull(criteria);
        lock (gate)
        {
            if (snapshots.TryGetValue(persistenceId, out var perId))
            {
                foreach (var key in perId.Where(p => criteria.Matches(p.Value.Metadata)).Select(p => p.Key).ToArray())
                {
                    perId.Remove(key);
                }
            }
        }

        return Task.CompletedTask;
    }
}

/// <summary>Argument checks shared by every snapshot store.</summary>
public static class SnapshotArguments
{
    public static void Validate(SnapshotMetadata metadata, string manifest, byte[] payload)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        JournalBatch.ValidatePersistenceId(metadata.PersistenceId);
        if (metadata.SequenceNr < 0)
        {
            throw new ArgumentException($"a snapshot's sequence number must be ≥ 0; got {metadata.SequenceNr}", nameof(metadata));
        }

        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(payload);
    }
}
