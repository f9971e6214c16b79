using ClusterTrainer.Torch;
using ClusterTrainer.Training.Distributed.ParameterServer;
using ClusterTrainer.Training.Distributed.Worker;
using ClusterTrainer.Training.Runs;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Training.Distributed;

/// <summary>
/// What the in-process coordinator runs: the model (built after <c>manual_seed(Seed)</c> for the initial
/// parameters), a mean-reduced loss, the data, the optimizer and sync policy of the shards, and the sizes.
/// <see cref="Steps"/> counts global steps (parameter versions) in the stepwise modes and each worker's own
/// steps in async and bounded modes. <see cref="PushRepeats"/> &gt; 1 re-sends every push (fault injection:
/// what a redelivering network does); the shards must ignore the copies.
/// </summary>
public sealed record TrainingJob(
    Func<nn.Module<Tensor, Tensor>> ModelFactory,
    Func<Tensor, Tensor, Tensor> Loss,
    TrainingData Data,
    OptimizerSpec Optimizer,
    ShardPolicy Policy,
    int Workers,
    int PerWorkerBatch,
    int Steps,
    long Seed,
    long MaxShardElements,
    int PushRepeats = 1)
{
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(ModelFactory);
        ArgumentNullException.ThrowIfNull(Loss);
        ArgumentNullException.ThrowIfNull(Data);
        ArgumentNullException.ThrowIfNull(Optimizer);
        ArgumentNullException.ThrowIfNull(Policy);
        Data.Validate();
        Policy.Validate();
        if (Workers < 1) throw new ArgumentException($"A run needs at least one worker (got {Workers}).");
        if (PerWorkerBatch < 1) throw new ArgumentException($"The per-worker batch must be at least 1 (got {PerWorkerBatch}).");
        if (Steps < 1) throw new ArgumentException($"A run needs at least one step (got {Steps}).");
        if (MaxShardElements < 1) throw new ArgumentException($"The maximum shard size must be at least 1 (got {MaxShardElements}).");
        if (PushRepeats < 1) throw new ArgumentException($"Each gradient is pushed at least once (PushRepeats = {PushRepeats}).");
        if (Policy.Mode == SyncMode.Backup && Policy.BackupWorkers >= Workers)
            throw new ArgumentException($"With {Workers} workers at most {Workers - 1} can be backups (got {Policy.BackupWorkers}).");
    }

    /// <summary>The plan of <paramref name="epoch"/> for this job's sizes and seed.</summary>
    public EpochPlan PlanFor(int epoch) => new(Data.Count, Workers, PerWorkerBatch, Seed, epoch);

    public static string WorkerName(int index) => $"worker-{index}";

    /// <summary>
    /// The initial flat parameters: the model built right after <c>manual_seed(Seed)</c>. Every node of a run
    /// computes the same values from the same job, so shards on other nodes start where a local run would.
    /// </summary>
    public float[] InitialParameters() => SeededModels.InitialParameters(ModelFactory, Seed);

    /// <summary>The shard layout of this job's model.</summary>
    public ShardLayout Layout(int parameterCount) => new(parameterCount, MaxShardElements);
}
