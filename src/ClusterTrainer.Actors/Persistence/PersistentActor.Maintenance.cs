namespace ClusterTrainer.Actors.Persistence;

/// <summary>Snapshots and deletion: asynchronous, answered to the actor itself with a Success/Failure message.</summary>
public abstract partial class PersistentActor
{
    /// <summary>
    /// Saves <paramref name="snapshot"/> as the state at <see cref="LastSequenceNr"/>; the actor then receives
    /// <see cref="SaveSnapshotSuccess"/> or <see cref="SaveSnapshotFailure"/>.
    /// </summary>
    protected void SaveSnapshot(object snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var metadata = new SnapshotMetadata(PersistenceId, LastSequenceNr, DateTimeOffset.UtcNow);
        string manifest;
        byte[] payload;
        try
        {
            (manifest, payload) = Plugins.Serializer.Serialize(snapshot);
        }
        catch (Exception ex)
        {
            Self.Tell(new SaveSnapshotFailure(metadata, ex), Self);
            return;
        }

        ReplyWhenDone(SnapshotStore.SaveAsync(metadata, manifest, payload),
            () => new SaveSnapshotSuccess(metadata), ex => new SaveSnapshotFailure(metadata, ex));
    }

    /// <summary>
    /// Deletes events up to <paramref name="toSequenceNr"/> (inclusive; <see cref="long.MaxValue"/> means all so far).
    /// The actor then receives <see cref="DeleteMessagesSuccess"/> or <see cref="DeleteMessagesFailure"/>.
    /// Numbering continues after the highest event.
    /// </summary>
    protected void DeleteMessages(long toSequenceNr)
    {
        var to = toSequenceNr == long.MaxValue ? LastSequenceNr : toSequenceNr;
        if (to > LastSequenceNr)
        {
            Self.Tell(new DeleteMessagesFailure(new ArgumentOutOfRangeException(nameof(toSequenceNr), toSequenceNr,
                $"cannot delete up to {toSequenceNr}: the last sequence number of '{PersistenceId}' is {LastSequenceNr}"), toSequenceNr), Self);
            return;
        }

        ReplyWhenDone(Journal.DeleteMessagesToAsync(PersistenceId, to),
            () => new DeleteMessagesSuccess(to), ex => new DeleteMessagesFailure(ex, to));
    }

    /// <summary>Deletes the snapshot at <paramref name="sequenceNr"/>; answered with DeleteSnapshotSuccess/Failure.</summary>
    protected void DeleteSnapshot(long sequenceNr)
    {
        var metadata = new SnapshotMetadata(PersistenceId, sequenceNr, DateTimeOffset.MinValue);
        ReplyWhenDone(SnapshotStore.DeleteAsync(metadata),
            () => new DeleteSnapshotSuccess(metadata), ex => new DeleteSnapshotFailure(metadata, ex));
    }

    /// <summary>Deletes every snapshot matching <paramref name="criteria"/>; answered with DeleteSnapshotsSuccess/Failure.</summary>
    protected void DeleteSnapshots(SnapshotSelectionCriteria criteria)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        ReplyWhenDone(SnapshotStore.DeleteAsync(PersistenceId, criteria),
            () => new DeleteSnapshotsSuccess(criteria), ex => new DeleteSnapshotsFailure(criteria, ex));
    }

    private void ReplyWhenDone(Task operation, Func<object> success, Func<Exception, object> failure)
    {
        var self = Self;
        operation.ContinueWith(
            t => self.Tell(t.IsCompletedSuccessfully
                ? success()
                : failure(t.Exception?.InnerException ?? new TaskCanceledException("the store operation was cancelled")), self),
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
