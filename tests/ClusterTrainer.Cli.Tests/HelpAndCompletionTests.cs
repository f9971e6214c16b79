using System.CommandLine;
using System.Diagnostics;
using ClusterTrainer.Cli.Tests.Fakes;
using Xunit;

namespace ClusterTrainer.Cli.Tests;

public sealed class HelpAndCompletionTests
{
    private static readonly Dictionary<string, string> NoEnv = [];

    [Fact]
    public async Task Root_help_documents_every_exit_code_and_the_environment()
    {
        var r = await Ctr.Run(NoEnv, ["--help"]);
        Assert.Equal(0, r.Exit);
        foreach (var command in new[] { "cluster", "run", "checkpoint", "shard", "log", "completion" })
            Assert.Contains($"  {command}", r.Out);
        Assert.Contains("Exit codes:", r.Out);
        foreach (var code in new[] { "0    ok", "1    the node refused", "2    usage", "3    unreachable", "4    auth" })
            Assert.Contains(code, r.Out);
        Assert.Contains("CTR_HOST", r.Out);
        Assert.Contains("CTR_TOKEN", r.Out);
    }

    [Fact]
    public async Task Every_command_has_help_that_exits_0()
    {
        var root = CtrApp.Build(CliContext.ForWriters(TextWriter.Null, TextWriter.Null));
        var paths = new List<string[]>();
        void Walk(Command command, string[] path)
        {
            foreach (var sub in command.Subcommands)
            {
                var next = path.Append(sub.Name).ToArray();
                paths.Add(next);
                Walk(sub, next);
            }
        }
        Walk(root, []);
        Assert.Equal(22, paths.Count); // 6 top-level commands + 16 under the five groups; a new one gets its help checked too
        foreach (var path in paths)
        {
            var r = await Ctr.Run(NoEnv, [.. path, "--help"]);
            Assert.True(r.Exit == 0, $"ctr {string.Join(' ', path)} --help: {r}");
            Assert.Contains($" {string.Join(" ", path)} ", r.Out.Split("Usage:")[1]); // the usage line names the command
            Assert.Contains("Exit codes:", r.Out);
            Assert.Contains("--host", r.Out);
        }
    }

    [Theory]
    [InlineData("bash", "complete -o default -F _ctr_complete ctr")]
    [InlineData("zsh", "compdef _ctr_complete ctr")]
    [InlineData("fish", "complete -c ctr -f -a '(__ctr_complete)'")]
    public async Task Completion_prints_a_script_that_asks_ctrs_suggest_directive(string shell, string hook)
    {
        var r = await Ctr.Run(NoEnv, ["completion", shell]);
        Assert.Equal(0, r.Exit);
        Assert.Contains(hook, r.Out);
        Assert.Contains("ctr \"[suggest:", r.Out);
    }

    [Fact]
    public async Task Completion_for_an_unknown_shell_is_a_usage_error()
    {
        var r = await Ctr.Run(NoEnv, ["completion", "powershell"]);
        Assert.Equal(2, r.Exit);
        Assert.Contains("powershell", r.Err);
    }

    [Theory]
    [InlineData("ctr run st", new[] { "start", "status", "stop" })]
    [InlineData("ctr ch", new[] { "checkpoint" })]
    [InlineData("ctr completion ", new[] { "bash", "fish", "zsh" })]
    [InlineData("ctr run list --output ", new[] { "Json", "Table" })]
    public async Task The_suggest_directive_the_scripts_call_completes_commands_and_values(string line, string[] expected)
    {
        var r = await Ctr.Run(NoEnv, [$"[suggest:{line.Length}]", line]);
        Assert.Equal(0, r.Exit);
        var suggestions = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var word in expected)
            Assert.Contains(word, suggestions);
    }

    /// <summary>
    /// Each shell loads its script and completes "ctr checkpoint ex" through the real ctr executable (on PATH):
    /// bash by calling the completion function as bash would; fish with its own non-interactive
    /// <c>complete -C</c>; zsh (no line editor outside a terminal) with <c>compdef</c>/<c>compadd</c> stubbed to
    /// print what the script offers. `./build.sh test` installs zsh and fish.
    /// </summary>
    [Theory]
    [InlineData("bash", """
        source <(ctr completion bash)
        COMP_LINE="ctr checkpoint ex"; COMP_POINT=${#COMP_LINE}; COMP_WORDS=(ctr checkpoint ex); COMP_CWORD=2
        _ctr_complete
        printf '%s\n' "${COMPREPLY[@]}"
        """)]
    [InlineData("fish", """
        ctr completion fish | source
        complete -C "ctr checkpoint ex"
        """)]
    [InlineData("zsh", """
        compdef() { :; }
        compadd() { shift; printf '%s\n' "$@"; }
        source <(ctr completion zsh)
        BUFFER="ctr checkpoint ex"; CURSOR=${#BUFFER}
        _ctr_complete
        """)]
    public async Task The_shell_script_completes_through_the_real_executable(string shell, string script)
    {
        var start = new ProcessStartInfo(shell, ["-c", script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["PATH"] = AppContext.BaseDirectory + Path.PathSeparator + start.Environment["PATH"];
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        Assert.True(process.ExitCode == 0, await stderr);
        Assert.Equal("export", (await stdout).Trim());
    }

    [Fact]
    public async Task The_ctr_executable_runs_and_reports_an_unreachable_node_with_exit_3()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "ctr.dll");
        var start = new ProcessStartInfo("dotnet", [dll, "run", "list", "--host", "http://127.0.0.1:1", "--timeout", "20"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment.Remove("CTR_HOST");
        start.Environment.Remove("CTR_TOKEN");
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        Assert.Equal(3, process.ExitCode);
        Assert.Equal("", await stdout);
        Assert.Contains("is a node running at http://127.0.0.1:1?", await stderr);
    }
}
