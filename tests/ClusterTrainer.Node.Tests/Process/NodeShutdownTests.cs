using System.Diagnostics;
using ClusterTrainer.Node.Local;
using Xunit;

namespace ClusterTrainer.Node.Tests.Process;

/// <summary>A real one-node cluster (every role, control API on a free port) stopped the two ways a node is stopped.</summary>
public sealed class NodeShutdownTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(180);
    private readonly string _dir = Directory.CreateTempSubdirectory("ct-node-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private (System.Diagnostics.Process Process, Task<string> Stderr) StartNode(bool exitWithParent)
    {
        var args = new List<string>
        {
            "node", "--roles", "coordinator,ps,worker", "--port", "0", "--http-port", "0",
            "--store", "sqlite:" + Path.Combine(_dir, "cluster.db"), "--checkpoint-dir", Path.Combine(_dir, "checkpoints"),
        };
        if (exitWithParent) args.Add("--exit-with-parent");
        var start = NodeExecutableTests.StartInfo(_dir, [.. args]);
        start.Environment["CLUSTERTRAINER_NODE__SECRET"] = "shutdown-test-secret";
        start.Environment["CLUSTERTRAINER_NODE__TOKEN"] = "shutdown-test-token";
        var process = System.Diagnostics.Process.Start(start)!;
        return (process, process.StandardError.ReadToEndAsync());
    }

    /// <summary>Reads stdout up to the ready line; fails with the node's stderr if it exits or is late.</summary>
    private static async Task<ReadyLine> WaitReady(System.Diagnostics.Process node, Task<string> stderr)
    {
        using var timeout = new CancellationTokenSource(Patience);
        string? line;
        try { line = await node.StandardOutput.ReadLineAsync(timeout.Token); }
        catch (OperationCanceledException) { line = null; }
        if (line is null || !ReadyLine.TryParse(line, out var ready))
        {
            if (!node.HasExited) node.Kill(entireProcessTree: true);
            Assert.Fail($"no ready line within {Patience.TotalSeconds} s (got '{line}'); stderr:\n{await stderr}");
            throw new InvalidOperationException("unreachable");
        }
        return ready!;
    }

    private static async Task<int> WaitExit(System.Diagnostics.Process node, Task<string> stderr)
    {
        try { await node.WaitForExitAsync().WaitAsync(Patience); }
        catch (TimeoutException)
        {
            node.Kill(entireProcessTree: true);
            Assert.Fail($"the node did not exit within {Patience.TotalSeconds} s; stderr:\n{await stderr}");
        }
        return node.ExitCode;
    }

    [Fact]
    public async Task SIGTERM_makes_a_started_node_leave_and_exit_0()
    {
        var (node, stderr) = StartNode(exitWithParent: false);
        using (node)
        {
            var ready = await WaitReady(node, stderr);
            Assert.StartsWith("ct.tcp://clustertrainer@127.0.0.1:", ready.Address);
            using (var http = new HttpClient())
            {
                var health = await http.GetAsync(new Uri(ready.Http!, "/healthz")).WaitAsync(Patience);
                Assert.True(health.IsSuccessStatusCode, $"GET /healthz answered {(int)health.StatusCode}");
            }

            using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", node.Id.ToString()])!)
                await kill.WaitForExitAsync();
            int code = await WaitExit(node, stderr);
            string log = await stderr;
            Assert.True(code == 0, $"exit code {code}; stderr:\n{log}");
            Assert.Contains("SIGTERM: leaving the cluster", log);
            Assert.Equal("", await node.StandardOutput.ReadToEndAsync()); // nothing after the ready line
        }
    }

    [Fact]
    public async Task With_exit_with_parent_the_node_leaves_and_exits_0_when_its_stdin_closes()
    {
        var (node, stderr) = StartNode(exitWithParent: true);
        using (node)
        {
            await WaitReady(node, stderr);
            node.StandardInput.Close();
            int code = await WaitExit(node, stderr);
            string log = await stderr;
            Assert.True(code == 0, $"exit code {code}; stderr:\n{log}");
            Assert.Contains("stdin closed", log);
        }
    }
}
