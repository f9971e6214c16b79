using System.Net.Http.Headers;
using System.Text.Json;
using ClusterTrainer.Actors.Cluster;
using ClusterTrainer.Node.Control;
using ClusterTrainer.Training.Cluster;
using ClusterTrainer.Training.Control;
using Xunit;

namespace ClusterTrainer.Node.Tests.Control;

/// <summary>
/// The control server over a real single-node cluster (coordinator role only, SQLite store, no training): the
/// routes answer from the runtime's control plane, and the actor system's log reaches /api/log through NodeLog.
/// </summary>
public sealed class RealNodeTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ct-node-api-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly NodeLog _log = new(null);
    private ITrainingNode _node = null!;
    private ControlServer _server = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        var options = new NodeOptions
        {
            Port = 0,
            Roles = ["coordinator"],
            Secret = "node-api-test",
            Store = "sqlite:" + Path.Combine(_dir, "cluster.db"),
            CheckpointDir = Path.Combine(_dir, "checkpoints"),
            HttpPort = -1,
        };
        _node = await TrainingNode.StartAsync(options, _log, ClusterSettings.ForTests(), CancellationToken.None);
        _server = await ControlServer.StartAsync("127.0.0.1", 0, _node.Control, _log, ControlHarness.Token, CancellationToken.None);
        _client = new HttpClient { BaseAddress = _server.Url, Timeout = ControlHarness.Patience };
        _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ControlHarness.Token);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
        await _node.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task Members_runs_metrics_and_log_answer_from_the_runtime()
    {
        var members = await Eventually(async () =>
        {
            using var response = await _client.GetAsync("/api/cluster/members");
            var body = (await ControlHarness.ReadJson(response)).Deserialize<MemberInfo[]>(ControlJson.Options)!;
            return body.Length == 1 && body[0].Status == "Up" ? body : null;
        });
        Assert.True(members[0].IsSelf);
        Assert.Equal(_node.Address, members[0].Address);

        // The coordinator singleton takes a moment to start; until then the plane says 503.
        var runs = await Eventually(async () =>
        {
            using var response = await _client.GetAsync("/api/runs");
            if ((int)response.StatusCode == 503) return null;
            return (await ControlHarness.ReadJson(response)).Deserialize<RunInfo[]>(ControlJson.Options);
        });
        Assert.Empty(runs);

        using var unknown = await _client.GetAsync("/api/runs/no-such-run");
        Assert.Equal(404, (int)unknown.StatusCode);

        using var metrics = await _client.GetAsync("/metrics");
        var families = PrometheusParser.Parse(await metrics.Content.ReadAsStringAsync()).Select(f => f.Name).ToList();
        Assert.Contains("ct_cluster_members", families);
        Assert.Contains("process_resident_memory_bytes", families);

        var written = Assert.Single(_log.Tail(1)); // the actor system writes to its sink, the NodeLog
        using var log = await _client.GetAsync("/api/log?tail=5000");
        Assert.Equal(200, (int)log.StatusCode);
        Assert.Contains(written.ToString(), await log.Content.ReadAsStringAsync());
    }

    private static async Task<T> Eventually<T>(Func<Task<T?>> probe) where T : class
    {
        using var deadline = new CancellationTokenSource(ControlHarness.Patience);
        while (true)
        {
            if (await probe() is { } value) return value;
            await Task.Delay(100, deadline.Token);
        }
    }
}
