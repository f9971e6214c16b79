using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using ClusterTrainer.Node.Local;
using ClusterTrainer.Training.Control;

namespace ClusterTrainer.Bench.Cluster;

/// <summary>
/// Part 4: seconds from SIGKILL of the coordinator singleton's node to training again. Four processes of the node
/// executable (<c>ClusterTrainer.Node node</c>) on loopback, sharing one SQLite store and checkpoint directory: two
/// coordinator-role nodes (the first is the seed and the oldest, so it hosts the singleton), one ps and one worker
/// node. A run of the seed CNN is started over the HTTP control API; <c>/api/events</c> of the ps node (a survivor)
/// is watched; once a checkpoint is committed and a step follows, the singleton's node is killed and the clock runs
/// until the first Step event of the new coordinator. That event's own time stamp is the end (its receipt is printed
/// too); the event relay re-subscribes every 2 s and Step events come at most every 250 ms, so it is an upper bound.
/// </summary>
internal static class ResumeBench
{
    private static readonly TimeSpan TrainTimeout = TimeSpan.FromMinutes(3);

    public static async Task<double> RunAsync(BenchOptions o)
    {
        var plan = BenchNodes.Plan(o, "resume", ("singleton", "coordinator"), ("coordinator", "coordinator"), ("ps", "ps"), ("worker", "worker"));
        return await BenchNodes.WithClusterAsync(plan, async (cluster, ct) =>
        {
            using var control = new ControlClient(() => [BenchNodes.Http(cluster, 1)], plan.Token);
            using var watch = new ControlClient(() => [BenchNodes.Http(cluster, 2)], plan.Token); // the ps node survives the kill
            using var subscription = await watch.OpenEventsAsync(ct);
            var events = BenchNodes.Pump(subscription, ct);

            var run = await control.StartRunAsync(new StartRunRequest(Spec(o.Batch), "bench-resume.yaml"), ct);
            Console.WriteLine($"[resume] run {run.Id} over the HTTP API: seed CNN, 1 worker, checkpoint every 20 steps; " +
                              "node processes: singleton + coordinator (role coordinator), ps, worker");
            var checkpoint = await NextAsync(events, e => e.Type == "Checkpoint", TrainTimeout);
            var step = await NextAsync(events, e => e.Type == "Step", TrainTimeout);
            var killedAt = DateTimeOffset.UtcNow;
            long killedTicks = Stopwatch.GetTimestamp();
            cluster.Nodes[0].Kill();
            Console.WriteLine($"  checkpoint at step {checkpoint.Event.Step}, training at step {step.Event.Step}: SIGKILL to the singleton's node (pid {cluster.Nodes[0].Pid})");
            var resumed = await NextAsync(events, e => e.Type == "Step" && e.Time > killedAt, TrainTimeout,
                e => Console.WriteLine($"  +{(e.Time - killedAt).TotalSeconds:0.00} s {e.Type} {e.Message}"));
            double seconds = (resumed.Event.Time - killedAt).TotalSeconds;
            double received = Stopwatch.GetElapsedTime(killedTicks, resumed.ReceivedAt).TotalSeconds;
            PrintMilestones(cluster.Nodes[1].LogPath, killedAt);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  training again at step {resumed.Event.Step}: Step event stamped {seconds:0.00} s after the kill (received after {received:0.00} s)"));
            return seconds;
        });
    }

    private static async Task<(RunEvent Event, long ReceivedAt)> NextAsync(Channel<(RunEvent Event, long ReceivedAt)> events,
        Func<RunEvent, bool> match, TimeSpan timeout, Action<RunEvent>? seen = null)
    {
        using var late = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var next = await events.Reader.ReadAsync(late.Token);
                if (match(next.Event)) return next;
                if (next.Event.Type != "Step") seen?.Invoke(next.Event);
            }
        }
        catch (OperationCanceledException) { throw new TimeoutException($"no matching run event within {timeout.TotalSeconds:0} s"); }
        catch (ChannelClosedException) { throw new InvalidOperationException("the event stream of the ps node closed"); }
    }

    /// <summary>Where the time went, from the new coordinator node's log (UTC time stamps, same machine clock).</summary>
    private static void PrintMilestones(string logPath, DateTimeOffset killedAt)
    {
        (string Marker, string Meaning)[] milestones =
        [
            ("removed from the cluster", "the killed node is removed from the cluster (failure detector + downing)"),
            ("Singleton 'run-coordinator' started", "the coordinator singleton starts on the other coordinator node"),
            ("Resuming run", "the coordinator resumes the run from its last checkpoint"),
        ];
        string[] log;
        using (var reader = new StreamReader(new FileStream(logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite)))
            log = reader.ReadToEnd().Split('\n');
        foreach (var (marker, meaning) in milestones)
        {
            string? line = log.FirstOrDefault(l => l.Contains(marker, StringComparison.Ordinal));
            int at = line?.IndexOf("][", StringComparison.Ordinal) ?? -1;
            if (line is null || at < 0 || line.Length < at + 14 ||
                !TimeSpan.TryParseExact(line.AsSpan(at + 2, 12), @"hh\:mm\:ss\.fff", CultureInfo.InvariantCulture, out var time)) continue;
            Console.WriteLine($"  +{(time - killedAt.UtcDateTime.TimeOfDay).TotalSeconds:0.00} s {meaning}");
        }
    }

    /// <summary>The run: seed CNN on a Fashion-MNIST subset, long enough to still be training after the failover.</summary>
    private static string Spec(int batch) => $"""
        name: bench-resume
        model: seed-cnn
        dataset:
          name: fashion-mnist
          validation_split: 0.1
          train_limit: 12000
          test_limit: 1000
        optimizer:
          name: adam
          lr: 0.001
        training:
          batch_size: {batch}
          epochs: 3
          seed: 1
          workers: 1
        sync:
          mode: sync
        checkpoint:
          every_steps: 20
          keep: 3
        """;
}
