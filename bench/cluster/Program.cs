// ./build.sh bench cluster — the distributed trainer side by side with its baselines, in one run:
//   1. samples/s: our coordinator + 1 ps + W worker processes on loopback vs PyTorch DDP (gloo, W processes),
//      seed CNN on Fashion-MNIST, sync, Adam, per-worker batch 64, 1 torch thread per process;
//   2. exchange: push + pull of a 25M-parameter vector worker <-> ps process vs a raw full-duplex socket;
//   3. checkpoint: shard part files + manifest commit for the 25M model with Adam state vs one raw durable file;
//   4. resume: seconds from SIGKILL of the coordinator's node to the next training step (needs the node host).
// Each side of each part runs --reps times (alternating who goes first); the best of each side is kept, since load
// from elsewhere on the machine only ever lowers a number.
//
//   dotnet run -c Release --project bench/cluster -- [--reps 2] [--steps 200] [--warmup 20] [--parts train,exchange,...]
// Last line: cluster samples_per_s_ratio=<ours/ddp> exchange_bytes_ratio=<x> checkpoint_ratio=<x> resume_s=<x>
using System.Globalization;
using ClusterTrainer.Bench.Cluster;

if (args.Length >= 2 && args[0] == "node") return NodeMain(args[1], args[2..]);

BenchOptions o;
try { o = BenchOptions.Parse(args); }
catch (ArgumentException e) { Console.Error.WriteLine(e.Message); return 2; }

double samplesRatio = double.NaN, exchangeRatio = double.NaN, checkpointRatio = double.NaN, resumeSeconds = double.NaN;

if (o.Parts.Contains("train"))
{
    Console.WriteLine($"[train] seed CNN, Fashion-MNIST, sync Adam 1e-3, {o.Workers} workers x batch {o.Batch}, 1 torch thread each, " +
                      $"{o.Warmup} warm-up + {o.Steps} timed steps, {o.Reps} rep(s)");
    var ours = new List<TrainingSample>();
    var ddp = new List<TrainingSample>();
    for (int rep = 0; rep < o.Reps; rep++)
        foreach (bool isOurs in rep % 2 == 0 ? new[] { true, false } : [false, true])
        {
            var s = isOurs ? await TrainingBench.OursAsync(o) : await TrainingBench.DdpAsync(o);
            (isOurs ? ours : ddp).Add(s);
            Console.WriteLine($"  rep {rep + 1} {(isOurs ? "ours" : "ddp ")} samples_per_s={F(s.SamplesPerSecond, 1)} final_loss={s.FinalLoss} ({s.Detail})");
        }
    double bestOurs = ours.Max(s => s.SamplesPerSecond), bestDdp = ddp.Max(s => s.SamplesPerSecond);
    samplesRatio = bestOurs / bestDdp;
    Console.WriteLine($"  best ours {F(bestOurs, 1)} samples/s, best ddp {F(bestDdp, 1)} samples/s");
}

if (o.Parts.Contains("exchange"))
{
    Console.WriteLine($"[exchange] {o.ExchangeParameters:N0} parameters in shards of <= {o.MaxShardElements:N0}, {o.ExchangeSteps} timed steps, {o.Reps} rep(s)");
    double bestOurs = 0, bestRaw = 0;
    for (int rep = 0; rep < o.Reps; rep++)
    {
        var ours = await ExchangeBench.OursAsync(o);
        var raw = await ExchangeBench.RawAsync(ours.Bytes);
        Console.WriteLine($"  rep {rep + 1} ours {F(ours.BytesPerSecond / 1e9, 2)} GB/s ({ours.Bytes / 1e6:0} MB in {F(ours.Seconds, 2)} s, {ours.Detail}), " +
                          $"raw socket {F(raw.BytesPerSecond / 1e9, 2)} GB/s");
        bestOurs = Math.Max(bestOurs, ours.BytesPerSecond);
        bestRaw = Math.Max(bestRaw, raw.BytesPerSecond);
    }
    exchangeRatio = bestOurs / bestRaw;
}

if (o.Parts.Contains("checkpoint"))
    checkpointRatio = await CheckpointBench.RunAsync(o);

if (o.Parts.Contains("resume"))
    resumeSeconds = await ResumeBench.RunAsync(o);

Console.WriteLine($"cluster samples_per_s_ratio={F(samplesRatio, 3)} exchange_bytes_ratio={F(exchangeRatio, 3)} " +
                  $"checkpoint_ratio={F(checkpointRatio, 3)} resume_s={F(resumeSeconds, 2)}");
return 0;

static string F(double v, int decimals) => double.IsNaN(v) ? "nan" : v.ToString("F" + decimals, CultureInfo.InvariantCulture);

static int NodeMain(string role, string[] rest)
{
    try
    {
        return role switch
        {
            TrainingNodeRoles.Coordinator or TrainingNodeRoles.Ps or TrainingNodeRoles.Worker => TrainingNodeRoles.Run(role, rest),
            ExchangeNodeRoles.Ps => ExchangeNodeRoles.RunPs(rest),
            ExchangeNodeRoles.Worker => ExchangeNodeRoles.RunWorker(rest),
            RawSocketNodes.Ps => RawSocketNodes.RunPs(rest),
            RawSocketNodes.Worker => RawSocketNodes.RunWorker(rest),
            ClusterNodeRole.Name => ClusterNodeRole.Run(rest),
            _ => throw new ArgumentException($"unknown node role '{role}'"),
        };
    }
    catch (Exception e)
    {
        Console.Error.WriteLine($"node {role} failed: {e}");
        return 1;
    }
}
