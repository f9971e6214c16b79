using ClusterTrainer.Actors.Serialization;
using System.Diagnostics;
using System.Globalization;
using ClusterTrainer.Actors;
using ClusterTrainer.Actors.Remote;
using ClusterTrainer.Torch.Data;
using ClusterTrainer.Training.Distributed;
using ClusterTrainer.Training.Distributed.ParameterServer;
using ClusterTrainer.Training.Distributed.Remote;
using ClusterTrainer.Training.Distributed.Worker;
using ClusterTrainer.Training.Models;
using ClusterTrainer.Training.Runs;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Bench.Cluster;

/// <summary>
/// The node side of part 1: every node builds the same job (seed CNN, real Fashion-MNIST, Adam 1e-3, sync mode)
/// and the same placement. Coordinator and worker nodes start their part with <see cref="TrainingNodes.Start"/>
/// unchanged; the ps node starts the same <see cref="ParameterServerActor"/>s, each behind a <see cref="ShardClock"/>
/// at the shard's fixed path, which notes when every worker's gradient of a step has arrived. A clock in front of
/// the shards cannot reorder anything (every message to a shard passes it, in order); one in front of the
/// coordinator would let a worker's death notice overtake its WorkerFinished.
/// </summary>
internal static class TrainingNodeRoles
{
    public const string Coordinator = "train-coordinator", Ps = "train-ps", Worker = "train-worker";

    public static TrainingJob Job(int workers, int batch, int steps, long maxShardElements, string dataDir)
    {
        var train = FashionMnist.Load(MnistSplit.Train, dataDir);
        long[] shape = [train.Count, .. train.SampleShape.Select(d => (long)d)];
        var inputs = tensor(train.Inputs, shape);
        var targets = tensor(train.ClassLabels!);
        inputs.DetachFromDisposeScope();
        targets.DetachFromDisposeScope();
        return new TrainingJob(() => new SeedCnn(), (logits, y) => nn.functional.cross_entropy(logits, y),
            new TrainingData(inputs, targets), OptimizerSpec.Defaults("adam"), ShardPolicy.Synchronous,
            workers, batch, steps, Seed: 1, maxShardElements);
    }

