using ClusterTrainer.Node.Control;
using Xunit;

namespace ClusterTrainer.Node.Tests.Control;

public sealed class ServerLifecycleTests
{
    [Fact]
    public async Task Port_zero_binds_a_free_port_and_reports_it_in_the_url()
    {
        await using var h = await ControlHarness.StartAsync();
        Assert.Equal("127.0.0.1", h.Server.Url.Host);
        Assert.InRange(h.Server.Url.Port, 1, 65535);
        using var raw = new HttpClient();
        Assert.Equal("ok", await raw.GetStringAsync(new Uri(h.Server.Url, "/healthz")));
    }

    [Fact]
    public async Task A_wildcard_bind_reports_a_url_a_local_client_can_dial()
    {
        await using var server = await ControlServer.StartAsync("0.0.0.0", 0, new FakeControlPlane(), new NodeLog(null), ControlHarness.Token, CancellationToken.None);
        Assert.Equal("127.0.0.1", server.Url.Host);
        using var raw = new HttpClient();
        Assert.Equal("ok", await raw.GetStringAsync(new Uri(server.Url, "/healthz")));
    }

    [Fact]
    public async Task A_port_in_use_is_refused_with_the_setting_to_change()
    {
        await using var h = await ControlHarness.StartAsync();
        var e = await Assert.ThrowsAsync<IOException>(() =>
            ControlServer.StartAsync("127.0.0.1", h.Server.Url.Port, new FakeControlPlane(), new NodeLog(null), ControlHarness.Token, CancellationToken.None));
        Assert.Contains($"127.0.0.1:{h.Server.Url.Port}", e.Message);
        Assert.Contains("--http-port", e.Message);
    }

    [Theory]
    [InlineData("", 0, "host is empty")]
    [InlineData("127.0.0.1", 70000, "0 (any free port) to 65535")]
    public async Task Bad_settings_are_refused_saying_what_to_give(string host, int port, string says)
    {
        var e = await Assert.ThrowsAnyAsync<ArgumentException>(() =>
            ControlServer.StartAsync(host, port, new FakeControlPlane(), new NodeLog(null), ControlHarness.Token, CancellationToken.None));
        Assert.Contains(says, e.Message);
    }

    [Fact]
    public async Task Disposing_twice_is_harmless_and_stops_serving()
    {
        var h = await ControlHarness.StartAsync();
        var url = new Uri(h.Server.Url, "/healthz");
        await h.DisposeAsync();
        await h.Server.DisposeAsync();
        using var raw = new HttpClient();
        await Assert.ThrowsAsync<HttpRequestException>(() => raw.GetStringAsync(url));
    }
}
