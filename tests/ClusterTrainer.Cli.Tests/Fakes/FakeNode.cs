using System.Text.Json;
using ClusterTrainer.Training.Control;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ClusterTrainer.Cli.Tests.Fakes;

/// <summary>
/// A Kestrel server on a free loopback port that serves the routes of ControlContract.cs over a
/// <see cref="FakeControlPlane"/>: bearer token, JSON with ControlJson.Options, ControlException → status + ControlError.
/// </summary>
public sealed class FakeNode : IAsyncDisposable
{
    public const string Token = "s3cret";
    private readonly WebApplication _app;

    public FakeControlPlane Plane { get; } = new();
    public List<string> LogLines { get; } = [];
    /// <summary>Requests whose path starts with this never get an answer (until the client gives up).</summary>
    public string? HangOn { get; set; }
    /// <summary>Requests whose path starts with this get a 500 with a plain-text body, as a proxy in front of a node would.</summary>
    public string? BreakOn { get; set; }
    /// <summary>Requests whose path starts with this get a 200 whose body is not the contract's JSON.</summary>
    public string? GarbleOn { get; set; }
    /// <summary>Set: after the script the event stream sends this as an "event: error" ControlError and ends, as a node whose source failed does.</summary>
    public string? StreamError { get; set; }
    public string Url { get; private set; } = "";

    private FakeNode()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.Use(Guard);
        Map(_app);
    }

    public static async Task<FakeNode> StartAsync()
    {
        var node = new FakeNode();
        await node._app.StartAsync();
        node.Url = node._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return node;
    }

    private async Task Guard(HttpContext http, RequestDelegate next)
    {
        var path = http.Request.Path.Value ?? "";
        if (HangOn is not null && path.StartsWith(HangOn, StringComparison.Ordinal))
        {
            await Task.Delay(Timeout.Infinite, http.RequestAborted).ContinueWith(_ => { });
            return;
        }
        if (BreakOn is not null && path.StartsWith(BreakOn, StringComparison.Ordinal))
        {
            http.Response.StatusCode = 502;
            await http.Response.WriteAsync("upstream node went away");
            return;
        }
        if (GarbleOn is not null && path.StartsWith(GarbleOn, StringComparison.Ordinal))
        {
            http.Response.ContentType = "text/html";
            await http.Response.WriteAsync("<html>a login page of some proxy</html>");
            return;
        }
        if (path.StartsWith("/api", StringComparison.Ordinal) && http.Request.Headers.Authorization.ToString() != $"Bearer {Token}")
        {
            http.Response.StatusCode = 401;
            await http.Response.WriteAsJsonAsync(new ControlError("a valid bearer token is required"), ControlJson.Options);
            return;
        }
        try
        {
            await next(http);
        }
        catch (ControlException e)
        {
            http.Response.StatusCode = (int)e.Failure;
            await http.Response.WriteAsJsonAsync(new ControlError(e.Message, e.Details), ControlJson.Options);
        }
    }

    private void Map(WebApplication app)
    {
        var p = Plane;
        IResult Json(object value, int status = 200) => Results.Json(value, ControlJson.Options, statusCode: status);

        app.MapGet("/healthz", () => "ok");
        app.MapGet("/api/runs", async (CancellationToken ct) => Json(await p.ListRunsAsync(ct)));
        app.MapPost("/api/runs", async (HttpContext h) =>
        {
            var request = await h.Request.ReadFromJsonAsync<StartRunRequest>(ControlJson.Options, h.RequestAborted);
            return Json(await p.StartRunAsync(request!, h.RequestAborted), 201);
        });
        app.MapGet("/api/runs/{id}", async (string id, CancellationToken ct) => Json(await p.GetRunAsync(id, ct)));
        app.MapPost("/api/runs/{id}/pause", async (string id, CancellationToken ct) => Json(await p.PauseAsync(id, ct)));
        app.MapPost("/api/runs/{id}/resume", async (string id, CancellationToken ct) => Json(await p.ResumeAsync(id, ct)));
        app.MapPost("/api/runs/{id}/stop", async (string id, CancellationToken ct) => Json(await p.StopAsync(id, ct)));
        app.MapGet("/api/runs/{id}/checkpoints", async (string id, CancellationToken ct) => Json(await p.CheckpointsAsync(id, ct)));
        app.MapPost("/api/runs/{id}/checkpoints/{step:long}/restore", async (string id, long step, CancellationToken ct) => Json(await p.RestoreAsync(id, step, ct)));
        app.MapGet("/api/runs/{id}/checkpoints/{step:long}/export", async (string id, long step, HttpContext h) =>
        {
            h.Response.ContentType = "application/octet-stream";
            await p.ExportAsync(id, step, h.Response.Body, h.RequestAborted);
        });
        app.MapGet("/api/cluster/members", async (CancellationToken ct) => Json(await p.MembersAsync(ct)));
        app.MapPost("/api/cluster/join", async (HttpContext h) =>
        {
            await p.JoinAsync((await Address(h))!, h.RequestAborted);
            return Results.Accepted();
        });
        app.MapPost("/api/cluster/leave", async (HttpContext h) =>
        {
            await p.LeaveAsync(await Address(h), h.RequestAborted);
            return Results.Accepted();
        });
        app.MapPost("/api/cluster/down", async (HttpContext h) =>
        {
            await p.DownAsync((await Address(h))!, h.RequestAborted);
            return Results.Accepted();
        });
        app.MapGet("/api/shards", async (string? run, CancellationToken ct) => Json(await p.ShardsAsync(run, ct)));
        app.MapGet("/api/events", async (HttpContext h) =>
        {
            await StartStream(h);
            if (StreamError is not null)
                p.CloseStreamAfterScript = true;
            await foreach (var e in p.EventsAsync(h.RequestAborted).WithCancellation(h.RequestAborted))
            {
                await h.Response.WriteAsync(": keep-alive\n", h.RequestAborted);
                await h.Response.WriteAsync($"event: {e.Type}\ndata: {JsonSerializer.Serialize(e, ControlJson.Options)}\n\n", h.RequestAborted);
                await h.Response.Body.FlushAsync(h.RequestAborted);
            }
            if (StreamError is not null)
                await h.Response.WriteAsync($"event: error\ndata: {JsonSerializer.Serialize(new ControlError(StreamError), ControlJson.Options)}\n\n");
        });
        app.MapGet("/api/log", async (int? tail, bool? follow, HttpContext h) =>
        {
            var lines = LogLines.TakeLast(tail ?? 50).ToList();
            if (follow != true)
            {
                await h.Response.WriteAsync(string.Concat(lines.Select(l => l + "\n")), h.RequestAborted);
                return;
            }
            await StartStream(h);
            foreach (var line in lines)
                await h.Response.WriteAsync($"data: {line}\n\n", h.RequestAborted);
            await h.Response.Body.FlushAsync(h.RequestAborted);
            if (!p.CloseStreamAfterScript)
                await Task.Delay(Timeout.Infinite, h.RequestAborted).ContinueWith(_ => { });
        });
    }

    private static async Task<string?> Address(HttpContext h) =>
        (await h.Request.ReadFromJsonAsync<AddressRequest>(ControlJson.Options, h.RequestAborted))?.Address;

    private static async Task StartStream(HttpContext h)
    {
        h.Response.ContentType = "text/event-stream";
        h.Response.Headers.CacheControl = "no-cache";
        await h.Response.Body.FlushAsync(h.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
