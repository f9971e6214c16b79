using ClusterTrainer.Actors;
using Xunit;

namespace ClusterTrainer.Node.Tests.Control;

public sealed class LogRouteTests
{
    private static LogEvent Entry(int i) => new(LogLevel.Info, FakeControlPlane.T0.AddSeconds(i), "test", $"entry {i}", null);

    [Fact]
    public async Task Tail_gives_the_last_lines_as_plain_text()
    {
        await using var h = await ControlHarness.StartAsync();
        for (var i = 1; i <= 4; i++) h.Log.Write(Entry(i));
        using var response = await h.Client.GetAsync("/api/log?tail=2");
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"{Entry(3)}\n{Entry(4)}\n", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("tail=0", "tail must be a whole number of lines from 1 to 5000, got '0'")]
    [InlineData("tail=5001", "got '5001'")]
    [InlineData("tail=ten", "got 'ten'")]
    [InlineData("tail=-3", "got '-3'")]
    [InlineData("follow=maybe", "follow must be true or false, got 'maybe'")]
    public async Task Bad_queries_are_400(string query, string says)
    {
        await using var h = await ControlHarness.StartAsync();
        using var response = await h.Client.GetAsync($"/api/log?{query}");
        Assert.Contains(says, await ControlHarness.ReadError(response, 400));
    }

    [Fact]
    public async Task Log_needs_the_token()
    {
        await using var h = await ControlHarness.StartAsync();
        using var response = await h.Anonymous.GetAsync("/api/log");
        await ControlHarness.ReadError(response, 401);
    }

    [Fact]
    public async Task Follow_sends_the_tail_then_new_entries_each_once_as_data_lines()
    {
        await using var h = await ControlHarness.StartAsync();
        for (var i = 1; i <= 3; i++) h.Log.Write(Entry(i));
        using var sse = await SseReader.OpenAsync(h.Client, "/api/log?tail=2&follow=true");
        Assert.Equal("text/event-stream", sse.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Entry(2).ToString(), (await sse.NextEventAsync()).DataText);
        Assert.Equal(Entry(3).ToString(), (await sse.NextEventAsync()).DataText);
        h.Log.Write(Entry(4));
        var multiLine = new LogEvent(LogLevel.Error, FakeControlPlane.T0, "test", "broke", new InvalidOperationException("why"));
        h.Log.Write(multiLine);
        Assert.Equal(Entry(4).ToString(), (await sse.NextEventAsync()).DataText);
        var frame = await sse.NextEventAsync();
        Assert.True(frame.Data.Count > 1);
        Assert.Equal(multiLine.ToString().ReplaceLineEndings("\n"), frame.DataText);
    }

    [Fact]
    public async Task Closing_a_follow_stream_detaches_it_from_the_log()
    {
        await using var h = await ControlHarness.StartAsync();
        h.Log.Write(Entry(1));
        using (var sse = await SseReader.OpenAsync(h.Client, "/api/log?tail=1&follow=true"))
        {
            Assert.Equal(Entry(1).ToString(), (await sse.NextEventAsync()).DataText);
            Assert.Equal(1, h.Log.Followers);
        }
        using var deadline = new CancellationTokenSource(ControlHarness.Patience);
        while (h.Log.Followers != 0) await Task.Delay(20, deadline.Token);
    }
}
