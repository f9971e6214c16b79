using ClusterTrainer.Training.Control;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using ActorLogEvent = ClusterTrainer.Actors.LogEvent;
using ActorLogLevel = ClusterTrainer.Actors.LogLevel;

namespace ClusterTrainer.Node.Control;

/// <summary>
/// The route table and the pipeline around it:
/// <code>
///   request -> errors (ControlException -> its status; timeout -> 503; anything else -> 500, logged; all with a ControlError)
///           -> bearer check on /api/** (401 + ControlError saying what is wrong)
///           -> route -> handler
///           -> nothing matched: 404 / 405 + ControlError
/// </code>
/// </summary>
internal static class ControlRoutes
{
    public static void Map(WebApplication app, ControlEndpoints endpoints)
    {
        app.Use((ctx, next) => Guard(ctx, next, endpoints));

        app.MapGet("/healthz", ctx =>
        {
            ctx.Response.ContentType = "text/plain; charset=utf-8";
            return ctx.Response.WriteAsync("ok", ctx.RequestAborted);
        });
        app.MapGet("/metrics", endpoints.Metrics);

        app.MapGet("/api/runs", endpoints.ListRuns);
        app.MapPost("/api/runs", endpoints.StartRun);
        app.MapGet("/api/runs/{id}", endpoints.GetRun);
        app.MapPost("/api/runs/{id}/pause", endpoints.Pause);
        app.MapPost("/api/runs/{id}/resume", endpoints.Resume);
        app.MapPost("/api/runs/{id}/stop", endpoints.Stop);
        app.MapGet("/api/runs/{id}/checkpoints", endpoints.Checkpoints);
        app.MapPost("/api/runs/{id}/checkpoints/{step}/restore", endpoints.Restore);
        app.MapGet("/api/runs/{id}/checkpoints/{step}/export", endpoints.Export);

        app.MapGet("/api/cluster/members", endpoints.Members);
        app.MapPost("/api/cluster/join", endpoints.Join);
        app.MapPost("/api/cluster/leave", endpoints.Leave);
        app.MapPost("/api/cluster/down", endpoints.Down);

        app.MapGet("/api/shards", endpoints.Shards);
        app.MapGet("/api/events", endpoints.Events);
        app.MapGet("/api/log", endpoints.LogLines);
    }

    private static async Task Guard(HttpContext ctx, RequestDelegate next, ControlEndpoints endpoints)
    {
        try
        {
            if (ctx.Request.Path.StartsWithSegments("/api") && endpoints.Auth.Refusal(ctx.Request) is { } refusal)
            {
                ctx.Response.Headers.WWWAuthenticate = "Bearer";
                await HttpJson.Error(ctx, StatusCodes.Status401Unauthorized, refusal);
                return;
            }
            await next(ctx);
            if (!ctx.Response.HasStarted && ctx.Response.ContentType is null)
            {
                if (ctx.Response.StatusCode == StatusCodes.Status404NotFound)
                    await HttpJson.Error(ctx, 404, $"no route {ctx.Request.Method} {ctx.Request.Path}: see GET /api/runs, /api/cluster/members, /api/shards, /api/events, /api/log, /metrics, /healthz");
                else if (ctx.Response.StatusCode == StatusCodes.Status405MethodNotAllowed)
                    await HttpJson.Error(ctx, 405, $"{ctx.Request.Method} is not allowed on {ctx.Request.Path}" + (ctx.Response.Headers.Allow is { Count: > 0 } allow ? $"; use {allow}" : ""));
            }
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing to answer.
        }
        catch (ControlException e)
        {
            await Fail(ctx, (int)e.Failure, e.Message, e.Details);
        }
        catch (BadHttpRequestException e)
        {
            await Fail(ctx, e.StatusCode, $"bad request: {e.Message}", null);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            // Not the client going away (caught above): the cluster behind the plane did not answer in time.
            endpoints.Log.Write(new ActorLogEvent(ActorLogLevel.Warning, DateTimeOffset.UtcNow, "control-api",
                $"{ctx.Request.Method} {ctx.Request.Path} timed out: {e.Message}", null));
            await Fail(ctx, StatusCodes.Status503ServiceUnavailable,
                $"the cluster did not answer {ctx.Request.Method} {ctx.Request.Path} in time ({e.Message}); check GET /api/cluster/members and retry", null);
        }
        catch (Exception e)
        {
            endpoints.Log.Write(new ActorLogEvent(ActorLogLevel.Error, DateTimeOffset.UtcNow, "control-api",
                $"{ctx.Request.Method} {ctx.Request.Path} failed: {e.Message}", e));
            await Fail(ctx, StatusCodes.Status500InternalServerError,
                $"internal error in {ctx.Request.Method} {ctx.Request.Path}: {e.GetType().Name}: {e.Message} (logged on the node; see /api/log)", null);
        }
    }

    private static Task Fail(HttpContext ctx, int status, string error, IReadOnlyList<string>? details)
    {
        if (ctx.Response.HasStarted)
        {
            // Part of a body (an export, a stream) is out: a status can no longer be sent, so cut the
            // connection rather than let the client take a truncated body for a whole one.
            ctx.Abort();
            return Task.CompletedTask;
        }
        ctx.Response.Clear();
        return HttpJson.Error(ctx, status, error, details);
    }
}
