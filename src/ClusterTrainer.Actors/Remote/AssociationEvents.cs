namespace ClusterTrainer.Actors.Remote;

/// <summary>Association lifecycle events, published on the system's EventStream by remoting.</summary>
public abstract record AssociationEvent(NodeAddress Remote);

/// <summary>An outbound connection to <paramref name="Remote"/> completed its handshake.</summary>
public sealed record AssociatedEvent(NodeAddress Remote) : AssociationEvent(Remote);

/// <summary>The outbound connection to <paramref name="Remote"/> was lost; remoting will reconnect with backoff.</summary>
public sealed record DisassociatedEvent(NodeAddress Remote, string Reason) : AssociationEvent(Remote);

/// <summary><paramref name="Remote"/> was quarantined (given up for good): watchers of its actors got Terminated.</summary>
public sealed record QuarantinedEvent(NodeAddress Remote, string Reason) : AssociationEvent(Remote);

/// <summary>A connection from or to <paramref name="Peer"/> (an IP endpoint) was refused during the handshake
/// (wrong secret, protocol version, system name...). Not an <see cref="AssociationEvent"/>: the peer never associated.</summary>
public sealed record HandshakeRefusedEvent(string Peer, bool Inbound, string Reason);
