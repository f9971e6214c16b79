using System.Globalization;
using System.Threading.Channels;
using ClusterTrainer.Node.Local;
using ClusterTrainer.Node.Settings;
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
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(2), TrainTimeout = TimeSpan.FromMinutes(5);

    public static async Task<TrainingSample> RunAsync(BenchOptions o)
    {
        string dir = Directory.CreateTempSubdirectory("ct-bench-cluster-runtime-").FullName;
        int seedPort = ClusterPlan.FreePort();
        string seed = $"ct.tcp://{NodeOptions.SystemName}@{ClusterPlan.LoopbackHost}:{seedPort}";
        NodePlan Node(string name, string roles, int port) => new(name, [roles],
        [
            "node", "--host", ClusterPlan.LoopbackHost, "--port", port.ToString(CultureInfo.InvariantCulture), "--seeds", seed,
            "--roles", roles, "--store", "sqlite:" + Path.Combine(dir, "cluster.db"), "--checkpoint-dir", Path.Combine(dir, "checkpoints"),
            "--http-port", "0", "--threads", "1", "--device", "cpu", "--data-dir", o.DataDir, NodeCommandLineParser.ExitWithParentFlag,
        ]);
        var nodes = new List<NodePlan> { Node("coordinator", "coordinator", seedPort), Node("ps", "ps", 0) };
        for (int i = 0; i < o.Workers; i++) nodes.Add(Node($"worker{i}", "worker", 0));
        var plan = new ClusterPlan(dir, NodeEnvironment.NewSecret(), NodeEnvironment.NewSecret(), seed, nodes);
        using var stop = new CancellationTokenSource();
        try
        {
            await using var cluster = await LocalCluster.StartAsync(plan, ResumeBench.NodeBinary(), ReadyTimeout, TimeSpan.FromSeconds(10), _ => { }, stop.Token);
            Uri http = cluster.Nodes[0].Ready.Result.Http ?? throw new InvalidOperationException("the coordinator node serves no control API");
            using var control = new ControlClient(() => [http], plan.Token);
            using var subscription = await control.OpenEventsAsync(stop.Token);
            var events = Channel.CreateUnbounded<RunEvent>();
            _ = Task.Run(async () =>
            {
                try { await foreach (var e in subscription.ReadAllAsync(stop.Token)) await events.Writer.WriteAsync(e, stop.Token); }
                catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException) { }
                finally { events.Writer.TryComplete(); }
            });
            var run = await control.StartRunAsync(new StartRunRequest(Spec(o.Batch, o.Workers), "bench-runtime.yaml"), stop.Token);
            RunEvent? first = null, last = null;
            using var late = new CancellationTokenSource(TrainTimeout);
            await foreach (var e in events.Reader.ReadAllAsync(late.Token))
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
        }
        catch (LaunchException e)
        {
            throw new InvalidOperationException(e.Message, e);
        }
        finally
        {
            stop.Cancel();
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
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
