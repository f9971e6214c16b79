namespace ClusterTrainer.Cli.Http;

/// <summary>Where the node's control API is, the bearer token it wants and how long to wait for an answer.</summary>
public sealed record Endpoint(Uri Host, string? Token, TimeSpan Timeout)
{
    public const string DefaultHost = "http://127.0.0.1:8080";

    /// <summary>Parses --host: "http(s)://host:port[/prefix]"; a bare "host:port" means http.</summary>
    public static Uri ParseHost(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
            throw new CtrException(ExitCodes.Usage, $"--host is empty; use e.g. {DefaultHost}, or unset CTR_HOST");
        if (!trimmed.Contains("://", StringComparison.Ordinal))
            trimmed = "http://" + trimmed;
        if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(uri.Host) || uri.Query.Length > 0 || uri.Fragment.Length > 0)
            throw new CtrException(ExitCodes.Usage, $"--host '{text}' is not an http(s) address of a node; use e.g. {DefaultHost}");
        // Relative routes resolve under the host's path only when it ends with '/'.
        return uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
    }

    /// <summary>The host as messages show it: no trailing slash.</summary>
    public string Display => Host.AbsoluteUri.TrimEnd('/');
}
