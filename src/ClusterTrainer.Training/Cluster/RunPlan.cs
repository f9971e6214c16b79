using ClusterTrainer.Torch;
using ClusterTrainer.Torch.Data;
using ClusterTrainer.Torch.Optim;
using ClusterTrainer.Training.Distributed;
using ClusterTrainer.Training.Distributed.ParameterServer;
using ClusterTrainer.Training.Distributed.Worker;
using ClusterTrainer.Training.Models;
using ClusterTrainer.Training.Runs;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Training.Cluster;

/// <summary>
/// A run spec made concrete, identically on every node: the model, its loss, the shard layout, the step
/// arithmetic (global batch, steps per epoch, segment boundaries) and the learning rate of each epoch.
/// Pure and cheap; the data lives in <see cref="RunData"/>.
/// </summary>
public sealed class RunPlan
{
    /// <summary>Datasets the cluster runtime trains on: image classification from IDX files.</summary>
    public static readonly IReadOnlyList<string> ClusterDatasets = ["fashion-mnist", "mnist"];

    /// <summary>Models the cluster runtime trains: classifiers of 28×28 images.</summary>
    public static readonly IReadOnlyList<string> ClusterModels = ["seed-cnn", "mlp-classifier", "transformer-classifier"];

    public RunPlan(RunSpec spec, string specYaml, int width, long maxShardElements, int trainCount)
    {
        Spec = spec;
        SpecYaml = specYaml;
        Width = width >= 1 ? width : throw new ArgumentOutOfRangeException(nameof(width), width, "A run needs a data-parallel width of at least 1.");
        GlobalBatch = checked(width * spec.Training.BatchSize);
        TrainCount = trainCount;
        StepsPerEpoch = (trainCount + GlobalBatch - 1) / GlobalBatch;
        TotalSteps = (long)StepsPerEpoch * spec.Training.Epochs;
        MaxShardElements = maxShardElements;
    }

    public RunSpec Spec { get; }
    public string SpecYaml { get; }
    public int Width { get; }
    public int GlobalBatch { get; }
    public int TrainCount { get; }
    public int StepsPerEpoch { get; }
    public long TotalSteps { get; }
    public long MaxShardElements { get; }

    /// <summary>Parses a spec and checks that the cluster runtime can train it; spec mistakes throw <see cref="RunSpecException"/>.</summary>
    public static RunSpec ParseSpec(string yaml, string source)
    {
        var spec = RunSpecParser.Parse(yaml, source, ModelZoo.Names.ToArray());
        var problems = new List<RunSpecError>();
        if (!ClusterDatasets.Contains(spec.Dataset.Name))
            problems.Add(new RunSpecError(0, 0, "dataset.name", $"the cluster runtime trains on {string.Join(" or ", ClusterDatasets)}; " +
                                                                $"'{spec.Dataset.Name}' runs with the local trainer only"));
        if (!ClusterModels.Contains(spec.Model))
            problems.Add(new RunSpecError(0, 0, "model", $"the cluster runtime trains the image classifiers {string.Join(", ", ClusterModels)}"));
        if (problems.Count > 0) throw new RunSpecException(source, problems);
        return spec;
    }

    public nn.Module<Tensor, Tensor> CreateModel() => CreateModel(Spec);

    public static nn.Module<Tensor, Tensor> CreateModel(RunSpec spec) => SeededModels.Create(() => ModelZoo.Create(spec.Model));

    public static Tensor Loss(Tensor output, Tensor target) => nn.functional.cross_entropy(output, target);

    public ShardLayout Layout(long parameterCount) => new(parameterCount, MaxShardElements);

    public ShardPolicy Policy => ShardPolicy.From(Spec.Sync);

    /// <summary>The initial flat parameters: the model built right after manual_seed(seed).</summary>
    public float[] InitialParameters() => SeededModels.InitialParameters(CreateModel, Spec.Training.Seed);

    public int EpochOf(long step) => (int)Math.Min(step / StepsPerEpoch, Spec.Training.Epochs - 1);

