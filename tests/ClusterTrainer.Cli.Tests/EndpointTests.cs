using System.CommandLine;
using ClusterTrainer.Cli.Commands;
using ClusterTrainer.Cli.Http;
using Xunit;

namespace ClusterTrainer.Cli.Tests;

public sealed class EndpointTests
{
    [Theory]
    [InlineData("http://127.0.0.1:8080", "http://127.0.0.1:8080/")]
    [InlineData("127.0.0.1:9000", "http://127.0.0.1:9000/")]
    [InlineData("https://node-1.example:443/ct", "https://node-1.example/ct/")]
    [InlineData("  http://localhost:8080/  ", "http://localhost:8080/")]
    public void Hosts_are_normalised_so_routes_resolve_under_them(string text, string expected)
    {
        var host = Endpoint.ParseHost(text);
        Assert.Equal(expected, host.AbsoluteUri);
        Assert.Equal(expected + "api/runs", new Uri(host, "api/runs").AbsoluteUri);
    }

    [Fact]
    public void An_empty_host_is_a_usage_error()
    {
        var e = Assert.Throws<CtrException>(() => Endpoint.ParseHost(" "));
        Assert.Equal(ExitCodes.Usage, e.ExitCode);
    }

    [Theory]
    [InlineData(new string[0], null, null, "http://127.0.0.1:8080/", null)]
    [InlineData(new string[0], "http://10.0.0.7:8080", "env-token", "http://10.0.0.7:8080/", "env-token")]
    [InlineData(new[] { "--host", "http://10.0.0.8:1", "--token", "opt" }, "http://10.0.0.7:8080", "env-token", "http://10.0.0.8:1/", "opt")]
    [InlineData(new string[0], "", "  ", "http://127.0.0.1:8080/", null)]
    public void Host_and_token_come_from_options_then_environment_then_defaults(string[] options, string? envHost, string? envToken,
        string expectedHost, string? expectedToken)
    {
        var globals = new Globals();
        var root = new RootCommand();
        globals.AddTo(root);
        var env = new Dictionary<string, string?> { ["CTR_HOST"] = envHost, ["CTR_TOKEN"] = envToken };
        var context = new CliContext
        {
            Out = TextWriter.Null,
            Error = TextWriter.Null,
            Console = CliContext.CreateConsole(TextWriter.Null, interactive: false, width: 80),
            Environment = n => env.GetValueOrDefault(n),
        };
        var endpoint = globals.Endpoint(root.Parse(options), context);
        Assert.Equal(expectedHost, endpoint.Host.AbsoluteUri);
        Assert.Equal(expectedToken, endpoint.Token);
        Assert.Equal(TimeSpan.FromSeconds(30), endpoint.Timeout);
    }
}
