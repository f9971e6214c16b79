using System.Globalization;
using ClusterTrainer.Training.Cluster;
using ClusterTrainer.Training.Control;

namespace ClusterTrainer.Bench.Cluster;

/// <summary>
/// Part 4, node side: one node of the training cluster runtime (<see cref="TrainingNode.StartAsync(NodeOptions, INodeLog?, CancellationToken)"/>,
/// the same call the node host makes) with the given roles, on a free loopback port, one libtorch thread.
/// <c>node cluster-node ROLES SEEDS STORE CHECKPOINT_DIR DATA_DIR</c> (SEEDS "-" = none: it forms the cluster).
/// Prints <c>address ..</c>; then on stdin <c>start SPEC_FILE</c> prints <c>started RUN_ID</c>, and <c>watch</c>
/// prints every run event of the cluster as <c>event TYPE step=.. time_ms=.. message=..</c>. Stdin closing ends the node.
/// </summary>
internal static class ClusterNodeRole
{
    public const string Name = "cluster-node";

    public static int Run(string[] a)
    {
        var options = new NodeOptions
        {
            Port = 0,
            Roles = a[0].Split(','),
            Seeds = a[1] == "-" ? [] : a[1].Split(','),
            Secret = NodeEnvironment.ReadSecret(),
            Store = a[2],
            CheckpointDir = a[3],
            DataDir = a[4],
            Threads = 1,
            HttpPort = -1,
        };
        using var stop = new CancellationTokenSource();
        var node = TrainingNode.StartAsync(options, null, stop.Token).GetAwaiter().GetResult();
        NodeHost.Say($"address {node.Address}");
        while (Console.In.ReadLine() is { } line)
        {
            var parts = line.Split(' ', 2);
            try
            {
                switch (parts[0])
                {
                    case "start":
                        var run = node.Control.StartRunAsync(new StartRunRequest(File.ReadAllText(parts[1]), parts[1]), stop.Token).GetAwaiter().GetResult();
                        NodeHost.Say($"started {run.Id}");
                        break;
                    case "watch":
                        _ = Task.Run(() => RelayEventsAsync(node.Control, stop.Token));
                        break;
                }
            }
            catch (ControlException e)
            {
                NodeHost.Say($"error {e.Message} {string.Join("; ", e.Details ?? [])}");
            }
        }
        stop.Cancel();
        node.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(15));
        return 0;
    }

    private static async Task RelayEventsAsync(IControlPlane control, CancellationToken ct)
    {
        try
        {
            await foreach (var e in control.EventsAsync(ct))
                NodeHost.Say(string.Create(CultureInfo.InvariantCulture,
                    $"event {e.Type} step={e.Step?.ToString(CultureInfo.InvariantCulture) ?? "-"} time_ms={e.Time.ToUnixTimeMilliseconds()} " +
                    $"status={e.Status?.ToString() ?? "-"} message={(e.Message ?? "-").Replace(' ', '_')}"));
        }
        catch (OperationCanceledException) { }
    }
}
