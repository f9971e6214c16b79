using System.Text.Json;
using ClusterTrainer.Training.Control;
using Xunit;

namespace ClusterTrainer.Node.Tests.Control;

public sealed class EventStreamTests
{
    private static readonly RunEvent Started = new("RunStarted", "run-1", FakeControlPlane.T0, Status: RunStatus.Running, TotalSteps: 4690);
    private static readonly RunEvent Step = new("Step", "run-1", FakeControlPlane.T0.AddSeconds(1), Epoch: 0, Step: 10, TotalSteps: 4690, Loss: 1.25, SamplesPerSecond: 3200);

    [Fact]
    public async Task Events_are_framed_as_event_type_then_json_data()
    {
        var plane = new FakeControlPlane();
        plane.Events.AddRange([Started, Step]);
        await using var h = await ControlHarness.StartAsync(plane);
        using var sse = await SseReader.OpenAsync(h.Client, "/api/events");
        Assert.Equal(200, (int)sse.Response.StatusCode);
        Assert.Equal("text/event-stream", sse.Response.Content.Headers.ContentType?.MediaType);
        Assert.True(sse.Response.Headers.CacheControl?.NoCache);

        var first = await sse.NextEventAsync();
        Assert.Equal("RunStarted", first.Event);
        Assert.Equal(Started, JsonSerializer.Deserialize<RunEvent>(Assert.Single(first.Data), ControlJson.Options));
        var second = await sse.NextEventAsync();
        Assert.Equal("Step", second.Event);
        using var json = JsonDocument.Parse(Assert.Single(second.Data));
        Assert.Equal(1.25, json.RootElement.GetProperty("loss").GetDouble());
        Assert.Equal("Step", json.RootElement.GetProperty("type").GetString());
        Assert.False(json.RootElement.TryGetProperty("message", out _));
    }

    [Fact]
    public async Task Events_need_the_token()
    {
        await using var h = await ControlHarness.StartAsync();
        using var response = await h.Anonymous.GetAsync("/api/events");
        await ControlHarness.ReadError(response, 401);
    }

    [Fact]
    public async Task An_idle_stream_sends_heartbeat_comments()
    {
        await using var h = await ControlHarness.StartAsync(heartbeat: TimeSpan.FromMilliseconds(50));
        using var sse = await SseReader.OpenAsync(h.Client, "/api/events");
        var frame = await sse.NextAsync();
        Assert.Equal(["heartbeat"], frame.Comments);
        Assert.Null(frame.Event);
        Assert.Empty(frame.Data);
        Assert.Equal(["heartbeat"], (await sse.NextAsync()).Comments);
    }

    [Fact]
    public async Task The_stream_ends_cleanly_when_the_client_disconnects()
    {
        var plane = new FakeControlPlane();
        plane.Events.Add(Started);
        await using var h = await ControlHarness.StartAsync(plane);
        using (var sse = await SseReader.OpenAsync(h.Client, "/api/events"))
            Assert.Equal("RunStarted", (await sse.NextEventAsync()).Event);
        await plane.EventsCancelled.Task.WaitAsync(ControlHarness.Patience);
        using var after = await h.Client.GetAsync("/healthz");
        Assert.Equal(200, (int)after.StatusCode);
        Assert.DoesNotContain(h.Log.Tail(100), e => e.Level >= Actors.LogLevel.Error);
    }

    [Fact]
    public async Task Disposing_the_server_ends_open_streams()
    {
        var plane = new FakeControlPlane();
        plane.Events.Add(Started);
        var h = await ControlHarness.StartAsync(plane);
        using var sse = await SseReader.OpenAsync(h.Client, "/api/events");
        Assert.Equal("RunStarted", (await sse.NextEventAsync()).Event);
        await h.DisposeAsync().AsTask().WaitAsync(ControlHarness.Patience);
        await plane.EventsCancelled.Task.WaitAsync(ControlHarness.Patience);
    }

    [Fact]
    public async Task A_failing_source_ends_the_stream_with_an_error_event()
    {
        var plane = new FakeControlPlane { EventsFailure = new ControlException(ControlFailure.Unavailable, "no coordinator reachable") };
        plane.Events.Add(Started);
        await using var h = await ControlHarness.StartAsync(plane);
        using var sse = await SseReader.OpenAsync(h.Client, "/api/events");
        Assert.Equal("RunStarted", (await sse.NextEventAsync()).Event);
        var error = await sse.NextEventAsync();
        Assert.Equal("error", error.Event);
        Assert.Equal("no coordinator reachable", JsonSerializer.Deserialize<ControlError>(error.DataText, ControlJson.Options)!.Error);
        await Assert.ThrowsAsync<EndOfStreamException>(sse.NextAsync);
    }
}
