using ClusterTrainer.Actors;
using ClusterTrainer.Actors.Remote;
using ClusterTrainer.TestKit.MultiNode;
using ClusterTrainer.Training.Distributed;
using ClusterTrainer.Training.Distributed.ParameterServer;
using ClusterTrainer.Training.Distributed.Remote;
using Xunit;
using Xunit.Abstractions;
using static ClusterTrainer.Training.Tests.Distributed.DistributedFixtures;

namespace ClusterTrainer.Training.Tests.Distributed.Remote;

/// <summary>
/// A worker node lost mid-run (its traffic cut, its system gone, then declared dead as downing would): the
/// coordinator hears Terminated over remote watch, tells every shard the worker left, and synchronous training
/// finishes with the other two workers, every step still applied exactly once per shard.
/// </summary>
[Collection(TorchRngCollection.Name)]
public sealed class RemoteWorkerLossTests(ITestOutputHelper output)
{
    private const int Steps = 300;
    private static readonly string[] PsRoles = ["ps-a", "ps-b"];
    private static readonly string[] WorkerRoles = ["worker-a", "worker-b", "worker-c"];

    [Fact]
    public async Task A_worker_node_lost_mid_run_leaves_the_run_and_the_other_workers_finish_it()
    {
        var job = EquivalenceTests.Job(Data(100, 77), ShardOptimizer.Spec("sgd", 0.05, 0.9), ShardPolicy.Synchronous, 1, Steps);
        int shardCount = job.Layout(job.InitialParameters().Length).Count;
        await using var spec = await MultiNodeSpec.StartAsync(new MultiNodeConfig
        {
            Roles = ["coordinator", .. PsRoles, .. WorkerRoles],
            AutoJoin = false,
        });
        Address Of(string role) => Remoting.Get(spec.System(role)).Address;
        var placement = TrainingPlacement.RoundRobin(Of("coordinator"), PsRoles.Select(Of).ToArray(), WorkerRoles.Select(Of).ToArray(), shardCount);
        var started = spec.Roles.ToDictionary(r => r, r => TrainingNodes.Start(spec.System(r), job, placement));
        var run = started["coordinator"].Coordinator!.Ask(StartRun.Instance, TimeSpan.FromMinutes(2));

        // Wait until training is under way, then lose worker-c's node.
        var shard0 = started["ps-a"].Shards[0];
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        long versionAtLoss;
        while ((versionAtLoss = (await shard0.Ask<ShardCounters>(GetShardCounters.Instance, TimeSpan.FromSeconds(30))).Version) < 5)
        {
            Assert.False(run.IsCompleted, "the run ended before the worker node could be lost");
            Assert.True(DateTime.UtcNow < deadline, "training did not reach step 5 within 60 s");
            await Task.Delay(10);
        }
        var lost = Of("worker-c");
        foreach (var role in spec.Roles.Where(r => r != "worker-c"))
        {
            Remoting.Get(spec.System(role)).SetFault(lost, FaultMode.Disconnect);
            Remoting.Get(spec.System("worker-c")).SetFault(Of(role), FaultMode.Disconnect);
        }
        await spec.System("worker-c").Terminate();
        await Remoting.Get(spec.System("coordinator")).DeclareAddressTerminatedAsync(lost, "test: worker node lost");

        var result = Assert.IsType<RunResult>(await run);
        output.WriteLine($"worker-c lost at version {versionAtLoss}; gradients per shard: {string.Join(", ", result.Shards.Select(c => c.GradientsTaken))}");
        Assert.True(versionAtLoss < Steps - 10, $"the loss came too late to matter (version {versionAtLoss} of {Steps})");
        foreach (var c in result.Shards)
        {
            Assert.Equal((long)Steps, c.Version);
            Assert.Equal(Steps, c.AppliedSteps);     // no step applied twice, none skipped
            Assert.Equal((0L, 0L), (c.Duplicates, c.LateDrops));
            Assert.InRange(c.GradientsTaken, 2L * Steps, 3L * Steps - 1); // worker-c stopped contributing
        }
        Assert.Equal(Steps, result.Losses.Count(l => l.Worker == "worker-0"));
        Assert.Equal(Steps, result.Losses.Count(l => l.Worker == "worker-1"));
        Assert.InRange(result.Losses.Count(l => l.Worker == "worker-2"), 1, Steps - 1);
        Assert.All(result.Losses, l => Assert.True(float.IsFinite(l.Loss)));
    }
}
