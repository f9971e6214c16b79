using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using ClusterTrainer.Training.Control;

namespace ClusterTrainer.Node.Tests.Control;

/// <summary>
/// An in-memory control plane: runs keyed by id with the real lifecycle checks (pause only Running, resume only
/// Paused, stop only Running/Paused), checkpoints per run, members, shards, a scripted event stream, and switches
/// that make calls fail. Records every call it receives.
/// </summary>
internal sealed class FakeControlPlane : IControlPlane
{
    public static readonly DateTimeOffset T0 = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private readonly ConcurrentDictionary<string, RunInfo> _runs = new();
    private int _nextRun;

    public ConcurrentQueue<string> Calls { get; } = new();
    /// <summary>Thrown by every call (not EventsAsync/Metrics) when set.</summary>
    public Exception? Failure { get; set; }
    public List<RunEvent> Events { get; } = [];
    /// <summary>Thrown by the event stream after <see cref="Events"/> when set; otherwise it waits for cancellation.</summary>
    public Exception? EventsFailure { get; set; }
    public TaskCompletionSource EventsCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public List<MetricSample> MetricSamples { get; } = [];
    public byte[] ExportBytes { get; set; } = [];
    public bool ExportFailsHalfway { get; set; }
    public List<CheckpointInfo> CheckpointList { get; } = [];
    public List<MemberInfo> MemberList { get; } = [];
    public List<ShardInfo> ShardList { get; } = [];

    public RunInfo AddRun(RunStatus status, string name = "fashion-cnn")
    {
        var id = $"run-{Interlocked.Increment(ref _nextRun)}";
        var run = new RunInfo(id, name, status, 1, 5, 120, 4690, 3, 0.42, 0.87, null, null, T0, T0.AddMinutes(1));
        _runs[id] = run;
        return run;
    }

    public Task<RunInfo> StartRunAsync(StartRunRequest request, CancellationToken ct)
    {
        Record($"start {request.Source}");
        if (request.Spec.Contains("epochs: -1", StringComparison.Ordinal))
            throw new ControlException(ControlFailure.BadRequest, "run spec has 1 error", ["epochs: must be at least 1, got -1"]);
        return Task.FromResult(AddRun(RunStatus.Pending, request.Source ?? "run"));
    }

    public Task<IReadOnlyList<RunInfo>> ListRunsAsync(CancellationToken ct)
    {
        Record("list");
        return Task.FromResult<IReadOnlyList<RunInfo>>(_runs.Values.OrderBy(r => r.Id, StringComparer.Ordinal).ToList());
    }

    public Task<RunDetail> GetRunAsync(string runId, CancellationToken ct)
    {
        var run = Find(runId, "get");
        return Task.FromResult(new RunDetail(run, "model: cnn\nepochs: 5\n", [new EpochMetrics(0, 0.61, 0.45, 0.84, 0.01, 1234.5)], ["node-a", "node-b"], 100));
    }

    public Task<RunInfo> PauseAsync(string runId, CancellationToken ct) => Move(runId, "pause", RunStatus.Paused, RunStatus.Running);
    public Task<RunInfo> ResumeAsync(string runId, CancellationToken ct) => Move(runId, "resume", RunStatus.Running, RunStatus.Paused);
    public Task<RunInfo> StopAsync(string runId, CancellationToken ct) => Move(runId, "stop", RunStatus.Stopped, RunStatus.Running, RunStatus.Paused);

    public Task<IReadOnlyList<CheckpointInfo>> CheckpointsAsync(string runId, CancellationToken ct)
    {
        Find(runId, "checkpoints");
        return Task.FromResult<IReadOnlyList<CheckpointInfo>>(CheckpointList.Where(c => c.RunId == runId).ToList());
    }

    public Task<RunInfo> RestoreAsync(string runId, long step, CancellationToken ct)
    {
        var run = Find(runId, $"restore {step}");
        Checkpoint(runId, step);
        return Task.FromResult(_runs[runId] = run with { Step = step, Status = RunStatus.Running });
    }

    public async Task ExportAsync(string runId, long step, Stream destination, CancellationToken ct)
    {
        Find(runId, $"export {step}");
        Checkpoint(runId, step);
        if (!ExportFailsHalfway)
        {
            await destination.WriteAsync(ExportBytes, ct);
            return;
        }
        await destination.WriteAsync(ExportBytes.AsMemory(0, ExportBytes.Length / 2), ct);
        await destination.FlushAsync(ct);
        throw new IOException("checkpoint part 2 vanished while exporting");
    }

    public Task<IReadOnlyList<MemberInfo>> MembersAsync(CancellationToken ct)
    {
        Record("members");
        return Task.FromResult<IReadOnlyList<MemberInfo>>(MemberList);
    }

    public Task JoinAsync(string address, CancellationToken ct) { Record($"join {address}"); return Task.CompletedTask; }
    public Task LeaveAsync(string? address, CancellationToken ct) { Record($"leave {address ?? "<self>"}"); return Task.CompletedTask; }
    public Task DownAsync(string address, CancellationToken ct) { Record($"down {address}"); return Task.CompletedTask; }

    public Task<IReadOnlyList<ShardInfo>> ShardsAsync(string? runId, CancellationToken ct)
    {
        Record($"shards {runId ?? "<all>"}");
        return Task.FromResult<IReadOnlyList<ShardInfo>>(ShardList.Where(s => runId is null || s.RunId == runId).ToList());
    }

    public async IAsyncEnumerable<RunEvent> EventsAsync([EnumeratorCancellation] CancellationToken ct)
    {
        try
        {
            foreach (var e in Events) yield return e;
            if (EventsFailure is not null) throw EventsFailure;
            await Task.Delay(Timeout.Infinite, ct);
        }
        finally
        {
            if (ct.IsCancellationRequested) EventsCancelled.TrySetResult();
        }
    }

    public IReadOnlyList<MetricSample> Metrics() => Failure is null ? MetricSamples : throw Failure;

    private void Record(string call)
    {
        if (Failure is not null) throw Failure;
        Calls.Enqueue(call);
    }

    private RunInfo Find(string runId, string call)
    {
        Record($"{call} {runId}");
        return _runs.TryGetValue(runId, out var run) ? run : throw new ControlException(ControlFailure.NotFound, $"no run '{runId}'");
    }

    private void Checkpoint(string runId, long step)
    {
        if (!CheckpointList.Any(c => c.RunId == runId && c.Step == step))
            throw new ControlException(ControlFailure.NotFound, $"run '{runId}' has no checkpoint at step {step}");
    }

    private Task<RunInfo> Move(string runId, string call, RunStatus to, params RunStatus[] from)
    {
        var run = Find(runId, call);
        if (!from.Contains(run.Status))
            throw new ControlException(ControlFailure.Conflict, $"cannot {call} run '{runId}': it is {run.Status}");
        return Task.FromResult(_runs[runId] = run with { Status = to });
    }
}
