using System.Globalization;

namespace ClusterTrainer.Bench.Cluster;

/// <summary>Settings of the whole bench; every one has a command-line option (<c>--name value</c>).</summary>
internal sealed record BenchOptions
{
    public int Reps { get; init; } = 2;
    public int Workers { get; init; } = 2;
    public int Batch { get; init; } = 64;
    public int Warmup { get; init; } = 10;
    public int Steps { get; init; } = 100;
    /// <summary>
    /// Shard bound; null (the default) takes the cluster's own rule for one ps node,
    /// <see cref="ClusterTrainer.Training.Distributed.ParameterServer.ShardLayout.ShardBoundFor"/>: the seed CNN
    /// (693,962 parameters) makes 4 shards, the 25M vector 24 of 1 Mi floats.
    /// </summary>
    public long? MaxShardElements { get; init; }

    /// <summary>The shard bound for a vector of <paramref name="parameterCount"/> elements on one ps node.</summary>
    public long ShardBound(long parameterCount) =>
        MaxShardElements ?? ClusterTrainer.Training.Distributed.ParameterServer.ShardLayout.ShardBoundFor(parameterCount, psNodes: 1);
    public string DataDir { get; init; } = ClusterTrainer.Torch.Data.FashionMnist.DefaultDirectory;
    public int ExchangeParameters { get; init; } = 25_000_000;
    public int ExchangeSteps { get; init; } = 10;
    public int CheckpointRounds { get; init; } = 4;
    public IReadOnlySet<string> Parts { get; init; } = new HashSet<string>(AllParts);

    public static readonly string[] AllParts = ["train", "exchange", "checkpoint", "resume"];

    private const string Usage = "options: --reps N --workers N --batch N --warmup N --steps N --max-shard-elements N --data-dir DIR " +
                                 "--exchange-parameters N --exchange-steps N --checkpoint-rounds N --parts train,exchange,checkpoint,resume";

    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value; {Usage}");
            long Long(long min) => long.TryParse(Next(), NumberStyles.None, CultureInfo.InvariantCulture, out long v) && v >= min
                ? v : throw new ArgumentException($"{name} needs an integer >= {min}, got '{args[i]}'");
            int Int(int min) => checked((int)Long(min));
            o = name switch
            {
                "--reps" => o with { Reps = Int(1) },
                "--workers" => o with { Workers = Int(1) },
                "--batch" => o with { Batch = Int(1) },
                "--warmup" => o with { Warmup = Int(1) },
                "--steps" => o with { Steps = Int(1) },
                "--max-shard-elements" => o with { MaxShardElements = Long(1) },
                "--data-dir" => o with { DataDir = Next() },
                "--exchange-parameters" => o with { ExchangeParameters = Int(1) },
                "--exchange-steps" => o with { ExchangeSteps = Int(1) },
                "--checkpoint-rounds" => o with { CheckpointRounds = Int(1) },
                "--parts" => o with { Parts = ParseParts(Next()) },
                _ => throw new ArgumentException($"unknown option '{name}'; {Usage}"),
            };
        }
        return o;
    }

    private static HashSet<string> ParseParts(string text)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
        var unknown = parts.Except(AllParts).ToArray();
        if (unknown.Length > 0 || parts.Count == 0)
            throw new ArgumentException($"--parts takes a comma-separated subset of {string.Join(",", AllParts)}; got '{text}'");
        return parts;
    }
}
