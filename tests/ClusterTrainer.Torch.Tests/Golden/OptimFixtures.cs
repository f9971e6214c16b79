using System.Text.Json;
using ClusterTrainer.Torch.Optim;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Torch.Tests.Golden;

/// <summary>A float32 tensor as stored in the fixtures: shape plus row-major data.</summary>
public sealed record OptimFixtureTensor(long[] Shape, float[] Data)
{
    public static OptimFixtureTensor Read(JsonElement e) => new(
        e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()).ToArray(),
        e.GetProperty("data").EnumerateArray().Select(x => x.GetSingle()).ToArray());

    public Tensor ToTensor(bool requiresGrad = false) => OptimTensors.FromFloats(Data, Shape, requiresGrad);
}

public sealed record OptimFixtureGroup(int[] Params, IReadOnlyDictionary<string, JsonElement> Overrides);

public sealed record OptimFixtureState(long? Step, IReadOnlyDictionary<string, OptimFixtureTensor> Tensors);

/// <summary>One optimizer fixture: initial params, gradients per step (null = no grad), params after each step, final state.</summary>
public sealed record OptimizerCase(
    string Name, string Optimizer, IReadOnlyDictionary<string, JsonElement> Options, IReadOnlyList<OptimFixtureGroup> Groups,
    IReadOnlyList<OptimFixtureTensor> Params, IReadOnlyList<OptimFixtureTensor?[]> Grads, IReadOnlyList<OptimFixtureTensor[]> After,
    IReadOnlyDictionary<int, OptimFixtureState> State)
{
    public override string ToString() => Name;
}

public sealed record SchedulerCase(string Name, string Scheduler, JsonElement Args, double[] BaseLrs, double[]? Metrics,
    double[][] Lrs)
{
    public override string ToString() => Name;
}

public static class OptimFixtures
{
    private const string RelativeDir = "tests/ClusterTrainer.Torch.Tests/Golden/fixtures/optim";

