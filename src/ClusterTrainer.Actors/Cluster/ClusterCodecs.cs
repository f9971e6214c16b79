using ClusterTrainer.Actors.Serialization;
using ClusterTrainer.Actors.Remote;
using System.Collections.Immutable;

namespace ClusterTrainer.Actors.Cluster;

/// <summary>
/// Binary codecs of the cluster protocol (type ids 200-219 of the cluster range). Counts are checked
/// against the bytes left, statuses against the enum, so a corrupt frame fails with a clear error
/// instead of allocating or producing a nonsense member.
/// </summary>
public static class ClusterCodecs
{
    public const ushort InitJoinId = 200, InitJoinAckId = 201, JoinId = 202, WelcomeId = 203,
        GossipEnvelopeId = 204, HeartbeatId = 205, HeartbeatRspId = 206;

    public static void WriteAddress(MessageWriter w, NodeAddress a)
    {
        w.WriteString(a.System);
        w.WriteString(a.Host);
        w.WriteInt32(a.Port);
    }

    public static NodeAddress ReadAddress(ref MessageReader r)
    {
        var system = r.ReadRequiredString();
        var host = r.ReadRequiredString();
        var port = r.ReadInt32();
        if (port is < 0 or > 65535) throw new FormatException($"cluster message: port {port} is out of range");
        return new NodeAddress(system, host, port);
    }

    public static void WriteUnique(MessageWriter w, UniqueAddress u)
    {
        WriteAddress(w, u.Address);
        w.WriteInt64(u.Uid);
    }

    public static UniqueAddress ReadUnique(ref MessageReader r) => new(ReadAddress(ref r), r.ReadInt64());

    private static void WriteStrings(MessageWriter w, IReadOnlyCollection<string> items)
    {
        w.WriteInt32(items.Count);
        foreach (var s in items) w.WriteString(s);
    }

    private static ImmutableSortedSet<string> ReadStrings(ref MessageReader r)
    {
        var n = r.ReadCount(4);
        var b = ImmutableSortedSet.CreateBuilder<string>(StringComparer.Ordinal);
        for (var i = 0; i < n; i++) b.Add(r.ReadRequiredString());
        return b.ToImmutable();
    }

    private static void WriteUniques(MessageWriter w, IReadOnlyCollection<UniqueAddress> items)
    {
        w.WriteInt32(items.Count);
        foreach (var u in items) WriteUnique(w, u);
    }

    private static ImmutableSortedSet<UniqueAddress> ReadUniques(ref MessageReader r)
    {
        var n = r.ReadCount(20);
        var b = ImmutableSortedSet.CreateBuilder<UniqueAddress>();
        for (var i = 0; i < n; i++) b.Add(ReadUnique(ref r));
        return b.ToImmutable();
    }

    public static void WriteGossip(MessageWriter w, Gossip g)
    {
        w.WriteInt32(g.Members.Count);
        foreach (var m in g.Members.Values)
        {
            WriteUnique(w, m.UniqueAddress);
            w.WriteByte((byte)m.Status);
            WriteStrings(w, m.Roles);
            w.WriteInt32(m.UpNumber);
        }
        WriteUniques(w, g.Seen);
        w.WriteInt32(g.Reachability.Records.Count);
        foreach (var (observer, rec) in g.Reachability.Records)
        {
            WriteUnique(w, observer);
            w.WriteInt64(rec.Version);
            WriteUniques(w, rec.Unreachable);
        }
        WriteUniques(w, g.Tombstones);
        w.WriteInt32(g.Version.Versions.Count);
        foreach (var (node, v) in g.Version.Versions)
        {
            w.WriteString(node);
            w.WriteInt64(v);
        }
    }

