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

int failed = 0;
double samplesRatio = await Part("train", () => TrainingBench.RunAsync(o));
double exchangeRatio = await Part("exchange", () => ExchangeBench.RunAsync(o));
double checkpointRatio = await Part("checkpoint", () => CheckpointBench.RunAsync(o));
double resumeSeconds = await Part("resume", () => ResumeBench.RunAsync(o));
Console.WriteLine($"cluster samples_per_s_ratio={F(samplesRatio, 3)} exchange_bytes_ratio={F(exchangeRatio, 3)} " +
                  $"checkpoint_ratio={F(checkpointRatio, 3)} resume_s={F(resumeSeconds, 2)}");
return failed == 0 ? 0 : 1;

// A part that fails reports nan and why, and the others still run; a part left out reports nan.
async Task<double> Part(string name, Func<Task<double>> measure)
{
    if (!o.Parts.Contains(name)) return double.NaN;
    try { return await measure(); }
    catch (Exception e) when (e is InvalidOperationException or IOException or TimeoutException)
    {
        failed++;
        Console.Error.WriteLine($"[{name}] not measured, reporting nan: {e.Message}");
        return double.NaN;
    }
}

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
            _ => throw new ArgumentException($"unknown node role '{role}'"),
        };
    }
    catch (Exception e)
    {
        Console.Error.WriteLine($"node {role} failed: {e}");
        return 1;
    }
}
