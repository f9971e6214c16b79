using ClusterTrainer.Actors;
using ClusterTrainer.Actors.Cluster;
using ClusterTrainer.Actors.Remote;

namespace ClusterTrainer.TestKit.MultiNode;

/// <summary>
/// The program a <see cref="NodeProcess"/> runs: one cluster node that prints what happens and obeys
/// commands on stdin. Call it from your test assembly's Main:
/// <c>if (args is ["node-host", ..]) return await NodeHost.RunAsync(args[1..]);</c>
/// <code>
///   args:    --secret S  [--seed ct.tcp://spec@127.0.0.1:port]...  [--role R]...  [--defaults]
///   prints:  READY &lt;address&gt;  |  EVENT &lt;EventType&gt; &lt;member address&gt;  |  TERMINATED
///   stdin:   leave  |  exit
/// </code>
/// It also runs an actor at /user/target (echoes what it gets) for remote watch tests. With
/// <c>--defaults</c> the node uses the product's default cluster settings instead of the fast test ones.
/// </summary>
public static class NodeHost
{
    public const string Command = "node-host";

    private sealed class Echo : ReceiveActor
    {
        public Echo() => ReceiveAny(m => Sender.Tell(m, Self));
    }

    private sealed class Printer : ReceiveActor
    {
        public Printer()
        {
            Receive<IMemberEvent>(e => Print($"EVENT {e.GetType().Name} {e.Member.Address}"));
            Receive<IReachabilityEvent>(e => Print($"EVENT {e.GetType().Name} {e.Member.Address}"));
            Receive<LeaderChanged>(e => Print($"EVENT LeaderChanged {e.Leader}"));
        }
    }

    private static readonly object PrintLock = new();

    private static void Print(string line)
    {
        lock (PrintLock)
        {
            Console.Out.WriteLine(line);
            Console.Out.Flush();
        }
    }

    public static async Task<int> RunAsync(string[] args)
    {
        string? secret = null;
        var seeds = new List<NodeAddress>();
        var roles = new List<string>();
        var defaults = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--secret" when i + 1 < args.Length: secret = args[++i]; break;
                case "--seed" when i + 1 < args.Length: seeds.Add(NodeAddress.Parse(args[++i])); break;
                case "--role" when i + 1 < args.Length: roles.Add(args[++i]); break;
                case "--defaults": defaults = true; break;
                default:
                    Console.Error.WriteLine($"node-host: unknown or incomplete argument '{args[i]}'. Usage: node-host --secret S [--seed ADDRESS]... [--role R]... [--defaults]");
                    return 2;
            }
        }
        if (secret is null)
        {
            Console.Error.WriteLine("node-host: --secret is required (the cluster secret every node shares).");
            return 2;
        }
        var system = NodeSystems.Create(secret);
        var settings = (defaults ? new ClusterSettings() : ClusterSettings.ForTests()) with { SeedNodes = seeds, Roles = roles };
        var cluster = Cluster.Get(system, settings);
        system.ActorOf(Props.Create<Echo>(), "target");
        cluster.Subscribe(system.ActorOf(Props.Create<Printer>(), "printer"), InitialStateMode.InitialStateAsEvents,
            typeof(IMemberEvent), typeof(IReachabilityEvent), typeof(LeaderChanged));
        if (seeds.Count > 0) cluster.JoinSeedNodes();
        Print($"READY {cluster.SelfAddress}");

        _ = Task.Run(async () =>
        {
            while (await Console.In.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                switch (line.Trim())
                {
                    case "leave": cluster.Leave(cluster.SelfAddress); break;
                    case "exit": _ = system.Terminate(); return;
                }
            }
        });
        await system.WhenTerminated.ConfigureAwait(false);
        Print("TERMINATED");
        return 0;
    }
}
