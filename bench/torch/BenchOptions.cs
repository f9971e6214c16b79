using System.Globalization;

namespace ClusterTrainer.Bench.Torch;

public sealed record BenchOptions
{
    public bool Worker { get; init; }
    public int Reps { get; init; } = 5;
    public int Steps { get; init; } = 200;
    public int Warmup { get; init; } = 20;
    public int Threads { get; init; } = 2;
    public int BatchSize { get; init; } = 64;
    public string DataDir { get; init; } = ClusterTrainer.Torch.Data.FashionMnist.DefaultDirectory;

    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Int(int min) => int.TryParse(Next(), NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v >= min
                ? v : throw new ArgumentException($"{args[i - 1]} needs an integer >= {min}, got '{args[i]}'");
            o = args[i] switch
            {
                "--worker" => o with { Worker = true },
                "--reps" => o with { Reps = Int(5) }, // the comparison is a median of at least five runs per side
                "--steps" => o with { Steps = Int(1) },
                "--warmup" => o with { Warmup = Int(0) },
                "--threads" => o with { Threads = Int(1) },
                "--batch-size" => o with { BatchSize = Int(1) },
                "--data-dir" => o with { DataDir = Next() },
                var other => throw new ArgumentException($"unknown option '{other}'; options: --reps --steps --warmup --threads --batch-size --data-dir"),
            };
        }
        return o;
    }
}

/// <summary>One worker process's report: <c>result samples_per_s=X peak_rss_kb=Y final_loss=Z</c>.</summary>
public sealed record WorkerResult(double SamplesPerSecond, long PeakRssKb, string FinalLoss)
{
    public static WorkerResult Parse(string line)
    {
        var kv = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        return new WorkerResult(double.Parse(kv["samples_per_s"], CultureInfo.InvariantCulture),
                                long.Parse(kv["peak_rss_kb"], CultureInfo.InvariantCulture), kv.GetValueOrDefault("final_loss", "?"));
    }

    public static long ReadPeakRssKb()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        return -1;
    }
}
