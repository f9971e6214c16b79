using System.Text.Json;
using ClusterTrainer.Training.Control;
using Xunit;

namespace ClusterTrainer.Node.Tests.Control;

public sealed class RunRoutesTests
{
    [Fact]
    public async Task List_gives_every_run_in_camel_case_with_status_as_a_string()
    {
        await using var h = await ControlHarness.StartAsync();
        var run = h.Plane.AddRun(RunStatus.Running);
        h.Plane.AddRun(RunStatus.Completed);
        using var response = await h.Client.GetAsync("/api/runs");
        var body = await ControlHarness.ReadJson(response);
        Assert.Equal(JsonValueKind.Array, body.ValueKind);
        Assert.Equal(2, body.GetArrayLength());
        var first = body[0];
        Assert.Equal(run.Id, first.GetProperty("id").GetString());
        Assert.Equal("Running", first.GetProperty("status").GetString());
        Assert.Equal(120, first.GetProperty("step").GetInt64());
        Assert.Equal(0.42, first.GetProperty("lastLoss").GetDouble());
        Assert.False(first.TryGetProperty("testAccuracy", out _)); // nulls are left out
        Assert.Equal(FakeControlPlane.T0, first.GetProperty("createdAt").GetDateTimeOffset());
        Assert.Equal(run, body[0].Deserialize<RunInfo>(ControlJson.Options));
    }

    [Fact]
    public async Task Start_answers_201_with_the_run_and_its_location()
    {
        await using var h = await ControlHarness.StartAsync();
        using var response = await h.Client.PostAsync("/api/runs", ControlHarness.Json("""{"spec":"model: cnn\nepochs: 2\n","source":"cnn.yaml"}"""));
        Assert.Equal(201, (int)response.StatusCode);
        var run = (await ControlHarness.ReadJson(response)).Deserialize<RunInfo>(ControlJson.Options)!;
        Assert.Equal(RunStatus.Pending, run.Status);
        Assert.Equal("cnn.yaml", run.Name);
        Assert.Equal($"/api/runs/{run.Id}", response.Headers.Location?.OriginalString);
        Assert.Contains("start cnn.yaml", h.Plane.Calls);
    }

    [Fact]
    public async Task Start_with_spec_errors_answers_400_with_the_details()
    {
        await using var h = await ControlHarness.StartAsync();
        using var response = await h.Client.PostAsync("/api/runs", ControlHarness.Json("""{"spec":"epochs: -1"}"""));
        Assert.Equal(400, (int)response.StatusCode);
        var error = (await ControlHarness.ReadJson(response)).Deserialize<ControlError>(ControlJson.Options)!;
        Assert.Equal("run spec has 1 error", error.Error);
        Assert.Equal(["epochs: must be at least 1, got -1"], error.Details);
    }

