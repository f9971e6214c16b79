using System.Text.Json;
using ClusterTrainer.Cli.Tests.Fakes;
using ClusterTrainer.Training.Control;
using Xunit;

namespace ClusterTrainer.Cli.Tests;

/// <summary><c>run watch</c> against a scripted event stream: the same script always gives the same output.</summary>
public sealed class WatchTests : IAsyncLifetime
{
    private FakeNode _node = null!;

    public async Task InitializeAsync()
    {
        _node = await FakeNode.StartAsync();
        _node.Plane.Add(FakeControlPlane.Run("r1"));
        _node.Plane.Add(FakeControlPlane.Run("r2", RunStatus.Completed, step: 1000, testAccuracy: 0.9051));
        _node.Plane.Add(FakeControlPlane.Run("r3", RunStatus.Stopped, reason: "stopped by ctr run stop"));
    }

    public async Task DisposeAsync() => await _node.DisposeAsync();

    private static RunEvent E(string type, string run = "r1") => new(type, run, FakeControlPlane.T0);

    private void ScriptTraining(RunEvent end)
    {
        _node.Plane.Script.AddRange(
        [
            E("Step", "someone-else") with { Step = 999, TotalSteps = 1000, Loss = 9.9 },
            E("Step") with { Epoch = 0, Step = 200, TotalSteps = 1000, Loss = 0.5, SamplesPerSecond = 800 },
            E("Step") with { Epoch = 0, Step = 500, TotalSteps = 1000, Loss = 0.45, SamplesPerSecond = 805 },
            E("EpochEnded") with { Epoch = 0, Loss = 0.4512, ValidationAccuracy = 0.85, SamplesPerSecond = 810, Message = "val_loss=0.4400 lr=0.001" },
            E("Checkpoint") with { Step = 500, Message = "committed" },
            E("WorkerLeft") with { Message = "ctr://127.0.0.1:4102 is unreachable; its batches go to the others" },
            E("Step") with { Epoch = 1, Step = 1000, TotalSteps = 1000, Loss = 0.31, SamplesPerSecond = 790 },
            E("EpochEnded") with { Epoch = 1, Loss = 0.3011, ValidationAccuracy = 0.88, SamplesPerSecond = 795 },
            end,
        ]);
    }

    [Fact]
    public async Task A_completed_run_prints_progress_and_epochs_and_exits_0()
    {
        ScriptTraining(E("RunEnded") with { Status = RunStatus.Completed, TestAccuracy = 0.9012 });
        var r = await Ctr.Run(_node, "run", "watch", "r1");
        Assert.True(r.Exit == 0, r.ToString());
        Assert.Equal(
        [
            "r1 Running epoch 1/2 step 120/1000 loss 0.6123 val acc 0.8012 (10%)",
            "r1 Running epoch 1/2 step 200/1000 loss 0.5000 800 samples/s val acc 0.8012 (20%)",
            "r1 Running epoch 1/2 step 500/1000 loss 0.4500 805 samples/s val acc 0.8012 (50%)",
            "epoch 1/2 ended: loss 0.4512 val acc 0.8500 810 samples/s (val_loss=0.4400 lr=0.001)",
            "checkpoint committed at step 500",
            "worker left: ctr://127.0.0.1:4102 is unreachable; its batches go to the others",
            "r1 Running epoch 2/2 step 1000/1000 loss 0.3100 790 samples/s val acc 0.8500 (100%)",
            "epoch 2/2 ended: loss 0.3011 val acc 0.8800 795 samples/s",
            "run r1 Completed at epoch 2/2, step 1000/1000, test accuracy 0.9012",
        ], r.Out.TrimEnd().Split('\n'));
        Assert.Equal("", r.Err);
        Assert.DoesNotContain("9.9", r.Out); // the other run's events are not this watch's business
    }

    [Fact]
    public async Task A_failed_run_exits_1_with_its_reason_on_stderr()
    {
        ScriptTraining(E("RunEnded") with { Status = RunStatus.Failed, Message = "every worker left the run" });
        var r = await Ctr.Run(_node, "run", "watch", "r1");
        Assert.Equal(1, r.Exit);
        Assert.Equal("ctr: run r1 Failed at epoch 2/2, step 1000/1000, val accuracy 0.8800 (every worker left the run)", r.Err.TrimEnd());
    }

    [Fact]
    public async Task A_status_change_to_stopped_ends_the_watch_with_1()
    {
        _node.Plane.Script.Add(E("StatusChanged") with { Status = RunStatus.Paused, Message = "paused by ctr run pause" });
        _node.Plane.Script.Add(E("StatusChanged") with { Status = RunStatus.Stopped, Message = "stopped by ctr run stop" });
        var r = await Ctr.Run(_node, "run", "watch", "r1");
        Assert.Equal(1, r.Exit);
        Assert.Contains("status Paused: paused by ctr run pause", r.Out);
        Assert.Contains("status Stopped: stopped by ctr run stop", r.Out);
        Assert.Contains("run r1 Stopped", r.Err);
    }

