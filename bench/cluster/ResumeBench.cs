using System.Diagnostics;
using System.Globalization;

namespace ClusterTrainer.Bench.Cluster;

/// <summary>
/// Part 4: seconds from SIGKILL of the coordinator singleton's node to training again. A cluster of four node
/// processes on loopback sharing one SQLite store and checkpoint directory: two coordinator-role nodes (the first,
/// the oldest, hosts the singleton), one ps node and one worker node. A run of the seed CNN is started through
/// the control plane; once a checkpoint is committed and steps follow it, the singleton's node is killed and the
/// clock runs until the first Step event the new coordinator publishes (watched from the ps node, as
/// <c>ctr run watch</c> would). That event's own time stamp is the end (its receipt is printed too); the event
/// relay re-subscribes every 2 s and Step events come at most every 250 ms, so the number is an upper bound.
/// </summary>
internal static class ResumeBench
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2), TrainTimeout = TimeSpan.FromMinutes(3);

    public static async Task<double> RunAsync(BenchOptions o)
    {
        string dir = Directory.CreateTempSubdirectory("ct-bench-cluster-resume-").FullName;
        string spec = Path.Combine(dir, "run.yaml");
        await File.WriteAllTextAsync(spec, Spec(o.Batch));
        var env = NodeEnvironment.For(NodeEnvironment.NewSecret(), torchThreads: 1);
        string[] Args(string roles, string seeds) => [roles, seeds, "sqlite:" + Path.Combine(dir, "cluster.db"), Path.Combine(dir, "checkpoints"), o.DataDir];
        var nodes = new List<ChildProcess>();
        try
        {
            var singleton = ChildProcess.StartNode(ClusterNodeRole.Name, Args("coordinator", "-"), env);
            nodes.Add(singleton);
            string seed = await singleton.ExpectAsync("address", StartTimeout);
            foreach (var roles in new[] { "coordinator", "ps", "worker" })
                nodes.Add(ChildProcess.StartNode(ClusterNodeRole.Name, Args(roles, seed), env));
            foreach (var n in nodes.Skip(1)) await n.ExpectAsync("address", StartTimeout);
            var watcher = nodes[2]; // the ps node: it survives the kill
            watcher.Send("watch");
            nodes[1].Send("start " + spec);
            string runId = await nodes[1].ExpectAsync("started", StartTimeout);
            Console.WriteLine($"[resume] run {runId}: seed CNN, 1 worker, checkpoint every 20 steps; nodes: singleton (coordinator), coordinator, ps, worker");

            var checkpoint = await NextEventAsync(watcher, e => e.Type == "Checkpoint", TrainTimeout);
            var step = await NextEventAsync(watcher, e => e.Type == "Step", TrainTimeout);
            long killedAtMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var clock = Stopwatch.StartNew();
            singleton.Kill();
            Console.WriteLine($"  checkpoint at step {checkpoint.Step}, training at step {step.Step}: SIGKILL to the singleton's node (pid {singleton.Pid})");
            var resumed = await NextEventAsync(watcher, e => e.Type == "Step" && e.TimeMs > killedAtMs, TrainTimeout,
                e => Console.WriteLine($"  +{(e.TimeMs - killedAtMs) / 1000.0:0.00} s {e.Type} {e.Message}"));
            double received = clock.Elapsed.TotalSeconds, seconds = (resumed.TimeMs - killedAtMs) / 1000.0;
            PrintMilestones(nodes[1], killedAtMs);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  training again at step {resumed.Step}: Step event stamped {seconds:0.00} s after the kill (received after {received:0.00} s)"));
            return seconds;
        }
        finally
        {
            foreach (var n in nodes) await n.DisposeAsync();
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Where the time went, from the new coordinator node's log (UTC time stamps, same machine clock).</summary>
    private static void PrintMilestones(ChildProcess node, long killedAtMs)
    {
        (string Marker, string Meaning)[] milestones =
        [
            ("removed from the cluster", "the killed node is removed from the cluster (failure detector + downing)"),
            ("Singleton 'run-coordinator' started", "the coordinator singleton starts on this node"),
            ("Resuming run", "the coordinator resumes the run from its last checkpoint"),
        ];
        var killedAt = DateTimeOffset.FromUnixTimeMilliseconds(killedAtMs).UtcDateTime;
        foreach (var (marker, meaning) in milestones)
        {
            string? line = node.StderrTail().FirstOrDefault(l => l.Contains(marker, StringComparison.Ordinal));
            if (line is null || line.Length < 20 || !TimeSpan.TryParseExact(line[line.IndexOf("][", StringComparison.Ordinal)..][2..14],
                    @"hh\:mm\:ss\.fff", CultureInfo.InvariantCulture, out var at)) continue;
            Console.WriteLine($"  +{(at - killedAt.TimeOfDay).TotalSeconds:0.00} s {meaning}");
        }
    }

    private sealed record RunEventLine(string Type, long? Step, long TimeMs, string Message);

    /// <summary>Reads <c>event</c> lines until one matches; <paramref name="seen"/> gets the others.</summary>
    private static async Task<RunEventLine> NextEventAsync(ChildProcess watcher, Func<RunEventLine, bool> match, TimeSpan timeout,
        Action<RunEventLine>? seen = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new TimeoutException($"no matching run event within {timeout.TotalSeconds:0} s");
            string line = await watcher.ExpectAsync("event", left);
            var type = line.Split(' ', 2)[0];
            var kv = KeyValues.Parse(line);
            var e = new RunEventLine(type, kv["step"] == "-" ? null : long.Parse(kv["step"], CultureInfo.InvariantCulture),
                long.Parse(kv["time_ms"], CultureInfo.InvariantCulture), kv["message"].Replace('_', ' '));
            if (match(e)) return e;
            if (e.Type != "Step") seen?.Invoke(e);
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
