// ./build.sh bench torch — trains the seed CNN (batch 64, real Fashion-MNIST, Adam 1e-3) in our library
// and in /usr/bin/python3 torch, each repetition in a fresh process per side (so VmHWM is that side's own
// peak RSS), alternating which side goes first, and reports the medians. Both sides get the same thread
// settings: N libtorch intra-op threads (default 2) and 1 OpenBLAS thread, set through the environment
// AND explicitly inside each worker.
//
//   dotnet run -c Release --project bench/torch -- [--reps 5] [--steps 200] [--warmup 20] [--threads 2]
//                                                  [--data-dir DIR]
// Last line: torch samples_per_s_ratio=<ours/pytorch> peak_rss_ratio=<ours/pytorch>
using System.Diagnostics;
using System.Globalization;
using ClusterTrainer.Bench.Torch;

var opts = BenchOptions.Parse(args);
if (opts.Worker)
{
    OursWorker.Run(opts);
    return 0;
}

string script = Path.Combine(AppContext.BaseDirectory, "pytorch_cnn.py");
if (!File.Exists(script)) { Console.Error.WriteLine($"missing {script}; rebuild bench/torch"); return 2; }
const string python = "/usr/bin/python3";
if (!File.Exists(python)) { Console.Error.WriteLine("/usr/bin/python3 is missing; install python3-torch (./build.sh setup does)"); return 2; }

var common = $"--steps {opts.Steps} --warmup {opts.Warmup} --threads {opts.Threads} --batch-size {opts.BatchSize} --data-dir \"{opts.DataDir}\"";
var ours = new List<WorkerResult>();
var theirs = new List<WorkerResult>();
Console.WriteLine($"seed CNN, batch {opts.BatchSize}, {opts.Warmup} warm-up + {opts.Steps} timed steps, {opts.Threads} intra-op threads, 1 OpenBLAS thread, {opts.Reps} repetitions");
for (int rep = 0; rep < opts.Reps; rep++)
{
    bool oursFirst = rep % 2 == 0;
    for (int k = 0; k < 2; k++)
    {
        bool isOurs = (k == 0) == oursFirst;
        var self = SelfCommand();
        var r = isOurs ? Launch(self.File, self.Prefix + $"--worker {common}", opts) : Launch(python, $"\"{script}\" {common}", opts);
        (isOurs ? ours : theirs).Add(r);
        Console.WriteLine($"rep {rep + 1} {(isOurs ? "ours   " : "pytorch")} samples_per_s={F(r.SamplesPerSecond)} peak_rss_mb={F(r.PeakRssKb / 1024.0)} final_loss={r.FinalLoss}");
    }
}
double oursSps = Median(ours.Select(r => r.SamplesPerSecond)), theirSps = Median(theirs.Select(r => r.SamplesPerSecond));
double oursRss = Median(ours.Select(r => (double)r.PeakRssKb)), theirRss = Median(theirs.Select(r => (double)r.PeakRssKb));
Console.WriteLine($"median ours    samples_per_s={F(oursSps)} peak_rss_mb={F(oursRss / 1024)}");
Console.WriteLine($"median pytorch samples_per_s={F(theirSps)} peak_rss_mb={F(theirRss / 1024)}");
Console.WriteLine($"torch samples_per_s_ratio={(oursSps / theirSps).ToString("0.000", CultureInfo.InvariantCulture)} peak_rss_ratio={(oursRss / theirRss).ToString("0.000", CultureInfo.InvariantCulture)}");
return 0;

static string F(double v) => v.ToString("0.0", CultureInfo.InvariantCulture);

static double Median(IEnumerable<double> values)
{
    var s = values.Order().ToArray();
    return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
}

static (string File, string Prefix) SelfCommand()
{
    string exe = Environment.ProcessPath ?? "dotnet";
    // Under `dotnet bench.dll` the process is the host itself; hand it our assembly.
    return Path.GetFileNameWithoutExtension(exe) == "dotnet"
        ? (exe, $"\"{typeof(OursWorker).Assembly.Location}\" ")
        : (exe, "");
}

static WorkerResult Launch(string file, string args, BenchOptions o)
{
    var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
    string threads = o.Threads.ToString(CultureInfo.InvariantCulture);
    psi.Environment["OMP_NUM_THREADS"] = threads;
    psi.Environment["MKL_NUM_THREADS"] = "1";
    psi.Environment["OPENBLAS_NUM_THREADS"] = "1";
    psi.Environment["CLUSTERTRAINER_THREADS"] = threads;
    psi.Environment["CLUSTERTRAINER_OPENBLAS_THREADS"] = "1";
    using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
    var stderr = p.StandardError.ReadToEndAsync();
    string stdout = p.StandardOutput.ReadToEnd();
    p.WaitForExit();
    string? line = stdout.Split('\n').LastOrDefault(l => l.StartsWith("result ", StringComparison.Ordinal));
    if (p.ExitCode != 0 || line is null)
        throw new InvalidOperationException($"worker '{file} {args}' failed (exit {p.ExitCode}):\n{stdout}\n{stderr.Result}");
    return WorkerResult.Parse(line);
}