    [Theory]
    [InlineData("r2", 0, "run r2 Completed at epoch 2/2, step 1000/1000, test accuracy 0.9051")]
    [InlineData("r3", 1, "run r3 Stopped at epoch 1/2, step 120/1000, val accuracy 0.8012 (stopped by ctr run stop)")]
    public async Task A_run_that_already_ended_returns_at_once(string run, int exit, string summary)
    {
        var r = await Ctr.Run(_node, "run", "watch", run);
        Assert.Equal(exit, r.Exit);
        Assert.Contains(summary, exit == 0 ? r.Out : r.Err);
    }

    [Fact]
    public async Task The_stream_is_opened_before_the_run_is_read_so_nothing_is_missed()
    {
        ScriptTraining(E("RunEnded") with { Status = RunStatus.Completed, TestAccuracy = 0.9 });
        var r = await Ctr.Run(_node, "run", "watch", "r1");
        Assert.True(r.Exit == 0, r.ToString());
        Assert.Equal(["Events", "Get r1"], _node.Plane.Calls.Take(2));
    }

    [Fact]
    public async Task A_stream_that_ends_before_the_run_exits_3()
    {
        _node.Plane.Script.Add(E("Step") with { Epoch = 0, Step = 130, TotalSteps = 1000 });
        _node.Plane.CloseStreamAfterScript = true;
        var r = await Ctr.Run(_node, "run", "watch", "r1");
        Assert.Equal(3, r.Exit);
        Assert.Contains("ended before run r1 did; see where it is with: ctr run status r1", r.Err);
    }

    [Fact]
    public async Task An_error_event_from_the_node_ends_the_watch_with_its_message()
    {
        _node.Plane.Script.Add(E("Checkpoint") with { Step = 130, Message = "checkpoint failed: disk full" });
        _node.StreamError = "the coordinator singleton moved; subscribe again";
        var r = await Ctr.Run(_node, "run", "watch", "r1");
        Assert.Equal(1, r.Exit);
        Assert.Contains("checkpoint at step 130: checkpoint failed: disk full", r.Out);
        Assert.Equal($"ctr: {_node.Url} ended the stream: the coordinator singleton moved; subscribe again", r.Err.TrimEnd());
    }

    [Fact]
    public async Task Watching_an_unknown_run_exits_1()
    {
        var r = await Ctr.Run(_node, "run", "watch", "nope");
        Assert.Equal(1, r.Exit);
        Assert.Contains("no run 'nope'", r.Err);
    }

    [Fact]
    public async Task Json_output_is_one_event_per_line()
    {
        ScriptTraining(E("RunEnded") with { Status = RunStatus.Completed, TestAccuracy = 0.9012 });
        var r = await Ctr.Run(_node, "run", "watch", "r1", "--output", "json");
        Assert.True(r.Exit == 0, r.ToString());
        var events = r.Out.TrimEnd().Split('\n').Select(l => JsonSerializer.Deserialize<RunEvent>(l, ControlJson.Options)!).ToList();
        Assert.Equal(_node.Plane.Script.Where(e => e.RunId == "r1"), events);
    }

    [Fact]
    public async Task On_a_terminal_it_draws_a_live_progress_bar()
    {
        ScriptTraining(E("RunEnded") with { Status = RunStatus.Completed, TestAccuracy = 0.9012 });
        var r = await Ctr.Run(new Dictionary<string, string> { ["CTR_HOST"] = _node.Url, ["CTR_TOKEN"] = FakeNode.Token },
            ["run", "watch", "r1"], interactive: true);
        Assert.True(r.Exit == 0, r.ToString());
        Assert.Contains("\u001b[", r.Out); // drawn with ANSI control sequences
        Assert.True(r.Out.Contains("epoch 2/2 step 1000/1000 loss 0.3100 790 samples/s val acc 0.8500"), r.Out.Replace("\u001b", "ESC"));
        Assert.Contains("epoch 1/2 ended: loss 0.4512 val acc 0.8500 810 samples/s (val_loss=0.4400 lr=0.001)", r.Out);
        Assert.Contains("100%", r.Out);
        Assert.Contains("watching run r1 (fashion-mnist-cnn); Ctrl+C stops watching, not the run", r.Out);
        Assert.Contains("Completed epoch 2/2 step 1000/1000", r.Out);
        Assert.Contains("run r1 Completed at epoch 2/2, step 1000/1000, test accuracy 0.9012", r.Out);
    }

    [Fact]
    public async Task Start_with_watch_follows_the_new_run()
    {
        var dir = Directory.CreateTempSubdirectory("ctr-watch-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "spec.yaml"), "name: fashion-mnist-cnn\n");
            _node.Plane.Script.AddRange(
            [
                E("RunStarted", "r42") with { TotalSteps = 1000 },
                E("StatusChanged", "r42") with { Status = RunStatus.Running },
                E("RunEnded", "r42") with { Status = RunStatus.Completed, Step = 1000, Epoch = 1, TestAccuracy = 0.91 },
            ]);
            var r = await Ctr.Run(new Dictionary<string, string> { ["CTR_HOST"] = _node.Url, ["CTR_TOKEN"] = FakeNode.Token },
                ["run", "start", "spec.yaml", "--watch"], workingDirectory: dir);
            Assert.True(r.Exit == 0, r.ToString());
            Assert.Contains("started run r42", r.Out);
            Assert.Contains("run r42 started: 2 epochs, 1000 steps", r.Out);
            Assert.Contains("run r42 Completed at epoch 2/2, step 1000/1000, test accuracy 0.9100", r.Out);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
