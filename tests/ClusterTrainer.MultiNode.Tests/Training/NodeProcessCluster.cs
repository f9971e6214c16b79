using System.Diagnostics;
using ClusterTrainer.Node.Local;
using ClusterTrainer.Training.Control;

namespace ClusterTrainer.MultiNode.Tests.Training;

/// <summary>
/// A training cluster of real node processes (<c>ClusterTrainer.Node node</c>) on loopback: one SQLite store and
/// checkpoint folder under a temp folder, every node serving the control API. Nodes can be killed with SIGKILL.
/// </summary>
internal sealed class NodeProcessCluster : IAsyncDisposable
{
    private readonly List<(ChildNode Child, ReadyLine Ready, string[] Roles)> _nodes = new();
    private readonly string _secret = Guid.NewGuid().ToString("N");
    private readonly string _token = Guid.NewGuid().ToString("N");
    private readonly int _seedPort = ClusterPlan.FreePort();

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "ct-procs-" + Guid.NewGuid().ToString("N")[..8]);

    public IReadOnlyList<(ChildNode Child, ReadyLine Ready, string[] Roles)> Nodes => _nodes;

    public async Task<ChildNode> StartAsync(params string[] roles)
    {
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, "logs"));
        string name = $"{string.Join("+", roles)}-{_nodes.Count}";
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "ClusterTrainer.Node")) { WorkingDirectory = Directory };
        foreach (var a in new[]
                 {
                     "node", "--host", ClusterPlan.LoopbackHost, "--port", _nodes.Count == 0 ? _seedPort.ToString() : "0",
                     "--seeds", $"ct.tcp://{NodeOptions.SystemName}@{ClusterPlan.LoopbackHost}:{_seedPort}", "--roles", string.Join(",", roles),
                     "--store", "sqlite:" + Path.Combine(Directory, "cluster.db"), "--checkpoint-dir", Path.Combine(Directory, "checkpoints"),
                     "--http-port", "0", "--threads", "1",
                 })
            start.ArgumentList.Add(a);
        ClusterPlan.PrepareEnvironment(start.Environment, _secret, _token);
        var child = ChildNode.Start(name, start, Path.Combine(Directory, "logs", name + ".log"));
        var ready = await child.WaitReadyAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
        _nodes.Add((child, ready, roles));
        return child;
    }

    /// <summary>A control client that tries the live nodes' endpoints in order.</summary>
    public ControlClient Client() =>
        new(() => _nodes.Where(n => !n.Child.Exited.IsCompleted && n.Ready.Http is not null).Select(n => n.Ready.Http!).ToArray(), _token);

    public static async Task<RunInfo> WaitForAsync(ControlClient client, string runId, Func<RunInfo, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        RunInfo? last = null;
        string? error = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                last = (await client.GetRunAsync(runId, attempt.Token)).Run;
                if (condition(last)) return last;
            }
            catch (Exception e) when (e is HttpRequestException or ControlException or OperationCanceledException or LaunchException)
            {
                error = e.Message; // a node that is down or a coordinator that is moving: ask again
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"Run {runId} did not reach the expected state within {timeout}; last seen: {last}; last error: {error}");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (child, _, _) in Enumerable.Reverse(_nodes)) await child.DisposeAsync();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
