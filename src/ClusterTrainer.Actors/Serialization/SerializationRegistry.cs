using System.Collections.Frozen;

namespace ClusterTrainer.Actors.Serialization;

/// <summary>
/// The explicit allow-list of message types that may cross the wire: type id ↔ codec. A type name is
/// never read from the wire; an id that is not registered here is refused (the transport drops the
/// connection that sent it). Subsystems register their messages when they start (e.g. the cluster
/// extension on first use); lookups are lock-free (copy-on-write frozen tables), registration takes a
/// lock. Registering the same type under the same id again is a no-op, so several systems may share
/// one registry. <see cref="Freeze"/> forbids further registrations.
/// </summary>
public sealed class SerializationRegistry
{
    private readonly object _lock = new();
    private volatile FrozenDictionary<ushort, Entry> _byId = FrozenDictionary<ushort, Entry>.Empty;
    private volatile FrozenDictionary<Type, Entry> _byType = FrozenDictionary<Type, Entry>.Empty;
    private bool _frozen;

    /// <summary>A registry with the built-in primitives (ids 1..19) and the tensor payload id.</summary>
    public static SerializationRegistry CreateDefault()
    {
        var r = new SerializationRegistry();
        r.Register<string>(TypeIds.String, (w, m) => w.WriteString(m), (ref MessageReader rd) => rd.ReadRequiredString());
        r.Register<int>(TypeIds.Int32, (w, m) => w.WriteInt32(m), (ref MessageReader rd) => rd.ReadInt32());
        r.Register<long>(TypeIds.Int64, (w, m) => w.WriteInt64(m), (ref MessageReader rd) => rd.ReadInt64());
        r.Register<byte[]>(TypeIds.Bytes, (w, m) => w.WriteBytes(m), (ref MessageReader rd) => rd.ReadBytes());
        r.Register<bool>(TypeIds.Bool, (w, m) => w.WriteBool(m), (ref MessageReader rd) => rd.ReadBool());
        r.Register<double>(TypeIds.Double, (w, m) => w.WriteDouble(m), (ref MessageReader rd) => rd.ReadDouble());
        r.Register(TypeIds.TensorPayload, TensorPayloadHeaderCodec.Instance);
        return r;
    }

    public bool IsFrozen => Volatile.Read(ref _frozen);

    /// <summary>All registered entries (for diagnostics and docs).</summary>
    public IEnumerable<Entry> Entries => _byId.Values.OrderBy(e => e.Id);

    /// <summary>Registers <typeparamref name="T"/> under <paramref name="id"/> with a codec.</summary>
    public SerializationRegistry Register<T>(ushort id, IMessageCodec<T> codec)
    {
        ArgumentNullException.ThrowIfNull(codec);
        if (id == TypeIds.Invalid) throw new ArgumentException("Type id 0 is reserved as invalid; pick an id in your subsystem's range (see TypeIds).", nameof(id));
        lock (_lock)
        {
            if (_byType.TryGetValue(typeof(T), out var existing) && existing.Id == id) return this; // same registration again
            if (_frozen) throw new InvalidOperationException($"Cannot register {typeof(T).Name} (id {id}): the registry is frozen. Register all message types before freezing it.");
            if (_byId.TryGetValue(id, out var taken))
                throw new ArgumentException($"Type id {id} is already taken by {taken.Type.FullName}; cannot also register {typeof(T).FullName}. Pick a free id in your subsystem's range (see TypeIds).", nameof(id));
            if (existing is not null)
                throw new ArgumentException($"{typeof(T).FullName} is already registered with id {existing.Id}; cannot register it again as {id}.", nameof(id));
            var e = new Entry<T>(id, codec);
            var byId = new Dictionary<ushort, Entry>(_byId) { [id] = e };
            var byType = new Dictionary<Type, Entry>(_byType) { [typeof(T)] = e };
            _byId = byId.ToFrozenDictionary();
            _byType = byType.ToFrozenDictionary();
        }
        return this;
    }

    /// <summary>One-line registration: <c>registry.Register&lt;Ping&gt;(10001, (w, m) =&gt; w.WriteInt32(m.N), (ref MessageReader r) =&gt; new Ping(r.ReadInt32()));</c></summary>
    public SerializationRegistry Register<T>(ushort id, Action<MessageWriter, T> write, ReadMessage<T> read) =>
        Register(id, new DelegateCodec<T>(write, read));

    /// <summary>Registers a message with no fields; the wire carries only its id.</summary>
    public SerializationRegistry RegisterSingleton<T>(ushort id, T instance) => Register(id, new SingletonCodec<T>(instance));

    /// <summary>Forbids further registrations (registering an already registered pair stays a no-op).</summary>
    public void Freeze()
    {
        lock (_lock) _frozen = true;
    }

    /// <summary>The entry for a message's runtime type, or null when the type is not allowed on the wire.</summary>
    public Entry? FindByType(Type type) => _byType.GetValueOrDefault(type);

    /// <summary>The entry for a wire id, or null when the id is not on the allow-list.</summary>
    public Entry? FindById(ushort id) => _byId.GetValueOrDefault(id);

    /// <summary>Serializes <paramref name="message"/> (id + payload appended to <paramref name="writer"/>); throws when not registered.</summary>
    public ushort Serialize(MessageWriter writer, object message)
    {
        var e = FindByType(message.GetType()) ?? throw NotRegistered(message.GetType());
        e.WriteObject(writer, message);
        return e.Id;
    }

    /// <summary>Decodes one payload; refuses an unknown id and a payload with bytes left over.</summary>
    public object Deserialize(ushort id, ReadOnlySpan<byte> payload, IActorRefCodec? refCodec = null)
    {
        var e = FindById(id) ?? throw new FrameFormatException($"Type id {id} is not on the serialization allow-list.");
        var reader = new MessageReader(payload, refCodec);
        object m = e.ReadObject(ref reader);
        if (!reader.End) throw new FrameFormatException($"Type id {id} ({e.Type.Name}) left {reader.Remaining} unread bytes in its payload.");
        return m;
    }

    public static InvalidOperationException NotRegistered(Type t) =>
        new($"{t.FullName} is not registered for remoting. Register it with SerializationRegistry.Register<{t.Name}>(id, codec) using an id in your subsystem's range (see TypeIds).");

    /// <summary>One allow-list row.</summary>
    public abstract class Entry(ushort id, Type type)
    {
        public ushort Id { get; } = id;
        public Type Type { get; } = type;
        public abstract void WriteObject(MessageWriter writer, object message);
        public abstract object ReadObject(ref MessageReader reader);
    }

    private sealed class Entry<T>(ushort id, IMessageCodec<T> codec) : Entry(id, typeof(T))
    {
        public override void WriteObject(MessageWriter writer, object message) => codec.Write(writer, (T)message);
        public override object ReadObject(ref MessageReader reader) => codec.Read(ref reader)!;
    }
}
