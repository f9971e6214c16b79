using System.Globalization;
using ClusterTrainer.Node.Settings;

namespace ClusterTrainer.Node.Local;

/// <summary>
/// Options of <c>ClusterTrainer.Node local</c>, the launcher of a whole cluster on loopback. Spec overrides
/// (epochs, batch size, learning rate, seed, data limits) change the run spec before it is sent; the rest shape the cluster.
/// </summary>
public sealed record LauncherOptions
{
    public int Workers { get; init; } = 3;
    public int ParameterServers { get; init; } = 2;
    /// <summary>Run spec file; null sends the built-in examples/fashion-mnist-cnn.yaml.</summary>
    public string? Spec { get; init; }
    /// <summary>Where the store, checkpoints and logs go; null makes a fresh folder under the temp directory.</summary>
    public string? Dir { get; init; }
    public int? Epochs { get; init; }
    public int? BatchSize { get; init; }
    public double? LearningRate { get; init; }
    public long? Seed { get; init; }
    /// <summary>Use only the first N training / test images (quick runs); null keeps the spec's.</summary>
    public int? TrainLimit { get; init; }
    public int? TestLimit { get; init; }
    /// <summary>Torch threads of every node; null picks per role (workers share the cores, ps nodes take one).</summary>
    public int? Threads { get; init; }
    public string Device { get; init; } = "auto";
    /// <summary>Dataset folder for the nodes and the spec; null keeps the spec's and the nodes' defaults.</summary>
    public string? DataDir { get; init; }
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(180);
    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(30);
    public bool Help { get; init; }

    public const string Usage =
        "usage: ClusterTrainer.Node local [options]\n" +
        "Starts 1 coordinator node, --ps parameter-server nodes and --workers worker nodes as processes on 127.0.0.1\n" +
        "(SQLite store, checkpoints and logs under --dir), trains the run spec on them with a live progress display,\n" +
        "stops every node and ends with the lines val_accuracy=<x> and test_accuracy=<x>.\n" +
        "  --workers N          worker nodes, 1-64 (default 3)\n" +
        "  --ps N               parameter-server nodes, 1-64 (default 2)\n" +
        "  --spec FILE          run spec YAML (default: the built-in examples/fashion-mnist-cnn.yaml)\n" +
        "  --dir DIR            folder for cluster.db, checkpoints/ and logs/ (default: a new folder in the temp directory)\n" +
        "  --epochs N           override training.epochs (1-1000)\n" +
        "  --batch-size N       override training.batch_size, per worker (1-65536)\n" +
        "  --lr X               override optimizer.lr (> 0)\n" +
        "  --seed N             override training.seed (>= 0)\n" +
        "  --train-limit N      override dataset.train_limit: train on the first N images only (100-60000)\n" +
        "  --test-limit N       override dataset.test_limit: test on the first N images only (1-10000)\n" +
        "  --threads N          torch threads per node, 1-1024 (default: workers share the cores, ps nodes 1, coordinator all)\n" +
        "  --device D           auto, cpu or cuda (default auto)\n" +
        "  --data-dir DIR       dataset folder for the nodes and the spec's dataset.dir\n" +
        "  --ready-timeout S    seconds to wait for every node to be ready, 1-3600 (default 180)\n" +
        "  --stop-grace S       seconds a node gets to leave after SIGTERM before it is killed, 1-600 (default 30)";

    private static readonly string[] Flags =
        ["--workers", "--ps", "--spec", "--dir", "--epochs", "--batch-size", "--lr", "--seed", "--train-limit", "--test-limit", "--threads", "--device",
         "--data-dir", "--ready-timeout", "--stop-grace", "--help"];

    /// <summary>Parses <c>--name value</c> / <c>--name=value</c>; throws <see cref="ArgumentException"/> with a message for the user.</summary>
    public static LauncherOptions Parse(IReadOnlyList<string> args)
    {
        var o = new LauncherOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg is "--help" or "-h") { o = o with { Help = true }; continue; }
            if (!arg.StartsWith("--", StringComparison.Ordinal))
                throw new ArgumentException($"unexpected argument '{arg}'; options start with '--'.");
            int eq = arg.IndexOf('=');
            string name = eq > 0 ? arg[..eq] : arg;
            if (!Flags.Contains(name))
                throw new ArgumentException($"unknown option '{name}'{Suggest.DidYouMean(name, Flags)}; run 'local --help' for the options.");
            string value = eq > 0 ? arg[(eq + 1)..]
                : i + 1 < args.Count ? args[++i]
                : throw new ArgumentException($"option {name} needs a value; run 'local --help' for what it takes.");
            o = name switch
            {
                "--workers" => o with { Workers = Int(name, value, 1, 64) },
                "--ps" => o with { ParameterServers = Int(name, value, 1, 64) },
                "--spec" => o with { Spec = Path(name, value) },
                "--dir" => o with { Dir = Path(name, value) },
                "--epochs" => o with { Epochs = Int(name, value, 1, 1000) },
                "--batch-size" => o with { BatchSize = Int(name, value, 1, 65536) },
                "--lr" => o with { LearningRate = Positive(name, value) },
                "--seed" => o with { Seed = long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long s) ? s
                    : throw new ArgumentException($"--seed '{value}' is not a non-negative whole number.") },
                "--train-limit" => o with { TrainLimit = Int(name, value, 100, 60_000) },
                "--test-limit" => o with { TestLimit = Int(name, value, 1, 10_000) },
                "--threads" => o with { Threads = Int(name, value, 1, 1024) },
                "--device" => o with { Device = value.ToLowerInvariant() is "auto" or "cpu" or "cuda" ? value.ToLowerInvariant()
                    : throw new ArgumentException($"--device '{value}' is not a device; use auto, cpu or cuda.") },
                "--data-dir" => o with { DataDir = Path(name, value) },
                "--ready-timeout" => o with { ReadyTimeout = TimeSpan.FromSeconds(Int(name, value, 1, 3600)) },
                _ => o with { StopGrace = TimeSpan.FromSeconds(Int(name, value, 1, 600)) },
            };
        }
        return o;
    }

    private static string Path(string name, string value) =>
        value.Trim().Length > 0 ? value : throw new ArgumentException($"{name} needs a path, not an empty value.");

    private static int Int(string name, string value, int min, int max)
    {
        if (!int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v))
            throw new ArgumentException($"{name} '{value}' is not a whole number; give an integer between {min} and {max}.");
        return v >= min && v <= max ? v : throw new ArgumentException($"{name} {v} is out of range; it must be between {min} and {max}.");
    }

    private static double Positive(string name, string value)
    {
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
            throw new ArgumentException($"{name} '{value}' is not a number (use '.' as the decimal separator).");
        return v > 0 ? v : throw new ArgumentException($"{name} {v} must be greater than 0.");
    }
}
