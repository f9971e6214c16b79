using ClusterTrainer.Actors;
using ClusterTrainer.Actors.Remote;

namespace ClusterTrainer.Bench.Cluster;

/// <summary>
/// The node side of the line protocol: an actor system with remoting on a free loopback port, announced as
/// <c>address ct.tcp://...</c> on stdout; orders arrive as stdin lines; stdin closing means shut down.
/// </summary>
internal sealed class NodeHost : IDisposable
{
    public const string SystemName = "clustertrainer";

    private NodeHost(ActorSystem system) => System = system;

    public ActorSystem System { get; }

    public Address Address => Remoting.Get(System).Address;

    public static NodeHost Start()
    {
        var system = ActorSystem.Create(SystemName, new ActorSystemOptions { TerminateOnSigterm = false, LogLevel = LogLevel.Warning }
            .WithRemoting(new RemoteSettings { Host = "127.0.0.1", Port = 0, Secret = NodeEnvironment.ReadSecret() }));
        var host = new NodeHost(system);
        Say($"address {host.Address}");
        return host;
    }

    /// <summary>One line to the parent (stdout is the protocol; diagnostics go to stderr).</summary>
    public static void Say(string line)
    {
        Console.Out.WriteLine(line);
        Console.Out.Flush();
    }

    /// <summary>The next stdin line starting with <paramref name="verb"/>; the rest of it split on spaces.</summary>
    public static string[] Expect(string verb)
    {
        while (Console.In.ReadLine() is { } line)
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length > 0 && parts[0] == verb) return parts[1..];
        }
        throw new InvalidOperationException($"stdin closed while waiting for '{verb}'");
    }

    /// <summary>Blocks until the parent closes stdin.</summary>
    public static void WaitForStdinClose()
    {
        while (Console.In.ReadLine() is not null) { }
    }

    public void Dispose() => System.Terminate().Wait(TimeSpan.FromSeconds(10));
}