    /// <summary>
    /// Child main: <c>node train-ROLE WORKERS BATCH WARMUP STEPS MAX_SHARD DATA_DIR THREADS</c> (MAX_SHARD 0: the cluster's rule). Protocol: prints
    /// <c>address</c>, reads <c>placement COORD PS W0 W1..</c>, prints <c>ready</c>. The coordinator then reads
    /// <c>run</c> and prints <c>result samples=.. final_loss=..</c> (samples of the timed steps); the ps node then
    /// reads <c>report</c> and prints <c>timing seconds=.. step_ms_p50=.. step_ms_p90=..</c>.
    /// </summary>
    public static int Run(string role, string[] a)
    {
        int workers = Int(a[0]), batch = Int(a[1]), warmup = Int(a[2]), steps = Int(a[3]), threads = Int(a[6]);
        long maxShard = long.Parse(a[4], CultureInfo.InvariantCulture);
        set_num_threads(threads); // explicit, like torch.set_num_threads(1) in each DDP process
        using var node = NodeHost.Start();
        var p = NodeHost.Expect("placement").Select(Address.Parse).ToArray();
        var job = Job(workers, batch, warmup + steps, maxShard == 0 ? ShardLayout.LargestShard : maxShard, a[5]);
        float[] initial = job.InitialParameters();
        // 0: the cluster's own shard bound for this model on one ps node (ShardLayout.ShardBoundFor).
        if (maxShard == 0) job = job with { MaxShardElements = ShardLayout.ShardBoundFor(initial.Length, psNodes: 1) };
        var layout = job.Layout(initial.Length);
        var placement = TrainingPlacement.RoundRobin(p[0], [p[1]], p[2..], layout.Count);
        // Timed window: from every worker's gradient of step warmup-1 to every worker's gradient of the last step.
        int first = warmup - 1, last = warmup + steps - 1;
        switch (role)
        {
            case Ps:
                TrainingProtocol.Register(node.System);
                placement.Validate(job, layout);
                var workerIds = Enumerable.Range(0, workers).Select(TrainingJob.WorkerName).ToArray();
                var clocks = layout.Shards.Select(spec =>
                {
                    float[] slice = initial.AsSpan((int)spec.Offset, (int)spec.Length).ToArray();
                    var shard = Props.CreateBy(() => new ParameterServerActor(spec, slice, job.Optimizer, job.Policy, workerIds));
                    return node.System.ActorOf(Props.CreateBy(() => new ShardClock(job.Steps, workers, shard)), TrainingNodes.ShardName(spec.Index));
                }).ToArray();
                NodeHost.Say("ready");
                NodeHost.Expect("report");
                var times = (StepTimes)clocks[0].Ask(GetStepTimes.Instance, TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
                var stepMs = Enumerable.Range(first + 1, steps).Select(t => Ms(times.CompletedAt[t] - times.CompletedAt[t - 1])).Order().ToArray();
                NodeHost.Say(string.Create(CultureInfo.InvariantCulture,
                    $"timing seconds={Ms(times.CompletedAt[last] - times.CompletedAt[first]) / 1000:0.0000} " +
                    $"step_ms_p50={stepMs[stepMs.Length / 2]:0.0} step_ms_p90={stepMs[stepMs.Length * 9 / 10]:0.0} shards={layout.Count}"));
                break;
            case Worker:
                TrainingNodes.Start(node.System, job, placement);
                NodeHost.Say("ready");
                break;
            default:
                var coordinator = TrainingNodes.Start(node.System, job, placement).Coordinator!;
                NodeHost.Say("ready");
                NodeHost.Expect("run");
                var answer = coordinator.Ask(StartRun.Instance, TimeSpan.FromMinutes(10)).GetAwaiter().GetResult();
                if (answer is not RunResult result) throw new InvalidOperationException($"the run did not finish: {answer}");
                long samples = result.Losses.Where(l => l.Step > first && l.Step <= last).Sum(l => (long)l.Samples);
                double finalLoss = result.Losses.Where(l => l.Step == last).Average(l => l.Loss);
                NodeHost.Say(string.Create(CultureInfo.InvariantCulture, $"result samples={samples} final_loss={finalLoss:0.0000}"));
                break;
        }
        NodeHost.WaitForStdinClose();
        return 0;
    }

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    private static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);
}

/// <summary>Ask a <see cref="ShardClock"/> for <see cref="StepTimes"/>.</summary>
internal sealed record GetStepTimes
{
    public static GetStepTimes Instance { get; } = new();
}

/// <summary>When the last worker's gradient of each step arrived (Stopwatch ticks, index = step).</summary>
internal sealed record StepTimes(IReadOnlyList<long> CompletedAt);

/// <summary>
/// Sits at a shard's fixed path in front of the real <see cref="ParameterServerActor"/> (its child) and forwards
/// everything to it, in arrival order and with the original sender (replies go straight to the workers), noting
/// when the gradients of all workers for a step have arrived.
/// <code>
///   PushGradient(step) --count, stamp when every worker's is in--> forward to the shard
///   anything else ------------------------------------------------> forward to the shard
/// </code>
/// </summary>
internal sealed class ShardClock : ReceiveActor
{
    private readonly long[] _completedAt;
    private readonly int[] _pushes;

    public ShardClock(int steps, int workers, Props shardProps)
    {
        _completedAt = new long[steps];
        _pushes = new int[steps];
        var shard = Context.ActorOf(shardProps, "shard");
        Receive<TensorPayload>(t =>
        {
            // Pushes are bare tensor frames (DataPlane); one per worker and step (the job's PushRepeats is 1).
            if (DataPlane.TryReadPush(t, out var m) && m.Step >= 0 && m.Step < _pushes.Length && ++_pushes[m.Step] == workers)
                _completedAt[m.Step] = Stopwatch.GetTimestamp();
            shard.Forward(t);
        });
        Receive<GetStepTimes>(_ => Sender.Tell(new StepTimes(_completedAt.ToArray())));
        ReceiveAny(shard.Forward);
    }
}
