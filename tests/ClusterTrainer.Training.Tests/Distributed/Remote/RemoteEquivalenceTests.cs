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
/// The correctness anchor across real actor systems: the coordinator on one node, the parameter shards spread
/// over two <c>ps</c> nodes, three workers on three nodes of their own, every training message going through
/// TCP remoting and the binary codecs. Synchronous training with per-worker batch b must equal single-process
/// training with batch 3b (same job and seed as <see cref="EquivalenceTests"/>).
/// </summary>
[Collection(TorchRngCollection.Name)]
public sealed class RemoteEquivalenceTests(ITestOutputHelper output)
{
    private const int Workers = 3, Steps = 20, Samples = 100;
    private const long DataSeed = 20261123;
    private const double Tolerance = 1e-5;
    private static readonly string[] PsRoles = ["ps-a", "ps-b"];
    private static readonly string[] WorkerRoles = ["worker-a", "worker-b", "worker-c"];

    public static TheoryData<string, double, double, int> Cases => new()
    {
        { "sgd", 0.1, 0.9, 1 },   // SGD with momentum
        { "adam", 0.01, 0.0, 1 },
        { "sgd", 0.1, 0.9, 2 },   // every push sent twice over the wire: still applied once
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Sync_training_across_six_nodes_equals_one_process_with_the_global_batch(
        string optimizer, double lr, double momentum, int pushRepeats)
    {
        var data = Data(Samples, DataSeed);
        var job = EquivalenceTests.Job(data, ShardOptimizer.Spec(optimizer, lr, momentum), ShardPolicy.Synchronous, pushRepeats);
        var expected = EquivalenceTests.SingleProcess(job);
        int shardCount = job.Layout(expected.Length).Count;
        Assert.True(shardCount >= PsRoles.Length, $"the layout should give each ps node a shard (got {shardCount} shards)");

        await using var spec = await MultiNodeSpec.StartAsync(new MultiNodeConfig
        {
            Roles = ["coordinator", .. PsRoles, .. WorkerRoles],
            AutoJoin = false, // plain remoting is all a run needs; no cluster membership
        });
        Address Of(string role) => Remoting.Get(spec.System(role)).Address;
        var placement = TrainingPlacement.RoundRobin(Of("coordinator"), PsRoles.Select(Of).ToArray(), WorkerRoles.Select(Of).ToArray(), shardCount);

        // Every node starts its own part from the same job and placement, before anyone asks for the run.
        var started = spec.Roles.ToDictionary(r => r, r => TrainingNodes.Start(spec.System(r), job, placement));
        Assert.Equal([(shardCount + 1) / 2, shardCount / 2], PsRoles.Select(r => started[r].Shards.Count));
        Assert.All(WorkerRoles, r => Assert.Single(started[r].Workers));
        Assert.Empty(started["coordinator"].Shards);
        var coordinator = started["coordinator"].Coordinator ?? throw new Xunit.Sdk.XunitException("no coordinator was started");

        var answer = await coordinator.Ask(StartRun.Instance, TimeSpan.FromMinutes(2));
        var result = answer switch
        {
            RunResult r => r,
            RunFailed f => throw new Xunit.Sdk.XunitException("The run failed: " + f.Reason),
            _ => throw new Xunit.Sdk.XunitException($"Unexpected answer {answer}"),
        };

        double max = MaxDelta(expected, result.Parameters);
        output.WriteLine($"{optimizer} x{pushRepeats}: max |Δparameter| = {max:E3} over {expected.Length} parameters, {shardCount} shards");
        Assert.True(max <= Tolerance, $"max |Δparameter| = {max:E3}, tolerance {Tolerance:E0}");
        Assert.Equal(shardCount, result.Shards.Count);
        foreach (var c in result.Shards)
        {
            Assert.Equal((long)Steps, c.Version);
            Assert.Equal(Steps, c.AppliedSteps);                       // each step applied exactly once per shard
            Assert.Equal(Workers * Steps, c.GradientsTaken);            // one gradient per worker per step
            Assert.Equal(Workers * Steps * (pushRepeats - 1), c.Duplicates);
            Assert.Equal((0L, 0L), (c.LateDrops, c.Rejected));
        }
        Assert.Equal(Workers * Steps, result.Losses.Count);
        long bytes = spec.Roles.Sum(r => Remoting.Get(spec.System(r)).Counters.BytesOut);
        output.WriteLine($"wire: {bytes} bytes sent by all nodes, {bytes / Steps} per step");
        // The data really crossed the wire: every ps and worker node received frames.
        foreach (var role in PsRoles.Concat(WorkerRoles))
            Assert.True(Remoting.Get(spec.System(role)).Counters.FramesIn > Steps, $"{role} received no training traffic");
    }

    [Fact]
    public void A_placement_that_does_not_match_the_job_is_refused_with_the_numbers()
    {
        var job = EquivalenceTests.Job(Data(20, DataSeed), ShardOptimizer.Spec("sgd", 0.1, 0.9), ShardPolicy.Synchronous, 1);
        var layout = job.Layout(job.InitialParameters().Length);
        var node = new Address(Address.TcpProtocol, "trainer", "127.0.0.1", 4053);
        var wrongShards = TrainingPlacement.RoundRobin(node, [node], [node, node, node], layout.Count + 1);
        Assert.Contains($"shardCount = {layout.Count}", Assert.Throws<ArgumentException>(() => wrongShards.Validate(job, layout)).Message);
        var twoWorkers = TrainingPlacement.RoundRobin(node, [node], [node, node], layout.Count);
        Assert.Contains("has 3", Assert.Throws<ArgumentException>(() => twoWorkers.Validate(job, layout)).Message);
        var local = TrainingPlacement.RoundRobin(Address.Local("trainer"), [node], [node, node, node], layout.Count);
        Assert.Contains("local-only", Assert.Throws<ArgumentException>(() => local.Validate(job, layout)).Message);
    }

    private static double MaxDelta(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double max = 0;
        for (int i = 0; i < expected.Length; i++) max = Math.Max(max, Math.Abs((double)expected[i] - actual[i]));
        return max;
    }
}
