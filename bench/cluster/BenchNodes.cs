using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using ClusterTrainer.Node.Local;
using ClusterTrainer.Node.Settings;
using ClusterTrainer.Training.Control;

namespace ClusterTrainer.Bench.Cluster;

/// <summary>
/// Clusters of the real node executable (<c>ClusterTrainer.Node node</c>) for the parts that measure the product
/// path: loopback, one SQLite store and checkpoint folder in a temp folder, one libtorch thread per node, every node
/// serving the control API, the first node the seed.
/// </summary>
internal static class BenchNodes
{
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(2);

    /// <summary>The plan of nodes (name, roles) in a new temp folder; the caller deletes <see cref="ClusterPlan.Dir"/>.</summary>
    public static ClusterPlan Plan(BenchOptions o, string purpose, params (string Name, string Roles)[] nodes)
    {
        string dir = Directory.CreateTempSubdirectory($"ct-bench-cluster-{purpose}-").FullName;
        int seedPort = ClusterPlan.FreePort();
        string seed = $"ct.tcp://{NodeOptions.SystemName}@{ClusterPlan.LoopbackHost}:{seedPort}";
        NodePlan Node(string name, string roles, int port) => new(name, [roles],
        [
            "node", "--host", ClusterPlan.LoopbackHost, "--port", port.ToString(CultureInfo.InvariantCulture), "--seeds", seed,
            "--roles", roles, "--store", "sqlite:" + Path.Combine(dir, "cluster.db"), "--checkpoint-dir", Path.Combine(dir, "checkpoints"),
            "--http-port", "0", "--threads", "1", "--device", "cpu", "--data-dir", o.DataDir, NodeCommandLineParser.ExitWithParentFlag,
        ]);
        return new ClusterPlan(dir, NodeEnvironment.NewSecret(), NodeEnvironment.NewSecret(), seed,
            nodes.Select((n, i) => Node(n.Name, n.Roles, i == 0 ? seedPort : 0)).ToList());
    }

    /// <summary>
    /// Starts the plan's nodes, runs <paramref name="body"/> with them and a token cancelled at the end, then stops the
    /// nodes and deletes the plan's folder. A node that cannot start is reported as an InvalidOperationException.
    /// </summary>
    public static async Task<T> WithClusterAsync<T>(ClusterPlan plan, Func<LocalCluster, CancellationToken, Task<T>> body)
    {
        using var stop = new CancellationTokenSource();
        try
        {
            await using var cluster = await LocalCluster.StartAsync(plan, NodeBinary(), ReadyTimeout, TimeSpan.FromSeconds(10), _ => { }, stop.Token);
            return await body(cluster, stop.Token);
        }
        catch (LaunchException e)
        {
            throw new InvalidOperationException(e.Message, e);
        }
        finally
        {
            stop.Cancel();
            try { Directory.Delete(plan.Dir, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>The control API of node <paramref name="index"/>.</summary>
    public static Uri Http(LocalCluster cluster, int index) =>
        cluster.Nodes[index].Ready.Result.Http ?? throw new InvalidOperationException($"node {cluster.Nodes[index].Name} serves no control API");

    /// <summary>Every run event of <paramref name="subscription"/>, with the Stopwatch time it was received.</summary>
    public static Channel<(RunEvent Event, long ReceivedAt)> Pump(ControlClient.EventSubscription subscription, CancellationToken ct)
    {
        var events = Channel.CreateUnbounded<(RunEvent Event, long ReceivedAt)>();
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in subscription.ReadAllAsync(ct)) await events.Writer.WriteAsync((e, Stopwatch.GetTimestamp()), ct);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException) { }
            finally { events.Writer.TryComplete(); }
        });
        return events;
    }

    /// <summary>The node executable built beside this program (bench/cluster references ClusterTrainer.Node).</summary>
    private static NodeExecutable NodeBinary()
    {
        string apphost = Path.Combine(AppContext.BaseDirectory, "ClusterTrainer.Node");
        string dll = apphost + ".dll";
        if (File.Exists(apphost)) return new NodeExecutable(apphost, []);
        if (File.Exists(dll)) return new NodeExecutable("dotnet", ["exec", dll]);
        throw new InvalidOperationException($"the node executable is missing from {AppContext.BaseDirectory}; rebuild bench/cluster");
    }
}
