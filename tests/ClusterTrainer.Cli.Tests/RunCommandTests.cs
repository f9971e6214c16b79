using System.Text.Json;
using ClusterTrainer.Cli.Tests.Fakes;
using ClusterTrainer.Training.Control;
using Xunit;

namespace ClusterTrainer.Cli.Tests;

public sealed class RunCommandTests : IAsyncLifetime
{
    private FakeNode _node = null!;
    private readonly string _dir = Directory.CreateTempSubdirectory("ctr-run-").FullName;

    public async Task InitializeAsync()
    {
        _node = await FakeNode.StartAsync();
        _node.Plane.Add(FakeControlPlane.Run("r1"), new EpochMetrics(0, 0.7012, 0.6543, 0.7788, 0.001, 812.4));
        _node.Plane.Add(FakeControlPlane.Run("r2", RunStatus.Completed, step: 1000, testAccuracy: 0.9051));
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Start_sends_the_spec_file_and_prints_the_new_run()
    {
        var spec = "name: fashion-mnist-cnn\nmodel: seed-cnn\n";
        File.WriteAllText(Path.Combine(_dir, "spec.yaml"), spec);
        var r = await Ctr.Run(Env(), ["run", "start", "spec.yaml"], workingDirectory: _dir);
        Assert.True(r.Exit == 0, r.ToString());
        Assert.Contains("started run r42 (fashion-mnist-cnn): Pending, 2 epochs, 1000 steps", r.Out);
        Assert.Equal(spec, _node.Plane.Started!.Spec);
        Assert.Equal("spec.yaml", _node.Plane.Started.Source);
    }

    [Fact]
    public async Task Start_with_a_missing_spec_file_is_a_usage_error_and_sends_nothing()
    {
        var r = await Ctr.Run(Env(), ["run", "start", "nope.yaml"], workingDirectory: _dir);
        Assert.Equal(2, r.Exit);
        Assert.Contains("spec file 'nope.yaml' does not exist", r.Err);
        Assert.Contains(Path.Combine(_dir, "nope.yaml"), r.Err);
        Assert.Empty(_node.Plane.Calls);
    }

    [Fact]
    public async Task Start_lists_every_spec_error_the_node_reports()
    {
        File.WriteAllText(Path.Combine(_dir, "bad.yaml"), "optimizer: {name: adamm}\n");
        _node.Plane.Refuse = new ControlException(ControlFailure.BadRequest, "the run spec has 2 errors",
            ["bad.yaml: optimizer.name: 'adamm' is not an optimizer; allowed: sgd, adam, adamw", "bad.yaml: training.epochs: missing; an integer ≥ 1"]);
        var r = await Ctr.Run(Env(), ["run", "start", "bad.yaml"], workingDirectory: _dir);
        Assert.Equal(1, r.Exit);
        var lines = r.Err.TrimEnd().Split('\n');
        Assert.Equal("ctr: the run spec has 2 errors (400 Bad Request)", lines[0]);
        Assert.Equal("  - bad.yaml: optimizer.name: 'adamm' is not an optimizer; allowed: sgd, adam, adamw", lines[1]);
        Assert.Equal("  - bad.yaml: training.epochs: missing; an integer ≥ 1", lines[2]);
        Assert.Equal("", r.Out);
    }

    [Fact]
    public async Task Status_shows_the_run_and_a_table_of_its_epochs()
    {
        var r = await Ctr.Run(_node, "run", "status", "r1");
        Assert.True(r.Exit == 0, r.ToString());
        Assert.Contains("r1 (fashion-mnist-cnn)", r.Out);
        Assert.Contains("Running", r.Out);
        Assert.Contains("120/1000", r.Out);
        Assert.Contains("ctr://127.0.0.1:4101, ctr://127.0.0.1:4102", r.Out);
        Assert.Contains("step 100", r.Out); // last checkpoint
        Assert.Contains("3 (from steps 0, 50, 40 rolled back)", r.Out);
        var epochRow = r.Out.Split('\n').Single(l => l.Contains("0.7012"));
        Assert.Contains("0.6543", epochRow);
        Assert.Contains("0.7788", epochRow);
        Assert.Contains("812", epochRow);
    }

    [Fact]
    public async Task Status_as_json_round_trips_to_the_contract_record()
    {
        var r = await Ctr.Run(_node, "run", "status", "r1", "--output", "json");
        Assert.True(r.Exit == 0, r.ToString());
        var detail = JsonSerializer.Deserialize<RunDetail>(r.Out, ControlJson.Options)!;
        var expected = _node.Plane.Details["r1"];
        Assert.Equal(expected.Run, detail.Run);
        Assert.Equal(expected.Epochs, detail.Epochs);
        Assert.Equal(expected.WorkerNodes, detail.WorkerNodes);
        Assert.Equal(100, detail.LastCheckpointStep);
        Assert.Equal(expected.Generations, detail.Generations);
    }

    [Fact]
    public async Task Status_of_an_unknown_run_prints_the_nodes_message()
    {
        var r = await Ctr.Run(_node, "run", "status", "zz");
        Assert.Equal(1, r.Exit);
        Assert.Equal("ctr: no run 'zz'; ctr run list shows the runs (404 Not Found)", r.Err.TrimEnd());
    }

    [Fact]
    public async Task List_prints_a_table_and_json_on_request()
    {
        var table = await Ctr.Run(_node, "run", "list");
        Assert.True(table.Exit == 0, table.ToString());
        Assert.Contains(table.Out.Split('\n'), l => l.Contains("r1") && l.Contains("Running") && l.Contains("0/2") && l.Contains("0.6123"));
        Assert.Contains(table.Out.Split('\n'), l => l.Contains("r2") && l.Contains("Completed") && l.Contains("0.9051"));

        var json = await Ctr.Run(_node, "run", "list", "--output", "json");
        Assert.True(json.Exit == 0, json.ToString());
        var runs = JsonSerializer.Deserialize<RunInfo[]>(json.Out, ControlJson.Options)!;
        Assert.Equal(_node.Plane.Runs, runs);
    }

    [Fact]
    public async Task On_an_80_column_terminal_the_list_fits_and_keeps_every_id_whole()
    {
        _node.Plane.Add(FakeControlPlane.Run("run-2026-11-22-abcdef"));
        var r = await Ctr.Run(Env(), ["run", "list"], width: 80);
        Assert.True(r.Exit == 0, r.ToString());
        var lines = r.Out.TrimEnd().Split('\n');
        Assert.All(lines, l => Assert.True(l.TrimEnd().Length <= 80, l));
        foreach (var id in new[] { "r1", "r2", "run-2026-11-22-abcdef" })
            Assert.Contains(lines, l => l.StartsWith($"│ {id} ", StringComparison.Ordinal));
        Assert.True(System.Text.RegularExpressions.Regex.Replace(r.Out, @"\s+", " ").Contains("left out to fit 80 columns: NAME"), r.Out);
        Assert.Contains(lines, l => l.Contains("STATUS") && l.Contains("STEP") && l.Contains("LOSS")); // the important ones stay
    }

    [Fact]
    public async Task List_with_no_runs_says_how_to_start_one()
    {
        _node.Plane.Runs.Clear();
        var r = await Ctr.Run(_node, "run", "list");
        Assert.Equal(0, r.Exit);
        Assert.Contains("ctr run start SPEC.yaml", r.Out);
    }

    [Theory]
    [InlineData("pause", "Paused")]
    [InlineData("resume", "Running")]
    [InlineData("stop", "Stopped")]
    public async Task Pause_resume_and_stop_ask_the_node_and_print_the_new_state(string verb, string state)
    {
        var r = await Ctr.Run(_node, "run", verb, "r1");
        Assert.True(r.Exit == 0, r.ToString());
        Assert.Contains($"run r1 is {state}", r.Out);
        Assert.Equal([$"{char.ToUpperInvariant(verb[0])}{verb[1..]} r1"], _node.Plane.Calls);
    }

    [Fact]
    public async Task A_pause_answered_before_it_took_effect_says_it_was_requested()
    {
        _node.Plane.AnswerBeforeTransition = true;
        var r = await Ctr.Run(_node, "run", "pause", "r1");
        Assert.True(r.Exit == 0, r.ToString());
        Assert.Equal("pause requested: run r1 was Running at step 120/1000 and becomes Paused shortly; follow it with: ctr run watch r1", r.Out.TrimEnd());
    }

    [Fact]
    public async Task A_transition_the_run_does_not_allow_exits_1_with_the_reason()
    {
        _node.Plane.Refuse = new ControlException(ControlFailure.Conflict, "run r2 is Completed; only a Running run can be paused");
        var r = await Ctr.Run(_node, "run", "pause", "r2");
        Assert.Equal(1, r.Exit);
        Assert.Equal("ctr: run r2 is Completed; only a Running run can be paused (409 Conflict)", r.Err.TrimEnd());
    }

    [Fact]
    public async Task Run_ids_are_escaped_into_the_route()
    {
        var r = await Ctr.Run(_node, "run", "status", "run #1?x");
        Assert.Equal(1, r.Exit);
        Assert.Contains("Get run #1?x", _node.Plane.Calls); // not cut at # or ?
    }

    private Dictionary<string, string> Env() => new() { ["CTR_HOST"] = _node.Url, ["CTR_TOKEN"] = FakeNode.Token };
}
