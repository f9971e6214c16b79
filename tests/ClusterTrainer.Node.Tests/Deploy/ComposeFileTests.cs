using System.Text.RegularExpressions;
using ClusterTrainer.Training.Control;
using YamlDotNet.RepresentationModel;
using Xunit;

namespace ClusterTrainer.Node.Tests.Deploy;

/// <summary>
/// docker-compose.yml as Docker Compose itself resolves it (<c>docker-compose config</c>): the services and
/// their roles, that every CLUSTERTRAINER_NODE__ variable is a NodeOptions property, seeds, healthchecks,
/// the checkpoint volume, published ports, start order, grace periods, and the secret checks.
/// </summary>
public sealed partial class ComposeFileTests
{
    private const string Tool = "docker-compose";
    private static readonly Dictionary<string, string> Secrets = new()
    {
        ["CT_SECRET"] = "test-cluster-secret-31f9",
        ["CT_TOKEN"] = "test-token-8c2e",
        ["CT_PG_PASSWORD"] = "test-pg-password-5d07",
    };

    /// <summary>One node service: its name, its resolved environment and its YAML.</summary>
    private sealed record NodeService(string Name, IReadOnlyDictionary<string, string> Env, YamlMappingNode Yaml)
    {
        public IReadOnlyList<string> Roles => NodeEnv.SplitList(Env[NodeEnv.Name(nameof(NodeOptions.Roles))]);
        public string EnvOf(string property) => Env.TryGetValue(NodeEnv.Name(property), out var v)
            ? v : throw new Xunit.Sdk.XunitException($"service {Name} does not set {NodeEnv.Name(property)}");
    }

    [RequiresToolFact(Tool)]
    public void Services_are_postgres_two_coordinators_two_parameter_servers_and_three_workers()
    {
        var (services, nodes) = Resolve("docker-compose.yml");

        Assert.Contains("postgres", services.Keys);
        Assert.Equal(2, nodes.Count(n => n.Roles.Contains("coordinator")));
        Assert.Equal(2, nodes.Count(n => n.Roles.Contains("ps")));
        Assert.Equal(3, nodes.Count(n => n.Roles.Contains("worker")));
        Assert.Equal(services.Count - 1, nodes.Count);
    }

    [RequiresToolFact(Tool)]
    public void Every_node_variable_is_a_NodeOptions_property_with_a_valid_value()
    {
        var (_, nodes) = Resolve("docker-compose.yml");
        foreach (var node in nodes)
        {
            NodeEnv.AssertAllKnown(node.Env.Keys, $"service {node.Name}");
            NodeEnv.AssertValid(node.Env, $"service {node.Name}");
            Assert.Equal(node.Name, node.EnvOf(nameof(NodeOptions.PublicHost)));
            Assert.Equal("0.0.0.0", node.EnvOf(nameof(NodeOptions.Host)));
        }
        foreach (var worker in nodes.Where(n => n.Roles.Contains("worker")))
            Assert.Equal("cpu", worker.EnvOf(nameof(NodeOptions.Device)));
    }

    [RequiresToolFact(Tool)]
    public void Secrets_from_the_env_file_reach_every_node_and_the_store_connection_string()
    {
        var (services, nodes) = Resolve("docker-compose.yml");
        foreach (var node in nodes)
        {
            Assert.Equal(Secrets["CT_SECRET"], node.EnvOf(nameof(NodeOptions.Secret)));
            Assert.Equal(Secrets["CT_TOKEN"], node.EnvOf(nameof(NodeOptions.Token)));
            var store = NodeEnv.ParsePostgresStore(node.EnvOf(nameof(NodeOptions.Store)));
            Assert.Equal(Secrets["CT_PG_PASSWORD"], store["Password"]);
            Assert.Contains(store["Host"], services.Keys);
        }
        var postgresEnv = EnvOf(services["postgres"]);
        Assert.Equal(Secrets["CT_PG_PASSWORD"], postgresEnv["POSTGRES_PASSWORD"]);
    }

    [RequiresToolFact(Tool)]
    public void Seeds_are_the_coordinator_services_on_their_remoting_port()
    {
        var (_, nodes) = Resolve("docker-compose.yml");
        var byName = nodes.ToDictionary(n => n.Name);
        foreach (var node in nodes)
        {
            var seeds = NodeEnv.ParseSeeds(node.EnvOf(nameof(NodeOptions.Seeds)));
            Assert.Equal(2, seeds.Count);
            foreach (var seed in seeds)
            {
                Assert.Equal(NodeOptions.SystemName, seed.System);
                Assert.True(byName.TryGetValue(seed.Host, out var target), $"{node.Name}: seed host {seed.Host} is not a service");
                Assert.Contains("coordinator", target!.Roles);
                Assert.Equal(target.EnvOf(nameof(NodeOptions.Port)), seed.Port.ToString());
            }
        }
    }

