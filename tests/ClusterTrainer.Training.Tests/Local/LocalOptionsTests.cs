using ClusterTrainer.Training.Local;
using Xunit;

namespace ClusterTrainer.Training.Tests.Local;

public sealed class LocalOptionsTests
{
    [Fact]
    public void Defaults_match_the_main_job()
    {
        var o = LocalOptions.Parse([]);
        Assert.Equal(5, o.Epochs);
        Assert.Equal(32, o.BatchSize);
        Assert.Equal(1e-3, o.LearningRate);
        Assert.Equal(0.7, o.LrDecay);
        Assert.Equal(0.1, o.ValidationFraction);
        Assert.Equal("/usr/share/datasets/fashion-mnist", o.DataDir);
        Assert.Null(o.Threads);
    }

    [Fact]
    public void Both_option_spellings_parse()
    {
        var o = LocalOptions.Parse(["--epochs", "3", "--batch-size=128", "--data-dir", "/tmp/x", "--threads=2", "--patience", "0"]);
        Assert.Equal(3, o.Epochs);
        Assert.Equal(128, o.BatchSize);
        Assert.Equal("/tmp/x", o.DataDir);
        Assert.Equal(2, o.Threads);
        Assert.Equal(0, o.Patience);
        Assert.Equal(0.5, LocalOptions.Parse(["--lr-decay=0.5"]).LrDecay);
    }

    [Theory]
    [InlineData(new[] { "--epochs", "0" }, "--epochs 0 is out of range; it must be between 1 and 1000")]
    [InlineData(new[] { "--batch-size", "sixty" }, "--batch-size 'sixty' is not a whole number")]
    [InlineData(new[] { "--threads" }, "option --threads needs a value")]
    [InlineData(new[] { "--epoch", "3" }, "unknown option '--epoch'")]
    [InlineData(new[] { "five" }, "unexpected argument 'five'")]
    [InlineData(new[] { "--lr", "0" }, "--lr 0 is out of range")]
    [InlineData(new[] { "--validation-fraction", "1" }, "--validation-fraction 1 is out of range")]
    [InlineData(new[] { "--lr-decay", "0" }, "--lr-decay 0 is out of range")]
    [InlineData(new[] { "--lr-decay", "1.5" }, "--lr-decay 1.5 is out of range")]
    public void Bad_values_say_what_is_wrong(string[] args, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => LocalOptions.Parse(args));
        Assert.Contains(expected, e.Message);
    }
}

public sealed class EarlyStoppingTests
{
    [Fact]
    public void Stops_after_patience_epochs_without_gain_and_remembers_the_best()
    {
        var es = new EarlyStopping(patience: 2);
        Assert.True(es.Observe(0, 0.80));
        Assert.True(es.Observe(1, 0.85));
        Assert.False(es.Observe(2, 0.84));
        Assert.False(es.ShouldStop);
        Assert.False(es.Observe(3, 0.85)); // equal is not a gain
        Assert.True(es.ShouldStop);
        Assert.Equal(1, es.BestEpoch);
        Assert.Equal(0.85, es.Best);
    }

    [Fact]
    public void A_gain_resets_the_wait()
    {
        var es = new EarlyStopping(patience: 2);
        es.Observe(0, 0.5);
        es.Observe(1, 0.4);
        es.Observe(2, 0.6);
        Assert.Equal(0, es.EpochsWithoutImprovement);
        Assert.False(es.ShouldStop);
    }

    [Fact]
    public void Zero_patience_never_stops()
    {
        var es = new EarlyStopping(patience: 0);
        es.Observe(0, 0.5);
        es.Observe(1, 0.4);
        es.Observe(2, 0.3);
        Assert.False(es.ShouldStop);
    }
}
