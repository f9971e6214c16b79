using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;
using Xunit;

namespace ClusterTrainer.Node.Tests.Deploy;

/// <summary>
/// One overlay of k8s/ rendered by <c>kubectl kustomize</c> from a copy of the folder with a test secrets.env,
/// and the pieces the tests look at: resources by kind and name, node containers with their effective env.
/// </summary>
internal sealed partial class Kustomization
{
    public const string Tool = "kubectl";
    public static readonly IReadOnlyDictionary<string, string> Secrets = new Dictionary<string, string>
    {
        ["CT_SECRET"] = "test-cluster-secret-31f9",
        ["CT_TOKEN"] = "test-token-8c2e",
        ["CT_PG_PASSWORD"] = "test-pg-password-5d07",
    };

    private static readonly ConcurrentDictionary<string, Lazy<Kustomization>> Rendered = new();

    public IReadOnlyList<YamlMappingNode> Resources { get; }

    private Kustomization(IReadOnlyList<YamlMappingNode> resources) => Resources = resources;

    /// <summary>The overlay k8s/overlays/<paramref name="overlay"/>, rendered once per test run.</summary>
    public static Kustomization Of(string overlay) =>
        Rendered.GetOrAdd(overlay, o => new Lazy<Kustomization>(() =>
        {
            var result = Render(o, withSecrets: true);
            Assert.True(result.ExitCode == 0, $"kubectl kustomize k8s/overlays/{o} failed:\n{result.Describe()}");
            return new Kustomization(Yaml.LoadAll(result.Stdout));
        })).Value;

    /// <summary>Renders a copy of k8s/ so that the checkout's own secrets.env neither helps nor hinders.</summary>
    public static ToolResult Render(string overlay, bool withSecrets)
    {
        using var dir = new Repo.TempDir();
        string k8s = Path.Combine(dir.Path, "k8s");
        Repo.CopyDirectory(Repo.PathOf("k8s"), k8s);
        string secrets = Path.Combine(k8s, "base", "secrets.env");
        File.Delete(secrets);
        if (withSecrets) File.WriteAllLines(secrets, Secrets.Select(kv => $"{kv.Key}={kv.Value}"));
        return ExternalTool.Run(Tool, ["kustomize", Path.Combine(k8s, "overlays", overlay)], dir.Path);
    }

    public IEnumerable<YamlMappingNode> OfKind(string kind) => Resources.Where(r => r.Str("kind") == kind);

    public YamlMappingNode Get(string kind, string name) =>
        OfKind(kind).SingleOrDefault(r => Name(r) == name)
        ?? throw new Xunit.Sdk.XunitException($"no {kind} named {name}; have: {string.Join(", ", Resources.Select(r => $"{r.Str("kind")}/{Name(r)}"))}");

    public static string Name(YamlNode resource) => resource.Map("metadata").Str("name");

    /// <summary>Deployments and StatefulSets.</summary>
    public IEnumerable<YamlMappingNode> Workloads => OfKind("StatefulSet").Concat(OfKind("Deployment"));

    /// <summary>A ClusterTrainer node container with its effective environment (see ToNode) and its raw env list.</summary>
    public sealed record NodeContainer(string Workload, YamlMappingNode Owner, YamlMappingNode PodSpec, YamlMappingNode Container,
        IReadOnlyDictionary<string, string> Env, IReadOnlyList<YamlNode> EnvList)
    {
        public string EnvOf(string property) => Env.TryGetValue(NodeEnv.Name(property), out var v)
            ? v : throw new Xunit.Sdk.XunitException($"{Workload} does not set {NodeEnv.Name(property)}");
        public IReadOnlyList<string> Roles => NodeEnv.SplitList(EnvOf("Roles"));
        public bool Has(string role) => Roles.Contains(role);
    }

    public IReadOnlyList<NodeContainer> Nodes => Workloads
        .SelectMany(w => PodSpec(w).Seq("containers").Cast<YamlMappingNode>().Select(c => (Workload: w, Container: c)))
        .Select(x => ToNode(x.Workload, x.Container))
        .Where(n => n.Env.Keys.Any(k => k.StartsWith(NodeEnv.Prefix, StringComparison.Ordinal)))
        .ToList();

    public static YamlMappingNode PodSpec(YamlNode workload) => workload.Map("spec").Map("template").Map("spec");

    /// <summary>The pod IP the tests pretend a pod got.</summary>
    public const string PodIp = "10.0.0.17";

    /// <summary>
    /// The environment the kubelet gives the first pod of <paramref name="workload"/>: envFrom ConfigMaps, then env
    /// in order, valueFrom resolved from the rendered Secret/ConfigMap or the pod's fields, $(NAME) expanded
    /// from what is defined before it (an undefined one stays literal, as Kubernetes leaves it).
    /// </summary>
    private NodeContainer ToNode(YamlMappingNode workload, YamlMappingNode container)
    {
        var env = new Dictionary<string, string>();
        foreach (var source in container.Seq("envFrom"))
        {
            string name = source.Map("configMapRef").Str("name");
            foreach (var (key, value) in Get("ConfigMap", name).Map("data").Entries()) env[key] = value.Scalar();
        }
        var list = container.Seq("env");
        foreach (var item in list)
            env[item.Str("name")] = item.StrOrNull("value") is { } value
                ? Reference().Replace(value, m => env.TryGetValue(m.Groups[1].Value, out var v) ? v : m.Value)
                : ValueFrom(workload, item.Map("valueFrom"));
        return new NodeContainer($"{workload.Str("kind")}/{Name(workload)}", workload, PodSpec(workload), container, env, list);
    }

    private string ValueFrom(YamlMappingNode workload, YamlMappingNode from)
    {
        if (from.MapOrNull("secretKeyRef") is { } secret)
            return Encoding.UTF8.GetString(Convert.FromBase64String(Get("Secret", secret.Str("name")).Map("data").Str(secret.Str("key"))));
        if (from.MapOrNull("configMapKeyRef") is { } config)
            return Get("ConfigMap", config.Str("name")).Map("data").Str(config.Str("key"));
        return from.Map("fieldRef").Str("fieldPath") switch
        {
            // StatefulSet pods are NAME-0, NAME-1...; Deployment pods NAME-<hash>-<suffix>.
            "metadata.name" => workload.Str("kind") == "StatefulSet" ? $"{Name(workload)}-0" : $"{Name(workload)}-6b7c9d5f4-x2x7q",
            "metadata.namespace" => workload.Map("metadata").Str("namespace"),
            "status.podIP" => PodIp,
            var other => throw new Xunit.Sdk.XunitException($"{Name(workload)}: the tests do not know field {other}"),
        };
    }

    /// <summary>Whether every label of <paramref name="selector"/> is on the pod template of <paramref name="workload"/>.</summary>
    public static bool Selects(YamlMappingNode selector, YamlNode workload)
    {
        var labels = workload.Map("spec").Map("template").Map("metadata").Map("labels");
        return selector.Children.Count > 0 && selector.Entries().All(e => labels.StrOrNull(e.Key) == e.Value.Scalar());
    }

    /// <summary>The names referenced as $(NAME) in an env value.</summary>
    public static IEnumerable<string> References(string value) => Reference().Matches(value).Select(m => m.Groups[1].Value);

    [GeneratedRegex(@"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")]
    private static partial Regex Reference();
}
