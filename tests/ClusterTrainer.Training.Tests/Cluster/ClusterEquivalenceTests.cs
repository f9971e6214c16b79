using ClusterTrainer.Training.Control;
using ClusterTrainer.Training.Tests.Distributed;
using Xunit;

namespace ClusterTrainer.Training.Tests.Cluster;

/// <summary>
/// Nodes of one cluster in this process: the coordinator, parameter-server and worker roles on separate actor
/// systems talking over loopback TCP. Every run must end with the parameters of one process training on the
/// same global batches. (Crashes are pinned with real node processes killed by SIGKILL: MultiNode.Tests'
/// TrainingFailureSpecs.)
/// </summary>
[Collection(TorchRngCollection.Name)]
public sealed class ClusterEquivalenceTests
{
    private static string Spec => ClusterTestBed.Spec(epochs: 3, batch: 32, everySteps: 10, trainLimit: 3000, workers: 3);

    private static async Task<(ClusterTestBed Bed, ITrainingNode Coordinator)> StartAsync(int psNodes = 2, int workers = 3)
    {
        var bed = new ClusterTestBed();
        var first = await bed.StartAsync("coordinator");
        for (int i = 0; i < psNodes; i++) await bed.StartAsync("ps");
        for (int i = 0; i < workers; i++) await bed.StartAsync("worker");
        return (bed, first);
    }

    private static async Task<RunInfo> FinishAsync(IControlPlane control, string runId) =>
        await ClusterTestBed.WaitForAsync(control, runId, r => r.Status is RunStatus.Completed or RunStatus.Failed, TimeSpan.FromMinutes(3));

    private static async Task AssertEqualsReferenceAsync(ClusterTestBed bed, RunInfo done, string? spec = null)
    {
        Assert.True(done.Status == RunStatus.Completed, done.Reason);
        await ReferenceRun.AssertMatchesAsync(bed.Directory, done.Id, done.TotalSteps, spec ?? Spec, width: 3);
    }

    [Fact]
    public async Task Synchronous_training_on_three_workers_equals_one_process_with_the_global_batch()
    {
        var (bed, coordinator) = await StartAsync();
        await using var _ = bed;
        var run = await coordinator.Control.StartRunAsync(new StartRunRequest(Spec), CancellationToken.None);
        await AssertEqualsReferenceAsync(bed, await FinishAsync(coordinator.Control, run.Id));
    }

    [Fact]
    public async Task Clipping_applies_to_the_averaged_gradient_like_one_process_clipping_the_global_batch()
    {
        // A max norm well below the gradients' norm (about 1-3 here) and a value bound that bites: both clip every step.
        const string clip = "\n  clip_grad_norm: 0.25\n  clip_grad_value: 0.02";
        string spec = ClusterTestBed.Spec(epochs: 1, batch: 32, everySteps: 10, trainLimit: 1500, workers: 3, trainingExtra: clip);
        var (bed, coordinator) = await StartAsync();
        await using var _ = bed;
        var run = await coordinator.Control.StartRunAsync(new StartRunRequest(spec), CancellationToken.None);
        var done = await FinishAsync(coordinator.Control, run.Id);
        await AssertEqualsReferenceAsync(bed, done, spec);
        // ... and clipping changed the result: the unclipped reference ends elsewhere.
        var (parameters, _, _) = await ReferenceRun.LastCheckpointAsync(bed.Directory, done.Id);
        string unclipped = spec.Replace("clip_grad_norm: 0.25", "").Replace("clip_grad_value: 0.02", "");
        Assert.True(ReferenceRun.MaxAbsDifference(parameters, ReferenceRun.Train(unclipped, width: 3)) > 1e-3);
    }

    [Fact]
    public async Task Two_runs_of_the_same_spec_end_bit_for_bit_equal()
    {
        var (bed, coordinator) = await StartAsync();
        await using var _ = bed;
        string spec = ClusterTestBed.Spec(epochs: 1, batch: 32, everySteps: 10, trainLimit: 1500, workers: 3);
        var results = new List<float[]>();
        for (int i = 0; i < 2; i++)
        {
            var run = await coordinator.Control.StartRunAsync(new StartRunRequest(spec), CancellationToken.None);
            var done = await FinishAsync(coordinator.Control, run.Id);
            Assert.True(done.Status == RunStatus.Completed, done.Reason);
            results.Add((await ReferenceRun.LastCheckpointAsync(bed.Directory, done.Id)).Parameters);
        }
        Assert.Equal(results[0].Select(BitConverter.SingleToInt32Bits), results[1].Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public async Task A_pause_takes_effect_within_a_few_steps_and_the_resumed_run_ends_like_one_process()
    {
        // Checkpoints only at the epoch end (about 280 steps): without an early end the pause would wait for the
        // generation's natural end, the next multiple of the 50-step segment cap.
        string spec = ClusterTestBed.Spec(epochs: 1, batch: 32, everySteps: 1000, trainLimit: 30000, workers: 3);
        var (bed, coordinator) = await StartAsync();
        await using var _ = bed;
        var control = coordinator.Control;
        var run = await control.StartRunAsync(new StartRunRequest(spec), CancellationToken.None);
        var before = await ClusterTestBed.WaitForAsync(control, run.Id, r => r.Step >= 2 || r.Status is RunStatus.Completed or RunStatus.Failed, TimeSpan.FromMinutes(2));
        await control.PauseAsync(run.Id, CancellationToken.None);
        var paused = await ClusterTestBed.WaitForAsync(control, run.Id, r => r.Status != RunStatus.Running, TimeSpan.FromMinutes(2));
        Assert.Equal(RunStatus.Paused, paused.Status);
        var detail = await control.GetRunAsync(run.Id, CancellationToken.None);
        Assert.Equal(paused.Step, detail.LastCheckpointStep); // the pause's checkpoint is where it stopped
        // (When the run happens to be within 10 steps of a natural end, this cannot tell the two apart; it is rare.)
        Assert.True(paused.Step < before.Step + 10, $"asked to pause at step {before.Step}, it paused at step {paused.Step}");
        await control.ResumeAsync(run.Id, CancellationToken.None);
        var done = await FinishAsync(control, run.Id);
        await AssertEqualsReferenceAsync(bed, done, spec);
    }
}
