using ClusterTrainer.Training.Control;
using ClusterTrainer.Training.Tests.Distributed;
using Xunit;

namespace ClusterTrainer.Training.Tests.Cluster;

/// <summary>Every sync mode and wire compression trains a run to completion on a cluster of separate actor systems.</summary>
[Collection(TorchRngCollection.Name)]
public sealed class SyncModeClusterTests
{
    [Theory]
    [InlineData("{ mode: async }")]
    [InlineData("{ mode: bounded, staleness: 2 }")]
    [InlineData("{ mode: backup, backup_workers: 1 }")]
    [InlineData("{ mode: sync, compression: float16 }")]
    [InlineData("{ mode: sync, compression: bfloat16 }")]
    public async Task A_run_completes_and_learns(string sync)
    {
        await using var bed = new ClusterTestBed();
        var node = await bed.StartAsync("coordinator", "ps");
        await bed.StartAsync("worker");
        await bed.StartAsync("worker");
        var spec = ClusterTestBed.Spec(epochs: 2, batch: 16, workers: 2, sync: sync);
        var run = await node.Control.StartRunAsync(new StartRunRequest(spec), CancellationToken.None);
        var done = await ClusterTestBed.WaitForAsync(node.Control, run.Id, r => r.Status is RunStatus.Completed or RunStatus.Failed, TimeSpan.FromMinutes(3));
        Assert.True(done.Status == RunStatus.Completed, done.Reason);
        Assert.Equal(done.TotalSteps, done.Step);
        Assert.InRange(done.TestAccuracy!.Value, 0.6, 1.0);
        var epochs = (await node.Control.GetRunAsync(run.Id, CancellationToken.None)).Epochs;
        Assert.True(epochs[^1].TrainLoss < epochs[0].TrainLoss * 1.05, $"train loss went from {epochs[0].TrainLoss} to {epochs[^1].TrainLoss}");
    }
}
