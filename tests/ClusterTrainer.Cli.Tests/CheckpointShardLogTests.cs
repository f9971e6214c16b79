using ClusterTrainer.Cli.Tests.Fakes;
using ClusterTrainer.Training.Control;
using Xunit;

namespace ClusterTrainer.Cli.Tests;

public sealed class CheckpointShardLogTests : IAsyncLifetime
{
    private FakeNode _node = null!;
    private readonly string _dir = Directory.CreateTempSubdirectory("ctr-ckpt-").FullName;

    public async Task InitializeAsync()
    {
        _node = await FakeNode.StartAsync();
        _node.Plane.Add(FakeControlPlane.Run("r1"));
        _node.Plane.CheckpointList.Add(new CheckpointInfo("r1", 500, 1, FakeControlPlane.T0, 3, 1_234_567));
        _node.Plane.CheckpointList.Add(new CheckpointInfo("r1", 1000, 2, FakeControlPlane.T0.AddMinutes(3), 3, 1_234_999));
        _node.Plane.CheckpointList.Add(new CheckpointInfo("other", 7, 1, FakeControlPlane.T0, 1, 10));
        _node.Plane.Shards.Add(new ShardInfo("r1", 0, "ctr://10.0.0.3:4053", 0, 700_000, 41, 40, 2, 0, 11_000_000, 22_000_000));
        _node.Plane.Shards.Add(new ShardInfo("r2", 0, "ctr://10.0.0.4:4053", 0, 50, 9, 9, 0, 5, 100, 200));
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Checkpoint_list_shows_the_runs_checkpoints()
    {
        var r = await Ctr.Run(_node, "checkpoint", "list", "r1");
        Assert.True(r.Exit == 0, r.ToString());
        var rows = r.Out.Split('\n').Where(l => l.Contains("r1")).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Contains("500", rows[0]);
        Assert.Contains("1.2 MiB", rows[0]);
        Assert.Contains("1000", rows[1]);
        Assert.DoesNotContain("other", r.Out);
    }

    [Fact]
    public async Task Checkpoint_list_of_a_run_without_checkpoints_says_so()
    {
        var r = await Ctr.Run(_node, "checkpoint", "list", "r9");
        Assert.Equal(0, r.Exit);
        Assert.Contains("run r9 has no committed checkpoint yet", r.Out);
    }

    [Fact]
    public async Task Checkpoint_restore_asks_for_that_step()
    {
        var r = await Ctr.Run(_node, "checkpoint", "restore", "r1", "500");
        Assert.True(r.Exit == 0, r.ToString());
        Assert.Contains("run r1 restored to step 500", r.Out);
        Assert.Equal(["Restore 500 r1"], _node.Plane.Calls);
    }

    [Fact]
    public async Task Checkpoint_restore_with_a_step_that_is_not_a_number_is_a_usage_error()
    {
        var r = await Ctr.Run(_node, "checkpoint", "restore", "r1", "latest");
        Assert.Equal(2, r.Exit);
        Assert.Contains("latest", r.Err);
        Assert.Empty(_node.Plane.Calls);
    }

    [Fact]
    public async Task Checkpoint_export_writes_the_nodes_bytes_to_the_file()
    {
        _node.Plane.ExportBytes = Enumerable.Range(0, 300_000).Select(i => (byte)(i * 31)).ToArray();
        var r = await Ctr.Run(Env(), ["checkpoint", "export", "r1", "1000", "-o", "model.pt"], workingDirectory: _dir);
        Assert.True(r.Exit == 0, r.ToString());
        Assert.Equal(_node.Plane.ExportBytes, File.ReadAllBytes(Path.Combine(_dir, "model.pt")));
        Assert.Contains("wrote checkpoint 1000 of run r1 to model.pt (293.0 KiB)", r.Out);
        Assert.Equal(["model.pt"], Directory.GetFiles(_dir).Select(Path.GetFileName)); // no temp file left
    }

    [Fact]
    public async Task Checkpoint_export_does_not_overwrite_without_force()
    {
        var target = Path.Combine(_dir, "model.pt");
        File.WriteAllText(target, "keep me");
        _node.Plane.ExportBytes = [1, 2, 3];
        var r = await Ctr.Run(Env(), ["checkpoint", "export", "r1", "1000", "-o", "model.pt"], workingDirectory: _dir);
        Assert.Equal(2, r.Exit);
        Assert.Contains("pass --force", r.Err);
        Assert.Equal("keep me", File.ReadAllText(target));

        var forced = await Ctr.Run(Env(), ["checkpoint", "export", "r1", "1000", "-o", "model.pt", "--force"], workingDirectory: _dir);
        Assert.True(forced.Exit == 0, forced.ToString());
        Assert.Equal([1, 2, 3], File.ReadAllBytes(target));
    }

    [Fact]
    public async Task Checkpoint_export_refused_by_the_node_leaves_no_file()
    {
        _node.Plane.Refuse = new ControlException(ControlFailure.NotFound, "run r1 has no committed checkpoint at step 3");
        var r = await Ctr.Run(Env(), ["checkpoint", "export", "r1", "3", "-o", "model.pt"], workingDirectory: _dir);
        Assert.Equal(1, r.Exit);
        Assert.Equal("ctr: run r1 has no committed checkpoint at step 3 (404 Not Found)", r.Err.TrimEnd());
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public async Task Checkpoint_export_cut_midway_exits_3_and_leaves_no_file()
    {
        _node.Plane.ExportBytes = new byte[200_000];
        _node.Plane.ExportFailsMidway = true;
        var r = await Ctr.Run(Env(), ["checkpoint", "export", "r1", "1000", "-o", "model.pt"], workingDirectory: _dir);
        Assert.Equal(3, r.Exit);
        Assert.StartsWith($"ctr: the download from {_node.Url} was cut", r.Err);
        Assert.Empty(Directory.GetFiles(_dir)); // neither model.pt nor its .part file
    }

    [Fact]
    public async Task Checkpoint_export_needs_an_output_file()
    {
        var r = await Ctr.Run(_node, "checkpoint", "export", "r1", "3");
        Assert.Equal(2, r.Exit);
        Assert.Contains("--out-file", r.Err);
    }

    [Fact]
    public async Task Shard_stats_lists_every_shard_or_one_runs()
    {
        var all = await Ctr.Run(_node, "shard", "stats");
        Assert.True(all.Exit == 0, all.ToString());
        Assert.Contains(all.Out.Split('\n'), l => l.Contains("ctr://10.0.0.3:4053") && l.Contains("700000") && l.Contains("10.5 MiB") && l.Contains("21.0 MiB"));
        Assert.Contains("ctr://10.0.0.4:4053", all.Out);

        var one = await Ctr.Run(_node, "shard", "stats", "--run", "r2");
        Assert.True(one.Exit == 0, one.ToString());
        Assert.DoesNotContain("ctr://10.0.0.3:4053", one.Out);
        Assert.Contains("ctr://10.0.0.4:4053", one.Out);
        Assert.Equal(["Shards (all)", "Shards r2"], _node.Plane.Calls);
    }

    [Fact]
    public async Task Log_tail_prints_the_last_n_lines()
    {
        _node.LogLines.AddRange(Enumerable.Range(1, 10).Select(i => $"line {i}"));
        var r = await Ctr.Run(_node, "log", "tail", "-n", "3");
        Assert.True(r.Exit == 0, r.ToString());
        Assert.Equal("line 8\nline 9\nline 10\n", r.Out);
    }

    [Fact]
    public async Task Log_tail_follow_prints_lines_until_interrupted_and_exits_0()
    {
        _node.LogLines.AddRange(["started", "joined ctr://10.0.0.1:4053"]);
        var output = new SharedWriter();
        using var cts = new CancellationTokenSource();
        var run = Ctr.Run(Env(), ["log", "tail", "-f"], ct: cts.Token, output: output);
        await Eventually.True(() => output.ToString().Contains("joined ctr://10.0.0.1:4053"), "both log lines printed");
        cts.Cancel();
        var r = await run.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(r.Exit == 0, r.ToString());
        Assert.Equal("started\njoined ctr://10.0.0.1:4053\n", r.Out);
    }

    [Fact]
    public async Task Log_tail_follow_cut_by_the_node_exits_3()
    {
        _node.LogLines.Add("bye");
        _node.Plane.CloseStreamAfterScript = true;
        var r = await Ctr.Run(_node, "log", "tail", "-f");
        Assert.Equal(3, r.Exit);
        Assert.Equal("bye\n", r.Out);
        Assert.Contains("closed the log stream", r.Err);
    }

    private Dictionary<string, string> Env() => new() { ["CTR_HOST"] = _node.Url, ["CTR_TOKEN"] = FakeNode.Token };
}
