namespace ClusterTrainer.Torch.Optim;

using static ClusterTrainer.Torch.Optim.KeywordValue;

/// <summary>One epoch-end hook for every scheduler kind, so a run loop need not know which one a spec chose.</summary>
public interface ILrSchedule
{
    /// <summary>Ends an epoch. <paramref name="metric"/> (the validation metric) is required by
    /// <see cref="ReduceLROnPlateau"/> and ignored by the epoch-count schedulers.</summary>
    void EpochEnd(double? metric = null);

    IReadOnlyList<double> get_last_lr();
}

/// <summary>
/// Builds a learning-rate scheduler from a name and PyTorch keyword arguments, as a run spec states them
/// (<c>scheduler: steplr</c>, <c>step_size: 10</c>, <c>gamma: 0.5</c>). Names are case-insensitive; unknown
/// names, unknown or mistyped arguments and out-of-range values throw <see cref="ArgumentException"/> saying
/// what is allowed. LambdaLR needs code, so it is built directly, not here.
/// </summary>
public static class SchedulerCatalog
{
    private static readonly Dictionary<string, string[]> Args = new(StringComparer.OrdinalIgnoreCase)
    {
        ["steplr"] = ["step_size", "gamma"],
        ["multisteplr"] = ["milestones", "gamma"],
        ["exponentiallr"] = ["gamma"],
        ["cosineannealinglr"] = ["T_max", "eta_min"],
        ["reducelronplateau"] = ["mode", "factor", "patience", "threshold", "threshold_mode", "cooldown", "min_lr", "eps"],
    };

    /// <summary>Short names a run spec may use (ClusterTrainer.Training's schedule names).</summary>
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["step"] = "steplr", ["multistep"] = "multisteplr", ["exponential"] = "exponentiallr",
        ["cosine"] = "cosineannealinglr", ["plateau"] = "reducelronplateau",
    };

    public static IReadOnlyCollection<string> Names => Args.Keys;

    public static IReadOnlyList<string> ArgumentsOf(string name) => Args.TryGetValue(Canonical(name), out var a)
        ? a
        : throw new ArgumentException($"Unknown scheduler '{name}'. Known: {string.Join(", ", Args.Keys)} " +
                                      $"(or {string.Join(", ", Aliases.Keys)}).");

    private static string Canonical(string? name) =>
        name is null ? "" : Aliases.TryGetValue(name, out var full) ? full : name;

    public static ILrSchedule Create(string name, LrTarget target, IReadOnlyDictionary<string, object>? arguments = null)
    {
        var allowed = ArgumentsOf(name);
        var kw = arguments ?? new Dictionary<string, object>();
        foreach (var key in kw.Keys)
            if (!allowed.Contains(key))
                throw new ArgumentException(
                    $"Unknown argument '{key}' for scheduler '{name}'. Allowed: {string.Join(", ", allowed)}.");
        var a = new Reader(name, kw);
        return Canonical(name).ToLowerInvariant() switch
        {
            "steplr" => new StepLR(target, a.Int("step_size", null), a.D("gamma", 0.1)),
            "multisteplr" => new MultiStepLR(target, a.Ints("milestones"), a.D("gamma", 0.1)),
            "exponentiallr" => new ExponentialLR(target, a.D("gamma", null)),
            "cosineannealinglr" => new CosineAnnealingLR(target, a.Int("T_max", null), a.D("eta_min", 0)),
            _ => new ReduceLROnPlateau(target, a.S("mode", "min"), a.D("factor", 0.1), a.Int("patience", 10),
                a.D("threshold", 1e-4), a.S("threshold_mode", "rel"), a.Int("cooldown", 0),
                a.PerGroup("min_lr", 0, target.Count), a.D("eps", 1e-8)),
        };
    }

    private readonly struct Reader(string scheduler, IReadOnlyDictionary<string, object> kw)
    {
        public double D(string key, double? fallback)
        {
            if (!kw.TryGetValue(key, out var v)) return fallback ?? throw Missing(key);
            return ToDouble(v) ?? throw Mistyped(key, v, "a number");
        }

        public int Int(string key, int? fallback)
        {
            if (!kw.TryGetValue(key, out var v)) return fallback ?? throw Missing(key);
            return ToInt(v) ?? throw Mistyped(key, v, "a whole number");
        }

        public string S(string key, string fallback) =>
            !kw.TryGetValue(key, out var v) ? fallback : v as string ?? throw Mistyped(key, v, "a string");

        /// <summary>One number for every group, or a list with one per group.</summary>
        public double[] PerGroup(string key, double fallback, int groups)
        {
            if (!kw.TryGetValue(key, out var v)) return Enumerable.Repeat(fallback, groups).ToArray();
            if (ToDouble(v) is { } one) return Enumerable.Repeat(one, groups).ToArray();
            if (v is System.Collections.IEnumerable list and not string)
            {
                var items = list.Cast<object>().Select(ToDouble).ToArray();
                if (items.All(i => i is not null)) return items.Select(i => i!.Value).ToArray();
            }
            throw Mistyped(key, v, $"a number or a list of {groups} numbers (one per parameter group)");
        }

        public int[] Ints(string key)
        {
            if (!kw.TryGetValue(key, out var v)) throw Missing(key);
            if (v is System.Collections.IEnumerable list and not string)
            {
                var items = list.Cast<object>().Select(ToInt).ToArray();
                if (items.All(i => i is not null)) return items.Select(i => i!.Value).ToArray();
            }
            throw Mistyped(key, v, "a list of whole numbers, e.g. [30, 60]");
        }

        private ArgumentException Missing(string key) =>
            new($"Scheduler '{scheduler}' needs '{key}' (it has no default).");

        private ArgumentException Mistyped(string key, object v, string expected) =>
            new($"Argument '{key}' of scheduler '{scheduler}' is '{v}' but must be {expected}.");

        private static int? ToInt(object? v) => ToDouble(v) is { } d && d == Math.Floor(d) && Math.Abs(d) <= int.MaxValue
            ? (int)d
            : null;
    }
}
