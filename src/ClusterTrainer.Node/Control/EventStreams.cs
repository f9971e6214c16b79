using System.Globalization;
using System.Text;
using System.Text.Json;
using ClusterTrainer.Training.Control;
using Microsoft.AspNetCore.Http;
using ActorLogEvent = ClusterTrainer.Actors.LogEvent;

namespace ClusterTrainer.Node.Control;

/// <summary>
/// Server-Sent Events for <c>/api/events</c> and <c>/api/log?follow=true</c>, plain text for <c>/api/log</c>.
/// <code>
///   /api/events             event: &lt;RunEvent.Type&gt;\ndata: &lt;RunEvent json&gt;\n\n
///   /api/log?follow=true    data: &lt;log line&gt;\n (one per line of the entry) \n   -- the tail first, then new entries
///   both                    ": heartbeat\n\n" every heartbeat interval (15 s);
///                           "event: error\ndata: &lt;ControlError json&gt;\n\n" then the end, if the source fails
/// </code>
/// A stream ends when the client disconnects or the server stops.
/// </summary>
internal sealed class EventStreams(IControlPlane control, INodeLog log, TimeSpan heartbeat, CancellationToken stopping)
{
    /// <summary>The most lines <c>/api/log?tail=N</c> gives; also the node log's ring size.</summary>
    public const int MaxTail = NodeLog.DefaultCapacity;
    public const int DefaultTail = 100;

    public async Task Events(HttpContext ctx)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, stopping);
        var events = control.EventsAsync(cts.Token); // subscribe before the client sees the headers: nothing after them is missed
        await StartSse(ctx, cts.Token);
        await Pump(ctx, events, static e => EventFrame(e), skip: null, cts.Token);
    }

    public async Task Log(HttpContext ctx)
    {
        var tail = Tail(ctx.Request.Query["tail"].ToString());
        var follow = Follow(ctx.Request.Query["follow"].ToString());
        if (!follow)
        {
            ctx.Response.ContentType = "text/plain; charset=utf-8";
            var text = new StringBuilder();
            foreach (var entry in log.Tail(tail)) text.Append(entry).Append('\n');
            await ctx.Response.WriteAsync(text.ToString(), ctx.RequestAborted);
            return;
        }
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, stopping);
        // Follow before taking the tail so no entry falls between the two; entries in both are sent once.
        var followed = log.FollowAsync(cts.Token);
        var recent = log.Tail(tail);
        var sent = new HashSet<ActorLogEvent>(recent, ReferenceEqualityComparer.Instance);
        await StartSse(ctx, cts.Token);
        foreach (var entry in recent) await Send(ctx, LogFrame(entry), cts.Token);
        await Pump(ctx, followed, static e => LogFrame(e), e => sent.Count > 0 && sent.Remove(e), cts.Token);
    }

    public static string EventFrame(RunEvent e) =>
        $"event: {OneLine(e.Type)}\ndata: {JsonSerializer.Serialize(e, ControlJson.Options)}\n\n";

    public static string LogFrame(ActorLogEvent e)
    {
        var frame = new StringBuilder();
        foreach (var line in e.ToString().ReplaceLineEndings("\n").Split('\n')) frame.Append("data: ").Append(line).Append('\n');
        return frame.Append('\n').ToString();
    }

    private static int Tail(string text)
    {
        if (text.Length == 0) return DefaultTail;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= MaxTail
            ? n
            : throw new ControlException(ControlFailure.BadRequest, $"tail must be a whole number of lines from 1 to {MaxTail}, got '{text}'");
    }

    private static bool Follow(string text) =>
        text.Length == 0 ? false
        : bool.TryParse(text, out var follow) ? follow
        : throw new ControlException(ControlFailure.BadRequest, $"follow must be true or false, got '{text}'");

    private static async Task StartSse(HttpContext ctx, CancellationToken ct)
    {
        ctx.Response.StatusCode = StatusCodes.Status200OK;
        ctx.Response.ContentType = "text/event-stream; charset=utf-8";
        ctx.Response.Headers.CacheControl = "no-cache";
        ctx.Response.Headers["X-Accel-Buffering"] = "no";
        await ctx.Response.StartAsync(ct);
        await ctx.Response.Body.FlushAsync(ct);
    }

    private static async Task Send(HttpContext ctx, string frame, CancellationToken ct)
    {
        await ctx.Response.WriteAsync(frame, ct);
        await ctx.Response.Body.FlushAsync(ct);
    }

    /// <summary>Copies <paramref name="source"/> to the response as frames, with a heartbeat while it is idle.</summary>
    private async Task Pump<T>(HttpContext ctx, IAsyncEnumerable<T> source, Func<T, string> frame, Func<T, bool>? skip, CancellationToken ct)
    {
        var items = source.GetAsyncEnumerator(ct);
        Task<bool>? next = null;
        Task? beat = null;
        try
        {
            next = items.MoveNextAsync().AsTask();
            while (true)
            {
                if (!next.IsCompleted)
                {
                    beat ??= Task.Delay(heartbeat, ct);
                    if (await Task.WhenAny(next, beat) == beat)
                    {
                        beat = null;
                        ct.ThrowIfCancellationRequested();
                        await Send(ctx, ": heartbeat\n\n", ct);
                        continue;
                    }
                }
                if (!await next) break;
                var item = items.Current;
                next = items.MoveNextAsync().AsTask();
                if (skip is null || !skip(item)) await Send(ctx, frame(item), ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Client gone or server stopping: the stream simply ends.
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            var error = e is ControlException ce ? new ControlError(ce.Message, ce.Details) : new ControlError($"stream failed: {e.GetType().Name}: {e.Message}");
            if (e is not ControlException)
                log.Write(new ActorLogEvent(Actors.LogLevel.Error, DateTimeOffset.UtcNow, "control-api", $"{ctx.Request.Path} stream failed: {e.Message}", e));
            await Send(ctx, $"event: error\ndata: {JsonSerializer.Serialize(error, ControlJson.Options)}\n\n", ct);
        }
        finally
        {
            await Close(items, next);
        }
    }

    private static async Task Close<T>(IAsyncEnumerator<T> items, Task<bool>? pending)
    {
        // An async iterator cannot be disposed while a MoveNextAsync is in flight: let it see the cancellation first.
        if (pending is { IsCompleted: false })
        {
            try { await pending.WaitAsync(TimeSpan.FromSeconds(5)); }
            catch (TimeoutException) { return; } // the source ignores cancellation; leave it rather than hang the request
            catch (Exception) { /* cancelled or failed: either way it has stopped */ }
        }
        try { await items.DisposeAsync(); }
        catch (Exception) { /* disposal errors of a finished stream change nothing for the client */ }
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
