using System.Globalization;
using ClusterTrainer.Actors.Serialization;

namespace ClusterTrainer.Actors.Persistence;

/// <summary>
/// Persists events and snapshots with the remoting allow-list <see cref="SerializationRegistry"/>: the
/// manifest is the registered type id (decimal), the payload the codec's bytes. One codec per type serves
/// both the wire and the journal, and a stored row can only decode to an allow-listed type. Type ids are
/// part of the stored data: never renumber a persisted type. Events must not contain actor refs.
/// </summary>
public sealed class RegistryEventSerializer : IEventSerializer
{
    private readonly SerializationRegistry registry;

    public RegistryEventSerializer(SerializationRegistry registry)
    {
        this.registry = registry ?? throw new ArgumentNullException(nameof(registry));
    }

    public (string Manifest, byte[] Payload) Serialize(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var entry = registry.FindByType(value.GetType()) ?? throw new PersistenceRejectedException(
            $"{value.GetType().FullName} is not registered with the serialization registry, so it cannot be persisted. " +
            $"Register it with SerializationRegistry.Register<{value.GetType().Name}>(id, codec), using an id in the " +
            "persistence or application range (see TypeIds).");
        var writer = new MessageWriter(256);
        try
        {
            entry.WriteObject(writer, value);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new PersistenceRejectedException($"the codec of {value.GetType().Name} (type id {entry.Id}) failed: {ex.Message}", ex);
        }

        return (entry.Id.ToString(CultureInfo.InvariantCulture), writer.WrittenSpan.ToArray());
    }

    public object Deserialize(string manifest, ReadOnlySpan<byte> payload)
    {
        if (!ushort.TryParse(manifest, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            throw new InvalidOperationException(
                $"stored manifest '{manifest}' is not a serialization-registry type id; this row was written by another " +
                "serializer (e.g. JsonEventSerializer). Configure the serializer that wrote it.");
        }

        try
        {
            return registry.Deserialize(id, payload);
        }
        catch (FrameFormatException ex)
        {
            throw new InvalidOperationException(
                $"stored event with type id {id} cannot be decoded: {ex.Message} Register the type that was persisted under " +
                "that id (ids must stay stable across releases).", ex);
        }
    }
}
