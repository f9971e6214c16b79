namespace ClusterTrainer.Actors.Persistence;

/// <summary>Validation shared by every journal so they refuse the same malformed batches with the same words.</summary>
public static class JournalBatch
{
    /// <summary>Throws <see cref="ArgumentException"/> unless the batch is non-empty, one persistence id, contiguous ascending.</summary>
    public static void Validate(IReadOnlyList<PersistentRepr> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0)
        {
            throw new ArgumentException("a journal write needs at least one entry; the batch was empty", nameof(batch));
        }

        var first = batch[0];
        ValidatePersistenceId(first.PersistenceId);
        if (first.SequenceNr < 1)
        {
            throw new ArgumentException($"sequence numbers start at 1; got {first.SequenceNr} for '{first.PersistenceId}'", nameof(batch));
        }

        for (var i = 0; i < batch.Count; i++)
        {
            var repr = batch[i] ?? throw new ArgumentException($"batch entry {i} is null", nameof(batch));
            if (repr.PersistenceId != first.PersistenceId)
            {
                throw new ArgumentException(
                    $"an atomic write covers one persistence id; entry {i} has '{repr.PersistenceId}', entry 0 has '{first.PersistenceId}'",
                    nameof(batch));
            }

            if (repr.SequenceNr != first.SequenceNr + i)
            {
                throw new ArgumentException(
                    $"sequence numbers in a batch must be contiguous and ascending; entry {i} of '{first.PersistenceId}' has " +
                    $"{repr.SequenceNr}, expected {first.SequenceNr + i}", nameof(batch));
            }

            if (repr.Manifest is null || repr.Payload is null || repr.WriterUuid is null || repr.Tags is null)
            {
                throw new ArgumentException($"entry {i} of '{first.PersistenceId}' has a null manifest, payload, writer uuid or tags", nameof(batch));
            }

            foreach (var tag in repr.Tags)
            {
                if (string.IsNullOrEmpty(tag) || tag.Contains(';'))
                {
                    throw new ArgumentException($"tag '{tag}' of entry {i} is empty or contains ';' (the tag separator)", nameof(batch));
                }
            }
        }
    }

    /// <summary>Throws unless the id is non-empty and at most 255 characters.</summary>
    public static void ValidatePersistenceId(string persistenceId)
    {
        if (string.IsNullOrWhiteSpace(persistenceId))
        {
            throw new ArgumentException("the persistence id is empty; give every persistent actor a stable non-empty id", nameof(persistenceId));
        }

        if (persistenceId.Length > 255)
        {
            throw new ArgumentException($"the persistence id is {persistenceId.Length} characters; the limit is 255", nameof(persistenceId));
        }
    }

    /// <summary>Joins tags for storage in one text column ("" when none).</summary>
    public static string JoinTags(IReadOnlyList<string> tags) => tags.Count == 0 ? string.Empty : string.Join(';', tags);

    /// <summary>Inverse of <see cref="JoinTags"/>.</summary>
    public static IReadOnlyList<string> SplitTags(string? tags) =>
        string.IsNullOrEmpty(tags) ? Array.Empty<string>() : tags.Split(';');
}
