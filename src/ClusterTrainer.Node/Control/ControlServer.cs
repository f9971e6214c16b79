using System.Net;
using ClusterTrainer.Training.Control;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ClusterTrainer.Node.Control;

/// <summary>
/// The node's HTTP control API on Kestrel: the routes listed at the top of ClusterTrainer.Training/Control/ControlContract.cs.
/// <c>/api/**</c> needs the bearer token; <c>/healthz</c> and <c>/metrics</c> do not.
/// ASP.NET Core's own log output is quiet: warnings and errors only, written to the node log.
/// </summary>
public sealed class ControlServer : IAsyncDisposable
{
    /// <summary>How often an idle event or log stream sends an SSE comment so proxies keep it open.</summary>
    public static readonly TimeSpan DefaultHeartbeat = TimeSpan.FromSeconds(15);

    /// <summary>The largest request body accepted (a run spec is a few KiB); larger ones get 413.</summary>
    public const long MaxRequestBody = 4 << 20;

    private readonly WebApplication _app;
    private int _disposed;

    private ControlServer(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>Where the server listens, with the port actually bound (also when 0 was asked for).
    /// A wildcard bind (0.0.0.0, ::) is reported as the loopback address, which a local client can dial.</summary>
    public Uri Url { get; }

    public static Task<ControlServer> StartAsync(string host, int port, IControlPlane control, INodeLog log, string token, CancellationToken ct) =>
        StartAsync(host, port, control, log, token, DefaultHeartbeat, ct);

    internal static async Task<ControlServer> StartAsync(
        string host, int port, IControlPlane control, INodeLog log, string token, TimeSpan heartbeat, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(control);
        ArgumentNullException.ThrowIfNull(log);
        if (string.IsNullOrWhiteSpace(token))
            throw new ArgumentException("the control API needs a bearer token: set Node:Token (--token or CLUSTERTRAINER_NODE__TOKEN), or turn the API off with --http-port -1", nameof(token));
        if (port is < 0 or > 65535)
            throw new ArgumentOutOfRangeException(nameof(port), port, "the control API port must be 0 (any free port) to 65535");
        if (heartbeat <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(heartbeat), heartbeat, "the heartbeat interval must be positive");
        var address = await ResolveAsync(host, ct).ConfigureAwait(false);

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(ControlServer).Assembly.GetName().Name });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = MaxRequestBody;
            k.Listen(address, port);
        });
        builder.Services.AddRoutingCore();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Warning).AddProvider(new NodeLogLoggerProvider(log));

        var app = builder.Build();
        ControlRoutes.Map(app, new ControlEndpoints(control, log, token, heartbeat, app.Lifetime.ApplicationStopping));
        try
        {
            await app.StartAsync(ct).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new IOException($"the control API cannot listen on {host}:{port} ({e.Message}); pick another --http-port, or 0 for any free port", e);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Kestrel started but reported no bound address");
        return new ControlServer(app, Dialable(new Uri(bound)));
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        try { await _app.StopAsync().ConfigureAwait(false); }
        finally { await _app.DisposeAsync().ConfigureAwait(false); }
    }

    private static async Task<IPAddress> ResolveAsync(string host, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(host))
            throw new ArgumentException("the control API host is empty: give an address to bind such as 127.0.0.1 or 0.0.0.0", nameof(host));
        if (IPAddress.TryParse(host.Trim('[', ']'), out var ip)) return ip;
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)) return IPAddress.Loopback;
        IPAddress[] found;
        try { found = await Dns.GetHostAddressesAsync(host, ct).ConfigureAwait(false); }
        catch (System.Net.Sockets.SocketException e)
        {
            throw new ArgumentException($"the control API host '{host}' does not resolve ({e.Message}): give an IP address to bind", nameof(host), e);
        }
        return found.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork) ?? found.FirstOrDefault()
            ?? throw new ArgumentException($"the control API host '{host}' resolves to no address: give an IP address to bind", nameof(host));
    }

    private static Uri Dialable(Uri bound)
    {
        var host = bound.Host.Trim('[', ']');
        if (!IPAddress.TryParse(host, out var ip)) return bound;
        if (ip.Equals(IPAddress.Any)) return new UriBuilder(bound) { Host = IPAddress.Loopback.ToString() }.Uri;
        if (ip.Equals(IPAddress.IPv6Any)) return new UriBuilder(bound) { Host = "[::1]" }.Uri;
        return bound;
    }
}
