using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using ClusterTrainer.Node.Control;
using ClusterTrainer.Node.Local;
using ClusterTrainer.Training.Control;
using Xunit;

namespace ClusterTrainer.Node.Tests.Local;

/// <summary>The launcher's client and follower against the real control server, driven by a scripted control plane.</summary>
public sealed class RunFollowerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private const string Token = "launcher-token";
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Runs are started, read and stopped; events are published by the test to every open stream.</summary>
    private sealed class ScriptedPlane : IControlPlane
    {
        private readonly ConcurrentDictionary<Channel<RunEvent>, bool> _streams = new();
        private int _subscriptions;
        public readonly TaskCompletionSource<StartRunRequest> Started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public ConcurrentQueue<string> Stops { get; } = new();
        public RunInfo Run { get; set; } = new("r1", "fashion-mnist-cnn", RunStatus.Pending, 0, 2, 0, 200, 3, null, null, null, null, T0, T0);
        public int Subscriptions => Volatile.Read(ref _subscriptions);

        public void Publish(RunEvent e)
        {
            foreach (var c in _streams.Keys) c.Writer.TryWrite(e);
        }

        public Task<RunInfo> StartRunAsync(StartRunRequest request, CancellationToken ct)
        {
            if (request.Spec.Contains("epochs: -1", StringComparison.Ordinal))
                throw new ControlException(ControlFailure.BadRequest, "1 problem(s) in the run spec", ["line 3: training.epochs: must be at least 1"]);
            Started.TrySetResult(request);
            return Task.FromResult(Run);
        }

        public Task<RunDetail> GetRunAsync(string runId, CancellationToken ct) =>
            runId == Run.Id ? Task.FromResult(new RunDetail(Run, "spec", [], ["w1"], null))
                            : throw new ControlException(ControlFailure.NotFound, $"no run {runId}");

        public Task<RunInfo> StopAsync(string runId, CancellationToken ct)
        {
            Stops.Enqueue(runId);
            return Task.FromResult(Run = Run with { Status = RunStatus.Stopped });
        }

        public async IAsyncEnumerable<RunEvent> EventsAsync([EnumeratorCancellation] CancellationToken ct)
        {
            var channel = Channel.CreateUnbounded<RunEvent>();
            _streams[channel] = true;
            Interlocked.Increment(ref _subscriptions);
            try
            {
                await foreach (var e in channel.Reader.ReadAllAsync(ct)) yield return e;
            }
            finally
            {
                _streams.TryRemove(channel, out _);
            }
        }

        private static Exception NotUsed() => new NotSupportedException("the launcher does not call this");
        public Task<IReadOnlyList<RunInfo>> ListRunsAsync(CancellationToken ct) => throw NotUsed();
        public Task<RunInfo> PauseAsync(string runId, CancellationToken ct) => throw NotUsed();
        public Task<RunInfo> ResumeAsync(string runId, CancellationToken ct) => throw NotUsed();
        public Task<IReadOnlyList<CheckpointInfo>> CheckpointsAsync(string runId, CancellationToken ct) => throw NotUsed();
        public Task<RunInfo> RestoreAsync(string runId, long step, CancellationToken ct) => throw NotUsed();
        public Task ExportAsync(string runId, long step, Stream destination, CancellationToken ct) => throw NotUsed();
        public Task<IReadOnlyList<MemberInfo>> MembersAsync(CancellationToken ct) => throw NotUsed();
        public Task JoinAsync(string address, CancellationToken ct) => throw NotUsed();
        public Task LeaveAsync(string? address, CancellationToken ct) => throw NotUsed();
        public Task DownAsync(string address, CancellationToken ct) => throw NotUsed();
        public Task<IReadOnlyList<ShardInfo>> ShardsAsync(string? runId, CancellationToken ct) => throw NotUsed();
        public IReadOnlyList<MetricSample> Metrics() => [];
    }

    private sealed class RecordingDisplay : IRunDisplay
    {
        public ConcurrentQueue<string> Lines { get; } = new();
        public void Started(RunInfo run) => Lines.Enqueue($"started {run.Id}");
        public void OnEvent(RunEvent e) => Lines.Enqueue($"{e.Type} {e.RunId} {e.Step}");
        public void Note(string message) => Lines.Enqueue("note " + message);
    }

    private static Task<ControlServer> Serve(IControlPlane plane) =>
        ControlServer.StartAsync("127.0.0.1", 0, plane, new NodeLog(TextWriter.Null), Token, CancellationToken.None);

    private static LaunchSpec Spec(string yaml = "training:\n  epochs: 2\n") => new(yaml, "test.yaml", null!);

    private static async Task Eventually(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"not within {Patience.TotalSeconds} s: {what}");
            await Task.Delay(20);
        }
    }

    private static RunEvent Event(string type, long? step = null, RunStatus? status = null, string run = "r1") =>
        new(type, run, T0, status, Epoch: 0, Step: step, TotalSteps: 200, Loss: 0.5, SamplesPerSecond: 1000);

    [Fact]
    public async Task The_run_is_submitted_after_subscribing_and_followed_to_its_end()
    {
        var plane = new ScriptedPlane();
        await using var server = await Serve(plane);
        using var client = new ControlClient(() => [server.Url], Token);
        var display = new RecordingDisplay();
        RunInfo? started = null;
        var follow = RunFollower.RunAsync(client, Spec(), display, r => started = r, CancellationToken.None);

        var request = await plane.Started.Task.WaitAsync(Patience);
        Assert.Equal("training:\n  epochs: 2\n", request.Spec);
        Assert.Equal("test.yaml", request.Source);
        await Eventually(() => plane.Subscriptions == 1, "the event stream is open on the server");
        plane.Publish(Event("RunStarted"));
        plane.Publish(Event("Step", 1));
        plane.Publish(Event("Step", 1, run: "other-run"));
        plane.Publish(Event("EpochEnded", 100));
        plane.Run = plane.Run with { Status = RunStatus.Completed, ValidationAccuracy = 0.91, TestAccuracy = 0.905 };
        plane.Publish(Event("RunEnded", 200, RunStatus.Completed));

        var detail = await follow.WaitAsync(Patience);
        Assert.Equal(RunStatus.Completed, detail.Run.Status);
        Assert.Equal(0.905, detail.Run.TestAccuracy);
        Assert.Equal("r1", started!.Id);
        Assert.Equal(["started r1", "RunStarted r1 ", "Step r1 1", "EpochEnded r1 100", "RunEnded r1 200"], display.Lines);
    }

    [Fact]
    public async Task A_refused_spec_is_reported_with_the_details_the_node_gave()
    {
        var plane = new ScriptedPlane();
        await using var server = await Serve(plane);
        using var client = new ControlClient(() => [server.Url], Token);
        var e = await Assert.ThrowsAsync<LaunchException>(() =>
            RunFollower.RunAsync(client, Spec("training:\n  epochs: -1\n"), new RecordingDisplay(), _ => { }, CancellationToken.None).WaitAsync(Patience));
        Assert.Contains("POST /api/runs: 400", e.Message);
        Assert.Contains("1 problem(s) in the run spec", e.Message);
        Assert.Contains("line 3: training.epochs: must be at least 1", e.Message);
    }

    [Fact]
    public async Task A_wrong_token_is_reported()
    {
        await using var server = await Serve(new ScriptedPlane());
        using var client = new ControlClient(() => [server.Url], "not-the-token");
        var e = await Assert.ThrowsAsync<LaunchException>(() => client.GetRunAsync("r1", CancellationToken.None).WaitAsync(Patience));
        Assert.Contains("401", e.Message);
    }

    [Fact]
    public async Task When_the_followed_node_goes_away_the_follower_moves_to_the_next_node()
    {
        var plane = new ScriptedPlane();
        var first = await Serve(plane);
        await using var second = await Serve(plane);
        using var client = new ControlClient(() => [first.Url, second.Url], Token);
        var display = new RecordingDisplay();
        var follow = RunFollower.RunAsync(client, Spec(), display, _ => { }, CancellationToken.None);
        await plane.Started.Task.WaitAsync(Patience);
        await Eventually(() => plane.Subscriptions == 1, "the first node's event stream is open");
        plane.Publish(Event("Step", 1));
        await Eventually(() => display.Lines.Contains("Step r1 1"), "the first step is shown");

        await first.DisposeAsync();
        await Eventually(() => plane.Subscriptions == 2, "the follower subscribes on the second node");
        plane.Publish(Event("Step", 2));
        // Shown means read from the new stream, after the status check that follows a reconnect.
        await Eventually(() => display.Lines.Contains("Step r1 2"), "a step from the second node is shown");
        plane.Run = plane.Run with { Status = RunStatus.Completed, TestAccuracy = 0.9 };
        plane.Publish(Event("RunEnded", 200, RunStatus.Completed));

        var detail = await follow.WaitAsync(Patience);
        Assert.Equal(RunStatus.Completed, detail.Run.Status);
        Assert.Contains(display.Lines, l => l.StartsWith("note the event stream", StringComparison.Ordinal));
        Assert.Equal("RunEnded r1 200", display.Lines.Last());
    }

    [Fact]
    public async Task A_run_that_ended_while_no_stream_was_open_is_noticed_from_its_status()
    {
        var plane = new ScriptedPlane();
        var first = await Serve(plane);
        await using var second = await Serve(plane);
        using var client = new ControlClient(() => [first.Url, second.Url], Token);
        var follow = RunFollower.RunAsync(client, Spec(), new RecordingDisplay(), _ => { }, CancellationToken.None);
        await plane.Started.Task.WaitAsync(Patience);
        await Eventually(() => plane.Subscriptions == 1, "the first node's event stream is open");
        plane.Run = plane.Run with { Status = RunStatus.Failed, Reason = "every worker left" };
        await first.DisposeAsync();

        var detail = await follow.WaitAsync(Patience);
        Assert.Equal(RunStatus.Failed, detail.Run.Status);
        Assert.Equal("every worker left", detail.Run.Reason);
    }

    [Fact]
    public async Task A_run_that_ends_without_an_event_reaching_the_stream_is_noticed_by_polling_its_status()
    {
        var plane = new ScriptedPlane();
        await using var server = await Serve(plane);
        using var client = new ControlClient(() => [server.Url], Token);
        var follow = RunFollower.RunAsync(client, Spec(), new RecordingDisplay(), _ => { }, CancellationToken.None, TimeSpan.FromMilliseconds(100));
        await plane.Started.Task.WaitAsync(Patience);
        plane.Run = plane.Run with { Status = RunStatus.Failed, Reason = "dataset folder missing" };

        var detail = await follow.WaitAsync(Patience);
        Assert.Equal(RunStatus.Failed, detail.Run.Status);
        Assert.Equal("dataset folder missing", detail.Run.Reason);
    }

    [Fact]
    public async Task Server_sent_events_are_parsed_with_heartbeats_and_multi_line_data()
    {
        const string text = ": heartbeat\n\nevent: Step\ndata: {\"type\":\"Step\",\"runId\":\"r1\",\ndata: \"time\":\"2026-01-01T00:00:00+00:00\",\"step\":7}\n\n" +
                            "event: RunEnded\ndata: {\"type\":\"RunEnded\",\"runId\":\"r1\",\"time\":\"2026-01-01T00:00:00+00:00\",\"status\":\"Completed\"}\n\n";
        var events = new List<RunEvent>();
        await foreach (var e in ControlClient.ParseEvents(new StringReader(text), CancellationToken.None)) events.Add(e);
        Assert.Equal(2, events.Count);
        Assert.Equal(7, events[0].Step);
        Assert.Equal(RunStatus.Completed, events[1].Status);
    }
}
