using ClusterTrainer.Actors.Serialization;

namespace ClusterTrainer.Actors.Remote.Transport;

public enum TransportLogLevel { Debug, Info, Warning, Error }

/// <summary>
/// What the transport calls back into (the remote actor-ref provider, or a test). Callbacks run on
/// transport threads and must be quick and never throw; <see cref="OnMessage"/> is called in frame order
/// per inbound connection.
/// </summary>
public interface ITransportHandler
{
    /// <summary>A decoded message from <paramref name="from"/> for the local actor at <paramref name="recipient"/>.</summary>
    void OnMessage(NodeAddress from, string recipient, string? sender, object message);
    void OnAssociationEvent(AssociationEvent e);
    void OnHandshakeRefused(HandshakeRefusedEvent e);
    /// <summary>A message that will not be sent (queue full, blackholed, quarantined, unserializable, stopped).</summary>
    void OnUndelivered(NodeAddress to, string recipient, string? sender, object message, string reason);
    void Log(TransportLogLevel level, string message);
    /// <summary>How actor refs inside messages are written and read; null when messages carry none.</summary>
    IActorRefCodec? RefCodec { get; }
}
