using System.Net.Http.Headers;
using Xunit;

namespace ClusterTrainer.Node.Tests.Control;

public sealed class AuthTests
{
    [Fact]
    public async Task Api_without_a_token_is_refused_with_401_saying_the_token_is_missing()
    {
        await using var h = await ControlHarness.StartAsync();
        using var response = await h.Anonymous.GetAsync("/api/runs");
        var error = await ControlHarness.ReadError(response, 401);
        Assert.Contains("missing bearer token", error);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Empty(h.Plane.Calls);
    }

    [Fact]
    public async Task Api_with_a_wrong_token_is_refused_with_401_saying_it_is_wrong()
    {
        await using var h = await ControlHarness.StartAsync();
        foreach (var wrong in new[] { "nope", ControlHarness.Token + "x", ControlHarness.Token[..^1] })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/runs");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", wrong);
            using var response = await h.Anonymous.SendAsync(request);
            Assert.Contains("wrong bearer token", await ControlHarness.ReadError(response, 401));
        }
        Assert.Empty(h.Plane.Calls);
    }

    [Fact]
    public async Task Api_with_another_scheme_is_refused_with_401_saying_bearer_is_needed()
    {
        await using var h = await ControlHarness.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/runs");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", ControlHarness.Token);
        using var response = await h.Anonymous.SendAsync(request);
        Assert.Contains("not a bearer token", await ControlHarness.ReadError(response, 401));
    }

    [Fact]
    public async Task Api_with_the_right_token_is_served()
    {
        await using var h = await ControlHarness.StartAsync();
        using var response = await h.Client.GetAsync("/api/runs");
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(["list"], h.Plane.Calls);
    }

    [Fact]
    public async Task Unknown_api_routes_ask_for_the_token_before_saying_they_do_not_exist()
    {
        await using var h = await ControlHarness.StartAsync();
        using var anonymous = await h.Anonymous.GetAsync("/api/nothing-here");
        await ControlHarness.ReadError(anonymous, 401);
        using var authorised = await h.Client.GetAsync("/api/nothing-here");
        Assert.Contains("no route GET /api/nothing-here", await ControlHarness.ReadError(authorised, 404));
    }

    [Fact]
    public async Task Healthz_and_metrics_need_no_token()
    {
        await using var h = await ControlHarness.StartAsync();
        using var health = await h.Anonymous.GetAsync("/healthz");
        Assert.Equal(200, (int)health.StatusCode);
        Assert.Equal("ok", await health.Content.ReadAsStringAsync());
        using var metrics = await h.Anonymous.GetAsync("/metrics");
        Assert.Equal(200, (int)metrics.StatusCode);
    }

    [Fact]
    public async Task Starting_without_a_token_is_refused_with_the_setting_to_use()
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() =>
            ClusterTrainer.Node.Control.ControlServer.StartAsync("127.0.0.1", 0, new FakeControlPlane(), new ClusterTrainer.Node.Control.NodeLog(null), " ", CancellationToken.None));
        Assert.Contains("--token", e.Message);
    }
}
