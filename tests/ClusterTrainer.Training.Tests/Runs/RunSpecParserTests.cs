using ClusterTrainer.Training.Runs;
using Xunit;

namespace ClusterTrainer.Training.Tests.Runs;

public sealed class RunSpecParserTests
{
    private static readonly string[] Models = ["seed-cnn", "xor-mlp"];

    private const string Minimal = """
        name: t
        model: seed-cnn
        dataset: { name: fashion-mnist }
        optimizer: { name: sgd, lr: 0.1, momentum: 0.9, nesterov: true }
        training: { batch_size: 32, epochs: 2 }
        """;

    private static RunSpecException Fails(string yaml) =>
        Assert.Throws<RunSpecException>(() => RunSpecParser.Parse(yaml, "spec.yaml", Models));

    [Fact]
    public void The_shipped_example_parses()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "ClusterTrainer.sln"))) root = Path.GetDirectoryName(root)!;
        var spec = RunSpecParser.ParseFile(Path.Combine(root, "examples", "fashion-mnist-cnn.yaml"), Models);
        Assert.Equal("seed-cnn", spec.Model);
        Assert.Equal("adam", spec.Optimizer.Name);
        Assert.Equal(0.999, spec.Optimizer.Beta2);
        Assert.Equal(16, spec.Training.BatchSize);
        Assert.Equal(3, spec.Training.Workers);
        Assert.Equal(2, spec.Training.EarlyStoppingPatience);
        Assert.Equal(SyncMode.Sync, spec.Sync.Mode);
        Assert.Equal(new ScheduleSpec("exponential", 1, 0.7, 1, 0, 10, 0.1), spec.Schedule);
    }

    [Fact]
    public void Defaults_follow_torch_optim()
    {
        var spec = RunSpecParser.Parse(Minimal, "spec.yaml", Models);
        Assert.Equal(0.1, spec.Optimizer.Lr);
        Assert.True(spec.Optimizer.Nesterov);
        Assert.Equal(new CheckpointSpec(500, 3), spec.Checkpoint);
        Assert.Equal(SyncMode.Sync, spec.Sync.Mode);
        var adadelta = RunSpecParser.Parse(Minimal.Replace("{ name: sgd, lr: 0.1, momentum: 0.9, nesterov: true }", "{ name: adadelta }"), "s", Models);
        Assert.Equal(1.0, adadelta.Optimizer.Lr);
        Assert.Equal(1e-6, adadelta.Optimizer.Eps);
    }

    [Fact]
    public void An_unknown_model_names_the_zoo()
    {
        var e = Fails(Minimal.Replace("model: seed-cnn", "model: resnet"));
        var err = Assert.Single(e.Errors);
        Assert.Equal("model", err.Path);
        Assert.Equal(2, err.Line);
        Assert.Contains("seed-cnn, xor-mlp", err.Message);
    }

    [Fact]
    public void Every_mistake_is_reported_with_its_path_at_once()
    {
        var e = Fails("""
            name: t
            model: seed-cnn
            dataset: { name: fashion-mnist, validation_split: 1.5 }
            optimizer: { name: adam, betas: [0.9, 1.2], momentum: 0.9 }
            training: { batch_size: 0, epochs: two }
            sync: { mode: bounded }
            checkpiont: { keep: 2 }
            """);
        var paths = e.Errors.Select(x => x.Path).ToHashSet();
        Assert.Contains("dataset.validation_split", paths);
        Assert.Contains("optimizer.betas[1]", paths);
        Assert.Contains("optimizer.momentum", paths);      // adam takes no momentum
        Assert.Contains("training.batch_size", paths);
        Assert.Contains("training.epochs", paths);
        Assert.Contains("sync.staleness", paths);          // bounded needs a staleness bound
        Assert.Contains("checkpiont", paths);              // typo
        Assert.Contains(e.Errors, x => x.Path == "optimizer.momentum" && x.Message.Contains("optimizer 'adam'"));
        Assert.Contains(e.Errors, x => x.Path == "checkpiont" && x.Message.Contains("checkpoint"));
        Assert.Contains("spec.yaml", e.Message);
    }

    [Fact]
    public void Sgd_needs_a_learning_rate_and_nesterov_needs_momentum()
    {
        var e = Fails(Minimal.Replace("lr: 0.1, momentum: 0.9, ", ""));
        Assert.Contains(e.Errors, x => x.Path == "optimizer.lr" && x.Message.Contains("required"));
        Assert.Contains(e.Errors, x => x.Path == "optimizer.nesterov" && x.Message.Contains("momentum > 0"));
    }

    [Fact]
    public void Broken_yaml_and_missing_files_are_clear_errors()
    {
        var e = Fails("name: [unclosed");
        Assert.Equal("(yaml)", Assert.Single(e.Errors).Path);
        var missing = Assert.Throws<RunSpecException>(() => RunSpecParser.ParseFile("/nonexistent/run.yaml", Models));
        Assert.Contains("does not exist", missing.Message);
        Assert.Equal("(root)", Assert.Single(Fails("- just\n- a list").Errors).Path);
    }
}
