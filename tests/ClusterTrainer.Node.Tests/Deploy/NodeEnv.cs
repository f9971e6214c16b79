using System.Reflection;
using System.Text.RegularExpressions;
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

    /// <summary>Devices the node accepts (NodeOptions.Device: auto | cpu | cuda).</summary>
    public static readonly IReadOnlySet<string> Devices = new HashSet<string> { "auto", "cpu", "cuda" };

    public static string Name(string property) => Prefix + property.ToUpperInvariant();

    /// <summary>Fails naming <paramref name="where"/> and the known names when a CLUSTERTRAINER_NODE__ name is not a NodeOptions property.</summary>
    public static void AssertAllKnown(IEnumerable<string> envNames, string where)
    {
        var unknown = envNames.Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && !Names.Contains(n)).ToList();
        Assert.True(unknown.Count == 0,
            $"{where} sets {string.Join(", ", unknown)}, which NodeOptions does not have; known: {string.Join(", ", Names.Order())}");
    }

    /// <summary>Checks what the node would refuse: unknown roles, bad ports, unknown devices.</summary>
    public static void AssertValuesValid(IReadOnlyDictionary<string, string> env, string where)
    {
        if (env.TryGetValue(Name(nameof(NodeOptions.Roles)), out string? roles))
            foreach (string role in SplitList(roles))
                Assert.True(NodeOptions.KnownRoles.Contains(role), $"{where}: role '{role}' is not one of {string.Join(", ", NodeOptions.KnownRoles)}");
        foreach (string port in new[] { nameof(NodeOptions.Port), nameof(NodeOptions.HttpPort) })
            if (env.TryGetValue(Name(port), out string? value))
                Assert.True(int.TryParse(value, out int p) && p is >= -1 and <= 65535, $"{where}: {Name(port)}='{value}' is not a port");
        if (env.TryGetValue(Name(nameof(NodeOptions.Device)), out string? device))
            Assert.True(Devices.Contains(device), $"{where}: device '{device}' is not one of {string.Join(", ", Devices)}");
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
