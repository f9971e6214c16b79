using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Security.Cryptography;
using ClusterTrainer.Node.Settings;
using ClusterTrainer.Training.Control;

namespace ClusterTrainer.Node.Local;

/// <summary>How to start this same executable again: its apphost, or <c>dotnet exec &lt;dll&gt;</c>.</summary>
public sealed record NodeExecutable(string FileName, IReadOnlyList<string> PrefixArguments)
{
    /// <summary>
    /// From the running process: under <c>dotnet run</c> and in a published build the process is the apphost;
    /// when started as <c>dotnet ClusterTrainer.Node.dll</c> it is the dotnet host, and the entry assembly follows.
    /// </summary>
    public static NodeExecutable Current() =>
        Resolve(Environment.ProcessPath, Assembly.GetEntryAssembly()?.Location);

    public static NodeExecutable Resolve(string? processPath, string? entryAssembly)
    {
        if (processPath is null)
            throw new LaunchException("cannot tell which executable this process runs (Environment.ProcessPath is null)");
        bool isDotnetHost = Path.GetFileNameWithoutExtension(processPath).Equals("dotnet", StringComparison.OrdinalIgnoreCase);
        if (!isDotnetHost) return new NodeExecutable(processPath, []);
        if (string.IsNullOrEmpty(entryAssembly))
            throw new LaunchException("this process runs under the dotnet host but its entry assembly has no file path");
        return new NodeExecutable(processPath, ["exec", entryAssembly]);
    }
}

/// <summary>One node process the launcher starts: name, roles and its whole command line.</summary>
public sealed record NodePlan(string Name, IReadOnlyList<string> Roles, IReadOnlyList<string> Arguments);

/// <summary>
/// The local cluster as processes: the coordinator node first (it is the seed, on a port picked free in advance),
/// then the ps and worker nodes (remoting port 0: the ready line says which one they got). Every node serves the
/// control API on a free port, shares the SQLite store and checkpoint folder under the cluster folder, and gets
/// the secret and token through its environment, never its command line.
/// </summary>
public sealed record ClusterPlan(string Dir, string Secret, string Token, string SeedAddress, IReadOnlyList<NodePlan> Nodes)
{
    public const string LoopbackHost = "127.0.0.1";

    public string StorePath => Path.Combine(Dir, "cluster.db");
    public string CheckpointDir => Path.Combine(Dir, "checkpoints");
    public string LogDir => Path.Combine(Dir, "logs");

    public static ClusterPlan Create(LauncherOptions o, string dir, int seedPort)
    {
        string secret = RandomText(), token = RandomText();
        string seed = $"ct.tcp://{NodeOptions.SystemName}@{LoopbackHost}:{seedPort}";
        int cores = Environment.ProcessorCount;
        var nodes = new List<NodePlan> { Node(o, dir, seed, "coordinator", ["coordinator"], seedPort, o.Threads ?? 0) };
        for (int i = 1; i <= o.ParameterServers; i++)
            nodes.Add(Node(o, dir, seed, $"ps-{i}", ["ps"], 0, o.Threads ?? 1));
        for (int i = 1; i <= o.Workers; i++)
            nodes.Add(Node(o, dir, seed, $"worker-{i}", ["worker"], 0, o.Threads ?? Math.Max(1, cores / o.Workers)));
        return new ClusterPlan(dir, secret, token, seed, nodes);
    }

    /// <summary>The start info of one node: this executable's <c>node</c> command, secret and token in the environment.</summary>
    public ProcessStartInfo StartInfo(NodeExecutable exe, NodePlan node)
    {
        var start = new ProcessStartInfo(exe.FileName) { WorkingDirectory = Dir };
        foreach (string a in exe.PrefixArguments.Concat(node.Arguments)) start.ArgumentList.Add(a);
        PrepareEnvironment(start.Environment, Secret, Token);
        return start;
    }

    /// <summary>
    /// Removes the user's own CLUSTERTRAINER_NODE__* settings (they must not leak into the local cluster's nodes)
    /// and sets the cluster's secret and token.
    /// </summary>
    public static void PrepareEnvironment(IDictionary<string, string?> environment, string secret, string token)
    {
        foreach (string name in environment.Keys.Where(k => k.StartsWith(Setting.EnvironmentPrefix, StringComparison.OrdinalIgnoreCase)).ToList())
            environment.Remove(name);
        environment[SettingTable.ByKey(nameof(NodeOptions.Secret))!.Environment] = secret;
        environment[SettingTable.ByKey(nameof(NodeOptions.Token))!.Environment] = token;
    }

    private static NodePlan Node(LauncherOptions o, string dir, string seed, string name, string[] roles, int port, int threads)
    {
        var args = new List<string>
        {
            "node", "--host", LoopbackHost, "--port", port.ToString(), "--seeds", seed, "--roles", string.Join(",", roles),
            "--store", "sqlite:" + Path.Combine(dir, "cluster.db"), "--checkpoint-dir", Path.Combine(dir, "checkpoints"),
            "--http-port", "0", "--threads", threads.ToString(), "--device", o.Device, NodeCommandLineParser.ExitWithParentFlag,
        };
        if (o.DataDir is { } data) args.AddRange(["--data-dir", Path.GetFullPath(data)]);
        return new NodePlan(name, roles, args);
    }

    /// <summary>A TCP port on loopback that is free now (the OS picks it; the seed binds it moments later).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string RandomText() => Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
}
