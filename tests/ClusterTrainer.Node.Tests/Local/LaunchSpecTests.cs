using ClusterTrainer.Node.Local;
using ClusterTrainer.Training.Runs;
using Xunit;

namespace ClusterTrainer.Node.Tests.Local;

public sealed class LaunchSpecTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ct-spec-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_default_spec_is_the_example_file_built_into_the_executable()
    {
        var spec = LaunchSpec.Load(new LauncherOptions { Workers = 3 });
        string path = Path.Combine(RepoRoot(), "examples", "fashion-mnist-cnn.yaml");
        var example = RunSpecParser.ParseFile(path, ["seed-cnn"]);
        Assert.Equal("examples/fashion-mnist-cnn.yaml", spec.Source);
        Assert.Equal(3, example.Training.Workers); // the example fixes its global batch: 3 x 16
        Assert.Equal(example, spec.Parsed);
    }

    [Fact]
    public void A_spec_without_a_width_gets_the_number_of_workers_started()
    {
        string path = Path.Combine(_dir, "open.yaml");
        File.WriteAllText(path, File.ReadAllText(Path.Combine(RepoRoot(), "examples", "fashion-mnist-cnn.yaml")).Replace("  workers: 3", "  # workers: any"));
        Assert.Equal(0, RunSpecParser.ParseFile(path, ["seed-cnn"]).Training.Workers);
        Assert.Equal(4, LaunchSpec.Load(new LauncherOptions { Spec = path, Workers = 4 }).Parsed.Training.Workers);
    }

    [Fact]
    public void A_width_the_spec_sets_is_kept()
    {
        string path = Path.Combine(_dir, "two.yaml");
        File.WriteAllText(path, File.ReadAllText(Path.Combine(RepoRoot(), "examples", "fashion-mnist-cnn.yaml"))
            .Replace("  workers: 3", "  workers: 2"));
        Assert.Equal(2, LaunchSpec.Load(new LauncherOptions { Spec = path, Workers = 3 }).Parsed.Training.Workers);
    }

    [Fact]
    public void Overrides_are_written_into_the_spec_before_it_is_checked()
    {
        var spec = LaunchSpec.Load(new LauncherOptions { Epochs = 2, BatchSize = 24, LearningRate = 0.0025, Seed = 9, DataDir = _dir,
                                                         TrainLimit = 1200, TestLimit = 500 });
        Assert.Equal(2, spec.Parsed.Training.Epochs);
        Assert.Equal(24, spec.Parsed.Training.BatchSize);
        Assert.Equal(9, spec.Parsed.Training.Seed);
        Assert.Equal(0.0025, spec.Parsed.Optimizer.Lr);
        Assert.Equal(_dir, spec.Parsed.Dataset.Directory);
        Assert.Equal(1200, spec.Parsed.Dataset.TrainLimit);
        Assert.Equal(500, spec.Parsed.Dataset.TestLimit);
        Assert.Equal(0.7, spec.Parsed.Schedule!.Gamma); // untouched keys stay
    }

    [Fact]
    public void A_spec_file_with_mistakes_is_refused_with_their_paths_before_any_node_starts()
    {
        string path = Path.Combine(_dir, "bad.yaml");
        File.WriteAllText(path, File.ReadAllText(Path.Combine(RepoRoot(), "examples", "fashion-mnist-cnn.yaml")).Replace("name: adam", "name: adamm"));
        var e = Assert.Throws<RunSpecException>(() => LaunchSpec.Load(new LauncherOptions { Spec = path, Epochs = 1 }));
        Assert.Contains(e.Errors, x => x.Path.StartsWith("optimizer", StringComparison.Ordinal));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void A_missing_spec_file_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => LaunchSpec.Load(new LauncherOptions { Spec = Path.Combine(_dir, "none.yaml") }));
        Assert.Contains("does not exist", e.Message);
    }

    [Fact]
    public void Without_overrides_the_text_is_sent_unchanged_with_its_comments()
    {
        const string yaml = "# mine\ntraining:\n  epochs: 3\n";
        Assert.Equal(yaml, LaunchSpec.ApplyOverrides(yaml, "x.yaml", new LauncherOptions()));
        string changed = LaunchSpec.ApplyOverrides(yaml, "x.yaml", new LauncherOptions { Epochs = 4, Seed = 1 });
        Assert.Contains("epochs: 4", changed);
        Assert.Contains("seed: 1", changed);
        var e = Assert.Throws<RunSpecException>(() => LaunchSpec.ApplyOverrides("training: 5\n", "x.yaml", new LauncherOptions { Epochs = 4 }));
        Assert.Contains("training", e.Errors[0].Path);
    }

    internal static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "ClusterTrainer.sln"))) return d.FullName;
        throw new InvalidOperationException("the test runs outside the repository: ClusterTrainer.sln not found above " + AppContext.BaseDirectory);
    }
}
