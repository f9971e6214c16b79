using ClusterTrainer.Actors;
using LogLevel = ClusterTrainer.Actors.LogLevel;
using ClusterTrainer.Training.Control;

namespace ClusterTrainer.Node.Hosting;

/// <summary>Starts the node runtime (in the product: <c>TrainingNode.StartAsync</c>).</summary>
public delegate Task<ITrainingNode> NodeStarter(NodeOptions options, INodeLog log, CancellationToken ct);

/// <summary>Starts the HTTP control API for a started node (in the product: <c>ControlServer.StartAsync</c>).</summary>
public delegate Task<(IAsyncDisposable Server, Uri Url)> ControlStarter(NodeOptions options, IControlPlane control, INodeLog log, CancellationToken ct);

/// <summary>
/// The life of one node process, from start to exit code:
/// <code>
///   Starting --started--> Running --stop requested (SIGTERM, SIGINT, stdin EOF)--> Leaving --left--> exit 0
///      |                     |                                                     |
///      | stop requested: 0   | actor system terminated by itself                   | leave failed or
///      | bad options:    2   | (left via the API, or downed): exit 0               | timed out: exit 1
///      | start failed:   1   v
///      v                   exit 0
///   (a second signal exits at once: see ShutdownSignals)
/// </code>
/// On Running it prints exactly one line on stdout: <c>ready address=&lt;ct.tcp://...&gt; http=&lt;url or -&gt;</c>.
/// Everything else goes to the node log, which echoes to stderr.
/// </summary>
public sealed class NodeHost(NodeStarter startNode, ControlStarter startControl, TextWriter stdout, TimeSpan leaveTimeout)
{
    public static readonly TimeSpan DefaultLeaveTimeout = TimeSpan.FromSeconds(60);

    public async Task<int> RunAsync(NodeOptions options, INodeLog log, Task<string> stopRequested)
    {
        using var startAborted = new CancellationTokenSource();
        _ = stopRequested.ContinueWith(_ => { try { startAborted.Cancel(); } catch (ObjectDisposedException) { } }, TaskScheduler.Default);

        Info(log, $"starting: roles {string.Join(",", options.Roles)}, remoting {options.Host}:{options.Port}, " +
                  $"seeds {(options.Seeds.Count == 0 ? "(none)" : string.Join(",", options.Seeds))}, store {StoreKind(options.Store)}");
        ITrainingNode node;
        try { node = await startNode(options, log, startAborted.Token); }
        catch (OperationCanceledException) when (stopRequested.IsCompleted)
        {
            Info(log, $"{stopRequested.Result} before the node was ready; exiting");
            return 0;
        }
        catch (ArgumentException e)
        {
            Error(log, $"the node settings were refused: {e.Message}");
            return 2;
        }
        catch (Exception e)
        {
            Error(log, $"the node could not start: {e.GetType().Name}: {e.Message}");
            return 1;
        }

        await using (node)
        {
            IAsyncDisposable? server = null;
            try
            {
                string http = "-";
                if (options.HttpPort >= 0)
                {
                    try
                    {
                        (server, var url) = await startControl(options, node.Control, log, startAborted.Token);
                        http = url.ToString().TrimEnd('/');
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        Error(log, $"the control API could not start on {options.Host}:{options.HttpPort}: {e.Message}. " +
                                   "Choose another --http-port (0 = any free port) or turn it off with --http-port -1.");
                        return 1;
                    }
                }
                stdout.WriteLine($"ready address={node.Address} http={http}");
                stdout.Flush();
                Info(log, $"ready: {node.Address}, control API {http}");

                if (await Task.WhenAny(stopRequested, node.WhenTerminated) == node.WhenTerminated)
                {
                    Info(log, "the actor system terminated (the node left or was downed); exiting");
                    return 0;
                }
                return await LeaveAsync(node, log, stopRequested.Result);
            }
            catch (OperationCanceledException) when (stopRequested.IsCompleted)
            {
                Info(log, $"{stopRequested.Result} while starting the control API; exiting");
                return 0;
            }
            finally
            {
                if (server is not null) await server.DisposeAsync();
            }
        }
    }

    private async Task<int> LeaveAsync(ITrainingNode node, INodeLog log, string reason)
    {
        Info(log, $"{reason}: leaving the cluster (handing over the singleton and shards)");
        using var timeout = new CancellationTokenSource(leaveTimeout);
        try
        {
            await node.LeaveAsync(timeout.Token).WaitAsync(timeout.Token);
            Info(log, "left the cluster");
            return 0;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            Error(log, $"the node did not leave the cluster within {leaveTimeout.TotalSeconds:0} s; exiting without a clean hand-over");
            return 1;
        }
        catch (Exception e)
        {
            Error(log, $"leaving the cluster failed: {e.GetType().Name}: {e.Message}");
            return 1;
        }
    }

    private static string StoreKind(string store) => store.StartsWith("postgres:", StringComparison.Ordinal) ? "postgres" : store;

    private static void Info(INodeLog log, string message) => log.Write(new LogEvent(LogLevel.Info, DateTimeOffset.UtcNow, "node", message, null));

    private static void Error(INodeLog log, string message) => log.Write(new LogEvent(LogLevel.Error, DateTimeOffset.UtcNow, "node", message, null));
}
