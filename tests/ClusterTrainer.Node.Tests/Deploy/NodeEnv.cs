using System.Reflection;
using System.Text.RegularExpressions;
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
    /// The NodeOptions a node would get from <paramref name="env"/> (lists comma-separated, as the node host reads
    /// them), checked by the node's own <see cref="TrainingNode.Validate"/>: unknown roles, bad seeds, stores,
    /// devices or ports fail here as they would at start-up. <paramref name="secretFromDeployer"/>: the file leaves
    /// the secret to whoever runs it (an image), so a placeholder stands in for it.
    /// </summary>
    public static NodeOptions AssertValid(IReadOnlyDictionary<string, string> env, string where, bool secretFromDeployer = false)
    {
        object options = secretFromDeployer ? new NodeOptions { Secret = "set-by-the-deployer" } : new NodeOptions();
        foreach (var property in typeof(NodeOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (!env.TryGetValue(Name(property.Name), out string? value)) continue;
            object? converted = property.PropertyType == typeof(int)
                ? int.TryParse(value, out int n) ? n : throw new Xunit.Sdk.XunitException($"{where}: {Name(property.Name)}='{value}' is not an integer")
                : property.PropertyType == typeof(IReadOnlyList<string>) ? SplitList(value) : value;
            property.SetValue(options, converted);
        }
        var result = (NodeOptions)options;
        try { TrainingNode.Validate(result); }
        catch (ArgumentException e) { throw new Xunit.Sdk.XunitException($"{where}: the node would refuse these settings: {e.Message}"); }
        Assert.True(result.HttpPort is >= -1 and <= 65535, $"{where}: HttpPort {result.HttpPort} is not a port");
        if (result.HttpPort >= 0 && !secretFromDeployer)
            Assert.False(string.IsNullOrEmpty(result.Token), $"{where}: the control API is on (HttpPort {result.HttpPort}) but no Token is set");
        return result;
    }

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
