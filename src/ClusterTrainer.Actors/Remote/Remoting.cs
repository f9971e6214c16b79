using ClusterTrainer.Actors.Remote.Transport;
using ClusterTrainer.Actors.Serialization;

namespace ClusterTrainer.Actors.Remote;

/// <summary>
/// Remoting as seen by users and by the cluster: <c>Remoting.Get(system)</c>. Association events
/// (<see cref="AssociatedEvent"/>, <see cref="DisassociatedEvent"/>, <see cref="QuarantinedEvent"/>) and
/// <see cref="HandshakeRefusedEvent"/> are published on the system's EventStream.
/// </summary>
public sealed class Remoting
{
    private readonly RemoteActorRefProvider _provider;

    internal Remoting(RemoteActorRefProvider provider) => _provider = provider;

    /// <summary>The remoting of <paramref name="system"/>; throws when the system was created without it.</summary>
    public static Remoting Get(ActorSystem system) =>
        system.Provider is RemoteActorRefProvider p
            ? p.Remoting
            : throw new InvalidOperationException($"Actor system '{system.Name}' has no remoting; create it with new ActorSystemOptions().WithRemoting(new RemoteSettings {{ Secret = ... }}).");

    /// <summary>This node's address, <c>ct.tcp://system@host:port</c> (the real port when 0 was configured).</summary>
    public Address Address => _provider.Address;
    public NodeAddress NodeAddress => _provider.NodeAddress;
    /// <summary>The allow-list; subsystems register their messages here (ids by range, see <see cref="TypeIds"/>).</summary>
    public SerializationRegistry Registry => _provider.Registry;
    public TransportCounters Counters => _provider.Transport.Counters;
    public TcpTransport Transport => _provider.Transport;
    /// <summary>Completes when the transport has stopped after the system terminated.</summary>
    public Task WhenStopped => _provider.WhenStopped;

    /// <summary>A ref to the actor at <paramref name="path"/> (e.g. <c>ct.tcp://sys@host:port/user/ps-0</c>).</summary>
    public IActorRef ActorFor(string path) => _provider.ResolveActorRef(ActorPath.Parse(path));

    /// <summary>Whether an outbound connection to <paramref name="remote"/> is established now.</summary>
    public bool IsAssociated(Address remote) => _provider.Transport.IsAssociated(ToNode(remote));

    /// <summary>Fault injection between this node and <paramref name="remote"/> (see <see cref="FaultMode"/>).</summary>
    public void SetFault(Address remote, FaultMode mode, long throttleBytesPerSecond = 0) =>
        _provider.Transport.SetFault(ToNode(remote), mode, throttleBytesPerSecond);

    /// <summary>
    /// For the cluster's failure detector / downing: <paramref name="remote"/> is gone for good. It is
    /// quarantined (no more traffic either way) and every local watcher of an actor there gets
    /// Terminated(addressTerminated: true).
    /// </summary>
    public Task DeclareAddressTerminatedAsync(Address remote, string reason) => _provider.DeclareAddressTerminatedAsync(ToNode(remote), reason);

    public static NodeAddress ToNode(Address a) =>
        a.Protocol == Address.TcpProtocol && a.Host is not null && a.Port is int port
            ? new NodeAddress(a.System, a.Host, port)
            : throw new ArgumentException($"{a} is not a remote address; expected {Address.TcpProtocol}://system@host:port.");

    public static Address ToAddress(NodeAddress n) => new(Address.TcpProtocol, n.System, n.Host, n.Port);
}

public static class RemotingOptions
{
    /// <summary>Makes the system networked: TCP remoting with <paramref name="settings"/> (port 0 = ephemeral).</summary>
    public static ActorSystemOptions WithRemoting(this ActorSystemOptions options, RemoteSettings settings, SerializationRegistry? registry = null) =>
        options with { ProviderFactory = system => new RemoteActorRefProvider(system, settings, registry) };
}
