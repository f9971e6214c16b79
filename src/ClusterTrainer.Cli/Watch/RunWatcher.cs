using System.Text.Json;
using ClusterTrainer.Cli.Commands;
using ClusterTrainer.Cli.Http;
using ClusterTrainer.Training.Control;

namespace ClusterTrainer.Cli.Watch;

/// <summary>
/// <c>run watch</c>: subscribes to api/events first, then reads the run's state, so nothing that happens between
/// the two is missed; applies this run's events until it ends. Exit 0 when it completed, 1 when it failed or stopped.
/// <code>
///   open api/events ──► GET api/runs/{id} ──► ended already? ──yes──► summary ──► exit 0 | 1
///                                                   │ no
///                                                   ▼
///                       apply this run's events ──RunEnded or a terminal status──► summary ──► exit 0 | 1
///                             │ stream closed or cut                │ "event: error"
///                             ▼                                     ▼
///                          exit 3                                exit 1
/// </code>
/// </summary>
internal static class RunWatcher
{
    public static async Task<int> WatchAsync(Invocation inv, string runId, CancellationToken ct)
    {
        using var stream = await inv.Client.OpenStreamAsync("api/events", ct);
        var detail = await inv.Client.GetAsync<RunDetail>(RunCommands.RunPath(runId), ct);
        var initial = WatchState.From(detail.Run);
        var json = inv.Format == OutputFormat.Json;

        WatchState final;
        if (initial.Ended)
            final = initial;
        else if (json)
            final = await FollowAsync(stream, initial, view: null, inv, ct);
        else if (inv.Context.Console.Profile.Capabilities.Interactive)
            final = await LiveView.RunAsync(inv.Context.Console, initial, view => FollowAsync(stream, initial, view, inv, ct));
        else
        {
            var lines = new LineView(inv.Context.Out);
            lines.Update(initial);
            final = await FollowAsync(stream, initial, lines, inv, ct);
        }

        if (!WatchState.IsTerminal(final.Status))
        {
            // RunEnded without a status: ask the coordinator how it ended.
            final = WatchState.From((await inv.Client.GetAsync<RunDetail>(RunCommands.RunPath(final.RunId), ct)).Run) with { EndSeen = true };
        }
        if (final.Status == RunStatus.Completed)
        {
            if (!json)
                inv.Say(final.Summary());
            return ExitCodes.Ok;
        }
        Invocation.WriteError(inv.Context.Error, final.Summary(), []);
        return ExitCodes.Failed;
    }

    private static async Task<WatchState> FollowAsync(EventStream stream, WatchState state, IWatchView? view, Invocation inv, CancellationToken ct)
    {
        await foreach (var message in stream.ReadAllAsync(ct))
        {
            var e = Parse(message);
            if (e is null || e.RunId != state.RunId)
                continue;
            state = state.Apply(e);
            if (view is null)
                inv.Context.Out.WriteLine(JsonSerializer.Serialize(e, ControlJson.Options));
            else
            {
                if (WatchState.Note(e, state) is { } note)
                    view.Note(note);
                view.Update(state);
            }
            if (state.Ended)
                return state;
        }
        throw new CtrException(ExitCodes.Unreachable,
            $"the event stream from {inv.Client.Endpoint.Display} ended before run {state.RunId} did; see where it is with: ctr run status {state.RunId}");
    }

    private static RunEvent? Parse(SseMessage message)
    {
        try
        {
            return JsonSerializer.Deserialize<RunEvent>(message.Data, ControlJson.Options);
        }
        catch (JsonException)
        {
            return null; // keep-alives and event kinds of a newer node are not for this watcher
        }
    }
}
