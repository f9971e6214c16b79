using ClusterTrainer.Actors;
using ClusterTrainer.Actors.Remote;

namespace ClusterTrainer.TestKit.MultiNode;

/// <summary>How the harness makes, addresses and faults the actor system of one spec node.</summary>
public static class NodeSystems
{
    /// <summary>Every spec node uses this actor-system name: cluster members share one system name.</summary>
    public const string SystemName = "spec";

    /// <summary>A networked actor system on 127.0.0.1 with an ephemeral port and the given cluster secret.</summary>
    public static ActorSystem Create(string secret, LogLevel logLevel = LogLevel.Warning) =>
        ActorSystem.Create(SystemName, new ActorSystemOptions { LogLevel = logLevel, TerminateOnSigterm = false }
            .WithRemoting(new RemoteSettings { Host = "127.0.0.1", Port = 0, Secret = secret }));

    public static NodeAddress AddressOf(ActorSystem system) => Remoting.Get(system).NodeAddress;

    public static void SetFault(ActorSystem system, NodeAddress remote, FaultMode mode, long bytesPerSecond) =>
        Remoting.Get(system).SetFault(Remoting.ToAddress(remote), mode, bytesPerSecond);
}
