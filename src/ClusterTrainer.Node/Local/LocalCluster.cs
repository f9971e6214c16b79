namespace ClusterTrainer.Node.Local;

/// <summary>
/// The node processes of a <see cref="ClusterPlan"/>: starts them all, waits for every ready line, and stops them
/// in reverse order of importance (workers, then ps nodes, then the coordinator) on the way out, whatever happened.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    private readonly List<ChildNode> _nodes = [];
    private readonly ClusterPlan _plan;
    private readonly TimeSpan _grace;
    private int _stopping;

    private LocalCluster(ClusterPlan plan, TimeSpan grace)
    {
        _plan = plan;
        _grace = grace;
    }

    public IReadOnlyList<ChildNode> Nodes => _nodes;

    /// <summary>Completes when every node process has exited.</summary>
    public Task AllExited => Task.WhenAll(_nodes.Select(n => n.Exited));

    /// <summary>Control API URLs of the nodes that are ready and still running, coordinator first.</summary>
    public IReadOnlyList<Uri> ControlUrls =>
        _nodes.Where(n => n.ExitCode is null && n.Ready.IsCompletedSuccessfully && n.Ready.Result.Http is not null)
              .Select(n => n.Ready.Result.Http!).ToList();

    /// <summary>
    /// Starts every node of <paramref name="plan"/> and waits until all are ready. <paramref name="onExit"/> hears of
    /// a node that exits before <see cref="StopAsync"/>. On failure the nodes already started are stopped again.
    /// </summary>
    public static async Task<LocalCluster> StartAsync(ClusterPlan plan, NodeExecutable exe, TimeSpan readyTimeout, TimeSpan grace,
                                                      Action<ChildNode> onExit, CancellationToken ct)
    {
        Directory.CreateDirectory(plan.LogDir);
        Directory.CreateDirectory(plan.CheckpointDir);
        var cluster = new LocalCluster(plan, grace);
        try
        {
            foreach (var node in plan.Nodes)
            {
                var child = ChildNode.Start(node.Name, plan.StartInfo(exe, node), Path.Combine(plan.LogDir, node.Name + ".log"));
                cluster._nodes.Add(child);
                _ = child.Exited.ContinueWith(_ => { if (Volatile.Read(ref cluster._stopping) == 0) onExit(child); }, TaskScheduler.Default);
            }
            await Task.WhenAll(cluster._nodes.Select(n => n.WaitReadyAsync(readyTimeout, ct)));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>SIGTERM to workers, then ps nodes, then the coordinator; each group gets the grace period before SIGKILL.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopping, 1) == 1) return;
        string[] order = ["worker", "ps", "coordinator"];
        foreach (string role in order)
        {
            var group = _nodes.Where((n, i) => _plan.Nodes[i].Roles.Contains(role)).ToList();
            await Task.WhenAll(group.Select(n => n.StopAsync(_grace)));
        }
    }

    /// <summary>Kills every node at once (a second Ctrl-C).</summary>
    public void KillAll()
    {
        Interlocked.Exchange(ref _stopping, 1);
        foreach (var n in _nodes) n.Kill();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        foreach (var n in _nodes) await n.DisposeAsync();
    }
}
