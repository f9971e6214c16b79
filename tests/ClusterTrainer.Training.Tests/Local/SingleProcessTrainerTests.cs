using ClusterTrainer.Training.Local;
using ClusterTrainer.Training.Tests.Models;
using Xunit;

namespace ClusterTrainer.Training.Tests.Local;

[Collection(GlobalGeneratorCollection.Name)]
public sealed class SingleProcessTrainerTests
{
    private sealed class Recorder : ITrainingObserver
    {
        public List<TrainingEvent> Events { get; } = [];
        public void OnEvent(TrainingEvent e) => Events.Add(e);
    }

    [Fact]
    public void Small_run_reports_progress_in_order_and_learns()
    {
        var rec = new Recorder();
        var options = LocalOptions.Parse(["--epochs", "2", "--train-limit", "2000", "--test-limit", "500", "--batch-size", "50", "--seed", "3"]);
        var result = new SingleProcessTrainer(options, rec).Run();

        var started = rec.Events.OfType<EpochStarted>().ToList();
        Assert.Equal([0, 1], started.Select(s => s.Epoch));
        Assert.All(started, s => Assert.Equal(36, s.Steps)); // 1800 training images / 50
        var steps = rec.Events.OfType<StepCompleted>().ToList();
        Assert.Equal(72, steps.Count);
        Assert.All(steps, s => Assert.True(double.IsFinite(s.Loss) && s.SamplesPerSecond > 0));
        Assert.Equal(2, rec.Events.OfType<EpochCompleted>().Count());
        Assert.IsType<TrainingFinished>(rec.Events[^1]);
        Assert.Equal(2, result.EpochsRun);
        Assert.True(result.TestAccuracy > 0.6, $"test accuracy {result.TestAccuracy} after two small epochs should be well above chance");
        Assert.Equal(result.TestAccuracy, ((TrainingFinished)rec.Events[^1]).TestAccuracy);
    }

    [Fact]
    public void Missing_data_directory_is_reported_with_the_path()
    {
        var options = LocalOptions.Parse(["--data-dir", "/nonexistent/fashion"]);
        var e = Assert.Throws<DirectoryNotFoundException>(() => new SingleProcessTrainer(options, new Recorder()).Run());
        Assert.Contains("/nonexistent/fashion", e.Message);
    }
}
