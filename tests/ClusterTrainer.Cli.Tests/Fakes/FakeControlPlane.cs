using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using ClusterTrainer.Training.Control;

namespace ClusterTrainer.Cli.Tests.Fakes;

/// <summary>
/// A control plane with canned answers: what the tests put in the public fields is what the node serves;
/// every call is recorded in <see cref="Calls"/> ("Pause r1", "Join ctr://…") so tests can check what ctr asked.
/// </summary>
public sealed class FakeControlPlane : IControlPlane
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);

    public ConcurrentQueue<string> Calls { get; } = new();
    public List<RunInfo> Runs { get; } = [];
    public Dictionary<string, RunDetail> Details { get; } = [];
    public List<CheckpointInfo> CheckpointList { get; } = [];
    public List<MemberInfo> Members { get; } = [];
    public List<ShardInfo> Shards { get; } = [];
    public byte[] ExportBytes { get; set; } = [];
    /// <summary>The export sends its bytes and then fails, as a node whose checkpoint part turned out corrupt mid-stream does.</summary>
    public bool ExportFailsMidway { get; set; }
    /// <summary>What the event stream sends, in order, to every subscriber.</summary>
    public List<RunEvent> Script { get; } = [];
    /// <summary>False: after the script the stream stays open until the client goes; true: the node closes it.</summary>
    public bool CloseStreamAfterScript { get; set; }
    public StartRunRequest? Started { get; private set; }
    /// <summary>True: pause/resume/stop answer with the run as it was, as the real coordinator does before the step ends.</summary>
    public bool AnswerBeforeTransition { get; set; }
    /// <summary>Thrown by every run operation when set: the refusals the node can answer with.</summary>
    public ControlException? Refuse { get; set; }

    /// <summary>A run of 2 epochs of 500 steps; RunInfo.Epoch counts the finished ones, as the coordinator does.</summary>
    public static RunInfo Run(string id, RunStatus status = RunStatus.Running, long step = 120, double? testAccuracy = null, string? reason = null) =>
        new(id, "fashion-mnist-cnn", status, (int)(step * 2 / 1000), 2, step, 1000, 3, 0.6123, 0.8012, testAccuracy, reason, T0, T0.AddMinutes(5));

    public RunInfo Add(RunInfo run, params EpochMetrics[] epochs)
    {
        Runs.Add(run);
        Details[run.Id] = new RunDetail(run, "name: fashion-mnist-cnn\n", epochs, ["ctr://127.0.0.1:4101", "ctr://127.0.0.1:4102"], 100,
            [new GenerationInfo(1, 0, 2), new GenerationInfo(2, 50, 2), new GenerationInfo(3, 40, 1)]);
        return run;
    }

    public Task<RunInfo> StartRunAsync(StartRunRequest request, CancellationToken ct)
    {
        Record($"Start {request.Source}");
        ThrowIfRefused();
        Started = request;
        return Task.FromResult(Add(Run("r42", RunStatus.Pending, step: 0)));
    }

    public Task<IReadOnlyList<RunInfo>> ListRunsAsync(CancellationToken ct) => Task.FromResult<IReadOnlyList<RunInfo>>(Runs);

    public Task<RunDetail> GetRunAsync(string runId, CancellationToken ct)
    {
        Record($"Get {runId}");
        return Task.FromResult(Details.TryGetValue(runId, out var detail)
            ? detail
            : throw new ControlException(ControlFailure.NotFound, $"no run '{runId}'; ctr run list shows the runs"));
    }

    public Task<RunInfo> PauseAsync(string runId, CancellationToken ct) => Transition("Pause", runId, RunStatus.Paused);
    public Task<RunInfo> ResumeAsync(string runId, CancellationToken ct) => Transition("Resume", runId, RunStatus.Running);
    public Task<RunInfo> StopAsync(string runId, CancellationToken ct) => Transition("Stop", runId, RunStatus.Stopped);

    public Task<IReadOnlyList<CheckpointInfo>> CheckpointsAsync(string runId, CancellationToken ct)
    {
        Record($"Checkpoints {runId}");
        return Task.FromResult<IReadOnlyList<CheckpointInfo>>(CheckpointList.Where(c => c.RunId == runId).ToList());
    }

    public Task<RunInfo> RestoreAsync(string runId, long step, CancellationToken ct) => Transition($"Restore {step}", runId, RunStatus.Running);

    public async Task ExportAsync(string runId, long step, Stream destination, CancellationToken ct)
    {
        Record($"Export {runId} {step}");
        ThrowIfRefused();
        await destination.WriteAsync(ExportBytes, ct);
        if (ExportFailsMidway)
        {
            await destination.FlushAsync(ct);
            throw new InvalidOperationException("part 2 of the checkpoint failed its checksum");
        }
    }

    public Task<IReadOnlyList<MemberInfo>> MembersAsync(CancellationToken ct) => Task.FromResult<IReadOnlyList<MemberInfo>>(Members);

    public Task JoinAsync(string address, CancellationToken ct) => RecordDone($"Join {address}");
    public Task LeaveAsync(string? address, CancellationToken ct) => RecordDone($"Leave {address ?? "(self)"}");
    public Task DownAsync(string address, CancellationToken ct) => RecordDone($"Down {address}");

    public Task<IReadOnlyList<ShardInfo>> ShardsAsync(string? runId, CancellationToken ct)
    {
        Record($"Shards {runId ?? "(all)"}");
        return Task.FromResult<IReadOnlyList<ShardInfo>>(Shards.Where(s => runId is null || s.RunId == runId).ToList());
    }

    public async IAsyncEnumerable<RunEvent> EventsAsync([EnumeratorCancellation] CancellationToken ct)
    {
        Record("Events");
        foreach (var e in Script)
            yield return e;
        if (CloseStreamAfterScript)
            yield break;
        await Task.Delay(Timeout.Infinite, ct);
    }

    public IReadOnlyList<MetricSample> Metrics() => [];

    private Task<RunInfo> Transition(string verb, string runId, RunStatus to)
    {
        Record($"{verb} {runId}");
        ThrowIfRefused();
        var run = Runs.FirstOrDefault(r => r.Id == runId)
                  ?? throw new ControlException(ControlFailure.NotFound, $"no run '{runId}'; ctr run list shows the runs");
        return Task.FromResult(AnswerBeforeTransition ? run : run with { Status = to });
    }

    private void ThrowIfRefused()
    {
        if (Refuse is not null)
            throw Refuse;
    }

    private void Record(string call) => Calls.Enqueue(call);

    private Task RecordDone(string call)
    {
        Record(call);
        return Task.CompletedTask;
    }
}
