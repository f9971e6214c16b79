using System.Globalization;

namespace ClusterTrainer.Bench.Cluster;

/// <summary>What one side of part 1 measured.</summary>
internal sealed record TrainingSample(double SamplesPerSecond, string FinalLoss, string Detail);

/// <summary>
/// Part 1, the parent's side: the same training (seed CNN, Fashion-MNIST, Adam 1e-3, per-worker batch b,
/// one libtorch thread per process, warm-up then a timed window of steps) run by our trainer as separate node
/// processes on loopback and by PyTorch DDP (gloo, one process per rank).
/// </summary>
internal static class TrainingBench
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2), RunTimeout = TimeSpan.FromMinutes(10);

    /// <summary>Both sides <c>Reps</c> times, alternating which goes first; returns best ours / best DDP.</summary>
    public static async Task<double> RunAsync(BenchOptions o)
    {
        Console.WriteLine($"[train] seed CNN, Fashion-MNIST, sync Adam 1e-3, {o.Workers} workers x batch {o.Batch}, 1 torch thread each, " +
                          $"{o.Warmup} warm-up + {o.Steps} timed steps, {o.Reps} rep(s)");
        var ours = new List<TrainingSample>();
        var ddp = new List<TrainingSample>();
        var runtime = new List<TrainingSample>();
        for (int rep = 0; rep < o.Reps; rep++)
            foreach (var side in rep % 2 == 0 ? new[] { "ours", "ddp", "runtime" } : ["runtime", "ddp", "ours"])
            {
                var (s, list) = side switch
                {
                    "ours" => (await OursAsync(o), ours),
                    "ddp" => (await DdpAsync(o), ddp),
                    _ => (await RuntimeTrainingBench.RunAsync(o), runtime),
                };
                list.Add(s);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  rep {rep + 1} {side,-7} samples_per_s={s.SamplesPerSecond:0.0} final_loss={s.FinalLoss} ({s.Detail})"));
            }
        double bestOurs = ours.Max(s => s.SamplesPerSecond), bestDdp = ddp.Max(s => s.SamplesPerSecond), bestRuntime = runtime.Max(s => s.SamplesPerSecond);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  best ours {bestOurs:0.0} samples/s (fixed placement), best runtime {bestRuntime:0.0} samples/s (node processes), best ddp {bestDdp:0.0} samples/s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  fixed placement / ddp {bestOurs / bestDdp:0.000}, runtime / ddp {bestRuntime / bestDdp:0.000}; the key reports the lower"));
        return Math.Min(bestOurs, bestRuntime) / bestDdp;
    }

    /// <summary>A coordinator node, one ps node and one node per worker, each its own process.</summary>
    public static async Task<TrainingSample> OursAsync(BenchOptions o)
    {
        var env = NodeEnvironment.For(NodeEnvironment.NewSecret(), torchThreads: 1);
        string[] args = [I(o.Workers), I(o.Batch), I(o.Warmup), I(o.Steps), I(o.MaxShardElements ?? 0), o.DataDir, "1"];
        var nodes = new List<ChildProcess> { ChildProcess.StartNode(TrainingNodeRoles.Coordinator, args, env) };
        try
        {
            nodes.Add(ChildProcess.StartNode(TrainingNodeRoles.Ps, args, env));
            for (int i = 0; i < o.Workers; i++) nodes.Add(ChildProcess.StartNode(TrainingNodeRoles.Worker, args, env));
            var addresses = new List<string>();
            foreach (var n in nodes) addresses.Add(await n.ExpectAsync("address", StartTimeout));
            foreach (var n in nodes) n.Send("placement " + string.Join(' ', addresses));
            foreach (var n in nodes) await n.ExpectAsync("ready", StartTimeout);
            nodes[0].Send("run");
            KeyValues result, timing;
            try
            {
                result = KeyValues.Parse(await nodes[0].ExpectAsync("result", RunTimeout));
                nodes[1].Send("report");
                timing = KeyValues.Parse(await nodes[1].ExpectAsync("timing", StartTimeout));
            }
            catch (InvalidOperationException e)
            {
                // The coordinator only knows that a node failed; the failing node's log says why.
                var logs = nodes.Skip(1).Where(n => n.StderrTail().Count > 0)
                    .Select(n => $"\n{n.Name} (pid {n.Pid}) stderr:\n" + string.Join('\n', n.StderrTail().TakeLast(15)));
                throw new InvalidOperationException(e.Message + string.Concat(logs), e);
            }
            return new TrainingSample(result.Double("samples") / timing.Double("seconds"), result["final_loss"],
                $"{timing["shards"]} shard(s), step p50 {timing["step_ms_p50"]} ms, p90 {timing["step_ms_p90"]} ms");
        }
        finally
        {
            foreach (var n in nodes) await n.DisposeAsync();
        }
    }

    /// <summary>PyTorch DDP with gloo: <c>Workers</c> processes of /usr/bin/python3 ddp_cnn.py, rendezvous through a file.</summary>
    public static async Task<TrainingSample> DdpAsync(BenchOptions o)
    {
        string script = Path.Combine(AppContext.BaseDirectory, "ddp_cnn.py");
        if (!File.Exists(script)) throw new FileNotFoundException($"missing {script}; rebuild bench/cluster", script);
        if (!File.Exists(Python)) throw new FileNotFoundException($"{Python} is missing; install python3-torch (./build.sh setup does)", Python);
        string rendezvous = Path.Combine(Path.GetTempPath(), $"ct-bench-ddp-{Guid.NewGuid():N}");
        var env = NodeEnvironment.For("unused", torchThreads: 1);
        env["GLOO_SOCKET_IFNAME"] = "lo"; // loopback only
        var ranks = new List<ChildProcess>();
        try
        {
            for (int r = 0; r < o.Workers; r++)
                ranks.Add(ChildProcess.Start($"ddp-rank{r}", Python, [script, "--rank", I(r), "--world-size", I(o.Workers),
                    "--init", "file://" + rendezvous, "--batch-size", I(o.Batch), "--warmup", I(o.Warmup), "--steps", I(o.Steps),
                    "--threads", "1", "--data-dir", o.DataDir], env));
            var kv = KeyValues.Parse(await ranks[0].ExpectAsync("result", RunTimeout));
            return new TrainingSample(kv.Double("samples_per_s"), kv["final_loss"], "gloo");
        }
        finally
        {
            foreach (var r in ranks) await r.DisposeAsync();
            File.Delete(rendezvous);
        }
    }

    public const string Python = "/usr/bin/python3";

    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The <c>key=value key=value</c> tail of a result line.</summary>
internal sealed class KeyValues
{
    private readonly Dictionary<string, string> _values;

    private KeyValues(Dictionary<string, string> values) => _values = values;

    public static KeyValues Parse(string text) => new(text.Split(' ', StringSplitOptions.RemoveEmptyEntries)
        .Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]));

    public string this[string key] => _values.TryGetValue(key, out var v)
        ? v : throw new InvalidOperationException($"result line has no '{key}' (has: {string.Join(", ", _values.Keys)})");

    public double Double(string key) => double.Parse(this[key], CultureInfo.InvariantCulture);
}
