namespace ClusterTrainer.Training.Runs;

/// <summary>
/// A training run as the user wrote it in a YAML run spec (see <c>examples/</c>), validated by
/// <see cref="RunSpecParser"/>. Immutable: the coordinator journals it as the run's first event.
/// </summary>
public sealed record RunSpec(
    string Name,
    string Model,
    DatasetSpec Dataset,
    OptimizerSpec Optimizer,
    ScheduleSpec? Schedule,
    TrainingSpec Training,
    SyncSpec Sync,
    CheckpointSpec Checkpoint);

/// <summary>Which data, where, how much of the training split is held out for validation, and optional caps on the
/// number of training and test samples read (0 = all; small runs and tests).</summary>
public sealed record DatasetSpec(string Name, string? Directory, double ValidationSplit, bool Augment, int TrainLimit = 0, int TestLimit = 0);

/// <summary>
/// The optimizer each parameter shard applies to its slice. <see cref="Name"/> is one of
/// <see cref="RunSpecParser.Optimizers"/>; options not used by that optimizer are refused at parse time.
/// </summary>
public sealed record OptimizerSpec(
    string Name,
    double Lr,
    double Momentum,
    double Dampening,
    bool Nesterov,
    double WeightDecay,
    double Beta1,
    double Beta2,
    double Eps,
    double Alpha,
    double Rho,
    double LrDecay,
    double MomentumDecay,
    bool Amsgrad,
    bool Centered)
{
    /// <summary>
    /// torch.optim's (PyTorch 1.13) defaults for <paramref name="name"/>. SGD has no default learning
    /// rate, so its <see cref="Lr"/> is NaN until a spec or caller sets one.
    /// </summary>
    public static OptimizerSpec Defaults(string name) => new(
        name,
        Lr: name switch { "adadelta" => 1.0, "rmsprop" or "adagrad" => 0.01, "adam" or "adamw" => 1e-3, "adamax" or "nadam" => 2e-3, _ => double.NaN },
        Momentum: 0, Dampening: 0, Nesterov: false,
        WeightDecay: name == "adamw" ? 1e-2 : 0,
        Beta1: 0.9, Beta2: 0.999,
        Eps: name switch { "adadelta" => 1e-6, "adagrad" => 1e-10, _ => 1e-8 },
        Alpha: 0.99, Rho: 0.9, LrDecay: 0, MomentumDecay: 4e-3, Amsgrad: false, Centered: false);
}

/// <summary>Learning-rate schedule, stepped by the coordinator once per epoch.</summary>
public sealed record ScheduleSpec(string Name, int StepSize, double Gamma, int TMax, double EtaMin, int Patience, double Factor);

/// <summary>
/// Per-worker batch, epochs, penalties and stopping rules. <see cref="Workers"/> is the data-parallel width the
/// global batch is cut for (global batch = Workers × BatchSize); 0 takes the number of workers live when the run
/// starts. The global batch stays fixed when workers come and go: the live workers share it.
/// </summary>
public sealed record TrainingSpec(
    int BatchSize,
    int Epochs,
    long Seed,
    double? ClipGradNorm,
    double? ClipGradValue,
    double L1,
    double L2,
    int? EarlyStoppingPatience,
    double EarlyStoppingMinDelta,
    int Workers = 0);

/// <summary>How parameter shards combine gradients from workers.</summary>
public enum SyncMode
{
    /// <summary>Average the step-t gradients of all live workers, apply once, publish version t+1.</summary>
    Sync,
    /// <summary>Downpour: apply each gradient as it arrives.</summary>
    Async,
    /// <summary>A worker may run at most <see cref="SyncSpec.Staleness"/> versions ahead of the slowest.</summary>
    Bounded,
    /// <summary>Synchronous, but a step proceeds once N−k gradients arrived; late ones are dropped and counted.</summary>
    Backup,
}

public sealed record SyncSpec(SyncMode Mode, int Staleness, int BackupWorkers, string Compression);

/// <summary>Checkpoint every <see cref="EverySteps"/> steps and at each epoch end; keep the last <see cref="Keep"/>.</summary>
public sealed record CheckpointSpec(int EverySteps, int Keep);
