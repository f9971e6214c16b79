using ClusterTrainer.Node.Control;
using ClusterTrainer.Node.Settings;
using ClusterTrainer.Training.Cluster;

namespace ClusterTrainer.Node.Hosting;

/// <summary><c>ClusterTrainer.Node node [flags]</c>: one cluster node with its control API until SIGTERM.</summary>
public static class NodeCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        NodeCommandLine cmd;
        try { cmd = NodeSettings.Load(args); }
        catch (SettingsException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            Console.Error.WriteLine("Run 'ClusterTrainer.Node node --help' for every setting, its flag and environment variable.");
            return 2;
        }
        if (cmd.Help)
        {
            Console.Out.Write(NodeCommandLineParser.Usage());
            return 0;
        }

        using var signals = new ShutdownSignals(cmd.ExitWithParent);
        var log = new NodeLog();
        var host = new NodeHost(
            TrainingNode.StartAsync,
            async (options, control, nodeLog, ct) =>
            {
                var server = await ControlServer.StartAsync(options.Host, options.HttpPort, control, nodeLog, options.Token!, ct);
                return (server, server.Url);
            },
            Console.Out,
            NodeHost.DefaultLeaveTimeout);
        return await host.RunAsync(cmd.Options, log, signals.Requested);
    }
}