    public static Gossip ReadGossip(ref MessageReader r)
    {
        var n = r.ReadCount(29);
        var members = ImmutableSortedDictionary.CreateBuilder<UniqueAddress, Member>();
        for (var i = 0; i < n; i++)
        {
            var node = ReadUnique(ref r);
            var status = r.ReadByte();
            if (status > (byte)MemberStatus.Removed) throw new FormatException($"cluster gossip: member status {status} is not a MemberStatus");
            members[node] = new Member(node, (MemberStatus)status, ReadStrings(ref r), r.ReadInt32());
        }
        var seen = ReadUniques(ref r);
        var observers = r.ReadCount(32);
        var records = ImmutableSortedDictionary.CreateBuilder<UniqueAddress, ObserverRecord>();
        for (var i = 0; i < observers; i++)
        {
            var observer = ReadUnique(ref r);
            records[observer] = new ObserverRecord(r.ReadInt64(), ReadUniques(ref r));
        }
        var tombstones = ReadUniques(ref r);
        var versions = r.ReadCount(12);
        var vb = ImmutableSortedDictionary.CreateBuilder<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < versions; i++) vb[r.ReadRequiredString()] = r.ReadInt64();
        return new Gossip(members.ToImmutable(), seen, new Reachability(records.ToImmutable()), tombstones, new VectorClock(vb.ToImmutable()));
    }

    /// <summary>Adds the cluster protocol to the allow-list (idempotent per registry).</summary>
    public static void Register(SerializationRegistry registry)
    {
        if (registry.FindById(InitJoinId) is not null) return;
        registry.Register<InitJoin>(InitJoinId, Write, ReadInitJoin);
        registry.Register<InitJoinAck>(InitJoinAckId, Write, ReadInitJoinAck);
        registry.Register<Join>(JoinId, Write, ReadJoin);
        registry.Register<Welcome>(WelcomeId, Write, ReadWelcome);
        registry.Register<GossipEnvelope>(GossipEnvelopeId, Write, ReadGossipEnvelope);
        registry.Register<Heartbeat>(HeartbeatId, Write, ReadHeartbeat);
        registry.Register<HeartbeatRsp>(HeartbeatRspId, Write, ReadHeartbeatRsp);
    }

    // ---- one write/read pair per message; the registry wires them to their type ids ----
    public static void Write(MessageWriter w, InitJoin m) => WriteAddress(w, m.From);
    public static InitJoin ReadInitJoin(ref MessageReader r) => new(ReadAddress(ref r));
    public static void Write(MessageWriter w, InitJoinAck m) => WriteAddress(w, m.From);
    public static InitJoinAck ReadInitJoinAck(ref MessageReader r) => new(ReadAddress(ref r));

    public static void Write(MessageWriter w, Join m)
    {
        WriteUnique(w, m.Node);
        WriteStrings(w, m.Roles);
    }

    public static Join ReadJoin(ref MessageReader r) => new(ReadUnique(ref r), ReadStrings(ref r));

    public static void Write(MessageWriter w, Welcome m)
    {
        WriteUnique(w, m.From);
        WriteGossip(w, m.Gossip);
    }

    public static Welcome ReadWelcome(ref MessageReader r) => new(ReadUnique(ref r), ReadGossip(ref r));

    public static void Write(MessageWriter w, GossipEnvelope m)
    {
        WriteUnique(w, m.From);
        WriteUnique(w, m.To);
        WriteGossip(w, m.Gossip);
    }

    public static GossipEnvelope ReadGossipEnvelope(ref MessageReader r) => new(ReadUnique(ref r), ReadUnique(ref r), ReadGossip(ref r));

    public static void Write(MessageWriter w, Heartbeat m)
    {
        WriteUnique(w, m.From);
        w.WriteInt64(m.Sequence);
    }

    public static Heartbeat ReadHeartbeat(ref MessageReader r) => new(ReadUnique(ref r), r.ReadInt64());

    public static void Write(MessageWriter w, HeartbeatRsp m)
    {
        WriteUnique(w, m.From);
        w.WriteInt64(m.Sequence);
    }

    public static HeartbeatRsp ReadHeartbeatRsp(ref MessageReader r) => new(ReadUnique(ref r), r.ReadInt64());
}
