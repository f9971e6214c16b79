using ClusterTrainer.Training.Control;

namespace ClusterTrainer.Node.Local;

/// <summary>
/// Submits a run and follows it to its end: subscribe to /api/events first (so early events are not missed), POST the
/// spec, show the run's events, and when the stream breaks (its node died) check the run's status on another node
/// and subscribe again. While the stream is quiet the run's status is polled too, so an end that no event carried
/// (published before the server had subscribed us, say) is still noticed. Returns the run as GET /api/runs/{id}
/// reports it once it is Completed, Failed or Stopped.
/// </summary>
public static class RunFollower
{
    public static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(10);

    public static bool IsFinal(RunStatus? status) => status is RunStatus.Completed or RunStatus.Failed or RunStatus.Stopped;

    /// <summary>Starts the run; <paramref name="started"/> hears its id (so Ctrl-C can stop it).</summary>
    public static async Task<RunDetail> RunAsync(ControlClient client, LaunchSpec spec, IRunDisplay display, Action<RunInfo> started,
                                                 CancellationToken ct, TimeSpan? pollInterval = null)
    {
        var poll = pollInterval ?? DefaultPollInterval;
        var events = await client.OpenEventsAsync(ct);
        try
        {
            var run = await client.StartRunAsync(new StartRunRequest(spec.Yaml, spec.Source), ct);
            started(run);
            display.Started(run);
            while (true)
            {
                try
                {
                    if (await FollowStreamAsync(client, run, events, display, poll, ct) is { } end) return end;
                    display.Note("the event stream ended; checking the run and subscribing again");
                }
                catch (Exception e) when (e is HttpRequestException or IOException && !ct.IsCancellationRequested)
                {
                    display.Note($"the event stream broke ({e.Message}); checking the run and subscribing again");
                }
                events.Dispose();
                await Task.Delay(ReconnectDelay, ct);
                events = await client.OpenEventsAsync(ct);
                // Anything that happened while no stream was open (the run's end included) shows in its status.
                var detail = await client.GetRunAsync(run.Id, ct);
                if (IsFinal(detail.Run.Status)) return detail;
            }
        }
        finally
        {
            events.Dispose();
        }
    }

    /// <summary>The run's final state, or null when the stream ended first.</summary>
    private static async Task<RunDetail?> FollowStreamAsync(ControlClient client, RunInfo run, ControlClient.EventSubscription events,
                                                            IRunDisplay display, TimeSpan poll, CancellationToken ct)
    {
        var reader = events.ReadAllAsync(ct).GetAsyncEnumerator(ct);
        var next = reader.MoveNextAsync().AsTask();
        try
        {
            while (true)
            {
                if (await Task.WhenAny(next, Task.Delay(poll, ct)) != next)
                {
                    ct.ThrowIfCancellationRequested();
                    var detail = await client.GetRunAsync(run.Id, ct);
                    if (IsFinal(detail.Run.Status)) return detail;
                    continue;
                }
                if (!await next) return null;
                var e = reader.Current;
                next = reader.MoveNextAsync().AsTask();
                if (e.RunId != run.Id) continue;
                display.OnEvent(e);
                if (e.Type == "RunEnded" || (e.Type == "StatusChanged" && IsFinal(e.Status)))
                    return await client.GetRunAsync(run.Id, ct);
            }
        }
        finally
        {
            // A read may still be pending; it fails once the subscription is disposed. Observe that, never rethrow it.
            _ = next.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
        }
    }
}
