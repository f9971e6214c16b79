using System.Globalization;
using System.Runtime.InteropServices;
using ClusterTrainer.Training.Control;
using ClusterTrainer.Training.Runs;

namespace ClusterTrainer.Node.Local;

/// <summary>
/// <c>ClusterTrainer.Node local</c>, the main job: a local cluster of node processes trains a run spec.
/// <code>
///   check options and spec --bad--> exit 2
///        |
///   start nodes --a node exits or is late--> stop nodes, exit 1 (the node's log tail is shown)
///        |
///   submit + follow run --run Failed/Stopped--> stop nodes, exit 1
///        |                \--Ctrl-C/SIGTERM--> stop the run, stop nodes, exit 130 (a second one kills the nodes)
///   print val_accuracy=, test_accuracy=; stop nodes; exit 0
/// </code>
/// </summary>
public static class LocalCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        LauncherOptions options;
        LaunchSpec spec;
        try
        {
            options = LauncherOptions.Parse(args);
            if (options.Help)
            {
                Console.Out.WriteLine(LauncherOptions.Usage);
                return 0;
            }
            spec = LaunchSpec.Load(options);
        }
        catch (Exception e) when (e is ArgumentException or RunSpecException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }

        string dir = Path.GetFullPath(options.Dir ?? Path.Combine(Path.GetTempPath(),
            $"clustertrainer-local-{DateTime.Now:yyyyMMdd-HHmmss}-{Environment.ProcessId}"));
        Directory.CreateDirectory(dir);
        var plan = ClusterPlan.Create(options, dir, ClusterPlan.FreePort());
        Status($"local cluster: 1 coordinator, {options.ParameterServers} ps, {options.Workers} worker{(options.Workers == 1 ? "" : "s")} on {ClusterPlan.LoopbackHost}; " +
               $"store, checkpoints and logs in {dir}");

        using var interrupted = new CancellationTokenSource();
        LocalCluster? cluster = null;
        int signals = 0;
        void OnSignal(PosixSignalContext c)
        {
            c.Cancel = true;
            if (Interlocked.Increment(ref signals) == 1)
            {
                Status($"{c.Signal}: stopping the run and the nodes (again to kill them at once)");
                interrupted.Cancel();
                return;
            }
            Status("killing every node now");
            if (cluster is not null) cluster.KillAll();
            else Environment.Exit(130); // still starting: the nodes see their stdin close and leave by themselves
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

        RunInfo? run = null;
        try
        {
            cluster = await LocalCluster.StartAsync(plan, NodeExecutable.Current(), options.ReadyTimeout, options.StopGrace,
                n => Status($"node {n.Name} exited with code {n.ExitCode}; its log: {n.LogPath}"), interrupted.Token);
            string tokenFile = WriteToken(plan);
            Status($"{cluster.Nodes.Count} nodes ready; control API {cluster.ControlUrls[0]} (bearer token in {tokenFile})");

            // If every node process is gone nobody will ever end the run: stop following.
            using var follow = CancellationTokenSource.CreateLinkedTokenSource(interrupted.Token);
            _ = cluster.AllExited.ContinueWith(_ => { try { follow.Cancel(); } catch (ObjectDisposedException) { } }, TaskScheduler.Default);
            using var client = new ControlClient(() => cluster.ControlUrls, plan.Token);
            RunDetail detail;
            try
            {
                detail = await RunDisplay.RunAsync(display => RunFollower.RunAsync(client, spec, display, r => run = r, follow.Token));
            }
            catch (OperationCanceledException) when (interrupted.IsCancellationRequested)
            {
                if (run is not null) await TryStopRun(client, run.Id);
                Status("interrupted");
                return 130;
            }
            catch (OperationCanceledException) when (follow.IsCancellationRequested)
            {
                throw new LaunchException($"every node process exited before the run ended; see the logs in {plan.LogDir}");
            }
            return Report(detail);
        }
        catch (LaunchException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
        catch (OperationCanceledException) when (interrupted.IsCancellationRequested)
        {
            Status("interrupted while starting the nodes");
            return 130;
        }
        finally
        {
            if (cluster is not null)
            {
                Status("stopping the nodes");
                await cluster.DisposeAsync();
            }
        }
    }

    /// <summary>The closing lines: val_accuracy= and test_accuracy= of a completed run; 1 for any other outcome.</summary>
    private static int Report(RunDetail detail)
    {
        var run = detail.Run;
        if (run.Status != RunStatus.Completed)
        {
            Console.Error.WriteLine($"error: run {run.Id} ended {run.Status}{(run.Reason is null ? "" : ": " + run.Reason)}");
            return 1;
        }
        double? val = run.ValidationAccuracy ?? (detail.Epochs.Count > 0 ? detail.Epochs.Max(e => e.ValidationAccuracy) : null);
        if (run.TestAccuracy is not { } test)
        {
            Console.Error.WriteLine($"error: run {run.Id} completed but reports no test accuracy");
            return 1;
        }
        if (val is { } v) Console.Out.WriteLine($"val_accuracy={v.ToString("0.0000", CultureInfo.InvariantCulture)}");
        Console.Out.WriteLine($"test_accuracy={test.ToString("0.0000", CultureInfo.InvariantCulture)}");
        return 0;
    }

    private static async Task TryStopRun(ControlClient client, string runId)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await client.StopRunAsync(runId, timeout.Token);
            Status($"run {runId} stopped");
        }
        catch (Exception e) when (e is LaunchException or HttpRequestException or OperationCanceledException)
        {
            Status($"could not stop run {runId}: {e.Message}");
        }
    }

    /// <summary>The API token, readable only by this user, so <c>ctr --token "$(cat DIR/control-token)"</c> works while the job runs.</summary>
    private static string WriteToken(ClusterPlan plan)
    {
        string path = Path.Combine(plan.Dir, "control-token");
        File.WriteAllText(path, "");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(path, plan.Token + "\n");
        return path;
    }

    private static void Status(string message) => Console.Error.WriteLine($"[local] {message}");
}
