using System.Collections.Immutable;
using ClusterTrainer.Actors.Remote;
using ClusterTrainer.Actors.Serialization;

namespace ClusterTrainer.Actors.Sharding;

/// <summary>Wire ids 410-429 (sharding range) for the messages between shard regions and the coordinator.</summary>
public static class ShardingCodecs
{
    public const ushort RegisterId = 410, RegisterProxyId = 411, RegisterAckId = 412, GetShardHomeId = 413, ShardHomeId = 414,
        BeginHandOffId = 415, BeginHandOffAckId = 416, HandOffId = 417, ShardStoppedId = 418, GracefulShutdownReqId = 419,
        GracefulShutdownAckId = 420, GetRegionsId = 421, RegionsListId = 422, GetShardRegionStatsId = 423, ShardRegionStatsId = 424,
        ShardingEnvelopeId = 425;

    private static IActorRef Ref(ref MessageReader r) =>
        r.ReadActorRef() as IActorRef ?? throw new FormatException("sharding message: a required actor ref is missing");

    public static void Register(SerializationRegistry registry)
    {
        if (registry.FindById(RegisterId) is not null) return;
        registry.Register<Register>(RegisterId, (w, m) => { w.WriteActorRef(m.Region); w.WriteStringArray(m.HostedShards); },
            (ref MessageReader r) => new Register(Ref(ref r), [.. r.ReadStringArray()]));
        registry.Register<RegisterProxy>(RegisterProxyId, (w, m) => w.WriteActorRef(m.Proxy), (ref MessageReader r) => new RegisterProxy(Ref(ref r)));
        registry.Register<RegisterAck>(RegisterAckId, (w, m) => w.WriteActorRef(m.Coordinator), (ref MessageReader r) => new RegisterAck(Ref(ref r)));
        registry.Register<GetShardHome>(GetShardHomeId, (w, m) => w.WriteString(m.Shard), (ref MessageReader r) => new GetShardHome(r.ReadRequiredString()));
        registry.Register<ShardHome>(ShardHomeId, (w, m) => { w.WriteString(m.Shard); w.WriteActorRef(m.Region); },
            (ref MessageReader r) => new ShardHome(r.ReadRequiredString(), Ref(ref r)));
        registry.Register<BeginHandOff>(BeginHandOffId, (w, m) => w.WriteString(m.Shard), (ref MessageReader r) => new BeginHandOff(r.ReadRequiredString()));
        registry.Register<BeginHandOffAck>(BeginHandOffAckId, (w, m) => w.WriteString(m.Shard), (ref MessageReader r) => new BeginHandOffAck(r.ReadRequiredString()));
        registry.Register<HandOff>(HandOffId, (w, m) => w.WriteString(m.Shard), (ref MessageReader r) => new HandOff(r.ReadRequiredString()));
        registry.Register<ShardStopped>(ShardStoppedId, (w, m) => w.WriteString(m.Shard), (ref MessageReader r) => new ShardStopped(r.ReadRequiredString()));
        registry.Register<GracefulShutdownReq>(GracefulShutdownReqId, (w, m) => w.WriteActorRef(m.Region), (ref MessageReader r) => new GracefulShutdownReq(Ref(ref r)));
        registry.Register<GracefulShutdownAck>(GracefulShutdownAckId, (w, m) => w.WriteActorRef(m.Region), (ref MessageReader r) => new GracefulShutdownAck(Ref(ref r)));
        // The payload is any registered message, written with its own type id.
        registry.Register<ShardingEnvelope>(ShardingEnvelopeId,
            (w, m) => { w.WriteString(m.EntityId); RemoteMessageCodecs.WriteNested(registry, w, m.Message); },
            (ref MessageReader r) => new ShardingEnvelope(r.ReadRequiredString(),
                RemoteMessageCodecs.ReadNested(registry, ref r) ?? throw new FormatException("sharding envelope without a message")));
        registry.RegisterSingleton(GetRegionsId, GetRegions.Instance);
        registry.Register<RegionsList>(RegionsListId, (w, m) =>
        {
            w.WriteInt32(m.Regions.Length);
            foreach (var x in m.Regions) w.WriteActorRef(x);
        }, (ref MessageReader r) =>
        {
            var n = r.ReadCount(1);
            var b = ImmutableArray.CreateBuilder<IActorRef>(n);
            for (var i = 0; i < n; i++) b.Add(Ref(ref r));
            return new RegionsList(b.MoveToImmutable());
        });
        registry.RegisterSingleton(GetShardRegionStatsId, GetShardRegionStats.Instance);
        registry.Register<ShardRegionStats>(ShardRegionStatsId, (w, m) =>
        {
            w.WriteInt32(m.Stats.Count);
            foreach (var (k, v) in m.Stats) { w.WriteString(k); w.WriteInt32(v); }
        }, (ref MessageReader r) =>
        {
            var n = r.ReadCount(8);
            var b = ImmutableSortedDictionary.CreateBuilder<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < n; i++) b[r.ReadRequiredString()] = r.ReadInt32();
            return new ShardRegionStats(b.ToImmutable());
        });
    }
}
