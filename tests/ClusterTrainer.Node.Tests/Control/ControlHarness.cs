using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ClusterTrainer.Node.Control;
using Xunit;

namespace ClusterTrainer.Node.Tests.Control;

/// <summary>A control server on 127.0.0.1, a free port, over a <see cref="FakeControlPlane"/>; clients with and without the token.</summary>
internal sealed class ControlHarness : IAsyncDisposable
{
    public const string Token = "s3cret-token";
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private ControlHarness(ControlServer server, FakeControlPlane plane, NodeLog log, StringWriter echo)
    {
        Server = server;
        Plane = plane;
        Log = log;
        Echo = echo;
        Client = new HttpClient { BaseAddress = server.Url, Timeout = Patience };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        Anonymous = new HttpClient { BaseAddress = server.Url, Timeout = Patience };
    }

    public ControlServer Server { get; }
    public FakeControlPlane Plane { get; }
    public NodeLog Log { get; }
    public StringWriter Echo { get; }
    /// <summary>Sends the right bearer token.</summary>
    public HttpClient Client { get; }
    /// <summary>Sends no Authorization header.</summary>
    public HttpClient Anonymous { get; }

    public static async Task<ControlHarness> StartAsync(FakeControlPlane? plane = null, TimeSpan? heartbeat = null)
    {
        plane ??= new FakeControlPlane();
        var echo = new StringWriter();
        var log = new NodeLog(TextWriter.Synchronized(echo));
        var server = await ControlServer.StartAsync("127.0.0.1", 0, plane, log, Token, heartbeat ?? ControlServer.DefaultHeartbeat, CancellationToken.None);
        return new ControlHarness(server, plane, log, echo);
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static async Task<JsonElement> ReadJson(HttpResponseMessage response)
    {
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.ToString());
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.Clone();
    }

    /// <summary>The "error" of a ControlError body, after checking the status.</summary>
    public static async Task<string> ReadError(HttpResponseMessage response, int status)
    {
        Assert.Equal(status, (int)response.StatusCode);
        var body = await ReadJson(response);
        return body.GetProperty("error").GetString()!;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Anonymous.Dispose();
        await Server.DisposeAsync();
    }
}
