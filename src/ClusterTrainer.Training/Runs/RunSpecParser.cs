using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ClusterTrainer.Training.Runs;

/// <summary>
/// Parses and validates a YAML run spec. Every mistake is reported with its line, column and dotted path
/// in the file and what is allowed there; all mistakes are reported together in one
/// <see cref="RunSpecException"/>.
/// </summary>
public static class RunSpecParser
{
    public static readonly IReadOnlyList<string> Optimizers =
        ["sgd", "adagrad", "adadelta", "rmsprop", "adam", "adamw", "adamax", "nadam"];

    public static readonly IReadOnlyList<string> Schedules = ["none", "step", "exponential", "cosine", "plateau"];

    public static readonly IReadOnlyList<string> SyncModes = ["sync", "async", "bounded", "backup"];

    public static readonly IReadOnlyList<string> Compressions = ["none", "float16", "bfloat16"];

    public static readonly IReadOnlyList<string> Datasets = ["fashion-mnist", "mnist", "xor", "sine"];

    /// <summary>Parses a run spec file; <paramref name="knownModels"/> are the model-zoo names a spec may use.</summary>
    public static RunSpec ParseFile(string path, IReadOnlyCollection<string> knownModels)
    {
        if (!File.Exists(path))
            throw new RunSpecException(path, [new RunSpecError(0, 0, "(file)", "the run spec file does not exist; check the path")]);
        return Parse(File.ReadAllText(path), path, knownModels);
    }

