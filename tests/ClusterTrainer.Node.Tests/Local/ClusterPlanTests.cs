using ClusterTrainer.Node.Local;
using ClusterTrainer.Node.Settings;
using Xunit;

namespace ClusterTrainer.Node.Tests.Local;

public sealed class ClusterPlanTests
{
    private static string Arg(NodePlan node, string flag) => node.Arguments[node.Arguments.ToList().IndexOf(flag) + 1];

    [Fact]
    public void The_coordinator_is_the_seed_then_ps_nodes_then_workers_all_on_loopback_sharing_store_and_checkpoints()
    {
        var plan = ClusterPlan.Create(new LauncherOptions { Workers = 3, ParameterServers = 2 }, "/tmp/cl", 45000);
        Assert.Equal(["coordinator", "ps-1", "ps-2", "worker-1", "worker-2", "worker-3"], plan.Nodes.Select(n => n.Name));
        Assert.Equal("ct.tcp://clustertrainer@127.0.0.1:45000", plan.SeedAddress);
        Assert.Equal("45000", Arg(plan.Nodes[0], "--port"));
        Assert.All(plan.Nodes.Skip(1), n => Assert.Equal("0", Arg(n, "--port")));
        Assert.Equal(["coordinator"], plan.Nodes[0].Roles);
        Assert.Equal("ps", Arg(plan.Nodes[1], "--roles"));
        Assert.Equal("worker", Arg(plan.Nodes[5], "--roles"));
        foreach (var n in plan.Nodes)
        {
            Assert.Equal("node", n.Arguments[0]);
            Assert.Equal(plan.SeedAddress, Arg(n, "--seeds"));
            Assert.Equal("sqlite:/tmp/cl/cluster.db", Arg(n, "--store"));
            Assert.Equal("/tmp/cl/checkpoints", Arg(n, "--checkpoint-dir"));
            Assert.Equal("0", Arg(n, "--http-port"));
            Assert.Contains(NodeCommandLineParser.ExitWithParentFlag, n.Arguments);
            Assert.DoesNotContain("--secret", n.Arguments);
            Assert.DoesNotContain("--token", n.Arguments);
        }
    }

    [Fact]
    public void Every_planned_command_line_is_accepted_by_the_node_settings()
    {
        var plan = ClusterPlan.Create(new LauncherOptions { Threads = 2, Device = "cpu", DataDir = "/data" }, "/tmp/cl", 45000);
        foreach (var n in plan.Nodes)
        {
            var env = new System.Collections.Hashtable { ["CLUSTERTRAINER_NODE__SECRET"] = plan.Secret, ["CLUSTERTRAINER_NODE__TOKEN"] = plan.Token };
            var cmd = NodeSettings.Load(n.Arguments.Skip(1).ToList(), env, "/nonexistent");
            Assert.Equal(n.Roles, cmd.Options.Roles);
            Assert.Equal(2, cmd.Options.Threads);
            Assert.Equal("/data", cmd.Options.DataDir);
            Assert.True(cmd.ExitWithParent);
        }
    }

    [Fact]
    public void Secret_and_token_travel_in_the_environment_and_the_users_node_settings_do_not_leak()
    {
        var plan = ClusterPlan.Create(new LauncherOptions(), "/tmp/cl", 45000);
        Assert.NotEqual(plan.Secret, ClusterPlan.Create(new LauncherOptions(), "/tmp/cl", 45000).Secret);
        Assert.True(plan.Secret.Length >= 32 && plan.Token.Length >= 32);

        var start = plan.StartInfo(new NodeExecutable("/usr/bin/dotnet", ["exec", "/app/ClusterTrainer.Node.dll"]), plan.Nodes[1]);
        Assert.Equal("/usr/bin/dotnet", start.FileName);
        Assert.Equal(["exec", "/app/ClusterTrainer.Node.dll", "node"], start.ArgumentList.Take(3));
        Assert.Equal(plan.Secret, start.Environment["CLUSTERTRAINER_NODE__SECRET"]);
        Assert.Equal(plan.Token, start.Environment["CLUSTERTRAINER_NODE__TOKEN"]);
        Assert.Equal("/tmp/cl", start.WorkingDirectory);

        var env = new Dictionary<string, string?> { ["clustertrainer_node__publichost"] = "leaked.example", ["PATH"] = "/bin", ["CLUSTERTRAINER_NODE__SECRET"] = "old" };
        ClusterPlan.PrepareEnvironment(env, "s", "t");
        Assert.Equal(new Dictionary<string, string?> { ["PATH"] = "/bin", ["CLUSTERTRAINER_NODE__SECRET"] = "s", ["CLUSTERTRAINER_NODE__TOKEN"] = "t" }, env);
    }

    [Fact]
    public void Workers_share_the_cores_ps_nodes_take_one_thread_unless_told()
    {
        var plan = ClusterPlan.Create(new LauncherOptions { Workers = 2, ParameterServers = 1 }, "/tmp/cl", 45000);
        Assert.Equal("0", Arg(plan.Nodes[0], "--threads"));
        Assert.Equal("1", Arg(plan.Nodes[1], "--threads"));
        Assert.Equal(Math.Max(1, Environment.ProcessorCount / 2).ToString(), Arg(plan.Nodes[2], "--threads"));
    }

    [Theory]
    [InlineData("/opt/ct/ClusterTrainer.Node", "/opt/ct/ClusterTrainer.Node.dll", "/opt/ct/ClusterTrainer.Node", "")]
    [InlineData("/usr/bin/dotnet", "/opt/ct/ClusterTrainer.Node.dll", "/usr/bin/dotnet", "exec /opt/ct/ClusterTrainer.Node.dll")]
    public void The_node_executable_is_the_apphost_or_dotnet_exec_of_the_entry_assembly(string process, string entry, string file, string prefix)
    {
        var exe = NodeExecutable.Resolve(process, entry);
        Assert.Equal(file, exe.FileName);
        Assert.Equal(prefix, string.Join(" ", exe.PrefixArguments));
        Assert.Throws<LaunchException>(() => NodeExecutable.Resolve(null, entry));
        Assert.Throws<LaunchException>(() => NodeExecutable.Resolve("/usr/bin/dotnet", null));
    }
}
