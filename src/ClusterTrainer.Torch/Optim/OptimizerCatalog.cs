namespace ClusterTrainer.Torch.Optim;

using static ClusterTrainer.Torch.Optim.KeywordValue;
using static ClusterTrainer.Torch.torch;

/// <summary>
/// Builds an optimizer from a name and PyTorch keyword arguments, as a run spec states them
/// (<c>optimizer: adam</c>, <c>lr: 0.001</c>, <c>betas: [0.9, 0.999]</c>, <c>amsgrad: true</c>). Names are
/// case-insensitive; unknown names, unknown or mistyped hyperparameters and out-of-range values throw
/// <see cref="ArgumentException"/> saying what is allowed. Missing hyperparameters take PyTorch's defaults
/// (SGD has no default lr: it is required, as in PyTorch).
/// Values may be numbers, booleans, numeric strings, or (betas) a two-element list of numbers.
/// </summary>
public static class OptimizerCatalog
{
    private static readonly Dictionary<string, string[]> Hyper = new(StringComparer.OrdinalIgnoreCase)
    {
        ["sgd"] = ["lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize"],
        ["adagrad"] = ["lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps", "maximize"],
        ["adadelta"] = ["lr", "rho", "eps", "weight_decay", "maximize"],
        ["rmsprop"] = ["lr", "alpha", "eps", "weight_decay", "momentum", "centered", "maximize"],
        ["adam"] = ["lr", "betas", "eps", "weight_decay", "amsgrad", "maximize"],
        ["adamw"] = ["lr", "betas", "eps", "weight_decay", "amsgrad", "maximize"],
        ["adamax"] = ["lr", "betas", "eps", "weight_decay", "maximize"],
        ["nadam"] = ["lr", "betas", "eps", "weight_decay", "momentum_decay"],
    };

    /// <summary>The optimizer names <see cref="Create"/> knows, lower case.</summary>
    public static IReadOnlyCollection<string> Names => Hyper.Keys;

    /// <summary>The hyperparameters (PyTorch keyword names) an optimizer accepts.</summary>
    public static IReadOnlyList<string> HyperparametersOf(string name) =>
        Hyper.TryGetValue(name ?? "", out var h) ? h : throw UnknownName(name);

    public static Optimizer Create(string name, IEnumerable<Tensor> parameters,
        IReadOnlyDictionary<string, object>? hyperparameters = null)
    {
        var allowed = HyperparametersOf(name);
        var kw = hyperparameters ?? new Dictionary<string, object>();
        foreach (var key in kw.Keys)
            if (!allowed.Contains(key))
                throw new ArgumentException(
                    $"Unknown hyperparameter '{key}' for optimizer '{name}'. Allowed: {string.Join(", ", allowed)}.");
        var a = new Args(name, kw);
        return name.ToLowerInvariant() switch
        {
            "sgd" => optim.SGD(parameters, a.Required("lr"), a.D("momentum", 0), a.D("dampening", 0),
                a.D("weight_decay", 0), a.B("nesterov"), a.B("maximize")),
            "adagrad" => optim.Adagrad(parameters, a.D("lr", 1e-2), a.D("lr_decay", 0), a.D("weight_decay", 0),
                a.D("initial_accumulator_value", 0), a.D("eps", 1e-10), a.B("maximize")),
            "adadelta" => optim.Adadelta(parameters, a.D("lr", 1.0), a.D("rho", 0.9), a.D("eps", 1e-6),
                a.D("weight_decay", 0), a.B("maximize")),
            "rmsprop" => optim.RMSprop(parameters, a.D("lr", 1e-2), a.D("alpha", 0.99), a.D("eps", 1e-8),
                a.D("weight_decay", 0), a.D("momentum", 0), a.B("centered"), a.B("maximize")),
            "adam" => optim.Adam(parameters, a.D("lr", 1e-3), a.Betas(), a.D("eps", 1e-8), a.D("weight_decay", 0),
                a.B("amsgrad"), a.B("maximize")),
            "adamw" => optim.AdamW(parameters, a.D("lr", 1e-3), a.Betas(), a.D("eps", 1e-8), a.D("weight_decay", 1e-2),
                a.B("amsgrad"), a.B("maximize")),
            "adamax" => optim.Adamax(parameters, a.D("lr", 2e-3), a.Betas(), a.D("eps", 1e-8), a.D("weight_decay", 0),
                a.B("maximize")),
            _ => optim.NAdam(parameters, a.D("lr", 2e-3), a.Betas(), a.D("eps", 1e-8), a.D("weight_decay", 0),
                a.D("momentum_decay", 4e-3)),
        };
    }

    private static ArgumentException UnknownName(string? name) => new(
        $"Unknown optimizer '{name}'. Known: {string.Join(", ", Hyper.Keys)}.");

    private readonly struct Args(string optimizer, IReadOnlyDictionary<string, object> kw)
    {
        public double Required(string key) => kw.ContainsKey(key)
            ? D(key, double.NaN)
            : throw new ArgumentException($"Optimizer '{optimizer}' needs '{key}' (it has no default); set e.g. {key}: 0.01.");

        public double D(string key, double fallback)
        {
            if (!kw.TryGetValue(key, out var v)) return fallback;
            return ToDouble(v) ?? throw Mistyped(key, v, "a number");
        }

        public bool B(string key)
        {
            if (!kw.TryGetValue(key, out var v)) return false;
            return v switch
            {
                bool b => b,
                string s when bool.TryParse(s, out var b) => b,
                _ => throw Mistyped(key, v, "true or false"),
            };
        }

        public (double, double)? Betas()
        {
            if (!kw.TryGetValue("betas", out var v)) return null;
            if (v is System.Collections.IEnumerable list and not string)
            {
                var items = list.Cast<object>().Select(ToDouble).ToArray();
                if (items.Length == 2 && items[0] is { } b1 && items[1] is { } b2) return (b1, b2);
            }
            throw Mistyped("betas", v, "a list of two numbers, e.g. [0.9, 0.999]");
        }

        private ArgumentException Mistyped(string key, object v, string expected) =>
            new($"Hyperparameter '{key}' of optimizer '{optimizer}' is '{v}' but must be {expected}.");
    }
}
