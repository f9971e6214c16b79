using System.Text.Json;

namespace ClusterTrainer.Actors.Persistence;

/// <summary>
/// Turns events and snapshots into (manifest, bytes) and back. The seam between persistence and
/// serialization: the remoting allow-list registry plugs in through one adapter. A serializer must
/// refuse types it does not know (never resolve a type from a stored manifest string).
/// </summary>
public interface IEventSerializer
{
    /// <summary>Serializes; throws <see cref="PersistenceRejectedException"/> for a type it does not handle.</summary>
    (string Manifest, byte[] Payload) Serialize(object value);

    /// <summary>Deserializes; throws <see cref="InvalidOperationException"/> for an unknown manifest.</summary>
    object Deserialize(string manifest, ReadOnlySpan<byte> payload);
}

/// <summary>
/// JSON (System.Text.Json) with an explicit allow-list: every event and snapshot type is registered under
/// a stable manifest. Renaming a CLR type keeps working as long as its manifest stays the same.
/// </summary>
public sealed class JsonEventSerializer : IEventSerializer
{
    private readonly Dictionary<string, Type> byManifest = new(StringComparer.Ordinal);
    private readonly Dictionary<Type, string> byType = new();
    private readonly JsonSerializerOptions options;

    public JsonEventSerializer(JsonSerializerOptions? options = null)
    {
        this.options = options ?? new JsonSerializerOptions(JsonSerializerDefaults.General);
    }

    /// <summary>Allows <typeparamref name="T"/> under <paramref name="manifest"/> (defaults to the type's full name).</summary>
    public JsonEventSerializer Register<T>(string? manifest = null) => Register(typeof(T), manifest);

    public JsonEventSerializer Register(Type type, string? manifest = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        manifest ??= type.FullName ?? type.Name;
        if (byManifest.TryGetValue(manifest, out var existing) && existing != type)
        {
            throw new ArgumentException($"manifest '{manifest}' is already registered for {existing}; pick another for {type}", nameof(manifest));
        }

        byManifest[manifest] = type;
        byType[type] = manifest;
        return this;
    }

    public (string Manifest, byte[] Payload) Serialize(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!byType.TryGetValue(value.GetType(), out var manifest))
        {
            throw new PersistenceRejectedException(
                $"type {value.GetType()} is not registered with the event serializer; call Register<{value.GetType().Name}>() " +
                "when configuring persistence");
        }

        return (manifest, JsonSerializer.SerializeToUtf8Bytes(value, value.GetType(), options));
    }

    public object Deserialize(string manifest, ReadOnlySpan<byte> payload)
    {
        if (!byManifest.TryGetValue(manifest, out var type))
        {
            throw new InvalidOperationException(
                $"stored manifest '{manifest}' is not registered with the event serializer; register the type that was " +
                "persisted under it (manifests must stay stable across releases)");
        }

        return JsonSerializer.Deserialize(payload, type, options)
               ?? throw new InvalidOperationException($"payload for manifest '{manifest}' deserialized to null");
    }
}