    [Fact]
    public async Task Get_gives_the_run_detail()
    {
        await using var h = await ControlHarness.StartAsync();
        var run = h.Plane.AddRun(RunStatus.Running);
        using var response = await h.Client.GetAsync($"/api/runs/{run.Id}");
        var body = await ControlHarness.ReadJson(response);
        Assert.Equal(run.Id, body.GetProperty("run").GetProperty("id").GetString());
        Assert.Equal("model: cnn\nepochs: 5\n", body.GetProperty("spec").GetString());
        Assert.Equal(0.84, body.GetProperty("epochs")[0].GetProperty("validationAccuracy").GetDouble());
        Assert.Equal(["node-a", "node-b"], body.GetProperty("workerNodes").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(100, body.GetProperty("lastCheckpointStep").GetInt64());
    }

    [Fact]
    public async Task Unknown_run_is_404_with_the_planes_message()
    {
        await using var h = await ControlHarness.StartAsync();
        foreach (var path in new[] { "/api/runs/run-404", "/api/runs/run-404/checkpoints" })
        {
            using var response = await h.Client.GetAsync(path);
            Assert.Equal("no run 'run-404'", await ControlHarness.ReadError(response, 404));
        }
        using var pause = await h.Client.PostAsync("/api/runs/run-404/pause", null);
        Assert.Equal("no run 'run-404'", await ControlHarness.ReadError(pause, 404));
    }

    [Fact]
    public async Task Pause_resume_stop_follow_the_lifecycle_and_refuse_with_409_out_of_turn()
    {
        await using var h = await ControlHarness.StartAsync();
        var run = h.Plane.AddRun(RunStatus.Running);
        async Task<RunStatus> Post(string verb)
        {
            using var response = await h.Client.PostAsync($"/api/runs/{run.Id}/{verb}", null);
            return (await ControlHarness.ReadJson(response)).Deserialize<RunInfo>(ControlJson.Options)!.Status;
        }
        Assert.Equal(RunStatus.Paused, await Post("pause"));
        Assert.Equal(RunStatus.Running, await Post("resume"));
        Assert.Equal(RunStatus.Stopped, await Post("stop"));
        using var again = await h.Client.PostAsync($"/api/runs/{run.Id}/resume", null);
        Assert.Equal($"cannot resume run '{run.Id}': it is Stopped", await ControlHarness.ReadError(again, 409));
    }

    [Fact]
    public async Task Checkpoints_lists_the_runs_checkpoints_and_restore_continues_from_one()
    {
        await using var h = await ControlHarness.StartAsync();
        var run = h.Plane.AddRun(RunStatus.Stopped);
        var checkpoint = new CheckpointInfo(run.Id, 200, 1, FakeControlPlane.T0, 3, 1_234_567);
        h.Plane.CheckpointList.Add(checkpoint);
        using var list = await h.Client.GetAsync($"/api/runs/{run.Id}/checkpoints");
        var body = await ControlHarness.ReadJson(list);
        Assert.Equal(1_234_567, body[0].GetProperty("bytes").GetInt64());
        Assert.Equal([checkpoint], body.Deserialize<CheckpointInfo[]>(ControlJson.Options)!);

        using var restore = await h.Client.PostAsync($"/api/runs/{run.Id}/checkpoints/200/restore", null);
        var restored = (await ControlHarness.ReadJson(restore)).Deserialize<RunInfo>(ControlJson.Options)!;
        Assert.Equal((200L, RunStatus.Running), (restored.Step, restored.Status));
        Assert.Contains($"restore 200 {run.Id}", h.Plane.Calls);

        using var missing = await h.Client.PostAsync($"/api/runs/{run.Id}/checkpoints/300/restore", null);
        Assert.Contains("no checkpoint at step 300", await ControlHarness.ReadError(missing, 404));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-5")]
    [InlineData("1.5")]
    public async Task A_step_that_is_not_a_whole_number_is_400(string step)
    {
        await using var h = await ControlHarness.StartAsync();
        var run = h.Plane.AddRun(RunStatus.Stopped);
        using var response = await h.Client.PostAsync($"/api/runs/{run.Id}/checkpoints/{step}/restore", null);
        Assert.Contains($"got '{step}'", await ControlHarness.ReadError(response, 400));
        Assert.DoesNotContain(h.Plane.Calls, c => c.StartsWith("restore", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Export_streams_the_state_dict_bytes_as_an_attachment()
    {
        await using var h = await ControlHarness.StartAsync();
        var run = h.Plane.AddRun(RunStatus.Completed);
        h.Plane.CheckpointList.Add(new CheckpointInfo(run.Id, 400, 2, FakeControlPlane.T0, 2, 10));
        h.Plane.ExportBytes = Enumerable.Range(0, 300_000).Select(i => (byte)(i * 7)).ToArray();
        using var response = await h.Client.GetAsync($"/api/runs/{run.Id}/checkpoints/400/export");
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal($"{run.Id}-step400.pt", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        Assert.Equal(h.Plane.ExportBytes, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Export_of_a_missing_checkpoint_is_a_json_404_not_an_empty_file()
    {
        await using var h = await ControlHarness.StartAsync();
        var run = h.Plane.AddRun(RunStatus.Completed);
        using var response = await h.Client.GetAsync($"/api/runs/{run.Id}/checkpoints/7/export");
        Assert.Contains("no checkpoint at step 7", await ControlHarness.ReadError(response, 404));
        Assert.Null(response.Content.Headers.ContentDisposition);
    }

    [Fact]
    public async Task Export_failing_half_way_cuts_the_connection_so_the_client_cannot_take_it_for_a_whole_file()
    {
        await using var h = await ControlHarness.StartAsync();
        var run = h.Plane.AddRun(RunStatus.Completed);
        h.Plane.CheckpointList.Add(new CheckpointInfo(run.Id, 400, 2, FakeControlPlane.T0, 2, 10));
        h.Plane.ExportBytes = new byte[1 << 20];
        h.Plane.ExportFailsHalfway = true;
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            using var response = await h.Client.GetAsync($"/api/runs/{run.Id}/checkpoints/400/export");
            await response.Content.ReadAsByteArrayAsync();
        });
        using var health = await h.Client.GetAsync("/healthz");
        Assert.Equal(200, (int)health.StatusCode);
        Assert.Contains(h.Log.Tail(10), e => e.Message.Contains("checkpoint part 2 vanished", StringComparison.Ordinal));
    }
}
