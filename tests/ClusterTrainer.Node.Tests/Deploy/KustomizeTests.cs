using System.Text;
using ClusterTrainer.Training.Control;
using YamlDotNet.RepresentationModel;
using Xunit;

namespace ClusterTrainer.Node.Tests.Deploy;

/// <summary>
/// k8s/overlays/cpu and k8s/overlays/gpu as <c>kubectl kustomize</c> renders them: the resources, that every
/// CLUSTERTRAINER_NODE__ variable is a NodeOptions property, secrets, seeds on stable DNS names, probes,
/// graceful leave, the shared checkpoint volume, and what the gpu overlay adds.
/// </summary>
public sealed class KustomizeTests
{
    private const string Tool = Kustomization.Tool;

    [RequiresToolTheory(Tool)]
    [InlineData("cpu")]
    [InlineData("gpu")]
    public void Overlay_renders_the_whole_cluster_in_one_namespace(string overlay)
    {
        var k = Kustomization.Of(overlay);
        string ns = Kustomization.Name(Assert.Single(k.OfKind("Namespace")));
        Assert.All(k.Resources.Where(r => r.Str("kind") != "Namespace"), r => Assert.Equal(ns, r.Map("metadata").Str("namespace")));

        var coordinator = k.Get("StatefulSet", "coordinator");
        Assert.Equal("2", coordinator.Map("spec").Str("replicas"));
        Assert.Equal("2", k.Get("StatefulSet", "ps").Map("spec").Str("replicas"));
        Assert.Equal("3", k.Get("Deployment", "worker").Map("spec").Str("replicas"));
        Assert.Single(k.OfKind("ConfigMap"));
        Assert.Single(k.OfKind("Secret"));
        Assert.Empty(k.OfKind("HorizontalPodAutoscaler"));

        var nodes = k.Nodes;
        Assert.Contains(nodes, n => n.Has("coordinator") && n.Owner.Str("kind") == "StatefulSet");
        Assert.Contains(nodes, n => n.Has("ps") && n.Owner.Str("kind") == "StatefulSet");
        Assert.Contains(nodes, n => n.Has("worker") && n.Owner.Str("kind") == "Deployment");

        // Every StatefulSet is governed by a headless Service that exists.
        foreach (var set in k.OfKind("StatefulSet"))
            Assert.Equal("None", k.Get("Service", set.Map("spec").Str("serviceName")).Map("spec").Str("clusterIP"));
    }

    [RequiresToolTheory(Tool)]
    [InlineData("cpu")]
    [InlineData("gpu")]
    public void Every_node_variable_is_a_NodeOptions_property_and_references_resolve(string overlay)
    {
        var k = Kustomization.Of(overlay);
        foreach (var node in k.Nodes)
        {
            NodeEnv.AssertAllKnown(node.Env.Keys, node.Workload);
            NodeEnv.AssertValid(node.Env, node.Workload);
            // Kubernetes expands $(NAME) only for names defined before it (envFrom, or earlier in env).
            var defined = new HashSet<string>(node.Env.Keys.Except(node.EnvList.Select(e => e.Str("name"))));
            foreach (var item in node.EnvList)
            {
                foreach (string reference in Kustomization.References(item.StrOrNull("value") ?? ""))
                    Assert.True(defined.Contains(reference), $"{node.Workload}: {item.Str("name")} uses $({reference}) before it is defined");
                defined.Add(item.Str("name"));
            }
        }
    }

    [RequiresToolFact(Tool)]
    public void Secret_and_token_come_from_the_generated_secret_and_the_store_reaches_postgres()
    {
        var k = Kustomization.Of("cpu");
        var secret = Assert.Single(k.OfKind("Secret"));
        var data = secret.Map("data").Entries().ToDictionary(e => e.Key, e => Encoding.UTF8.GetString(Convert.FromBase64String(e.Value.Scalar())));
        Assert.Equal(Kustomization.Secrets, data);

        foreach (var node in k.Nodes)
        {
            foreach (var (property, key) in new[] { ("Secret", "CT_SECRET"), ("Token", "CT_TOKEN") })
            {
                var item = node.EnvList.Single(e => e.Str("name") == NodeEnv.Name(property));
                var reference = item.Map("valueFrom").Map("secretKeyRef");
                Assert.Equal(Kustomization.Name(secret), reference.Str("name"));
                Assert.Equal(key, reference.Str("key"));
            }
            var store = NodeEnv.ParsePostgresStore(node.EnvOf(nameof(NodeOptions.Store)));
            Assert.Equal(Kustomization.Secrets["CT_PG_PASSWORD"], store["Password"]);
            Assert.Equal(Kustomization.Secrets["CT_SECRET"], node.EnvOf(nameof(NodeOptions.Secret)));
            var storeService = k.Get("Service", store["Host"]).Map("spec");
            Assert.True(Kustomization.Selects(storeService.Map("selector"), k.Get("StatefulSet", "postgres")),
                $"Service {store["Host"]} in the store string does not select the postgres pods");
            Assert.Equal(store["Port"], storeService.Seq("ports").Single().Str("port"));
        }
    }