    public static RunSpec Parse(string yaml, string source, IReadOnlyCollection<string> knownModels)
    {
        var errors = new List<RunSpecError>();
        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode m)
                throw new RunSpecException(source, [new RunSpecError(1, 1, "(root)", "the run spec must be a YAML mapping with keys like name, model, dataset, optimizer, training")]);
            root = m;
        }
        catch (YamlException e)
        {
            throw new RunSpecException(source, [new RunSpecError((int)e.Start.Line, (int)e.Start.Column, "(yaml)", $"not valid YAML: {e.InnerException?.Message ?? e.Message}")]);
        }

        var r = new SpecReader(root, "", errors);
        var name = r.String("name", required: true, "a name for the run, e.g. fashion-mnist-cnn") ?? "";
        var model = r.String("model", required: true, "a model from the zoo", knownModels) ?? "";
        var dataset = ReadDataset(r.Map("dataset", required: true, "which data to train on"));
        var optimizer = ReadOptimizer(r.Map("optimizer", required: true, "the optimizer the parameter shards apply"));
        var schedule = ReadSchedule(r.Map("schedule", required: false, "learning-rate schedule"));
        var training = ReadTraining(r.Map("training", required: true, "batch size, epochs, seed"));
        var sync = ReadSync(r.Map("sync", required: false, "how shards combine gradients"));
        var checkpoint = ReadCheckpoint(r.Map("checkpoint", required: false, "checkpoint interval and retention"));
        r.Finish();

        if (errors.Count > 0) throw new RunSpecException(source, errors);
        return new RunSpec(name, model, dataset!, optimizer!, schedule, training!, sync, checkpoint);
    }

    private static DatasetSpec? ReadDataset(SpecReader? r)
    {
        if (r is null) return null;
        var name = r.String("name", required: true, "dataset name", Datasets) ?? "";
        var dir = r.String("dir", required: false, "directory holding the data files");
        var split = r.Double("validation_split", 0.1, 0, 0.9, "fraction of the training split held out for validation");
        var augment = r.Bool("augment", false, "random flips, shifts and noise on training images");
        int trainLimit = r.Int("train_limit", 0, 0, int.MaxValue, "read at most this many training samples (0 = all)");
        int testLimit = r.Int("test_limit", 0, 0, int.MaxValue, "read at most this many test samples (0 = all)");
        r.Finish();
        return new DatasetSpec(name, dir, split, augment, trainLimit, testLimit);
    }

    private static OptimizerSpec? ReadOptimizer(SpecReader? r)
    {
        if (r is null) return null;
        var name = r.String("name", required: true, "optimizer", Optimizers) ?? "sgd";
        var d = OptimizerSpec.Defaults(name); // torch.optim's defaults; options this optimizer does not take are refused below
        double lr = double.IsNaN(d.Lr)
            ? r.Double("lr", double.NaN, 0, 10, "learning rate (sgd has no default)", minExclusive: true)
            : r.Double("lr", d.Lr, 0, 10, "learning rate", minExclusive: true);
        if (double.IsNaN(lr) && !r.Has("lr")) r.Error(null, "lr", "is required for sgd (torch.optim.SGD has no default learning rate), e.g. lr: 0.01");
        var spec = d with { Lr = lr, WeightDecay = r.Double("weight_decay", d.WeightDecay, 0, 1, "L2 weight decay") };
        switch (name)
        {
            case "sgd":
                spec = spec with
                {
                    Momentum = r.Double("momentum", d.Momentum, 0, 1, "momentum factor"),
                    Dampening = r.Double("dampening", d.Dampening, 0, 1, "dampening for momentum"),
                    Nesterov = r.Bool("nesterov", d.Nesterov, "Nesterov momentum"),
                };
                if (spec.Nesterov && (spec.Momentum <= 0 || spec.Dampening != 0))
                    r.Error(null, "nesterov", "needs momentum > 0 and dampening 0 (as in torch.optim.SGD)");
                break;
            case "adagrad":
                spec = spec with
                {
                    LrDecay = r.Double("lr_decay", d.LrDecay, 0, 1, "learning-rate decay"),
                    Eps = r.Double("eps", d.Eps, 0, 1, "term added for numerical stability"),
                };
                break;
            case "adadelta":
                spec = spec with
                {
                    Rho = r.Double("rho", d.Rho, 0, 1, "running-average coefficient"),
                    Eps = r.Double("eps", d.Eps, 0, 1, "term added for numerical stability"),
                };
                break;
            case "rmsprop":
                spec = spec with
                {
                    Alpha = r.Double("alpha", d.Alpha, 0, 1, "smoothing constant"),
                    Eps = r.Double("eps", d.Eps, 0, 1, "term added for numerical stability"),
                    Momentum = r.Double("momentum", d.Momentum, 0, 1, "momentum factor"),
                    Centered = r.Bool("centered", d.Centered, "normalise by the estimated gradient variance"),
                };
                break;
            default: // adam, adamw, adamax, nadam
                var (b1, b2) = r.Pair("betas", (d.Beta1, d.Beta2), 0, 1, "coefficients of the running averages");
                spec = spec with { Beta1 = b1, Beta2 = b2, Eps = r.Double("eps", d.Eps, 0, 1, "term added for numerical stability") };
                if (name is "adam" or "adamw") spec = spec with { Amsgrad = r.Bool("amsgrad", d.Amsgrad, "AMSGrad variant") };
                if (name == "nadam") spec = spec with { MomentumDecay = r.Double("momentum_decay", d.MomentumDecay, 0, 1, "momentum decay") };
                break;
        }
        r.Finish($"optimizer '{name}'");
        return spec;
    }

    private static ScheduleSpec? ReadSchedule(SpecReader? r)
    {
        if (r is null) return null;
        var name = r.String("name", required: true, "schedule", Schedules) ?? "none";
        int stepSize = 1, tMax = 1, patience = 10;
        double gamma = 0.1, etaMin = 0, factor = 0.1;
        switch (name)
        {
            case "step":
                stepSize = r.Int("step_size", 1, 1, 1_000_000, "epochs between decays", required: true);
                gamma = r.Double("gamma", 0.1, 0, 1, "decay factor", minExclusive: true);
                break;
            case "exponential":
                gamma = r.Double("gamma", double.NaN, 0, 1, "decay factor per epoch", minExclusive: true);
                if (!r.Has("gamma")) r.Error(null, "gamma", "is required for an exponential schedule, e.g. gamma: 0.95");
                break;
            case "cosine":
                tMax = r.Int("t_max", 1, 1, 1_000_000, "epochs in one cosine half-period", required: true);
                etaMin = r.Double("eta_min", 0, 0, 10, "minimum learning rate");
                break;
            case "plateau":
                patience = r.Int("patience", 10, 0, 1_000_000, "epochs without improvement before decaying");
                factor = r.Double("factor", 0.1, 0, 1, "decay factor", minExclusive: true);
                break;
        }
        r.Finish($"schedule '{name}'");
        return name == "none" ? null : new ScheduleSpec(name, stepSize, gamma, tMax, etaMin, patience, factor);
    }

    private static TrainingSpec? ReadTraining(SpecReader? r)
    {
        if (r is null) return null;
        int batch = r.Int("batch_size", 64, 1, 1 << 20, "per-worker mini-batch size", required: true);
        int epochs = r.Int("epochs", 1, 1, 100_000, "passes over the training data", required: true);
        int workers = r.Int("workers", 0, 0, 10_000, "data-parallel width: global batch = workers × batch_size (0 = workers live at start)");
        long seed = r.Long("seed", 0, 0, long.MaxValue, "seed for initialisation, shuffling and dropout");
        var clipNorm = r.OptionalDouble("clip_grad_norm", 0, "maximum total gradient norm");
        var clipValue = r.OptionalDouble("clip_grad_value", 0, "maximum absolute gradient value");
        double l1 = r.Double("l1", 0, 0, 1, "L1 penalty coefficient");
        double l2 = r.Double("l2", 0, 0, 1, "L2 penalty coefficient");
        int? patience = null;
        double minDelta = 0;
        var es = r.Map("early_stopping", required: false, "stop when validation stops improving");
        if (es is not null)
        {
            patience = es.Int("patience", 2, 1, 10_000, "epochs without improvement before stopping", required: true);
            minDelta = es.Double("min_delta", 0, 0, 1, "smallest improvement that counts");
            es.Finish();
        }
        r.Finish();
        return new TrainingSpec(batch, epochs, seed, clipNorm, clipValue, l1, l2, patience, minDelta, workers);
    }

    private static SyncSpec ReadSync(SpecReader? r)
    {
        if (r is null) return new SyncSpec(SyncMode.Sync, 0, 0, "none");
        var modeText = r.String("mode", required: true, "gradient combination", SyncModes) ?? "sync";
        var mode = Enum.Parse<SyncMode>(modeText, ignoreCase: true);
        int staleness = mode == SyncMode.Bounded ? r.Int("staleness", 1, 1, 1000, "versions a worker may run ahead", required: true) : 0;
        int backup = mode == SyncMode.Backup ? r.Int("backup_workers", 1, 1, 1000, "gradients a step may go without", required: true) : 0;
        var compression = r.String("compression", required: false, "gradient compression on the wire", Compressions) ?? "none";
        r.Finish($"sync mode '{modeText}'");
        return new SyncSpec(mode, staleness, backup, compression);
    }

    private static CheckpointSpec ReadCheckpoint(SpecReader? r)
    {
        if (r is null) return new CheckpointSpec(500, 3);
        int every = r.Int("every_steps", 500, 1, int.MaxValue, "steps between checkpoints");
        int keep = r.Int("keep", 3, 1, 1000, "committed checkpoints kept");
        r.Finish();
        return new CheckpointSpec(every, keep);
    }
}
