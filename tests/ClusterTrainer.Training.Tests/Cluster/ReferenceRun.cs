using ClusterTrainer.Persistence.Sql.Checkpoints;
using ClusterTrainer.Torch;
using ClusterTrainer.Training.Checkpoints;
using ClusterTrainer.Training.Cluster;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Training.Tests.Cluster;

/// <summary>
/// What a cluster run must equal: one process training the same model from the same initial parameters on the
/// same global batches (global batch = width × per-worker batch) with torch.optim.
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
        using var optimizer = spec.Optimizer.Name switch
        {
            "adam" => (Torch.Optim.Optimizer)optim.Adam(model.parameters(), lr: spec.Optimizer.Lr),
            "sgd" => optim.SGD(model.parameters(), spec.Optimizer.Lr, momentum: spec.Optimizer.Momentum),
            _ => throw new NotSupportedException(spec.Optimizer.Name),
        };
        for (long step = 0; step < plan.TotalSteps; step++)
        {
            int epoch = (int)(step / plan.StepsPerEpoch);
            var batch = plan.EpochPlan(epoch, 1).GlobalBatchAt((int)(step % plan.StepsPerEpoch));
            using var scope = NewDisposeScope();
            var (x, y) = data.Train.Batch(batch);
            optimizer.zero_grad();
            RunPlan.Loss(model.call(x), y).backward();
            optimizer.step();
        }
        return flat.ValuesSpan.ToArray();
    }

    /// <summary>The parameters and shard versions of a run's last committed checkpoint.</summary>
    public static async Task<(float[] Parameters, CheckpointManifest Manifest)> LastCheckpointAsync(ClusterTestBed bed, string runId)
    {
        var store = new SqliteCheckpointStore(Path.Combine(bed.Directory, "cluster.db"));
        var loaded = await new CheckpointManager(store, Path.Combine(bed.Directory, "checkpoints")).LoadLatestAsync(runId)
                     ?? throw new InvalidOperationException($"run {runId} has no checkpoint");
        long count = loaded.Manifest.Parts.Sum(p => p.Length);
        return (CheckpointExport.Assemble(loaded, count), loaded.Manifest);
    }

    public static double MaxAbsDifference(float[] a, float[] b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"lengths differ: {a.Length} vs {b.Length}");
        double max = 0;
        for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs((double)a[i] - b[i]));
        return max;
    }
}
