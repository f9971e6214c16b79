using System.Collections;
using System.Reflection;
using System.Text.RegularExpressions;
using ClusterTrainer.Node.Settings;
using ClusterTrainer.Training.Cluster;
using ClusterTrainer.Training.Control;
using Xunit;

namespace ClusterTrainer.Node.Tests.Deploy;

/// <summary>
/// The node's environment contract, read from <see cref="NodeOptions"/> itself: CLUSTERTRAINER_NODE__ followed by
/// a property name in upper case. A deploy file that sets any other CLUSTERTRAINER_NODE__ name configures nothing.
/// </summary>
internal static partial class NodeEnv
{
    public const string Prefix = "CLUSTERTRAINER_NODE__";

    /// <summary>Every name the node reads, e.g. CLUSTERTRAINER_NODE__PUBLICHOST.</summary>
    public static IReadOnlySet<string> Names { get; } = typeof(NodeOptions)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanRead)
        .Select(p => Prefix + p.Name.ToUpperInvariant())
        .ToHashSet(StringComparer.Ordinal);

    public static string Name(string property) => Prefix + property.ToUpperInvariant();

    /// <summary>Fails naming <paramref name="where"/> and the known names when a CLUSTERTRAINER_NODE__ name is not a NodeOptions property.</summary>
    public static void AssertAllKnown(IEnumerable<string> envNames, string where)
    {
        var unknown = envNames.Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && !Names.Contains(n)).ToList();
        Assert.True(unknown.Count == 0,
            $"{where} sets {string.Join(", ", unknown)}, which NodeOptions does not have; known: {string.Join(", ", Names.Order())}");
    }

    /// <summary>
    /// The NodeOptions a node would get from <paramref name="env"/>, read by the node's own settings loader
    /// (<see cref="NodeSettings.Load(IReadOnlyList{string}, System.Collections.IDictionary, string)"/>: unknown names,
    /// bad values, a missing secret or token) and then checked by the runtime's <see cref="TrainingNode.Validate"/>
    /// (seeds, store, roles), so a deploy file fails here exactly as the node would refuse it at start-up.
    /// <paramref name="fromDeployer"/>: the file leaves secret and token to whoever runs it (an image), so
    /// placeholders stand in for them.
    /// </summary>
    public static NodeOptions AssertValid(IReadOnlyDictionary<string, string> env, string where, bool fromDeployer = false)
    {
        var environment = new Hashtable();
        foreach (var (name, value) in env.Where(kv => kv.Key.StartsWith(Prefix, StringComparison.Ordinal))) environment[name] = value;
        if (fromDeployer)
            foreach (string name in new[] { Name(nameof(NodeOptions.Secret)), Name(nameof(NodeOptions.Token)) })
                environment[name] ??= "set-by-the-deployer";

        NodeOptions options;
        // No appsettings.json there: only the environment counts.
        try { options = NodeSettings.Load([], environment, NoSettingsFileDirectory).Options; }
        catch (SettingsException e) { throw new Xunit.Sdk.XunitException($"{where}: the node would refuse these settings: {e.Message}"); }
        try { TrainingNode.Validate(options); }
        catch (ArgumentException e) { throw new Xunit.Sdk.XunitException($"{where}: the node would refuse these settings: {e.Message}"); }
        return options;
    }

    private static readonly string NoSettingsFileDirectory = Path.Combine(Path.GetTempPath(), "ct-deploy-tests-no-appsettings");

    public static IReadOnlyList<string> SplitList(string value) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>A seed address: ct.tcp://clustertrainer@host:port.</summary>
    public sealed record Seed(string System, string Host, int Port);

    public static IReadOnlyList<Seed> ParseSeeds(string value) => SplitList(value).Select(s =>
    {
        var m = SeedPattern().Match(s);
        Assert.True(m.Success, $"seed '{s}' is not ct.tcp://system@host:port");
        return new Seed(m.Groups[1].Value, m.Groups[2].Value, int.Parse(m.Groups[3].Value));
    }).ToList();

    /// <summary>The pieces of a postgres:Key=Value;... store string, keys case-insensitive.</summary>
    public static IReadOnlyDictionary<string, string> ParsePostgresStore(string store)
    {
        Assert.StartsWith("postgres:", store);
        return store["postgres:".Length..].Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(kv => kv.Split('=', 2))
            .ToDictionary(kv => kv[0].Trim(), kv => kv.Length > 1 ? kv[1] : "", StringComparer.OrdinalIgnoreCase);
    }

    [GeneratedRegex(@"^ct\.tcp://([^@]+)@([^:]+):(\d+)$")]
    private static partial Regex SeedPattern();
}
