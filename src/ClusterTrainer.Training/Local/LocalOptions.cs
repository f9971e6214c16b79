using System.Globalization;

namespace ClusterTrainer.Training.Local;

/// <summary>
/// Options of the node's <c>local</c> command (single-process training of the seed CNN on Fashion-MNIST).
/// Parsed by hand so the node stays free of a command-line framework; every bad value is reported with
/// the option, the value and what is allowed.
/// </summary>
public sealed record LocalOptions
{
    public int Epochs { get; init; } = 5;
    /// <summary>32, not 64: within 5 epochs the extra steps make the 0.90 test accuracy hold across seeds.</summary>
    public int BatchSize { get; init; } = 32;
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>Learning-rate decay: the rate is multiplied by this after every epoch (ExponentialLR); 1 keeps it constant.</summary>
    public double LrDecay { get; init; } = 0.7;
    public string DataDir { get; init; } = Torch.Data.FashionMnist.DefaultDirectory;
    /// <summary>libtorch intra-op threads; null keeps the library default (the number of cores).</summary>
    public int? Threads { get; init; }
    /// <summary>Epochs without a validation-accuracy improvement before training stops early.</summary>
    public int Patience { get; init; } = 2;
    public double ValidationFraction { get; init; } = 0.1;
    public ulong Seed { get; init; } = 1;
    /// <summary>Use only the first N training images (quick runs and tests); null uses all 60,000.</summary>
    public int? TrainLimit { get; init; }
    /// <summary>Use only the first N test images; null uses all 10,000.</summary>
    public int? TestLimit { get; init; }

    public const string Usage =
        "usage: local [--epochs N (1-1000, default 5)] [--batch-size N (1-65536, default 32)] [--lr X (default 0.001)]\n" +
        "             [--lr-decay GAMMA (0-1, learning rate x GAMMA after each epoch, default 0.7)]\n" +
        "             [--data-dir DIR (default /usr/share/datasets/fashion-mnist)] [--threads N (1-1024)]\n" +
        "             [--patience N (0-1000, 0 disables, default 2)] [--validation-fraction X (0-1, default 0.1)] [--seed N]\n" +
        "             [--train-limit N] [--test-limit N]";

    /// <summary>Parses <c>--name value</c> / <c>--name=value</c> pairs; throws <see cref="ArgumentException"/>
    /// with a message fit to show the user.</summary>
    public static LocalOptions Parse(IReadOnlyList<string> args)
    {
        var o = new LocalOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
                throw new ArgumentException($"unexpected argument '{arg}'; options start with '--'.\n{Usage}");
            string name = arg, value;
            int eq = arg.IndexOf('=');
            if (eq > 0) { name = arg[..eq]; value = arg[(eq + 1)..]; }
            else
            {
                if (i + 1 >= args.Count) throw new ArgumentException($"option {name} needs a value.\n{Usage}");
                value = args[++i];
            }
            o = name switch
            {
                "--epochs" => o with { Epochs = Int(name, value, 1, 1000) },
                "--batch-size" => o with { BatchSize = Int(name, value, 1, 65536) },
                "--lr" => o with { LearningRate = Real(name, value, 0, 10, inclusiveLow: false) },
                "--lr-decay" => o with { LrDecay = Real(name, value, 0, 1, inclusiveLow: false) },
                "--data-dir" => o with { DataDir = value.Length > 0 ? value : throw new ArgumentException("--data-dir needs a folder path.") },
                "--threads" => o with { Threads = Int(name, value, 1, 1024) },
                "--patience" => o with { Patience = Int(name, value, 0, 1000) },
                "--validation-fraction" => o with { ValidationFraction = Real(name, value, 0, 1, inclusiveLow: false, inclusiveHigh: false) },
                "--seed" => o with { Seed = ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s
                    : throw new ArgumentException($"--seed '{value}' is not a non-negative integer.") },
                "--train-limit" => o with { TrainLimit = Int(name, value, 100, 60_000) },
                "--test-limit" => o with { TestLimit = Int(name, value, 1, 10_000) },
                _ => throw new ArgumentException($"unknown option '{name}'.\n{Usage}"),
            };
        }
        return o;
    }

    private static int Int(string name, string value, int min, int max)
    {
        if (!int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v))
            throw new ArgumentException($"{name} '{value}' is not a whole number; give an integer between {min} and {max}.");
        if (v < min || v > max)
            throw new ArgumentException($"{name} {v} is out of range; it must be between {min} and {max}.");
        return v;
    }

    private static double Real(string name, string value, double low, double high, bool inclusiveLow = true, bool inclusiveHigh = true)
    {
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
            throw new ArgumentException($"{name} '{value}' is not a number (use '.' as the decimal separator).");
        bool ok = (inclusiveLow ? v >= low : v > low) && (inclusiveHigh ? v <= high : v < high);
        if (!ok)
            throw new ArgumentException($"{name} {v} is out of range; it must be {(inclusiveLow ? ">=" : ">")} {low} and {(inclusiveHigh ? "<=" : "<")} {high}.");
        return v;
    }
}
