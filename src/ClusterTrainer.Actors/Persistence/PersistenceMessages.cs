namespace ClusterTrainer.Actors.Persistence;

/// <summary>Offered to the Recover handlers first when a snapshot was loaded; events after it follow.</summary>
public sealed record SnapshotOffer(SnapshotMetadata Metadata, object Snapshot);

/// <summary>Offered to the Recover handlers last, once the snapshot and every event have been applied.</summary>
public sealed record RecoveryCompleted
{
    public static readonly RecoveryCompleted Instance = new();

    private RecoveryCompleted()
    {
    }
}

/// <summary>What recovery reads (after Akka's Recovery): which snapshot, up to which event, at most how many.</summary>
public sealed record Recovery(SnapshotSelectionCriteria FromSnapshot, long ToSequenceNr = long.MaxValue, long ReplayMax = long.MaxValue)
{
    /// <summary>Latest snapshot, then every event after it.</summary>
    public static readonly Recovery Default = new(SnapshotSelectionCriteria.Latest);

    /// <summary>Skip snapshot and events: start empty (numbering still continues after the highest stored event).</summary>
    public static readonly Recovery None = new(SnapshotSelectionCriteria.None, 0, 0);
}

/// <summary>Replies sent to the persistent actor itself (handle them with Command&lt;T&gt;).</summary>
public sealed record SaveSnapshotSuccess(SnapshotMetadata Metadata);

public sealed record SaveSnapshotFailure(SnapshotMetadata Metadata, Exception Cause);

public sealed record DeleteMessagesSuccess(long ToSequenceNr);

public sealed record DeleteMessagesFailure(Exception Cause, long ToSequenceNr);

public sealed record DeleteSnapshotSuccess(SnapshotMetadata Metadata);

public sealed record DeleteSnapshotFailure(SnapshotMetadata Metadata, Exception Cause);

public sealed record DeleteSnapshotsSuccess(SnapshotSelectionCriteria Criteria);

public sealed record DeleteSnapshotsFailure(SnapshotSelectionCriteria Criteria, Exception Cause);
