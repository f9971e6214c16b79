using System.Diagnostics;
using Xunit;

namespace ClusterTrainer.Node.Tests.Deploy;

/// <summary>What a command-line tool printed and returned.</summary>
internal sealed record ToolResult(int ExitCode, string Stdout, string Stderr)
{
    public string Describe() => $"exit {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>
/// Runs the validators of the deploy files (docker-compose, kubectl). They are not part of the build:
/// where one is missing the tests that need it are skipped with a reason, never failed.
/// </summary>
internal static class ExternalTool
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>The full path of <paramref name="name"/> on PATH, or null.</summary>
    public static string? Find(string name)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>
    /// Runs <paramref name="tool"/> in <paramref name="workingDirectory"/>. Inherited variables whose names
    /// start with one of <paramref name="clearPrefixes"/> are removed first (so a developer's own CT_SECRET
    /// cannot make a test pass), then <paramref name="environment"/> is applied.
    /// </summary>
    public static ToolResult Run(
        string tool,
        IEnumerable<string> arguments,
        string workingDirectory,
        IReadOnlyDictionary<string, string>? environment = null,
        IEnumerable<string>? clearPrefixes = null)
    {
        string path = Find(tool) ?? throw new InvalidOperationException($"{tool} is not on PATH");
        var start = new ProcessStartInfo(path)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in arguments) start.ArgumentList.Add(a);
        foreach (string prefix in clearPrefixes ?? [])
            foreach (string key in start.Environment.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList())
                start.Environment.Remove(key);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;

        using var process = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException($"could not start {path}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} {string.Join(' ', start.ArgumentList)} did not finish within {Timeout.TotalSeconds} s");
        }
        process.WaitForExit();
        return new ToolResult(process.ExitCode, stdout.Result, stderr.Result);
    }
}

/// <summary>A fact that is skipped, saying why, when <c>tool</c> is not on PATH.</summary>
public sealed class RequiresToolFactAttribute : FactAttribute
{
    public RequiresToolFactAttribute(string tool)
    {
        if (ExternalTool.Find(tool) is null)
            Skip = $"{tool} is not on PATH: install it (Debian: {InstallHint(tool)}) to validate the deploy files";
    }

    internal static string InstallHint(string tool) => tool switch
    {
        "docker-compose" => "apt-get install docker-compose",
        "kubectl" => "kubectl from the Kubernetes apt repository",
        _ => $"install {tool}",
    };
}

/// <summary>A theory that is skipped, saying why, when <c>tool</c> is not on PATH.</summary>
public sealed class RequiresToolTheoryAttribute : TheoryAttribute
{
    public RequiresToolTheoryAttribute(string tool)
    {
        if (ExternalTool.Find(tool) is null)
            Skip = $"{tool} is not on PATH: install it (Debian: {RequiresToolFactAttribute.InstallHint(tool)}) to validate the deploy files";
    }
}
