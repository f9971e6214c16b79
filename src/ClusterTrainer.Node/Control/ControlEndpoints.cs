using System.Globalization;
using ClusterTrainer.Training.Control;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace ClusterTrainer.Node.Control;

/// <summary>The handlers behind <see cref="ControlRoutes"/>: parse the request, ask the control plane, answer JSON.</summary>
internal sealed class ControlEndpoints(IControlPlane control, INodeLog log, string token, TimeSpan heartbeat, CancellationToken stopping)
{
    private const string StartRunShape = "{\"spec\": \"<run spec YAML>\", \"source\": \"<file name, optional>\"}";
    private const string AddressShape = "{\"address\": \"ct.tcp://clustertrainer@host:port\"}";

    private readonly EventStreams _streams = new(control, log, heartbeat, stopping);

    public BearerAuth Auth { get; } = new(token);
    public INodeLog Log => log;

    public Task Metrics(HttpContext ctx)
    {
        var text = PrometheusText.Format(control.Metrics().Concat(ProcessMetrics.Sample()));
        ctx.Response.ContentType = PrometheusText.ContentType;
        return ctx.Response.WriteAsync(text, ctx.RequestAborted);
    }

    public async Task ListRuns(HttpContext ctx) =>
        await HttpJson.Write(ctx, await control.ListRunsAsync(ctx.RequestAborted));

    public async Task StartRun(HttpContext ctx)
    {
        var request = await HttpJson.Read<StartRunRequest>(ctx, StartRunShape);
        if (string.IsNullOrWhiteSpace(request.Spec))
            throw new ControlException(ControlFailure.BadRequest, $"'spec' is missing or empty: send the run spec's YAML text; expected {StartRunShape}");
        var run = await control.StartRunAsync(request, ctx.RequestAborted);
        ctx.Response.Headers.Location = "/api/runs/" + Uri.EscapeDataString(run.Id);
        await HttpJson.Write(ctx, run, StatusCodes.Status201Created);
    }

    public async Task GetRun(HttpContext ctx) =>
        await HttpJson.Write(ctx, await control.GetRunAsync(RunId(ctx), ctx.RequestAborted));

    public async Task Pause(HttpContext ctx) =>
        await HttpJson.Write(ctx, await control.PauseAsync(RunId(ctx), ctx.RequestAborted));

    public async Task Resume(HttpContext ctx) =>
        await HttpJson.Write(ctx, await control.ResumeAsync(RunId(ctx), ctx.RequestAborted));

    public async Task Stop(HttpContext ctx) =>
        await HttpJson.Write(ctx, await control.StopAsync(RunId(ctx), ctx.RequestAborted));

    public async Task Checkpoints(HttpContext ctx) =>
        await HttpJson.Write(ctx, await control.CheckpointsAsync(RunId(ctx), ctx.RequestAborted));

    public async Task Restore(HttpContext ctx) =>
        await HttpJson.Write(ctx, await control.RestoreAsync(RunId(ctx), Step(ctx), ctx.RequestAborted));

    public async Task Export(HttpContext ctx)
    {
        var (id, step) = (RunId(ctx), Step(ctx));
        ctx.Response.ContentType = "application/octet-stream";
        ctx.Response.Headers.ContentDisposition = new ContentDispositionHeaderValue("attachment")
        {
            FileNameStar = $"{id}-step{step}.pt",
            FileName = SafeFileName($"{id}-step{step}.pt"),
        }.ToString();
        // A refusal before the first byte still becomes a JSON error (the guard clears these headers);
        // a failure half-way aborts the connection so no truncated file passes for a whole one.
        await control.ExportAsync(id, step, ctx.Response.Body, ctx.RequestAborted);
    }

    public async Task Members(HttpContext ctx) =>
        await HttpJson.Write(ctx, await control.MembersAsync(ctx.RequestAborted));

    public async Task Join(HttpContext ctx)
    {
        await control.JoinAsync(await Address(ctx, "join", allowSelf: false) ?? "", ctx.RequestAborted);
        ctx.Response.StatusCode = StatusCodes.Status202Accepted;
    }

    public async Task Leave(HttpContext ctx)
    {
        await control.LeaveAsync(await Address(ctx, "leave", allowSelf: true), ctx.RequestAborted);
        ctx.Response.StatusCode = StatusCodes.Status202Accepted;
    }

    public async Task Down(HttpContext ctx)
    {
        await control.DownAsync(await Address(ctx, "down", allowSelf: false) ?? "", ctx.RequestAborted);
        ctx.Response.StatusCode = StatusCodes.Status202Accepted;
    }

    /// <summary>The member address in the body; null (this node) only where <paramref name="allowSelf"/>.</summary>
    private static async Task<string?> Address(HttpContext ctx, string verb, bool allowSelf)
    {
        var request = await HttpJson.Read(ctx, AddressShape, allowSelf ? new AddressRequest(null) : null);
        var address = string.IsNullOrWhiteSpace(request.Address) ? null : request.Address.Trim();
        if (address is null && !allowSelf)
            throw new ControlException(ControlFailure.BadRequest, $"cluster {verb} needs the member's address; expected {AddressShape}");
        return address;
    }

    public async Task Shards(HttpContext ctx)
    {
        var run = ctx.Request.Query["run"].ToString();
        await HttpJson.Write(ctx, await control.ShardsAsync(string.IsNullOrWhiteSpace(run) ? null : run, ctx.RequestAborted));
    }

    public Task Events(HttpContext ctx) => _streams.Events(ctx);

    public Task LogLines(HttpContext ctx) => _streams.Log(ctx);

    private static string RunId(HttpContext ctx) => (string)ctx.Request.RouteValues["id"]!;

    private static long Step(HttpContext ctx)
    {
        var text = (string)ctx.Request.RouteValues["step"]!;
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var step)
            ? step
            : throw new ControlException(ControlFailure.BadRequest, $"checkpoint step must be a non-negative integer, got '{text}' (see GET /api/runs/{{id}}/checkpoints)");
    }

    private static string SafeFileName(string name) =>
        string.Concat(name.Select(c => c is >= ' ' and < (char)127 and not '"' and not '\\' ? c : '_'));
}
