using ClusterTrainer.Node.Local;
using ClusterTrainer.Training.Control;
using ClusterTrainer.Training.Tests.Cluster;
using Xunit;

namespace ClusterTrainer.MultiNode.Tests.Training;

/// <summary>
/// Failures of a training cluster of real node processes, each killed with SIGKILL mid-run (or stopped with SIGTERM,
/// which must hand over without losing a step): the run completes,
/// no step is applied twice (every shard's final version is the step count), and the final parameters equal one
/// process training on the same global batches — which is also what an undisturbed run resumed from the same
/// checkpoint computes, since synchronous training does not depend on how the global batch is split.
/// </summary>
[Collection(TrainingProcessCollection.Name)]
public sealed class TrainingFailureSpecs
{
    private const string Spec = """
        name: failure-spec
        model: mlp-classifier
        dataset:
          name: fashion-mnist
          validation_split: 0.1
          train_limit: 3000
          test_limit: 500
        optimizer:
          name: adam
          lr: 0.01
        training:
          batch_size: 32
          epochs: 3
          seed: 7
          workers: 3
        checkpoint:
          every_steps: 10
          keep: 3
        """;

    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);

    private static async Task<(NodeProcessCluster Cluster, ControlClient Client, string RunId)> StartRunAsync(int coordinators = 1, int ps = 2, int workers = 3,
        string spec = Spec)
    {
        var cluster = new NodeProcessCluster();
        for (int i = 0; i < coordinators; i++) await cluster.StartAsync("coordinator");
        for (int i = 0; i < ps; i++) await cluster.StartAsync("ps");
        for (int i = 0; i < workers; i++) await cluster.StartAsync("worker");
        var client = cluster.Client();
        var run = await client.StartRunAsync(new StartRunRequest(spec, "failure-spec.yaml"), CancellationToken.None);
        return (cluster, client, run.Id);
    }

    private static Task<RunInfo> ReachStepAsync(ControlClient client, string runId, long step) =>
        NodeProcessCluster.WaitForAsync(client, runId, r => r.Step >= step || r.Status is not (RunStatus.Running or RunStatus.Pending), RunTimeout);

    private static async Task CompletesLikeOneProcessAsync(NodeProcessCluster cluster, ControlClient client, string runId, string spec = Spec)
    {
        var done = await NodeProcessCluster.WaitForAsync(client, runId, r => r.Status is RunStatus.Completed or RunStatus.Failed, RunTimeout);
        Assert.True(done.Status == RunStatus.Completed, $"{done.Status}: {done.Reason}");
        await ReferenceRun.AssertMatchesAsync(cluster.Directory, runId, done.TotalSteps, spec, width: 3);
    }

    /// <summary>
    /// Starts a run, lets it reach <paramref name="atStep"/>, disturbs it, and checks it still completes like one
    /// process training on the same global batches.
    /// </summary>
    private static async Task CompletesDespiteAsync(Func<NodeProcessCluster, ControlClient, string, Task> disturb,
        int coordinators = 1, int ps = 2, int workers = 3, long atStep = 20)
    {
        var (cluster, client, runId) = await StartRunAsync(coordinators, ps, workers);
        await using var _ = cluster;
        using var __ = client;
        await ReachStepAsync(client, runId, atStep);
        await disturb(cluster, client, runId);
        await CompletesLikeOneProcessAsync(cluster, client, runId);
    }

    private static Func<NodeProcessCluster, ControlClient, string, Task> Kill(Func<NodeProcessCluster, ChildNode> node) =>
        (cluster, _, _) => { node(cluster).Kill(); return Task.CompletedTask; };

    [Fact]
    public Task A_worker_killed_mid_run_leaves_its_batches_to_the_others() =>
        CompletesDespiteAsync(Kill(c => c.Nodes[^1].Child));

    [Fact]
    public Task A_parameter_server_killed_mid_run_has_its_shards_rehomed_from_the_last_checkpoint() =>
        CompletesDespiteAsync(Kill(c => c.Nodes[2].Child), ps: 3);

    [Fact]
    public Task The_coordinator_killed_mid_run_is_restarted_elsewhere_from_the_journal() =>
        CompletesDespiteAsync(Kill(c => c.Nodes[0].Child), coordinators: 2);

    [Fact]
    public Task A_worker_that_joins_mid_run_gets_batches_from_the_next_sync_point() =>
        CompletesDespiteAsync(async (cluster, client, runId) =>
        {
            await cluster.StartAsync("worker");
            await NodeProcessCluster.WaitForAsync(client, runId, r => r.Workers == 3 || r.Status != RunStatus.Running, RunTimeout);
        }, workers: 2, atStep: 15);

    /// <summary>
    /// One epoch of about 280 steps, checkpointed only at its end: a node lost in it would roll the run back to step 0;
    /// handed over, the run goes on from the sync point after the leave (the next multiple of the 50-step segment cap).
    /// </summary>
    private static readonly string LongEpochSpec =
        Spec.Replace("every_steps: 10", "every_steps: 1000").Replace("train_limit: 3000", "train_limit: 30000").Replace("epochs: 3", "epochs: 1");

    /// <summary>
    /// Stops <paramref name="node"/> with SIGTERM early in epoch 0 and checks that it left by itself and that every
    /// generation started after that goes on from at least the step the run had reached (no step computed twice).
    /// </summary>
    private static async Task LeavesWithoutLosingAStepAsync(NodeProcessCluster cluster, ControlClient client, string runId, ChildNode node)
    {
        await ReachStepAsync(client, runId, 5);
        var before = await client.GetRunAsync(runId, CancellationToken.None);
        Assert.True(before.Run.Step < 200, $"the spec needs the leave well inside the epoch; the run was already at step {before.Run.Step}");
        await node.StopAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, node.ExitCode); // left on SIGTERM by itself, not killed after the grace time
        await CompletesLikeOneProcessAsync(cluster, client, runId, LongEpochSpec);
        var after = await client.GetRunAsync(runId, CancellationToken.None);
        var later = after.Generations!.Skip(before.Generations!.Count).ToArray();
        Assert.NotEmpty(later);
        Assert.All(later, g => Assert.True(g.FromStep >= before.Run.Step,
            $"generation {g.Generation} went back to step {g.FromStep}, behind step {before.Run.Step} where the run was when the node was asked to leave " +
            $"(generations: {string.Join(", ", after.Generations!.Select(x => $"{x.Generation}@{x.FromStep}"))})"));
    }

    [Fact]
    public async Task A_parameter_server_stopped_with_SIGTERM_hands_its_shards_over_without_losing_a_step()
    {
        string spec = LongEpochSpec;
        var (cluster, client, runId) = await StartRunAsync(ps: 3, spec: spec);
        await using var _ = cluster;
        using var __ = client;
        using var stop = new CancellationTokenSource(RunTimeout);
        using var events = await client.OpenEventsAsync(stop.Token);
        var seen = new System.Collections.Concurrent.ConcurrentQueue<RunEvent>();
        var reading = Task.Run(async () =>
        {
            try { await foreach (var e in events.ReadAllAsync(stop.Token)) seen.Enqueue(e); }
            catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException) { }
        });
        await LeavesWithoutLosingAStepAsync(cluster, client, runId, cluster.Nodes[2].Child);
        stop.Cancel();
        await reading;
        Assert.Contains(seen, e => e.Type == "Recovery" && e.RunId == runId && e.Message?.Contains("handed over") == true);
    }

    [Fact]
    public async Task The_coordinator_stopped_with_SIGTERM_hands_the_run_over_without_losing_a_step()
    {
        var (cluster, client, runId) = await StartRunAsync(coordinators: 2, spec: LongEpochSpec);
        await using var _ = cluster;
        using var __ = client;
        await LeavesWithoutLosingAStepAsync(cluster, client, runId, cluster.Nodes[0].Child); // the oldest: the singleton's node
    }
}

/// <summary>The training specs run one at a time: each starts six or seven node processes on a small machine.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TrainingProcessCollection
{
    public const string Name = "training node processes";
}
