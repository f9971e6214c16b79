using ClusterTrainer.Training.Control;
using Xunit;

namespace ClusterTrainer.Node.Tests.Control;

public sealed class ErrorMappingTests
{
    [Theory]
    [InlineData("""{"spec": "x",""", "malformed JSON body")]
    [InlineData("""{"spec": 12}""", "malformed JSON body")]
    [InlineData("not json at all", "malformed JSON body at line 1")]
    [InlineData("", "request body is empty")]
    [InlineData("null", "JSON null")]
    [InlineData("""{"source": "a.yaml"}""", "'spec' is missing or empty")]
    public async Task Bad_start_bodies_are_400_saying_what_is_wrong_and_what_was_expected(string body, string says)
    {
        await using var h = await ControlHarness.StartAsync();
        using var response = await h.Client.PostAsync("/api/runs", ControlHarness.Json(body));
        var error = await ControlHarness.ReadError(response, 400);
        Assert.Contains(says, error);
        Assert.Contains("expected {\"spec\"", error);
        Assert.Empty(h.Plane.Calls);
    }

    [Fact]
    public async Task A_body_that_is_not_json_by_content_type_is_400()
    {
        await using var h = await ControlHarness.StartAsync();
        using var response = await h.Client.PostAsync("/api/runs", new StringContent("spec: x", System.Text.Encoding.UTF8, "text/yaml"));
        Assert.Contains("must be JSON", await ControlHarness.ReadError(response, 400));
    }

    [Theory]
    [InlineData(ControlFailure.BadRequest)]
    [InlineData(ControlFailure.NotFound)]
    [InlineData(ControlFailure.Conflict)]
    [InlineData(ControlFailure.Unavailable)]
    public async Task Each_control_failure_maps_to_its_status_with_error_and_details(ControlFailure failure)
    {
        await using var h = await ControlHarness.StartAsync();
        h.Plane.Failure = new ControlException(failure, "coordinator says no", ["first reason", "second reason"]);
        using var response = await h.Client.GetAsync("/api/cluster/members");
        Assert.Equal((int)failure, (int)response.StatusCode);
        var body = await ControlHarness.ReadJson(response);
        Assert.Equal("coordinator says no", body.GetProperty("error").GetString());
        Assert.Equal(["first reason", "second reason"], body.GetProperty("details").EnumerateArray().Select(d => d.GetString()));
    }

    [Fact]
    public async Task Any_other_exception_is_a_500_with_its_message_is_logged_and_the_server_keeps_serving()
    {
        await using var h = await ControlHarness.StartAsync();
        h.Plane.Failure = new InvalidOperationException("coordinator actor crashed");
        using var response = await h.Client.GetAsync("/api/runs");
        var error = await ControlHarness.ReadError(response, 500);
        Assert.Contains("InvalidOperationException: coordinator actor crashed", error);
        var logged = Assert.Single(h.Log.Tail(100), e => e.Level == Actors.LogLevel.Error);
        Assert.Contains("GET /api/runs failed", logged.Message);
        Assert.IsType<InvalidOperationException>(logged.Cause);
        Assert.Contains("coordinator actor crashed", h.Echo.ToString()); // the node log echoes to its writer

        h.Plane.Failure = null;
        using var after = await h.Client.GetAsync("/api/runs");
        Assert.Equal(200, (int)after.StatusCode);
    }

    [Fact]
    public async Task Metrics_failing_is_a_500_too()
    {
        await using var h = await ControlHarness.StartAsync();
        h.Plane.Failure = new InvalidOperationException("metrics registry broken");
        using var response = await h.Anonymous.GetAsync("/metrics");
        Assert.Contains("metrics registry broken", await ControlHarness.ReadError(response, 500));
    }

    [Fact]
    public async Task Unknown_routes_are_json_404_and_wrong_methods_json_405()
    {
        await using var h = await ControlHarness.StartAsync();
        using var missing = await h.Anonymous.GetAsync("/nowhere.txt");
        Assert.Contains("no route GET /nowhere.txt", await ControlHarness.ReadError(missing, 404));
        using var method = await h.Client.DeleteAsync("/api/runs");
        var error = await ControlHarness.ReadError(method, 405);
        Assert.Contains("DELETE is not allowed on /api/runs", error);
    }

    [Fact]
    public async Task A_plane_that_times_out_is_a_503_saying_the_cluster_did_not_answer()
    {
        await using var h = await ControlHarness.StartAsync();
        h.Plane.Failure = new TimeoutException("coordinator ask timed out after 10 s");
        using var response = await h.Client.GetAsync("/api/runs");
        var error = await ControlHarness.ReadError(response, 503);
        Assert.Contains("did not answer GET /api/runs in time (coordinator ask timed out after 10 s)", error);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413()
    {
        await using var h = await ControlHarness.StartAsync();
        var spec = new string('x', (int)ClusterTrainer.Node.Control.ControlServer.MaxRequestBody + 1);
        // Expect: 100-continue lets the server refuse on Content-Length before the client sends the body, so the
        // client reads the 413 instead of racing a connection the server closes under a half-sent body.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/runs") { Content = ControlHarness.Json($$"""{"spec":"{{spec}}"}""") };
        request.Headers.ExpectContinue = true;
        using var response = await h.Client.SendAsync(request);
        Assert.Contains("too large", await ControlHarness.ReadError(response, 413));
        Assert.Empty(h.Plane.Calls);
    }
}
