using ClusterTrainer.Persistence.Sql.Checkpoints;
using ClusterTrainer.Torch;
using ClusterTrainer.Training.Checkpoints;
using ClusterTrainer.Training.Cluster;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Training.Tests.Cluster;

/// <summary>
/// What a cluster run must equal: one process training the same model from the same initial parameters on the
/// same global batches (global batch = width × per-worker batch) with torch.optim, applying the spec's penalties
/// and gradient clipping to that global batch's gradient (as DDP users clip after the all-reduce).
/// </summary>
internal static class ReferenceRun
{
    public static float[] Train(string yaml, int width)
    {
        var spec = RunPlan.ParseSpec(yaml, "reference");
        using var data = RunData.Load(spec, "/usr/share/datasets/fashion-mnist");
        var plan = new RunPlan(spec, yaml, width, 1 << 20, data.Train.Count);
        var initial = plan.InitialParameters();
        using var model = plan.CreateModel();
        using var flat = FlatParameters.Create(model);
        initial.AsSpan().CopyTo(flat.ValuesSpan);
        using var optimizer = ClusterTrainer.Training.Distributed.ParameterServer.ShardOptimizer.Create(spec.Optimizer, model.parameters());
        for (long step = 0; step < plan.TotalSteps; step++)
        {
            int epoch = (int)(step / plan.StepsPerEpoch);
            var batch = plan.EpochPlan(epoch, 1).GlobalBatchAt((int)(step % plan.StepsPerEpoch));
            using var scope = NewDisposeScope();
            var (x, y) = data.Train.Batch(batch);
            model.zero_grad(); // in place: the gradients stay views of the flat buffer
            RunPlan.Loss(model.call(x), y).backward();
            GradientRules.Apply(spec.Training, flat.ValuesSpan, flat.GradientsSpan);
            optimizer.step();
        }
        return flat.ValuesSpan.ToArray();
    }

    /// <summary>The parameters and shard versions of a run's last committed checkpoint.</summary>
    /// <summary>
    /// The parameters of a run's last committed checkpoint (store <c>dir/cluster.db</c>, parts under <c>dir/checkpoints</c>)
    /// and each part's shard version.
    /// </summary>
    public static async Task<(float[] Parameters, CheckpointManifest Manifest, long[] Versions)> LastCheckpointAsync(string directory, string runId)
    {
        var store = new SqliteCheckpointStore(Path.Combine(directory, "cluster.db"));
        var loaded = await new CheckpointManager(store, Path.Combine(directory, "checkpoints")).LoadLatestAsync(runId)
                     ?? throw new InvalidOperationException($"run {runId} has no checkpoint");
        long count = loaded.Manifest.Parts.Sum(p => p.Length);
        return (CheckpointExport.Assemble(loaded, count), loaded.Manifest, loaded.Parts.Select(p => p.Version).ToArray());
    }

    // 84 Adam steps at lr 0.01: the shards sum the workers' gradients in another order than one process does, so
    // float rounding differs by a few ulps per step (an undisturbed run measured 1.05e-5 after 84 steps; the
    // 20-step equivalence of the issue, 1e-5, is pinned by the Distributed tests).
    public const double Tolerance = 1e-4;

    /// <summary>
    /// A completed run ends where one process training on the same global batches ends, and every shard's final
    /// version is the step count: each applied step moves a version by one and a restore sets it from the
    /// checkpoint, so no step was applied twice (nor skipped) along the history that produced the result.
    /// </summary>
    public static async Task<double> AssertMatchesAsync(string directory, string runId, long totalSteps, string yaml, int width)
    {
        var (parameters, manifest, versions) = await LastCheckpointAsync(directory, runId);
        if (manifest.Step != totalSteps) throw new Xunit.Sdk.XunitException($"the last checkpoint is step {manifest.Step}, not the run's {totalSteps} steps");
        if (versions.Any(v => v != totalSteps)) throw new Xunit.Sdk.XunitException($"shard versions {string.Join(",", versions)} differ from the {totalSteps} steps");
        double difference = MaxAbsDifference(parameters, Train(yaml, width));
        if (difference > Tolerance) throw new Xunit.Sdk.XunitException($"max |Δparameter| {difference:g3} exceeds {Tolerance:g3}");
        return difference;
    }

    public static double MaxAbsDifference(float[] a, float[] b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"lengths differ: {a.Length} vs {b.Length}");
        double max = 0;
        for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs((double)a[i] - b[i]));
        return max;
    }
}
