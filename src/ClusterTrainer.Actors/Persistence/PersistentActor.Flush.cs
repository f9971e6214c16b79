namespace ClusterTrainer.Actors.Persistence;

public abstract partial class PersistentActor
{
    /// <summary>
    /// Writes the events persisted by the last command (one atomic batch) and runs their handlers in
    /// order; handlers may persist again, which starts another round. Runs while the mailbox is suspended.
    /// </summary>
    private async Task FlushAsync()
    {
        while (pending.Count > 0)
        {
            var round = pending.ToArray();
            pending.Clear();
            var events = round.Where(p => p.IsEvent).ToArray();
            var written = events.Length == 0 || await WriteAsync(events) is WriteOutcome.Written;
            if (!written && stopped)
            {
                return;
            }

            foreach (var item in round)
            {
                if (item.IsEvent && written)
                {
                    // As in Akka: inside an event's handler LastSequenceNr is that event's number.
                    LastSequenceNr++;
                    item.Handler(item.Value);
                }
                else if (!item.IsEvent)
                {
                    item.Handler(item.Value);
                }
            }
        }
    }

    private async Task<WriteOutcome> WriteAsync(Pending[] events)
    {
        var serializer = Plugins.Serializer;
        var batch = new PersistentRepr[events.Length];
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < events.Length; i++)
        {
            try
            {
                var (manifest, payload) = serializer.Serialize(events[i].Value);
                batch[i] = new PersistentRepr(PersistenceId, LastSequenceNr + 1 + i, manifest, payload, WriterUuid, now, Array.Empty<string>());
            }
            catch (Exception ex)
            {
                // The batch is atomic: one unserializable event rejects all of them; numbers are not consumed.
                for (var j = 0; j < events.Length; j++)
                {
                    OnPersistRejected(ex, events[j].Value, LastSequenceNr + 1 + j);
                }

                return WriteOutcome.Rejected;
            }
        }

        try
        {
            await Journal.WriteAsync(batch);
        }
        catch (Exception ex)
        {
            OnPersistFailure(ex, events[0].Value, batch[0].SequenceNr);
            stopped = true;
            pending.Clear();
            Context.Stop(Self);
            return WriteOutcome.Failed;
        }

        return WriteOutcome.Written;
    }

    private enum WriteOutcome
    {
        Written,
        Rejected,
        Failed,
    }
}