    /// <summary>The global batches of <paramref name="epoch"/> shared by <paramref name="workers"/> live workers.</summary>
    public Distributed.Worker.EpochPlan EpochPlan(int epoch, int workers) =>
        Distributed.Worker.EpochPlan.Shared(TrainCount, GlobalBatch, workers, Spec.Training.Seed, epoch);

    /// <summary>Where the segment starting at <paramref name="step"/> ends: the next checkpoint step, epoch end or run end.</summary>
    public long SegmentEnd(long step)
    {
        long every = Spec.Checkpoint.EverySteps;
        long nextCheckpoint = (step / every + 1) * every;
        long epochEnd = (step / StepsPerEpoch + 1) * StepsPerEpoch;
        return Math.Min(Math.Min(nextCheckpoint, epochEnd), TotalSteps);
    }

    public bool IsEpochEnd(long step) => step > 0 && step % StepsPerEpoch == 0;

    /// <summary>
    /// The learning rate of epoch <paramref name="epoch"/>: the spec's schedule stepped once per finished epoch
    /// (plateau with the validation losses of <paramref name="validationLosses"/>), as torch's schedulers do.
    /// </summary>
    public double LearningRate(int epoch, IReadOnlyList<double> validationLosses)
    {
        var s = Spec.Schedule;
        if (s is null) return Spec.Optimizer.Lr;
        var args = s.Name switch
        {
            "step" => new Dictionary<string, object> { ["step_size"] = s.StepSize, ["gamma"] = s.Gamma },
            "exponential" => new Dictionary<string, object> { ["gamma"] = s.Gamma },
            "cosine" => new Dictionary<string, object> { ["T_max"] = s.TMax, ["eta_min"] = s.EtaMin },
            _ => new Dictionary<string, object> { ["patience"] = s.Patience, ["factor"] = s.Factor },
        };
        var schedule = SchedulerCatalog.Create(s.Name, LrTarget.Standalone(Spec.Optimizer.Lr), args);
        for (int e = 0; e < epoch; e++)
            schedule.EpochEnd(e < validationLosses.Count ? validationLosses[e] : null);
        return schedule.get_last_lr()[0];
    }
}

/// <summary>
/// The data of a run, loaded and prepared identically on every node from the spec: the training split (minus
/// the validation hold-out, chosen by seed) standardised with its own statistics, validation and test sets
/// standardised with the same statistics.
/// </summary>
public sealed class RunData : IDisposable
{
    private RunData(TrainingData train, TensorDataset validation, TensorDataset test)
    {
        Train = train;
        Validation = validation;
        Test = test;
    }

    public TrainingData Train { get; }
    public TensorDataset Validation { get; }
    public TensorDataset Test { get; }

    /// <summary>Loads the spec's dataset; <paramref name="defaultDirectory"/> when the spec names none.</summary>
    public static RunData Load(RunSpec spec, string defaultDirectory)
    {
        var dir = spec.Dataset.Directory ?? defaultDirectory;
        int? trainLimit = spec.Dataset.TrainLimit > 0 ? spec.Dataset.TrainLimit : null;
        int? testLimit = spec.Dataset.TestLimit > 0 ? spec.Dataset.TestLimit : null;
        var all = FashionMnist.Load(MnistSplit.Train, dir, trainLimit);
        var test = FashionMnist.Load(MnistSplit.Test, dir, testLimit);
        ulong seed = unchecked((ulong)spec.Training.Seed);
        var (train, validation) = DataSplit.TrainValidation(all, spec.Dataset.ValidationSplit, seed);
        var standardizer = Standardizer.Fit(train);
        standardizer.Apply(train);
        standardizer.Apply(validation);
        standardizer.Apply(test);
        var inputs = tensor(train.Inputs, new long[] { train.Count, 1, 28, 28 });
        var targets = tensor(train.ClassLabels!, new long[] { train.Count });
        inputs.DetachFromDisposeScope();
        targets.DetachFromDisposeScope();
        return new RunData(new TrainingData(inputs, targets), validation, test);
    }

    public void Dispose()
    {
        Train.Inputs.Dispose();
        Train.Targets.Dispose();
    }
}
