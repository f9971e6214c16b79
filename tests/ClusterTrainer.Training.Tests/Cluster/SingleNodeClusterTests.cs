using ClusterTrainer.Training.Control;
using ClusterTrainer.Training.Tests.Distributed;
using ClusterTrainer.TestKit.Postgres;
using Xunit;

namespace ClusterTrainer.Training.Tests.Cluster;

[Collection(TorchRngCollection.Name)]
public sealed class SingleNodeClusterTests
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_node_with_every_role_trains_a_run_to_completion_and_a_restarted_cluster_recovers_it_from_the_store(string kind)
    {
        await using var postgres = kind == "postgres" ? await PostgresTestServer.StartAsync() : null;
        string? store = postgres is null ? null : "postgres:" + postgres.ConnectionString(await postgres.CreateDatabaseAsync());
        await using var bed = new ClusterTestBed { Store = store };
        var node = await bed.StartAsync("coordinator", "ps", "worker");
        var run = await node.Control.StartRunAsync(new StartRunRequest(ClusterTestBed.Spec(), "test"), CancellationToken.None);
        Assert.Equal(RunStatus.Pending, run.Status);

        var done = await ClusterTestBed.WaitForAsync(node.Control, run.Id, r => r.Status is RunStatus.Completed or RunStatus.Failed, TimeSpan.FromMinutes(2));
        Assert.True(done.Status == RunStatus.Completed, done.Reason);
        Assert.Equal(done.TotalSteps, done.Step);
        Assert.InRange(done.TestAccuracy!.Value, 0.6, 1.0);

        var detail = await node.Control.GetRunAsync(run.Id, CancellationToken.None);
        Assert.Equal([0, 1], detail.Epochs.Select(e => e.Epoch));
        Assert.All(detail.Epochs, e => Assert.InRange(e.ValidationAccuracy, 0.5, 1.0));
        var checkpoints = await node.Control.CheckpointsAsync(run.Id, CancellationToken.None);
        Assert.NotEmpty(checkpoints);
        Assert.Equal(done.TotalSteps, checkpoints.Max(c => c.Step));
        Assert.InRange(checkpoints.Count, 1, 3);

        // A new cluster on the same store: the coordinator's journal and the checkpoint manifests are still there.
        await bed.StopAllAsync();
        var again = await bed.StartAsync("coordinator", "ps", "worker");
        var recovered = await ClusterTestBed.WaitForAsync(again.Control, run.Id, r => r.Status == RunStatus.Completed, TimeSpan.FromMinutes(1));
        Assert.Equal(done.TestAccuracy, recovered.TestAccuracy);
        Assert.Equal(detail.Epochs, (await again.Control.GetRunAsync(run.Id, CancellationToken.None)).Epochs);
        Assert.Equal(checkpoints.Select(c => c.Step), (await again.Control.CheckpointsAsync(run.Id, CancellationToken.None)).Select(c => c.Step));
    }

    [Fact]
    public async Task A_spec_with_mistakes_is_refused_with_every_problem_listed()
    {
        await using var bed = new ClusterTestBed();
        var node = await bed.StartAsync("coordinator", "ps", "worker");
        var bad = ClusterTestBed.Spec().Replace("mlp-classifier", "no-such-model").Replace("lr: 0.01", "lr: -1");
        var e = await Assert.ThrowsAsync<ControlException>(() => node.Control.StartRunAsync(new StartRunRequest(bad, "bad.yaml"), CancellationToken.None));
        Assert.Equal(ControlFailure.BadRequest, e.Failure);
        Assert.Contains(e.Details!, d => d.Contains("model"));
        Assert.Contains(e.Details!, d => d.Contains("optimizer.lr"));
    }
}
