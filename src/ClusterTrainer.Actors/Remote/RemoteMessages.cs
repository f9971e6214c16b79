using ClusterTrainer.Actors.Serialization;

namespace ClusterTrainer.Actors.Remote;

/// <summary>Remote death watch on the wire: <paramref name="Watcher"/> (a path on the sending node) watches the recipient.</summary>
internal sealed record RemoteWatch(string Watchee, string Watcher);

/// <summary>Cancels a <see cref="RemoteWatch"/>.</summary>
internal sealed record RemoteUnwatch(string Watchee, string Watcher);

/// <summary>The actor at <paramref name="Actor"/> (a path on the sending node) stopped; delivered to the watcher it is addressed to.</summary>
internal sealed record RemoteDeathWatchNotification(string Actor, bool ExistenceConfirmed, bool AddressTerminated);

/// <summary>An exception that happened on another node, carried back as its type name and message (never re-instantiated from a type name).</summary>
public sealed class RemoteException(string remoteType, string remoteMessage)
    : Exception($"{remoteType} on a remote node: {remoteMessage}")
{
    public string RemoteType { get; } = remoteType;
    public string RemoteMessage { get; } = remoteMessage;
}

/// <summary>Codecs of the core and remote messages that cross the wire (ids from <see cref="TypeIds"/>).</summary>
public static class RemoteMessageCodecs
{
    public const ushort StatusSuccess = 20, StatusFailure = 21, Identify = 22, ActorIdentity = 23, PoisonPill = 24, Kill = 25;
    public const ushort RemoteWatch = 101, RemoteUnwatch = 102, RemoteDeathWatchNotification = 103;

    /// <summary>Registers the core actor messages and remoting's own messages.</summary>
    public static void Register(SerializationRegistry r)
    {
        r.Register<Status.Success>(StatusSuccess, (w, m) => WriteNested(r, w, m.Status), (ref MessageReader rd) => new Status.Success(ReadNested(r, ref rd)));
        r.Register<Status.Failure>(StatusFailure,
            (w, m) => { w.WriteString(m.Cause is RemoteException re ? re.RemoteType : m.Cause.GetType().FullName); w.WriteString(m.Cause is RemoteException re2 ? re2.RemoteMessage : m.Cause.Message); WriteNested(r, w, m.State); },
            (ref MessageReader rd) => new Status.Failure(new RemoteException(rd.ReadRequiredString(), rd.ReadRequiredString()), ReadNested(r, ref rd)));
        r.Register<Identify>(Identify, (w, m) => WriteNested(r, w, m.MessageId), (ref MessageReader rd) => new Identify(ReadNested(r, ref rd)));
        r.Register<ActorIdentity>(ActorIdentity,
            (w, m) => { WriteNested(r, w, m.MessageId); w.WriteActorRef(m.Subject); },
            (ref MessageReader rd) => new ActorIdentity(ReadNested(r, ref rd), (IActorRef?)rd.ReadActorRef()));
        r.RegisterSingleton(PoisonPill, Actors.PoisonPill.Instance);
        r.RegisterSingleton(Kill, Actors.Kill.Instance);
        r.Register<RemoteWatch>(RemoteWatch, (w, m) => { w.WriteString(m.Watchee); w.WriteString(m.Watcher); },
            (ref MessageReader rd) => new RemoteWatch(rd.ReadRequiredString(), rd.ReadRequiredString()));
        r.Register<RemoteUnwatch>(RemoteUnwatch, (w, m) => { w.WriteString(m.Watchee); w.WriteString(m.Watcher); },
            (ref MessageReader rd) => new RemoteUnwatch(rd.ReadRequiredString(), rd.ReadRequiredString()));
        r.Register<RemoteDeathWatchNotification>(RemoteDeathWatchNotification,
            (w, m) => { w.WriteString(m.Actor); w.WriteBool(m.ExistenceConfirmed); w.WriteBool(m.AddressTerminated); },
            (ref MessageReader rd) => new RemoteDeathWatchNotification(rd.ReadRequiredString(), rd.ReadBool(), rd.ReadBool()));
    }

    /// <summary>Writes an optional nested message: its type id (0 = null) and a length-prefixed payload.</summary>
    public static void WriteNested(SerializationRegistry r, MessageWriter w, object? message)
    {
        if (message is null) { w.WriteUInt16(TypeIds.Invalid); return; }
        int idAt = w.Reserve(2);
        int lenAt = w.Reserve(4);
        int start = w.Position;
        ushort id = r.Serialize(w, message);
        w.PatchUInt16(idAt, id);
        w.PatchInt32(lenAt, w.Position - start);
    }

    public static object? ReadNested(SerializationRegistry r, ref MessageReader rd)
    {
        ushort id = rd.ReadUInt16();
        if (id == TypeIds.Invalid) return null;
        int len = rd.ReadInt32();
        return r.Deserialize(id, rd.ReadRaw(len), rd.RefCodec);
    }
}