    [RequiresToolFact(Tool)]
    public void Seeds_are_the_coordinator_pods_stable_DNS_names_on_the_remoting_port()
    {
        var k = Kustomization.Of("cpu");
        var coordinators = k.Nodes.Where(n => n.Has("coordinator")).ToList();
        var set = Assert.Single(coordinators).Owner;
        Assert.Equal("StatefulSet", set.Str("kind"));
        string serviceName = set.Map("spec").Str("serviceName");
        int replicas = int.Parse(set.Map("spec").Str("replicas"));
        var service = k.Get("Service", serviceName);
        Assert.Equal("true", service.Map("spec").Str("publishNotReadyAddresses"));

        foreach (var node in k.Nodes)
        {
            var seeds = NodeEnv.ParseSeeds(node.EnvOf(nameof(NodeOptions.Seeds)));
            Assert.Equal(Enumerable.Range(0, replicas).Select(i => $"{Kustomization.Name(set)}-{i}.{serviceName}"), seeds.Select(s => s.Host));
            Assert.All(seeds, s => Assert.Equal(NodeOptions.SystemName, s.System));
            Assert.All(seeds, s => Assert.Equal(coordinators[0].EnvOf(nameof(NodeOptions.Port)), s.Port.ToString()));
            Assert.Contains(service.Map("spec").Seq("ports"), p => p.Str("port") == seeds[0].Port.ToString());
        }
        // StatefulSet pods advertise their own stable name (pod 0 of the coordinators is the first seed); workers their pod IP.
        foreach (var node in k.Nodes.Where(n => n.Owner.Str("kind") == "StatefulSet"))
            Assert.Equal($"{Kustomization.Name(node.Owner)}-0.{node.Owner.Map("spec").Str("serviceName")}", node.EnvOf(nameof(NodeOptions.PublicHost)));
        Assert.Equal(coordinators[0].EnvOf(nameof(NodeOptions.PublicHost)), NodeEnv.ParseSeeds(coordinators[0].EnvOf(nameof(NodeOptions.Seeds)))[0].Host);
        Assert.Equal(Kustomization.PodIp, Assert.Single(k.Nodes, n => n.Has("worker")).EnvOf(nameof(NodeOptions.PublicHost)));
    }

    [RequiresToolTheory(Tool)]
    [InlineData("cpu")]
    [InlineData("gpu")]
    public void Nodes_probe_healthz_on_the_control_port_and_leave_gracefully_with_bounded_resources(string overlay)
    {
        foreach (var node in Kustomization.Of(overlay).Nodes)
        {
            var ports = node.Container.Seq("ports").ToDictionary(p => p.Str("name"), p => p.Str("containerPort"));
            foreach (string probe in new[] { "startupProbe", "readinessProbe", "livenessProbe" })
            {
                var get = node.Container.Map(probe).Map("httpGet");
                Assert.Equal("/healthz", get.Str("path"));
                string port = get.Str("port");
                Assert.Equal(node.EnvOf(nameof(NodeOptions.HttpPort)), ports.GetValueOrDefault(port, port));
            }
            Assert.Equal(node.EnvOf(nameof(NodeOptions.Port)), ports["remoting"]);

            Assert.NotNull(node.Container.Map("lifecycle").Map("preStop").MapOrNull("exec"));
            int grace = int.Parse(node.PodSpec.Str("terminationGracePeriodSeconds"));
            int minimum = node.Has("worker") ? 30 : 60;
            Assert.True(grace >= minimum, $"{node.Workload}: terminationGracePeriodSeconds {grace} < {minimum}, too short to hand over and leave");

            var resources = node.Container.Map("resources");
            Assert.NotNull(resources.Map("requests").StrOrNull("cpu"));
            Assert.NotNull(resources.Map("requests").StrOrNull("memory"));
            Assert.NotNull(resources.Map("limits").StrOrNull("memory"));
            Assert.Equal("true", node.PodSpec.Map("securityContext").Str("runAsNonRoot"));
        }
    }

