using ClusterTrainer.Training.Control;

namespace ClusterTrainer.Training.Cluster;

/// <summary>
/// What the coordinator's journal says about one run: rebuilt by replaying <see cref="RunSubmitted"/>,
/// <see cref="RunStarted"/>, <see cref="GenerationStarted"/>, <see cref="CheckpointCommitted"/>,
/// <see cref="EpochEnded"/>, <see cref="StatusChanged"/> and <see cref="RunCompleted"/>. Progress between
/// checkpoints (<see cref="Step"/>, <see cref="LastLoss"/>) lives in memory only.
/// </summary>
public sealed class RunRecord(RunSubmitted submitted)
{
    public string Id { get; } = submitted.RunId;
    public string Name { get; } = submitted.Name;
    public string SpecYaml { get; } = submitted.SpecYaml;
    public DateTimeOffset CreatedAt { get; } = submitted.At;
    public DateTimeOffset UpdatedAt { get; set; } = submitted.At;
    public RunStatus Status { get; set; } = RunStatus.Pending;
    public string? Reason { get; set; }
    public int Width { get; set; }
    public long MaxShardElements { get; set; }
    public long ParameterCount { get; set; }
    public long TotalSteps { get; set; }
    /// <summary>The newest generation (0 before the first).</summary>
    public int Generation => Generations.Count > 0 ? Generations[^1].Generation : 0;
    public long Step { get; set; }
    public long? LastCheckpointStep { get; set; }
    public int Epochs { get; set; }
    public List<EpochMetrics> History { get; } = new();
    public List<GenerationInfo> Generations { get; } = new();
    public IReadOnlyList<string> WorkerNodes { get; set; } = [];
    public double? LastLoss { get; set; }
    public double? TestAccuracy { get; set; }
    public bool Started => Width > 0;
    public bool IsActive => Status is RunStatus.Running or RunStatus.Paused;
    public bool IsFinished => Status is RunStatus.Completed or RunStatus.Failed or RunStatus.Stopped;

    public RunInfo ToInfo() => new(Id, Name, Status, History.Count, Epochs, Step, TotalSteps, WorkerNodes.Count, LastLoss,
        History.Count > 0 ? History.Max(h => h.ValidationAccuracy) : null, TestAccuracy, Reason, CreatedAt, UpdatedAt);

    public RunDetail ToDetail() => new(ToInfo(), SpecYaml, History.ToArray(), WorkerNodes, LastCheckpointStep, Generations.ToArray());

    /// <summary>Applies one journal event of this run.</summary>
    public void Apply(object e)
    {
        switch (e)
        {
            case RunStarted s:
                Width = s.Width; MaxShardElements = s.MaxShardElements; ParameterCount = s.ParameterCount; TotalSteps = s.TotalSteps;
                UpdatedAt = s.At;
                break;
            case GenerationStarted g:
                Step = g.FromStep; WorkerNodes = g.WorkerNodes;
                Generations.Add(new GenerationInfo(g.Generation, g.FromStep, g.WorkerNodes.Count));
                break;
            case CheckpointCommitted c:
                LastCheckpointStep = c.Step; Step = Math.Max(Step, c.Step);
                break;
            case EpochEnded ep:
                History.RemoveAll(h => h.Epoch >= ep.Metrics.Epoch); // an epoch redone after a rollback replaces the old entry
                History.Add(ep.Metrics);
                break;
            case StatusChanged sc:
                Status = sc.Status; Reason = sc.Reason; UpdatedAt = sc.At;
                break;
            case RunCompleted rc:
                TestAccuracy = rc.TestAccuracy; UpdatedAt = rc.At;
                break;
        }
    }
}
