using System.Globalization;
using ClusterTrainer.Node.Local;
using ClusterTrainer.Training.Control;

namespace ClusterTrainer.Bench.Cluster;

/// <summary>
/// Part 1's third side: the product path itself. Node processes of the node executable (<c>ClusterTrainer.Node
/// node</c>: a coordinator node, one ps node, one node per worker, one libtorch thread each) train the seed CNN with
/// the same per-worker batch and Adam 1e-3, submitted over the HTTP control API, so the run goes through the
/// coordinator singleton, the sharded parameter shards, generations of at most 50 steps and their sync points.
/// Samples/s come from the coordinator's Step events: the global batches between the first event at or past the
/// warm-up and the last one of the epoch, over the time between their stamps (events come at most every 250 ms,
/// so over a 10 s window the stamps are good to a few percent).
/// </summary>
internal static class RuntimeTrainingBench
{
    private static readonly TimeSpan TrainTimeout = TimeSpan.FromMinutes(5);

    public static async Task<TrainingSample> RunAsync(BenchOptions o)
    {
        var nodes = new List<(string, string)> { ("coordinator", "coordinator"), ("ps", "ps") };
        for (int i = 0; i < o.Workers; i++) nodes.Add(($"worker{i}", "worker"));
        var plan = BenchNodes.Plan(o, "runtime", nodes.ToArray());
        return await BenchNodes.WithClusterAsync(plan, async (cluster, ct) =>
        {
            var http = BenchNodes.Http(cluster, 0);
            using var control = new ControlClient(() => [http], plan.Token);
            using var subscription = await control.OpenEventsAsync(ct);
            var events = BenchNodes.Pump(subscription, ct);
            var run = await control.StartRunAsync(new StartRunRequest(Spec(o.Batch, o.Workers), "bench-runtime.yaml"), ct);
            RunEvent? first = null, last = null;
            using var late = new CancellationTokenSource(TrainTimeout);
            await foreach (var (e, _) in events.Reader.ReadAllAsync(late.Token))
            {
                if (e.RunId != run.Id) continue;
                if (e.Type == "RunEnded") throw new InvalidOperationException($"the run ended early: {e.Status} {e.Message}");
                if (e.Type == "EpochEnded") break;
                if (e.Type != "Step" || e.Step is not { } step || step < o.Warmup) continue;
                first ??= e;
                last = e;
            }
            if (first is null || last is null || last.Step <= first.Step)
                throw new InvalidOperationException("too few Step events to time the run");
            long globalBatch = (long)o.Batch * o.Workers;
            double seconds = (last.Time - first.Time).TotalSeconds;
            double samples = (double)(last.Step!.Value - first.Step!.Value) * globalBatch;
            return new TrainingSample(samples / seconds, "-", string.Create(CultureInfo.InvariantCulture,
                $"node processes, steps {first.Step}..{last.Step} in {seconds:0.00} s"));
        });
    }

    /// <summary>One epoch of the whole training split (about 420 steps of 2 x 64), checkpointed only at its end.</summary>
    private static string Spec(int batch, int workers) => $"""
        name: bench-runtime
        model: seed-cnn
        dataset:
          name: fashion-mnist
          validation_split: 0.1
          test_limit: 1000
        optimizer:
          name: adam
          lr: 0.001
        training:
          batch_size: {batch}
          epochs: 1
          seed: 1
          workers: {workers}
        sync:
          mode: sync
        checkpoint:
          every_steps: 100000
          keep: 1
        """;
}