    [RequiresToolFact(Tool)]
    public void Every_service_has_a_healthcheck_and_nodes_probe_healthz_on_their_control_port()
    {
        var (services, nodes) = Resolve("docker-compose.yml");
        foreach (var (name, service) in services)
            Assert.True(service.MapOrNull("healthcheck") is not null, $"service {name} has no healthcheck");
        foreach (var node in nodes)
        {
            string test = string.Join(' ', node.Yaml.Map("healthcheck").Seq("test").Select(t => t.Scalar()));
            Assert.Contains($"127.0.0.1:{node.EnvOf(nameof(NodeOptions.HttpPort))}/healthz", test);
        }
    }

    [RequiresToolFact(Tool)]
    public void Every_node_mounts_the_shared_checkpoint_volume_at_the_same_CheckpointDir()
    {
        var (services, nodes) = Resolve("docker-compose.yml");
        // TrainingNode: every node of a cluster must use the same secret, store and checkpoint directory.
        foreach (string property in new[] { nameof(NodeOptions.CheckpointDir), nameof(NodeOptions.Store), nameof(NodeOptions.Secret) })
            Assert.Single(nodes.Select(n => n.EnvOf(property)).Distinct());
        Assert.Contains("checkpoints", Yaml.LoadAll(Resolved["docker-compose.yml|"].Value.Stdout)[0].Map("volumes").Entries().Select(e => e.Key));
        foreach (var node in nodes)
        {
            var mounts = Mounts(node.Yaml);
            Assert.True(mounts.TryGetValue(node.EnvOf(nameof(NodeOptions.CheckpointDir)), out string? source),
                $"service {node.Name} does not mount anything at its CheckpointDir; mounts: {string.Join(", ", mounts)}");
            Assert.Equal("checkpoints", source);
        }
        Assert.Contains("pgdata", Mounts(services["postgres"]).Values);
    }

    [RequiresToolFact(Tool)]
    public void Only_the_coordinators_publish_a_port_and_it_is_their_control_port()
    {
        var (services, nodes) = Resolve("docker-compose.yml");
        foreach (var (name, service) in services)
        {
            var ports = service.Seq("ports");
            var node = nodes.SingleOrDefault(n => n.Name == name);
            if (node is null || !node.Roles.Contains("coordinator"))
            {
                Assert.True(ports.Count == 0, $"service {name} publishes ports; only the coordinators' control API should be reachable");
                continue;
            }
            Assert.Single(ports);
            Assert.Equal(node.EnvOf(nameof(NodeOptions.HttpPort)), TargetPort(ports[0]));
        }
    }

    [RequiresToolFact(Tool)]
    public void Nodes_start_after_what_they_need_is_healthy_and_get_time_to_leave_gracefully()
    {
        var (services, nodes) = Resolve("docker-compose.yml");
        foreach (var node in nodes)
        {
            var dependsOn = node.Yaml.Map("depends_on");
            Assert.NotEmpty(dependsOn.Children);
            foreach (var (dependency, spec) in dependsOn.Entries())
            {
                Assert.Equal("service_healthy", spec.Str("condition"));
                Assert.True(services[dependency].MapOrNull("healthcheck") is not null, $"{node.Name} waits for {dependency}, which has no healthcheck");
            }
            Assert.Equal("SIGTERM", node.Yaml.Str("stop_signal"));
            var grace = Duration(node.Yaml.Str("stop_grace_period"));
            var minimum = node.Roles.Contains("worker") ? TimeSpan.FromSeconds(30) : TimeSpan.FromSeconds(60);
            Assert.True(grace >= minimum, $"{node.Name}: stop_grace_period {grace} < {minimum}, too short to hand over and leave");
        }
        var coordinators = nodes.Where(n => n.Roles.Contains("coordinator")).ToList();
        Assert.All(coordinators, c => Assert.Contains("postgres", c.Yaml.Map("depends_on").Entries().Select(e => e.Key)));
    }

    [RequiresToolFact(Tool)]
    public void Each_missing_secret_stops_compose_with_an_error_naming_it()
    {
        foreach (string missing in Secrets.Keys)
        {
            var env = Secrets.Where(kv => kv.Key != missing).ToDictionary();
            var result = Run("docker-compose.yml", environment: env);
            Assert.True(result.ExitCode != 0, $"config succeeded without {missing}:\n{result.Describe()}");
            Assert.Contains($"set {missing}", result.Stderr);
        }
    }

