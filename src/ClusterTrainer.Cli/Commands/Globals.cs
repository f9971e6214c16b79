using System.CommandLine;
using ClusterTrainer.Cli.Http;

namespace ClusterTrainer.Cli.Commands;

public enum OutputFormat { Table, Json }

/// <summary>The options every command accepts (declared once on the root, recursive).</summary>
internal sealed class Globals
{
    public Option<string?> Host { get; } = new("--host")
    {
        Description = $"Control endpoint of a node [env: CTR_HOST] [default: {Http.Endpoint.DefaultHost}]",
        HelpName = "URL",
        Recursive = true,
    };

    public Option<string?> Token { get; } = new("--token")
    {
        Description = "Bearer token the node wants [env: CTR_TOKEN]",
        Recursive = true,
    };

    public Option<double> Timeout { get; } = new("--timeout")
    {
        Description = "Seconds to wait for the node to answer a request",
        HelpName = "SECONDS",
        DefaultValueFactory = _ => 30,
        Recursive = true,
    };

    public Option<OutputFormat> Output { get; } = new("--output")
    {
        Description = "How lists and records are printed",
        HelpName = "table|json",
        DefaultValueFactory = _ => OutputFormat.Table,
        Recursive = true,
    };

    public Globals()
    {
        Timeout.Validators.Add(Checks.AtLeast(0, exclusive: true, "--timeout must be a positive number of seconds, e.g. --timeout 60"));
    }

    public void AddTo(RootCommand root)
    {
        root.Options.Add(Host);
        root.Options.Add(Token);
        root.Options.Add(Timeout);
        root.Options.Add(Output);
    }

    /// <summary>--host, else CTR_HOST, else the local default; same for the token.</summary>
    public Endpoint Endpoint(ParseResult parse, CliContext context)
    {
        var host = parse.GetValue(Host) ?? NonEmpty(context.Environment("CTR_HOST")) ?? Http.Endpoint.DefaultHost;
        var token = parse.GetValue(Token) ?? NonEmpty(context.Environment("CTR_TOKEN"));
        return new Endpoint(Http.Endpoint.ParseHost(host), token, TimeSpan.FromSeconds(parse.GetValue(Timeout)));
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
