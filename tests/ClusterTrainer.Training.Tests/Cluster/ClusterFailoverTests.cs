using ClusterTrainer.Training.Control;
using ClusterTrainer.Training.Tests.Distributed;
using Xunit;
using ActorCluster = ClusterTrainer.Actors.Cluster.Cluster;

namespace ClusterTrainer.Training.Tests.Cluster;

/// <summary>
/// Nodes of one cluster in this process: the coordinator, parameter-server and worker roles on separate actor
/// systems talking over loopback TCP. A "crash" stops a node without leaving (peers find it unreachable and down
/// it). Every run must end with the parameters of one process training on the same global batches.
/// </summary>
[Collection(TorchRngCollection.Name)]
public sealed class ClusterFailoverTests
{
    // 84 Adam steps at lr 0.01: the shards sum the workers' gradients in another order than one process does, so
    // float rounding differs by a few ulps per step (an undisturbed run measured 1.05e-5 after 84 steps; the
    // 20-step equivalence of the issue, 1e-5, is pinned by the Distributed tests).
    private const double Tolerance = 1e-4;

    private static string Spec => ClusterTestBed.Spec(epochs: 3, batch: 32, everySteps: 10, trainLimit: 3000, workers: 3);

    private static async Task<(ClusterTestBed Bed, ITrainingNode Coordinator)> StartAsync(int coordinators = 1, int psNodes = 2, int workers = 3)
    {
        var bed = new ClusterTestBed();
        var first = await bed.StartAsync("coordinator");
        for (int i = 1; i < coordinators; i++) await bed.StartAsync("coordinator");
        for (int i = 0; i < psNodes; i++) await bed.StartAsync("ps");
        for (int i = 0; i < workers; i++) await bed.StartAsync("worker");
        return (bed, first);
    }

    private static async Task<RunInfo> FinishAsync(IControlPlane control, string runId) =>
        await ClusterTestBed.WaitForAsync(control, runId, r => r.Status is RunStatus.Completed or RunStatus.Failed, TimeSpan.FromMinutes(3));

    private static async Task AssertEqualsReferenceAsync(ClusterTestBed bed, RunInfo done)
    {
        Assert.True(done.Status == RunStatus.Completed, done.Reason);
        var (parameters, manifest) = await ReferenceRun.LastCheckpointAsync(bed, done.Id);
        Assert.Equal(done.TotalSteps, manifest.Step);
        // Each applied step moves a shard's version by one and a restore sets it from the checkpoint: a final
        // version equal to the step count means no step was applied twice (nor skipped) along the final history.
        Assert.All(manifest.Parts, p => Assert.Equal(done.TotalSteps, ReadVersion(bed, done.Id, p)));
        var reference = ReferenceRun.Train(Spec, width: 3);
        Assert.InRange(ReferenceRun.MaxAbsDifference(parameters, reference), 0, Tolerance);
    }

    private static long ReadVersion(ClusterTestBed bed, string runId, ClusterTrainer.Persistence.Sql.Checkpoints.CheckpointPart part) =>
        ClusterTrainer.Training.Checkpoints.PartFile.Read(Path.Combine(bed.Directory, "checkpoints", runId), part).Version;

    private static Task<RunInfo> ReachStepAsync(IControlPlane control, string runId, long step) =>
        ClusterTestBed.WaitForAsync(control, runId, r => r.Step >= step || r.Status != RunStatus.Running && r.Status != RunStatus.Pending, TimeSpan.FromMinutes(2));

    [Fact]
    public async Task Synchronous_training_on_three_workers_equals_one_process_with_the_global_batch()
    {
        var (bed, coordinator) = await StartAsync();
        await using var _ = bed;
        var run = await coordinator.Control.StartRunAsync(new StartRunRequest(Spec), CancellationToken.None);
        await AssertEqualsReferenceAsync(bed, await FinishAsync(coordinator.Control, run.Id));
    }

    [Fact]
    public async Task A_worker_crash_mid_run_hands_its_batches_to_the_others_and_the_result_is_unchanged()
    {
        var (bed, coordinator) = await StartAsync();
        await using var _ = bed;
        var run = await coordinator.Control.StartRunAsync(new StartRunRequest(Spec), CancellationToken.None);
        await ReachStepAsync(coordinator.Control, run.Id, 25);
        await ActorCluster.Get(bed.Nodes[^1].System).TerminateWithoutLeavingAsync();
        await AssertEqualsReferenceAsync(bed, await FinishAsync(coordinator.Control, run.Id));
    }

    [Fact]
    public async Task A_parameter_server_crash_rolls_every_shard_back_to_the_last_checkpoint_and_the_result_is_unchanged()
    {
        var (bed, coordinator) = await StartAsync(psNodes: 3);
        await using var _ = bed;
        var run = await coordinator.Control.StartRunAsync(new StartRunRequest(Spec), CancellationToken.None);
        await ReachStepAsync(coordinator.Control, run.Id, 25);
        await ActorCluster.Get(bed.Nodes[2].System).TerminateWithoutLeavingAsync();
        await AssertEqualsReferenceAsync(bed, await FinishAsync(coordinator.Control, run.Id));
    }

    [Fact]
    public async Task A_coordinator_crash_moves_the_singleton_which_resumes_from_the_journal_and_the_result_is_unchanged()
    {
        var (bed, first) = await StartAsync(coordinators: 2);
        await using var _ = bed;
        var second = bed.Nodes[1];
        var run = await first.Control.StartRunAsync(new StartRunRequest(Spec), CancellationToken.None);
        await ReachStepAsync(first.Control, run.Id, 25);
        await ActorCluster.Get(first.System).TerminateWithoutLeavingAsync();
        await AssertEqualsReferenceAsync(bed, await FinishAsync(second.Control, run.Id));
    }

    [Fact]
    public async Task A_worker_that_joins_mid_run_gets_batches_from_the_next_sync_point_and_the_result_is_unchanged()
    {
        var (bed, coordinator) = await StartAsync(workers: 2);
        await using var _ = bed;
        var run = await coordinator.Control.StartRunAsync(new StartRunRequest(Spec), CancellationToken.None);
        await ReachStepAsync(coordinator.Control, run.Id, 15);
        await bed.StartAsync("worker");
        await ClusterTestBed.WaitForAsync(coordinator.Control, run.Id, r => r.Workers == 3 || r.Status != RunStatus.Running, TimeSpan.FromMinutes(2));
        await AssertEqualsReferenceAsync(bed, await FinishAsync(coordinator.Control, run.Id));
    }
}
