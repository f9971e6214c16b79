namespace ClusterTrainer.Actors.Remote;

/// <summary>
/// Fault injection between this node and one remote address, switched on by tests and the multi-node
/// TestKit through <see cref="Transport.TcpTransport.SetFault"/>. Applies to both directions as seen
/// from this node (what it sends to the address and what it accepts from it).
/// </summary>
public enum FaultMode
{
    /// <summary>No fault: traffic flows normally.</summary>
    PassThrough = 0,
    /// <summary>Frames to and from the address are silently discarded; connections stay open.</summary>
    Blackhole = 1,
    /// <summary>Outbound bytes to the address are limited to the given bytes per second.</summary>
    Throttle = 2,
    /// <summary>Abrupt disconnect: open connections are reset and new ones refused until set back to PassThrough.</summary>
    Disconnect = 3,
}