    [RequiresToolFact(Tool)]
    public void The_gpu_override_gives_each_worker_an_NVIDIA_GPU_device_cuda_and_the_cuda_image()
    {
        var (services, nodes) = Resolve("docker-compose.yml", "docker-compose.gpu.yml");
        foreach (var node in nodes)
        {
            var devices = node.Yaml.MapOrNull("deploy")?.MapOrNull("resources")?.MapOrNull("reservations")?.Seq("devices") ?? [];
            if (!node.Roles.Contains("worker"))
            {
                Assert.Empty(devices);
                continue;
            }
            var gpu = Assert.Single(devices);
            Assert.Equal("nvidia", gpu.Str("driver"));
            Assert.Contains("gpu", gpu.Seq("capabilities").Select(c => c.Scalar()));
            Assert.Equal("cuda", node.EnvOf(nameof(NodeOptions.Device)));
            Assert.Equal("deploy/Dockerfile.cuda", node.Yaml.Map("build").Str("dockerfile"));
        }
        Assert.All(services.Values, s => Assert.True(s.MapOrNull("build") is not { } b || File.Exists(Path.Combine(b.Str("context"), b.Str("dockerfile")))));
    }

    // ---- helpers -----------------------------------------------------------------------------------

    private static ToolResult Run(string file, string? overrideFile = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        using var dir = new Repo.TempDir();
        // An explicit, empty env file: a developer's own .env in the checkout must not feed the test.
        string envFile = Path.Combine(dir.Path, "empty.env");
        File.WriteAllText(envFile, "");
        var args = new List<string> { "--env-file", envFile, "-f", Repo.PathOf(file) };
        if (overrideFile is not null) args.AddRange(["-f", Repo.PathOf(overrideFile)]);
        args.Add("config");
        return ExternalTool.Run(Tool, args, Repo.Root, environment ?? Secrets, clearPrefixes: ["CT_", "COMPOSE_"]);
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<ToolResult>> Resolved = new();

    private static (IReadOnlyDictionary<string, YamlMappingNode> Services, IReadOnlyList<NodeService> Nodes) Resolve(string file, string? overrideFile = null)
    {
        // docker-compose config is deterministic for the same files and environment: run it once per pair.
        var result = Resolved.GetOrAdd($"{file}|{overrideFile}", _ => new Lazy<ToolResult>(() => Run(file, overrideFile))).Value;
        Assert.True(result.ExitCode == 0, $"docker-compose config failed:\n{result.Describe()}");
        var services = Yaml.LoadAll(result.Stdout)[0].Map("services").Entries()
            .ToDictionary(e => e.Key, e => (YamlMappingNode)e.Value);
        var nodes = services
            .Select(kv => new NodeService(kv.Key, EnvOf(kv.Value), kv.Value))
            .Where(n => n.Env.Keys.Any(k => k.StartsWith(NodeEnv.Prefix, StringComparison.Ordinal)))
            .ToList();
        return (services, nodes);
    }

    /// <summary>The environment of a service, whether compose printed it as a mapping or a list of KEY=VALUE.</summary>
    private static IReadOnlyDictionary<string, string> EnvOf(YamlMappingNode service) => service.Get("environment") switch
    {
        YamlMappingNode map => map.Entries().ToDictionary(e => e.Key, e => e.Value.Scalar()),
        YamlSequenceNode list => list.Children.Select(c => c.Scalar().Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : ""),
        _ => new Dictionary<string, string>(),
    };

    /// <summary>Container path -> volume name, from the short ("name:/path:rw") or the long syntax.</summary>
    private static Dictionary<string, string> Mounts(YamlMappingNode service) => service.Seq("volumes")
        .Select(v => v is YamlScalarNode s ? s.Scalar().Split(':') : [v.Str("source"), v.Str("target")])
        .ToDictionary(parts => parts[1], parts => parts[0]);

    /// <summary>The container port of "host_ip:published:target/proto" or of the long syntax.</summary>
    private static string TargetPort(YamlNode port) => port switch
    {
        YamlScalarNode s => s.Scalar().Split('/')[0].Split(':')[^1],
        _ => port.Str("target"),
    };

    /// <summary>Compose durations: "90s", "1m", "1m30s", "500ms".</summary>
    private static TimeSpan Duration(string text)
    {
        var parts = DurationPart().Matches(text);
        Assert.True(parts.Sum(m => m.Length) == text.Length && parts.Count > 0, $"'{text}' is not a duration");
        return parts.Aggregate(TimeSpan.Zero, (sum, m) => sum + (m.Groups[2].Value switch
        {
            "h" => TimeSpan.FromHours(int.Parse(m.Groups[1].Value)),
            "m" => TimeSpan.FromMinutes(int.Parse(m.Groups[1].Value)),
            "s" => TimeSpan.FromSeconds(int.Parse(m.Groups[1].Value)),
            _ => TimeSpan.FromMilliseconds(int.Parse(m.Groups[1].Value)),
        }));
    }

    [GeneratedRegex(@"(\d+)(ms|h|m|s)")]
    private static partial Regex DurationPart();
}
