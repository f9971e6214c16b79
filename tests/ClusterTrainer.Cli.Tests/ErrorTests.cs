using System.Net;
using System.Net.Sockets;
using ClusterTrainer.Cli.Tests.Fakes;
using Xunit;

namespace ClusterTrainer.Cli.Tests;

/// <summary>Every way a call can fail ends with its documented exit code and one clear message on stderr.</summary>
public sealed class ErrorTests : IAsyncLifetime
{
    private FakeNode _node = null!;

    public async Task InitializeAsync()
    {
        _node = await FakeNode.StartAsync();
        _node.Plane.Add(FakeControlPlane.Run("r1"));
    }

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task Connection_refused_exits_3_and_says_how_to_start_a_node()
    {
        var host = $"http://127.0.0.1:{FreePort()}";
        var r = await Ctr.Run(new Dictionary<string, string>(), ["run", "list", "--host", host]);
        Assert.Equal(3, r.Exit);
        Assert.Equal($"ctr: connection refused at {host}: is a node running at {host}? start one with ./build.sh run or set --host (or CTR_HOST)",
            r.Err.TrimEnd());
        Assert.Equal("", r.Out);
    }

    [Fact]
    public async Task A_wrong_token_exits_4()
    {
        var r = await Ctr.Run(new Dictionary<string, string> { ["CTR_HOST"] = _node.Url, ["CTR_TOKEN"] = "wrong" }, ["run", "list"]);
        Assert.Equal(4, r.Exit);
        Assert.Equal($"ctr: the token was refused by {_node.Url} (401 Unauthorized); pass --token or set CTR_TOKEN", r.Err.TrimEnd());
    }

    [Fact]
    public async Task No_token_exits_4_and_says_none_was_given()
    {
        var r = await Ctr.Run(new Dictionary<string, string> { ["CTR_HOST"] = _node.Url }, ["cluster", "show"]);
        Assert.Equal(4, r.Exit);
        Assert.Contains("wants a token and none was given", r.Err);
        Assert.Contains("pass --token or set CTR_TOKEN", r.Err);
    }

    [Fact]
    public async Task Options_win_over_the_environment()
    {
        var env = new Dictionary<string, string> { ["CTR_HOST"] = $"http://127.0.0.1:{FreePort()}", ["CTR_TOKEN"] = "wrong" };
        var r = await Ctr.Run(env, ["run", "list", "--host", _node.Url, "--token", FakeNode.Token]);
        Assert.True(r.Exit == 0, r.ToString());
        Assert.Contains("r1", r.Out);
    }

    [Fact]
    public async Task A_node_that_does_not_answer_in_time_exits_3()
    {
        _node.HangOn = "/api/runs";
        var r = await Ctr.Run(_node, "run", "list", "--timeout", "0.5");
        Assert.Equal(3, r.Exit);
        Assert.Equal($"ctr: {_node.Url} did not answer GET /api/runs within 0.5 s; the node may be busy or hung: check it, or raise --timeout",
            r.Err.TrimEnd());
    }

    [Fact]
    public async Task A_failure_without_a_control_error_body_shows_status_and_text()
    {
        _node.BreakOn = "/api/shards";
        var r = await Ctr.Run(_node, "shard", "stats");
        Assert.Equal(1, r.Exit);
        Assert.Equal("ctr: GET /api/shards failed (502 Bad Gateway): upstream node went away", r.Err.TrimEnd());
    }

    [Fact]
    public async Task An_answer_that_is_not_the_contracts_json_is_reported_as_such()
    {
        _node.GarbleOn = "/api/runs";
        var r = await Ctr.Run(_node, "run", "list");
        Assert.Equal(1, r.Exit);
        Assert.StartsWith($"ctr: {_node.Url} answered /api/runs with JSON ctr cannot read", r.Err);
        Assert.Contains("is the node the same version as ctr?", r.Err);
    }

    [Fact]
    public async Task A_route_the_node_does_not_serve_is_reported_as_a_version_mismatch()
    {
        var r = await Ctr.Run(new Dictionary<string, string> { ["CTR_TOKEN"] = FakeNode.Token }, ["run", "list", "--host", _node.Url + "/prefix"]);
        Assert.Equal(1, r.Exit);
        Assert.Contains("does not serve GET /api/runs (404 Not Found)", r.Err);
    }

    [Theory]
    [InlineData("ftp://127.0.0.1:8080")]
    [InlineData("http://")]
    [InlineData("http://127.0.0.1:8080/?x=1")]
    public async Task A_malformed_host_is_a_usage_error(string host)
    {
        var r = await Ctr.Run(new Dictionary<string, string>(), ["run", "list", "--host", host]);
        Assert.Equal(2, r.Exit);
        Assert.Contains($"--host '{host}' is not an http(s) address of a node", r.Err);
    }

    [Theory]
    [InlineData]
    [InlineData("frobnicate")]
    [InlineData("run", "start")]
    [InlineData("run", "list", "--output", "xml")]
    [InlineData("run", "list", "--timeout", "-1")]
    [InlineData("cluster", "show", "--bogus")]
    public async Task Bad_arguments_exit_2_with_a_usage_line_and_send_nothing(params string[] args)
    {
        var r = await Ctr.Run(_node, args);
        Assert.Equal(2, r.Exit);
        Assert.StartsWith("ctr: ", r.Err);
        Assert.Contains("usage: ctr", r.Err);
        Assert.Empty(_node.Plane.Calls);
        Assert.Equal("", r.Out);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