    /// <summary>The committed fixtures, found by walking up from the test binaries to the repository root.</summary>
    private static readonly Lazy<string> Dir = new(() =>
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            var candidate = Path.Combine(d.FullName, RelativeDir);
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException(
            $"{RelativeDir} was not found above {AppContext.BaseDirectory}; run the tests from the repository checkout.");
    });

    private static JsonElement Load(string file)
    {
        var path = Path.Combine(Dir.Value, file);
        if (!File.Exists(path))
            throw new FileNotFoundException(
                $"Golden fixture {path} is missing: regenerate it with /usr/bin/python3 " +
                "tests/ClusterTrainer.Torch.Tests/Golden/make_optim_fixtures.py", path);
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("cases").Clone();
    }

    private static Dictionary<string, JsonElement> Obj(JsonElement e) =>
        e.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());

    public static readonly Lazy<IReadOnlyList<OptimizerCase>> Optimizers = new(() =>
        Load("optimizers.json").EnumerateArray().Select(c => new OptimizerCase(
            c.GetProperty("name").GetString()!,
            c.GetProperty("optimizer").GetString()!,
            Obj(c.GetProperty("options")),
            c.GetProperty("groups").EnumerateArray().Select(g => new OptimFixtureGroup(
                g.GetProperty("params").EnumerateArray().Select(x => x.GetInt32()).ToArray(),
                g.EnumerateObject().Where(p => p.Name != "params").ToDictionary(p => p.Name, p => p.Value.Clone()))).ToArray(),
            c.GetProperty("params").EnumerateArray().Select(OptimFixtureTensor.Read).ToArray(),
            c.GetProperty("grads").EnumerateArray().Select(step => step.EnumerateArray()
                .Select(g => g.ValueKind == JsonValueKind.Null ? null : OptimFixtureTensor.Read(g)).ToArray()).ToArray(),
            c.GetProperty("after").EnumerateArray().Select(step => step.EnumerateArray().Select(OptimFixtureTensor.Read).ToArray()).ToArray(),
            c.GetProperty("state").EnumerateObject().ToDictionary(
                s => int.Parse(s.Name),
                s => new OptimFixtureState(
                    s.Value.TryGetProperty("step", out var st) ? st.GetInt64() : null,
                    s.Value.GetProperty("tensors").EnumerateObject().ToDictionary(t => t.Name, t => OptimFixtureTensor.Read(t.Value))))
        )).ToArray());

    public static readonly Lazy<IReadOnlyList<SchedulerCase>> Schedulers = new(() =>
        Load("schedulers.json").EnumerateArray().Select(c => new SchedulerCase(
            c.GetProperty("name").GetString()!,
            c.GetProperty("scheduler").GetString()!,
            c.GetProperty("args").Clone(),
            c.GetProperty("base_lrs").EnumerateArray().Select(x => x.GetDouble()).ToArray(),
            c.GetProperty("metrics").ValueKind == JsonValueKind.Null
                ? null
                : c.GetProperty("metrics").EnumerateArray().Select(x => x.GetDouble()).ToArray(),
            c.GetProperty("lrs").EnumerateArray().Select(e => e.EnumerateArray().Select(x => x.GetDouble()).ToArray()).ToArray()
        )).ToArray());

    public static JsonElement Clip => Load("clip.json");
    public static JsonElement Penalties => Load("penalties.json");

    public static OptimizerCase Case(string name) => Optimizers.Value.Single(c => c.Name == name);

    /// <summary>
    /// Options of <paramref name="optimizer"/> from PyTorch keyword arguments (missing ones take PyTorch's defaults).
    /// </summary>
    public static OptimizerOptions BuildOptions(string optimizer, IReadOnlyDictionary<string, JsonElement> kw)
    {
        double D(string k, double def) => kw.TryGetValue(k, out var v) ? v.GetDouble() : def;
        bool B(string k) => kw.TryGetValue(k, out var v) && v.GetBoolean();
        (double, double) Betas() => kw.TryGetValue("betas", out var v)
            ? (v[0].GetDouble(), v[1].GetDouble())
            : (0.9, 0.999);
        return optimizer switch
        {
            "SGD" => new SGD.Options
            {
                LearningRate = D("lr", double.NaN), momentum = D("momentum", 0), dampening = D("dampening", 0),
                weight_decay = D("weight_decay", 0), nesterov = B("nesterov"), maximize = B("maximize"),
            },
            "Adagrad" => new Adagrad.Options
            {
                LearningRate = D("lr", 1e-2), lr_decay = D("lr_decay", 0), weight_decay = D("weight_decay", 0),
                initial_accumulator_value = D("initial_accumulator_value", 0), eps = D("eps", 1e-10), maximize = B("maximize"),
            },
            "Adadelta" => new Adadelta.Options
            {
                LearningRate = D("lr", 1.0), rho = D("rho", 0.9), eps = D("eps", 1e-6), weight_decay = D("weight_decay", 0),
                maximize = B("maximize"),
            },
            "RMSprop" => new RMSprop.Options
            {
                LearningRate = D("lr", 1e-2), alpha = D("alpha", 0.99), eps = D("eps", 1e-8),
                weight_decay = D("weight_decay", 0), momentum = D("momentum", 0), centered = B("centered"),
                maximize = B("maximize"),
            },
            "Adam" or "AdamW" => new Adam.Options
            {
                LearningRate = D("lr", 1e-3), betas = Betas(), eps = D("eps", 1e-8),
                weight_decay = D("weight_decay", optimizer == "AdamW" ? 1e-2 : 0), amsgrad = B("amsgrad"),
                maximize = B("maximize"),
            },
            "Adamax" => new Adamax.Options
            {
                LearningRate = D("lr", 2e-3), betas = Betas(), eps = D("eps", 1e-8), weight_decay = D("weight_decay", 0),
                maximize = B("maximize"),
            },
            "NAdam" => new NAdam.Options
            {
                LearningRate = D("lr", 2e-3), betas = Betas(), eps = D("eps", 1e-8), weight_decay = D("weight_decay", 0),
                momentum_decay = D("momentum_decay", 4e-3),
            },
            _ => throw new ArgumentException($"fixture names unknown optimizer {optimizer}"),
        };
    }

    /// <summary>Builds the case's optimizer over <paramref name="parameters"/> with its groups and per-group overrides.</summary>
    public static Optimizer BuildOptimizer(OptimizerCase c, IReadOnlyList<Tensor> parameters)
    {
        var defaults = BuildOptions(c.Optimizer, c.Options);
        var groups = c.Groups.Select(g =>
        {
            var merged = new Dictionary<string, JsonElement>(c.Options);
            foreach (var (k, v) in g.Overrides) merged[k] = v;
            return new ParamGroup(g.Params.Select(i => parameters[i]),
                g.Overrides.Count == 0 ? null : BuildOptions(c.Optimizer, merged));
        }).ToArray();
        return Create(c.Optimizer, groups, defaults);
    }

    public static Optimizer Create(string optimizer, IEnumerable<ParamGroup> groups, OptimizerOptions defaults) =>
        optimizer switch
        {
            "SGD" => new SGD(groups, (SGD.Options)defaults),
            "Adagrad" => new Adagrad(groups, (Adagrad.Options)defaults),
            "Adadelta" => new Adadelta(groups, (Adadelta.Options)defaults),
            "RMSprop" => new RMSprop(groups, (RMSprop.Options)defaults),
            "Adam" => new Adam(groups, (Adam.Options)defaults),
            "AdamW" => new AdamW(groups, (Adam.Options)defaults),
            "Adamax" => new Adamax(groups, (Adamax.Options)defaults),
            "NAdam" => new NAdam(groups, (NAdam.Options)defaults),
            _ => throw new ArgumentException($"fixture names unknown optimizer {optimizer}"),
        };
}
