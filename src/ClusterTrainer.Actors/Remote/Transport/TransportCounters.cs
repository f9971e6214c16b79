namespace ClusterTrainer.Actors.Remote.Transport;

/// <summary>Monotonic counters of one transport (read them any time; they only grow).</summary>
public sealed class TransportCounters
{
    internal long framesOut, bytesOut, framesIn, bytesIn;
    internal long handshakesRefused, connectionsDropped, messagesDropped, associations, inboundConnections;

    public long FramesOut => Interlocked.Read(ref framesOut);
    public long BytesOut => Interlocked.Read(ref bytesOut);
    public long FramesIn => Interlocked.Read(ref framesIn);
    public long BytesIn => Interlocked.Read(ref bytesIn);
    /// <summary>Connections refused during the handshake (wrong secret, version, system, garbage).</summary>
    public long HandshakesRefused => Interlocked.Read(ref handshakesRefused);
    /// <summary>Established connections dropped because a frame broke the protocol (size, kind, unknown type id, bad payload).</summary>
    public long ConnectionsDropped => Interlocked.Read(ref connectionsDropped);
    /// <summary>Messages not sent: queue full, blackholed, quarantined, not serializable, transport stopped.</summary>
    public long MessagesDropped => Interlocked.Read(ref messagesDropped);
    /// <summary>Outbound handshakes completed.</summary>
    public long Associations => Interlocked.Read(ref associations);
    /// <summary>Inbound TCP connections accepted (before the handshake).</summary>
    public long InboundConnections => Interlocked.Read(ref inboundConnections);

    public override string ToString() =>
        $"framesOut={FramesOut} bytesOut={BytesOut} framesIn={FramesIn} bytesIn={BytesIn} refused={HandshakesRefused} dropped={ConnectionsDropped} messagesDropped={MessagesDropped}";
}
