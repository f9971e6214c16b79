namespace ClusterTrainer.Actors.Persistence;

/// <summary>Identifies one snapshot: the actor, the sequence number of the last event it covers, and when it was taken.</summary>
public sealed record SnapshotMetadata(string PersistenceId, long SequenceNr, DateTimeOffset Timestamp)
{
    public SnapshotMetadata(string persistenceId, long sequenceNr) : this(persistenceId, sequenceNr, DateTimeOffset.UtcNow)
    {
    }

    /// <summary>Timestamp truncated to the millisecond, as every store keeps it.</summary>
    public long TimestampMs => Timestamp.ToUnixTimeMilliseconds();
}

/// <summary>A loaded snapshot: its metadata, the serializer manifest and the serialized state.</summary>
public sealed record SelectedSnapshot(SnapshotMetadata Metadata, string Manifest, byte[] Payload);

/// <summary>
/// Which snapshots a load or delete considers (after Akka's SnapshotSelectionCriteria): sequence number
/// and timestamp both within their [min, max] bounds, inclusive.
/// </summary>
public sealed record SnapshotSelectionCriteria(
    long MaxSequenceNr,
    DateTimeOffset MaxTimestamp,
    long MinSequenceNr = 0,
    DateTimeOffset? MinTimestamp = null)
{
    /// <summary>Every snapshot: load picks the newest one.</summary>
    public static readonly SnapshotSelectionCriteria Latest = new(long.MaxValue, DateTimeOffset.MaxValue);

    /// <summary>No snapshot at all: recovery replays every event.</summary>
    public static readonly SnapshotSelectionCriteria None = new(0, DateTimeOffset.MinValue);

    public SnapshotSelectionCriteria(long maxSequenceNr) : this(maxSequenceNr, DateTimeOffset.MaxValue)
    {
    }

    public long MaxTimestampMs => MaxTimestamp == DateTimeOffset.MaxValue ? long.MaxValue : MaxTimestamp.ToUnixTimeMilliseconds();

    public long MinTimestampMs => MinTimestamp is { } min && min != DateTimeOffset.MinValue ? min.ToUnixTimeMilliseconds() : long.MinValue;

    /// <summary>Whether a snapshot with this metadata falls within the criteria.</summary>
    public bool Matches(SnapshotMetadata metadata) =>
        metadata.SequenceNr <= MaxSequenceNr && metadata.SequenceNr >= MinSequenceNr &&
        metadata.TimestampMs <= MaxTimestampMs && metadata.TimestampMs >= MinTimestampMs;
}

/// <summary>
/// A snapshot store (after Akka.Persistence's SnapshotStore). One snapshot per (persistence id,
/// sequence nr): saving again at the same sequence number replaces it.
/// </summary>
public interface ISnapshotStore
{
    Task SaveAsync(SnapshotMetadata metadata, string manifest, byte[] payload, CancellationToken cancellationToken = default);

    /// <summary>The snapshot with the highest sequence number matching the criteria, or null.</summary>
    Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default);

    /// <summary>Deletes the snapshot at metadata's sequence number (and timestamp, unless it is <see cref="DateTimeOffset.MinValue"/>).</summary>
    Task DeleteAsync(SnapshotMetadata metadata, CancellationToken cancellationToken = default);

    /// <summary>Deletes every snapshot of the id matching the criteria.</summary>
    Task DeleteAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default);
}
