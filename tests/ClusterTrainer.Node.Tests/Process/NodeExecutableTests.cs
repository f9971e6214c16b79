using System.Diagnostics;
using Xunit;

namespace ClusterTrainer.Node.Tests.Process;

/// <summary>The built node executable as a user runs it: exit codes and messages.</summary>
public sealed class NodeExecutableTests : IDisposable
{
    internal static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private readonly string _dir = Directory.CreateTempSubdirectory("ct-exe-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The apphost the test project copies beside itself from the ClusterTrainer.Node reference.</summary>
    internal static ProcessStartInfo StartInfo(string workingDirectory, params string[] args)
    {
        string exe = Path.Combine(AppContext.BaseDirectory, "ClusterTrainer.Node");
        Assert.True(File.Exists(exe), $"the node executable is missing at {exe}; build tests/ClusterTrainer.Node.Tests");
        var start = new ProcessStartInfo(exe)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        foreach (string a in args) start.ArgumentList.Add(a);
        // The developer's own node settings must not change what the tests see.
        foreach (string name in start.Environment.Keys.Where(k => k.StartsWith("CLUSTERTRAINER_NODE__", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(name);
        return start;
    }

    private async Task<(int Code, string Stdout, string Stderr)> Run(params string[] args)
    {
        using var p = System.Diagnostics.Process.Start(StartInfo(_dir, args))!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        try { await p.WaitForExitAsync().WaitAsync(Patience); }
        finally { if (!p.HasExited) p.Kill(entireProcessTree: true); }
        return (p.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task Node_with_bad_settings_exits_2_and_lists_every_problem()
    {
        var (code, stdout, stderr) = await Run("node", "--port", "70000", "--roles", "ps,boss", "--device", "gpu", "--prot", "1");
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains("6 problem(s) in the node settings", stderr);
        Assert.Contains("Port (command line --port): '70000' is out of range", stderr);
        Assert.Contains("'boss', which is not a role", stderr);
        Assert.Contains("(did you mean --port?)", stderr);
        Assert.Contains("the cluster secret is missing", stderr);
        Assert.Contains("the control API token is missing", stderr);
        Assert.Contains("Device (command line --device)", stderr);
    }

    [Fact]
    public async Task Node_reads_settings_from_the_environment_and_a_config_file()
    {
        File.WriteAllText(Path.Combine(_dir, "node.json"), """{ "Node": { "Store": "mysql:x" } }""");
        var start = StartInfo(_dir, "node", "--config", "node.json", "--token", "t");
        start.Environment["CLUSTERTRAINER_NODE__SECRET"] = "s";
        start.Environment["CLUSTERTRAINER_NODE__THREADS"] = "-5";
        using var p = System.Diagnostics.Process.Start(start)!;
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(Patience);
        Assert.Equal(2, p.ExitCode);
        string text = await stderr;
        Assert.Contains($"Store ({Path.Combine(_dir, "node.json")} Node:Store): 'mysql:x'", text);
        Assert.Contains("Threads (environment CLUSTERTRAINER_NODE__THREADS): '-5' is out of range", text);
        Assert.DoesNotContain("secret", text);
    }

    [Fact]
    public async Task Help_exits_0_and_commands_and_launcher_options_are_checked()
    {
        var help = await Run("node", "--help");
        Assert.Equal(0, help.Code);
        Assert.Contains("CLUSTERTRAINER_NODE__HTTPPORT", help.Stdout);

        var unknown = await Run("nod");
        Assert.Equal(2, unknown.Code);
        Assert.Contains("unknown command 'nod' (did you mean node?)", unknown.Stderr);

        var local = await Run("local", "--workers", "0");
        Assert.Equal(2, local.Code);
        Assert.Contains("--workers 0 is out of range", local.Stderr);

        var spec = await Run("local", "--spec", "missing.yaml");
        Assert.Equal(2, spec.Code);
        Assert.Contains("missing.yaml' does not exist", spec.Stderr);

        var single = await Run("single", "--epochs", "0");
        Assert.Equal(2, single.Code);
        Assert.Contains("--epochs 0 is out of range", single.Stderr);
    }
}