    [RequiresToolFact(Tool)]
    public void Every_node_mounts_one_ReadWriteMany_claim_at_the_same_CheckpointDir()
    {
        var k = Kustomization.Of("cpu");
        // TrainingNode: every node of a cluster must use the same secret, store and checkpoint directory.
        foreach (string property in new[] { nameof(NodeOptions.CheckpointDir), nameof(NodeOptions.Store), nameof(NodeOptions.Secret) })
            Assert.Single(k.Nodes.Select(n => n.EnvOf(property)).Distinct());
        var claims = new HashSet<string>();
        foreach (var node in k.Nodes)
        {
            string dir = node.EnvOf(nameof(NodeOptions.CheckpointDir));
            var mount = node.Container.Seq("volumeMounts").SingleOrDefault(m => m.Str("mountPath") == dir)
                ?? throw new Xunit.Sdk.XunitException($"{node.Workload} mounts nothing at {dir}");
            var volume = node.PodSpec.Seq("volumes").Single(v => v.Str("name") == mount.Str("name"));
            string claim = volume.Map("persistentVolumeClaim").Str("claimName");
            claims.Add(claim);
            Assert.Contains("ReadWriteMany", k.Get("PersistentVolumeClaim", claim).Map("spec").Seq("accessModes").Select(m => m.Scalar()));
        }
        Assert.Single(claims);
    }

    [RequiresToolFact(Tool)]
    public void Disruption_budgets_cover_coordinators_and_parameter_servers()
    {
        var k = Kustomization.Of("cpu");
        var budgets = k.OfKind("PodDisruptionBudget").ToList();
        foreach (string role in new[] { "coordinator", "ps" })
        {
            var workload = k.Nodes.Single(n => n.Has(role)).Owner;
            Assert.Contains(budgets, b => Kustomization.Selects(b.Map("spec").Map("selector").Map("matchLabels"), workload));
        }
    }

    [RequiresToolFact(Tool)]
    public void The_gpu_overlay_puts_workers_on_one_NVIDIA_GPU_each_with_device_cuda()
    {
        var k = Kustomization.Of("gpu");
        foreach (var node in k.Nodes)
        {
            var limits = node.Container.Map("resources").Map("limits");
            if (!node.Has("worker"))
            {
                Assert.Null(limits.StrOrNull("nvidia.com/gpu"));
                Assert.EndsWith(":cpu", node.Container.Str("image"));
                continue;
            }
            Assert.Equal("1", limits.Str("nvidia.com/gpu"));
            Assert.Equal("cuda", node.EnvOf(nameof(NodeOptions.Device)));
            Assert.EndsWith(":cuda", node.Container.Str("image"));
            Assert.Contains(node.PodSpec.Seq("tolerations"), t => t.Str("key") == "nvidia.com/gpu");
            Assert.NotEmpty(node.PodSpec.Map("nodeSelector").Children);
        }
    }

    [RequiresToolFact(Tool)]
    public void The_cpu_overlay_asks_for_no_GPU_and_runs_workers_on_cpu()
    {
        var k = Kustomization.Of("cpu");
        foreach (var node in k.Nodes)
        {
            Assert.Null(node.Container.Map("resources").MapOrNull("limits")?.StrOrNull("nvidia.com/gpu"));
            Assert.EndsWith(":cpu", node.Container.Str("image"));
            Assert.Null(node.PodSpec.MapOrNull("nodeSelector"));
        }
        Assert.Equal("cpu", k.Nodes.Single(n => n.Has("worker")).EnvOf(nameof(NodeOptions.Device)));
    }

    [RequiresToolFact(Tool)]
    public void Without_secrets_env_kustomize_stops_and_names_the_file()
    {
        var result = Kustomization.Render("cpu", withSecrets: false);
        Assert.True(result.ExitCode != 0, $"rendered without secrets.env:\n{result.Describe()}");
        Assert.Contains("secrets.env", result.Stderr);
    }
}
