namespace ClusterTrainer.Actors.Persistence;

/// <summary>
/// One journal entry as a store sees it: an event already turned into bytes. Stores never look
/// inside <see cref="Payload"/>; <see cref="Manifest"/> is the type id the serializer needs to decode it.
/// The payload array is owned by the entry once created: callers must not mutate it.
/// </summary>
/// <param name="PersistenceId">Identity of the persistent actor that wrote the event.</param>
/// <param name="SequenceNr">1-based, strictly increasing per persistence id, never reused.</param>
/// <param name="Manifest">Serializer type id of the payload (e.g. a registry id or a manifest string).</param>
/// <param name="Payload">The serialized event.</param>
/// <param name="WriterUuid">Identity of the actor incarnation that wrote the event (diagnostics).</param>
/// <param name="Timestamp">When the event was written (stored with millisecond precision).</param>
/// <param name="Tags">Optional tags (no ';' allowed); empty when none.</param>
public sealed record PersistentRepr(
    string PersistenceId,
    long SequenceNr,
    string Manifest,
    byte[] Payload,
    string WriterUuid,
    DateTimeOffset Timestamp,
    IReadOnlyList<string> Tags)
{
    public PersistentRepr(string persistenceId, long sequenceNr, string manifest, byte[] payload, string writerUuid)
        : this(persistenceId, sequenceNr, manifest, payload, writerUuid, DateTimeOffset.UtcNow, Array.Empty<string>())
    {
    }

    /// <summary>Timestamp truncated to the millisecond, as every store keeps it.</summary>
    public long TimestampMs => Timestamp.ToUnixTimeMilliseconds();
}
