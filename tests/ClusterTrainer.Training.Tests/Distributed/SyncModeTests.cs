using ClusterTrainer.Actors;
using ClusterTrainer.Training.Distributed;
using ClusterTrainer.Training.Distributed.ParameterServer;
using Xunit;
using Xunit.Abstractions;
using static ClusterTrainer.Training.Tests.Distributed.DistributedFixtures;

namespace ClusterTrainer.Training.Tests.Distributed;

/// <summary>The relaxed modes through the actors: they finish, make progress on the loss, and account for every push.</summary>
[Collection(TorchRngCollection.Name)]
public sealed class SyncModeTests(ITestOutputHelper output)
{
    private const int Workers = 3;

    [Fact]
    public async Task Downpour_applies_every_push_once_and_lowers_the_loss()
    {
        var data = Data(120, 11);
        var job = EquivalenceTests.Job(data, ShardOptimizer.Spec("sgd", 0.1, 0.5), ShardPolicy.Downpour, pushRepeats: 2, steps: 15);
        var result = await RunAsync(job);
        foreach (var c in result.Shards)
        {
            Assert.Equal(Workers * 15, c.AppliedSteps);   // one optimizer step per worker step: nothing waits
            Assert.Equal(Workers * 15, c.Duplicates);     // every second copy ignored
            Assert.Equal(0, c.LateDrops + c.Rejected);
        }
        AssertLossFell(job, result);
    }

    [Fact]
    public async Task Backup_workers_finish_every_step_and_count_the_late_gradients()
    {
        var data = Data(120, 12);
        var job = EquivalenceTests.Job(data, ShardOptimizer.Spec("sgd", 0.1, 0.5), ShardPolicy.Backup(1), pushRepeats: 1, steps: 20);
        var result = await RunAsync(job);
        int pushes = result.Losses.Count; // each reported step pushed once to every shard
        foreach (var c in result.Shards)
        {
            Assert.Equal(20, c.AppliedSteps);
            Assert.Equal((Workers - 1) * 20L, c.GradientsTaken);  // exactly N-k gradients make each step
            Assert.Equal(pushes, c.GradientsTaken + c.LateDrops + c.Duplicates + c.Rejected);
            Assert.Equal(0, c.Duplicates + c.Rejected);
        }
        output.WriteLine($"backup k=1: {pushes} pushes per shard, {result.Shards[0].LateDrops} dropped as late; steps per worker: " +
                         string.Join(", ", result.Losses.GroupBy(l => l.Worker).OrderBy(g => g.Key).Select(g => $"{g.Key}={g.Count()}")));
        // How many come late depends on scheduling (a worker left behind skips to the newest version instead of
        // pushing stale steps); the accounting above is exact whatever it is. ParameterShardTests pins the drop itself.
        AssertLossFell(job, result);
    }

    [Fact]
    public async Task Bounded_staleness_runs_every_worker_step_and_lowers_the_loss()
    {
        var data = Data(120, 13);
        var job = EquivalenceTests.Job(data, ShardOptimizer.Spec("adam", 0.01), ShardPolicy.BoundedStaleness(1), pushRepeats: 1, steps: 12);
        var result = await RunAsync(job);
        Assert.All(result.Shards, c => Assert.Equal((Workers * 12L, 0L), (c.AppliedSteps, c.Duplicates + c.LateDrops + c.Rejected)));
        Assert.All(result.Shards, c => Assert.InRange(c.MaxLead, 0, 1)); // never more than s = 1 ahead of the slowest
        AssertLossFell(job, result);
    }

    [Fact]
    public async Task Sync_training_goes_on_with_the_rest_when_a_worker_stops_mid_run()
    {
        var data = Data(120, 14);
        var job = EquivalenceTests.Job(data, ShardOptimizer.Spec("sgd", 0.1, 0.5), ShardPolicy.Synchronous, pushRepeats: 1, steps: 20);
        using var system = ActorSystem.Create("worker-death");
        var coordinator = system.ActorOf(Props.CreateBy(() => new ClusterTrainer.Training.Distributed.Coordinator.CoordinatorActor(job)), "coordinator");
        var run = coordinator.Ask(StartRun.Instance, TimeSpan.FromMinutes(3));
        // The coordinator takes RemoveWorker right after StartRun (same sender, in order), so worker-1 stops early in
        // the run; wherever it is in its loop, the shards must drop it and finish every step with the other two.
        coordinator.Tell(new RemoveWorker("worker-1"), ActorRefs.NoSender);
        var answer = await run;
        await system.Terminate();
        var result = Assert.IsType<RunResult>(answer);
        Assert.All(result.Shards, c => Assert.Equal((20L, 0L), (c.AppliedSteps, c.Duplicates)));
        var survivors = result.Losses.Where(l => l.Worker != "worker-1").GroupBy(l => l.Worker).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(20, survivors["worker-0"]);
        Assert.Equal(20, survivors["worker-2"]);
        output.WriteLine($"worker-1 computed {result.Losses.Count(l => l.Worker == "worker-1")} steps before it stopped");
        AssertLossFell(job, result);
    }

    private void AssertLossFell(TrainingJob job, RunResult result)
    {
        float before = FullLoss(InitialParameters(job), job.Data), after = FullLoss(result.Parameters, job.Data);
        output.WriteLine($"{job.Policy.Mode}: full-data loss {before:F4} -> {after:F4}");
        Assert.True(after < before, $"training should lower the loss, but it went {before} -> {after}");
    }

    private static float[] InitialParameters(TrainingJob job)
    {
        ClusterTrainer.Torch.torch.manual_seed(job.Seed);
        using var model = job.ModelFactory();
        using var flat = ClusterTrainer.Torch.FlatParameters.Create(model);
        return flat.ValuesSpan.ToArray();
    }
}
