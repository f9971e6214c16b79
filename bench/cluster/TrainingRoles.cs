using System.Diagnostics;
using System.Globalization;
using ClusterTrainer.Actors;
using ClusterTrainer.Actors.Remote;
using ClusterTrainer.Torch.Data;
using ClusterTrainer.Training.Distributed;
using ClusterTrainer.Training.Distributed.Coordinator;
using ClusterTrainer.Training.Distributed.ParameterServer;
using ClusterTrainer.Training.Distributed.Remote;
using ClusterTrainer.Training.Distributed.Worker;
using ClusterTrainer.Training.Models;
using ClusterTrainer.Training.Runs;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Bench.Cluster;

/// <summary>
/// The node side of part 1: every node builds the same job (seed CNN, real Fashion-MNIST, Adam 1e-3, sync mode)
/// and the same placement, and starts its part with <see cref="TrainingNodes.Start"/>. The coordinator's node
/// puts a <see cref="StepClock"/> at <c>/user/coordinator</c> in front of the coordinator, so the run is timed
/// from the step losses the workers report, after the warm-up, without touching the trainer.
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
    /// Child main: <c>node train-ROLE WORKERS BATCH WARMUP STEPS MAX_SHARD DATA_DIR THREADS</c>. Protocol: prints
    /// <c>address</c>, reads <c>placement COORD PS W0 W1..</c>, prints <c>ready</c>; the coordinator then reads
    /// <c>run</c> and prints <c>result samples_per_s=.. final_loss=..</c>.
    /// </summary>
    public static int Run(string role, string[] a)
    {
        int workers = Int(a[0]), batch = Int(a[1]), warmup = Int(a[2]), steps = Int(a[3]), threads = Int(a[6]);
        long maxShard = long.Parse(a[4], CultureInfo.InvariantCulture);
        set_num_threads(threads); // explicit, like torch.set_num_threads(1) in each DDP process
        using var node = NodeHost.Start();
        var p = NodeHost.Expect("placement").Select(Address.Parse).ToArray();
        var job = Job(workers, batch, warmup + steps, maxShard, a[5]);
        var layout = job.Layout(job.InitialParameters().Length);
        var placement = TrainingPlacement.RoundRobin(p[0], [p[1]], p[2..], layout.Count);
        if (role != Coordinator)
        {
            TrainingNodes.Start(node.System, job, placement);
            NodeHost.Say("ready");
            NodeHost.WaitForStdinClose();
            return 0;
        }

        TrainingProtocol.Register(node.System);
        placement.Validate(job, layout);
        var members = new RunMembers(
            layout.Shards.Select(s => TrainingNodes.PathOf(placement.Shards[s.Index], TrainingNodes.ShardName(s.Index))).ToArray(),
            placement.Workers.Select((n, i) => TrainingNodes.PathOf(n, TrainingJob.WorkerName(i))).ToArray());
        var clock = node.System.ActorOf(Props.CreateBy(() => new StepClock(job, members)), TrainingNodes.CoordinatorName);
        NodeHost.Say("ready");
        NodeHost.Expect("run");
        var answer = clock.Ask(StartRun.Instance, TimeSpan.FromMinutes(10)).GetAwaiter().GetResult();
        if (answer is not RunResult result) throw new InvalidOperationException($"the run did not finish: {answer}");
        var times = (StepTimes)clock.Ask(GetStepTimes.Instance, TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
        // Timed window: from every worker having reported step warmup-1 to every worker having reported the last step.
        long first = warmup - 1, last = warmup + steps - 1;
        double seconds = (times.CompletedAt[(int)last] - times.CompletedAt[(int)first]) / (double)Stopwatch.Frequency;
        long samples = result.Losses.Where(l => l.Step > first && l.Step <= last).Sum(l => (long)l.Samples);
        double finalLoss = result.Losses.Where(l => l.Step == last).Average(l => l.Loss);
        var stepMs = Enumerable.Range((int)first + 1, steps)
            .Select(t => (times.CompletedAt[t] - times.CompletedAt[t - 1]) * 1000.0 / Stopwatch.Frequency).Order().ToArray();
        NodeHost.Say(string.Create(CultureInfo.InvariantCulture,
            $"result samples_per_s={samples / seconds:0.00} samples={samples} seconds={seconds:0.000} final_loss={finalLoss:0.0000} " +
            $"shards={layout.Count} step_ms_p50={stepMs[stepMs.Length / 2]:0.0} step_ms_p90={stepMs[stepMs.Length * 9 / 10]:0.0}"));
        NodeHost.WaitForStdinClose();
        return 0;
    }

    private static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);
}

/// <summary>Ask the <see cref="StepClock"/> for <see cref="StepTimes"/>.</summary>
internal sealed record GetStepTimes
{
    public static GetStepTimes Instance { get; } = new();
}

/// <summary>When every worker had reported each step (Stopwatch ticks, index = step).</summary>
internal sealed record StepTimes(IReadOnlyList<long> CompletedAt);

/// <summary>
/// Sits at the coordinator's fixed path in front of the real <see cref="CoordinatorActor"/> (its child) and
/// forwards everything to it, noting the time at which the last worker reported each step.
/// <code>
///   StepLoss(step) --note count, stamp when all workers reported--> forward to the coordinator
///   anything else ------------------------------------------------> forward to the coordinator
/// </code>
/// </summary>
internal sealed class StepClock : ReceiveActor
{
    private readonly long[] _completedAt;
    private readonly int[] _reports;

    public StepClock(TrainingJob job, RunMembers members)
    {
        _completedAt = new long[job.Steps];
        _reports = new int[job.Steps];
        var coordinator = Context.ActorOf(Props.CreateBy(() => new CoordinatorActor(job, members)), "run");
        Receive<StepLoss>(m =>
        {
            if (m.Step >= 0 && m.Step < _reports.Length && ++_reports[m.Step] == job.Workers) _completedAt[m.Step] = Stopwatch.GetTimestamp();
            coordinator.Forward(m);
        });
        Receive<GetStepTimes>(_ => Sender.Tell(new StepTimes(_completedAt.ToArray())));
        ReceiveAny(coordinator.Forward);
    }
}
