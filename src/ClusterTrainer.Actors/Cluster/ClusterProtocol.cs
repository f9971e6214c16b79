using ClusterTrainer.Actors.Remote;
using System.Collections.Immutable;

namespace ClusterTrainer.Actors.Cluster;

/// <summary>Marker for the messages cluster daemons send each other (cluster type-id range of the registry).</summary>
public interface IClusterProtocolMessage;

/// <summary>Asks a seed whether it is a member and can take a join.</summary>
public sealed record InitJoin(NodeAddress From) : IClusterProtocolMessage;

/// <summary>A seed that is a member answers InitJoin with its address.</summary>
public sealed record InitJoinAck(NodeAddress From) : IClusterProtocolMessage;

public sealed record Join(UniqueAddress Node, ImmutableSortedSet<string> Roles) : IClusterProtocolMessage;

/// <summary>The answer to Join: the gossip that now holds the joiner as Joining.</summary>
public sealed record Welcome(UniqueAddress From, Gossip Gossip) : IClusterProtocolMessage;

public sealed record GossipEnvelope(UniqueAddress From, UniqueAddress To, Gossip Gossip) : IClusterProtocolMessage;

public sealed record Heartbeat(UniqueAddress From, long Sequence) : IClusterProtocolMessage;

public sealed record HeartbeatRsp(UniqueAddress From, long Sequence) : IClusterProtocolMessage;
