using ClusterTrainer.Torch;
using ClusterTrainer.Torch.Optim;
using ClusterTrainer.Training.Distributed;
using ClusterTrainer.Training.Distributed.ParameterServer;
using ClusterTrainer.Training.Distributed.Worker;
using ClusterTrainer.Training.Runs;
using Xunit;
using Xunit.Abstractions;
using static ClusterTrainer.Torch.torch;
using static ClusterTrainer.Training.Tests.Distributed.DistributedFixtures;

namespace ClusterTrainer.Training.Tests.Distributed;

/// <summary>
/// The correctness anchor (DESIGN.md, Invariants): synchronous training through the actors with 3 workers and
/// per-worker batch b equals single-process torch.optim training with batch 3b from the same seed.
/// 100 samples in global batches of 12 make 9 steps per epoch with a 4-sample tail (split 1/1/2), so the
/// 20 steps cross two epoch boundaries and three uneven tails.
/// </summary>
[Collection(TorchRngCollection.Name)]
public sealed class EquivalenceTests(ITestOutputHelper output)
{
    private const int Workers = 3, PerWorkerBatch = 4, Steps = 20, Samples = 100;
    private const long Seed = 20261122;
    private const double Tolerance = 1e-5;

    public static TheoryData<string, double, double> Optimizers => new()
    {
        { "sgd", 0.1, 0.9 },   // SGD with momentum
        { "adam", 0.01, 0.0 },
    };

    [Theory]
    [MemberData(nameof(Optimizers))]
    public async Task Sync_training_on_three_workers_equals_one_process_with_the_global_batch(string optimizer, double lr, double momentum)
    {
        var spec = ShardOptimizer.Spec(optimizer, lr, momentum);
        var data = Data(Samples, Seed + 1);
        var job = Job(data, spec, ShardPolicy.Synchronous, pushRepeats: 1);
        var expected = SingleProcess(job);
        var result = await RunAsync(job);
        AssertClose(expected, result.Parameters);
        Assert.All(result.Shards, c => Assert.Equal((Steps, Steps, 0L, 0L), (c.Version, c.AppliedSteps, c.Duplicates, c.LateDrops)));
        Assert.Equal(Workers * Steps, result.Losses.Count);
    }

    [Fact]
    public async Task Every_step_is_applied_exactly_once_when_every_push_is_delivered_twice()
    {
        var spec = ShardOptimizer.Spec("sgd", 0.1, 0.9);
        var data = Data(Samples, Seed + 2);
        var job = Job(data, spec, ShardPolicy.Synchronous, pushRepeats: 2);
        var expected = SingleProcess(job);
        var result = await RunAsync(job);
        AssertClose(expected, result.Parameters);
        Assert.True(result.Shards.Count > 1, "the layout should cut this model into several shards");
        foreach (var c in result.Shards)
        {
            Assert.Equal(Steps, c.AppliedSteps);
            Assert.Equal(Workers * Steps, c.GradientsTaken);
            Assert.Equal(Workers * Steps, c.Duplicates);
            Assert.Equal(0, c.LateDrops);
        }
    }

    internal static TrainingJob Job(TrainingData data, OptimizerSpec spec, ShardPolicy policy, int pushRepeats, int steps = Steps) =>
        new(Mlp, CrossEntropy, data, spec, policy, Workers, PerWorkerBatch, steps, Seed, MaxShardElements: 50, pushRepeats);

    /// <summary>Plain single-process training: torch.optim over model.parameters(), global batch 3b, same plan.</summary>
    internal static float[] SingleProcess(TrainingJob job)
    {
        manual_seed(job.Seed);
        using var model = job.ModelFactory();
        using Optimizer opt = job.Optimizer.Name == "sgd"
            ? optim.SGD(model.parameters(), job.Optimizer.Lr, job.Optimizer.Momentum)
            : optim.Adam(model.parameters(), job.Optimizer.Lr);
        var plan = job.PlanFor(0);
        for (int step = 0; step < job.Steps; step++)
        {
            using var scope = NewDisposeScope();
            var epochPlan = job.PlanFor(step / plan.StepsPerEpoch);
            var (x, y) = job.Data.Batch(epochPlan.GlobalBatchAt(step % plan.StepsPerEpoch));
            opt.zero_grad();
            job.Loss(model.call(x), y).backward();
            opt.step();
        }
        using var flat = FlatParameters.Create(model);
        return flat.ValuesSpan.ToArray();
    }

    private void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double max = 0;
        int at = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double d = Math.Abs((double)expected[i] - actual[i]);
            if (d > max) { max = d; at = i; }
        }
        output.WriteLine($"max |Δparameter| = {max:E3} over {expected.Length} parameters");
        Assert.True(max <= Tolerance,
            $"max |Δparameter| = {max:E3} at element {at} (expected {expected[Math.Max(at, 0)]}, got {actual[Math.Max(at, 0)]}); tolerance {Tolerance:E0}");
    }
}
