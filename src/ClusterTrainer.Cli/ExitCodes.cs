namespace ClusterTrainer.Cli;

/// <summary>The exit codes of <c>ctr</c>; <see cref="HelpText"/> is printed at the end of <c>ctr --help</c>.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The node refused the request, or the operation (a watched run) failed or was stopped.</summary>
    public const int Failed = 1;
    /// <summary>Bad arguments, an unreadable spec file, a bad --host.</summary>
    public const int Usage = 2;
    /// <summary>No node answered at --host: connection refused, unknown host, timeout, stream cut.</summary>
    public const int Unreachable = 3;
    /// <summary>The node refused the token.</summary>
    public const int Auth = 4;
    /// <summary>Interrupted with Ctrl+C while waiting on the node.</summary>
    public const int Interrupted = 130;

    public const string HelpText =
        """
        Exit codes:
          0    ok (run watch: the run completed)
          1    the node refused the request or the operation failed (run watch: the run failed or was stopped)
          2    usage: bad arguments, a missing or unreadable file, a malformed --host
          3    unreachable: no node answered at --host (refused, unknown host, timeout, stream cut)
          4    auth: the node refused the token (--token / CTR_TOKEN)
          130  interrupted (Ctrl+C)

        Environment:
          CTR_HOST     default for --host (http://127.0.0.1:8080)
          CTR_TOKEN    default for --token
        """;
}

/// <summary>An error that ends the command: <see cref="Exception.Message"/> and <see cref="Details"/> go to stderr.</summary>
public sealed class CtrException(int exitCode, string message, IReadOnlyList<string>? details = null) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
    public IReadOnlyList<string> Details { get; } = details ?? [];
}
