using ClusterTrainer.Training.Runs;

namespace ClusterTrainer.Training.Distributed.ParameterServer;

/// <summary>
/// How a shard combines gradients: <see cref="SyncMode.Sync"/>, <see cref="SyncMode.Async"/> (Downpour),
/// <see cref="SyncMode.Bounded"/> with <see cref="Staleness"/> s, or <see cref="SyncMode.Backup"/> with
/// <see cref="BackupWorkers"/> k.
/// </summary>
public sealed record ShardPolicy(SyncMode Mode, int Staleness = 0, int BackupWorkers = 0)
{
    public static ShardPolicy Synchronous { get; } = new(SyncMode.Sync);
    public static ShardPolicy Downpour { get; } = new(SyncMode.Async);
    public static ShardPolicy BoundedStaleness(int s) => new(SyncMode.Bounded, Staleness: s);
    public static ShardPolicy Backup(int k) => new(SyncMode.Backup, BackupWorkers: k);

    public static ShardPolicy From(SyncSpec spec) => new(spec.Mode, spec.Staleness, spec.BackupWorkers);

    /// <summary>True for the modes that average one step's gradients and publish versions in lockstep.</summary>
    public bool IsStepwise => Mode is SyncMode.Sync or SyncMode.Backup;

    public void Validate()
    {
        if (!Enum.IsDefined(Mode)) throw new ArgumentException($"Unknown sync mode {(int)Mode}; use sync, async, bounded or backup.");
        if (Staleness < 0) throw new ArgumentException($"Staleness must be >= 0 (got {Staleness}); 0 means lockstep.");
        if (BackupWorkers < 0) throw new ArgumentException($"Backup workers must be >= 0 (got {BackupWorkers}).");
    }
}

/// <summary>What a shard did with one pushed gradient.</summary>
public enum PushOutcome
{
    /// <summary>Kept; the step waits for more workers.</summary>
    Accepted,
    /// <summary>Kept, and the optimizer ran: a new version is published.</summary>
    Applied,
    /// <summary>The same (worker, step) was already taken; ignored.</summary>
    Duplicate,
    /// <summary>For a step that was already applied without it (backup workers, a slow worker); dropped.</summary>
    Late,
    /// <summary>For a version this shard has not published yet, or from a worker outside the live set; refused.</summary>
    Rejected,
}

/// <summary>
/// A shard's counters; a snapshot, safe to send. <see cref="MaxLead"/> (async and bounded modes) is the
/// furthest any applied push's step was ahead of the slowest live worker's completed steps.
/// </summary>
public sealed record ShardCounters(int ShardIndex, long Version, long AppliedSteps, long GradientsTaken,
    long Duplicates, long LateDrops, long Rejected, long MaxLead);

/// <summary>
/// Gradient clipping a stepwise shard applies to the averaged gradient: by value (<c>clip_grad_value_</c>), then by
/// the total L2 norm over every shard (<c>clip_grad_norm_</c>). Null fields are off.
/// </summary>
public sealed record GradientClipping(double? MaxNorm, double? MaxValue)
{
    /// <summary>The spec's clipping, or null when it sets none.</summary>
    public static GradientClipping? From(Runs.TrainingSpec training) =>
        training.ClipGradNorm is null && training.ClipGradValue is null ? null : new(training.ClipGradNorm, training.ClipGradValue);
}
