using ClusterTrainer.Node.Local;
using Xunit;

namespace ClusterTrainer.Node.Tests.Local;

public sealed class LauncherOptionsTests
{
    [Fact]
    public void Defaults_are_one_coordinator_two_ps_three_workers_and_no_overrides()
    {
        var o = LauncherOptions.Parse([]);
        Assert.Equal(3, o.Workers);
        Assert.Equal(2, o.ParameterServers);
        Assert.Null(o.Spec);
        Assert.Null(o.Dir);
        Assert.Null(o.Epochs);
        Assert.Null(o.Threads);
        Assert.Equal("auto", o.Device);
        Assert.False(o.Help);
    }

    [Fact]
    public void Every_option_is_read_in_both_spellings()
    {
        var o = LauncherOptions.Parse([
            "--workers", "4", "--ps=1", "--spec", "my.yaml", "--dir=/tmp/c", "--epochs", "2", "--batch-size", "16", "--lr", "0.01",
            "--seed", "7", "--train-limit", "600", "--test-limit=50", "--threads=2", "--device", "CPU", "--data-dir", "/data", "--ready-timeout", "30", "--stop-grace", "5"]);
        Assert.Equal(new LauncherOptions
        {
            Workers = 4, ParameterServers = 1, Spec = "my.yaml", Dir = "/tmp/c", Epochs = 2, BatchSize = 16, LearningRate = 0.01,
            Seed = 7, TrainLimit = 600, TestLimit = 50, Threads = 2, Device = "cpu", DataDir = "/data", ReadyTimeout = TimeSpan.FromSeconds(30), StopGrace = TimeSpan.FromSeconds(5),
        }, o);
        Assert.True(LauncherOptions.Parse(["--help"]).Help);
    }

    [Theory]
    [InlineData("--workers 0", "--workers 0 is out of range; it must be between 1 and 64")]
    [InlineData("--ps 65", "--ps 65 is out of range")]
    [InlineData("--epochs x", "--epochs 'x' is not a whole number")]
    [InlineData("--lr 0", "--lr 0 must be greater than 0")]
    [InlineData("--lr 1,5", "is not a number (use '.' as the decimal separator)")]
    [InlineData("--seed -3", "--seed '-3' is not a non-negative whole number")]
    [InlineData("--device gpu", "--device 'gpu' is not a device; use auto, cpu or cuda")]
    [InlineData("--worker 3", "unknown option '--worker' (did you mean --workers?)")]
    [InlineData("--epochs", "option --epochs needs a value")]
    [InlineData("3", "unexpected argument '3'")]
    [InlineData("--spec=", "--spec needs a path")]
    [InlineData("--ready-timeout 0", "--ready-timeout 0 is out of range")]
    [InlineData("--train-limit 10", "--train-limit 10 is out of range; it must be between 100 and 60000")]
    public void Bad_options_say_what_is_wrong(string args, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => LauncherOptions.Parse(args.Split(' ')));
        Assert.Contains(expected, e.Message);
    }
}
