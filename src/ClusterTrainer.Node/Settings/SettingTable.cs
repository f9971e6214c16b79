using System.Data.Common;
using System.Globalization;
using ClusterTrainer.Actors.Remote;
using ClusterTrainer.Training.Control;

namespace ClusterTrainer.Node.Settings;

/// <summary>A value a setting refuses; the message is a predicate about the value ("is out of range"), the caller adds the value and what is allowed.</summary>
public sealed class SettingValueException(string message) : Exception(message);

/// <summary>
/// One row of the <see cref="NodeOptions"/> table: its key (appsettings.json "Node:Key"), environment variable,
/// command-line flag, what it allows, and how a raw text value is checked and applied.
/// </summary>
public sealed record Setting(string Key, string Flag, string Allowed, Func<NodeOptions, string, NodeOptions> Apply)
{
    public const string EnvironmentPrefix = "CLUSTERTRAINER_NODE__";

    public string Environment => EnvironmentPrefix + Key.ToUpperInvariant();

    /// <summary>Seeds and Roles: a JSON array in appsettings.json, comma-separated text elsewhere.</summary>
    public bool IsList => Key is nameof(NodeOptions.Seeds) or nameof(NodeOptions.Roles);

    /// <summary>Secret and Token: their values never appear in messages.</summary>
    public bool IsSecret => Key is nameof(NodeOptions.Secret) or nameof(NodeOptions.Token);
}

/// <summary>The settings of a node, exactly the table in <see cref="NodeOptions"/>.</summary>
public static class SettingTable
{
    public static readonly IReadOnlyList<Setting> All =
    [
        new(nameof(NodeOptions.Host), "--host", "an IP address or host name to bind, e.g. 127.0.0.1 or 0.0.0.0",
            (o, v) => o with { Host = HostName(v) }),
        new(nameof(NodeOptions.PublicHost), "--public-host", "the IP address or host name other nodes dial (empty: same as Host)",
            (o, v) => o with { PublicHost = v.Trim().Length == 0 ? null : HostName(v) }),
        new(nameof(NodeOptions.Port), "--port", "a TCP port 0-65535 (0 = any free port)",
            (o, v) => o with { Port = Int(v, 0, 65535) }),
        new(nameof(NodeOptions.Seeds), "--seeds", $"comma-separated addresses ct.tcp://{NodeOptions.SystemName}@host:port (port 1-65535)",
            (o, v) => o with { Seeds = Seeds(v) }),
        new(nameof(NodeOptions.Roles), "--roles", $"a comma-separated, non-empty subset of {string.Join(",", NodeOptions.KnownRoles)}",
            (o, v) => o with { Roles = Roles(v) }),
        new(nameof(NodeOptions.Secret), "--secret", "the cluster secret, the same non-empty text on every node",
            (o, v) => o with { Secret = v }),
        new(nameof(NodeOptions.Store), "--store", "sqlite:<file> or postgres:<connection string>, e.g. postgres:Host=db;Username=ct;Password=...",
            (o, v) => o with { Store = Store(v) }),
        new(nameof(NodeOptions.CheckpointDir), "--checkpoint-dir", "a folder path, shared by the ps nodes and the coordinator",
            (o, v) => o with { CheckpointDir = NonEmpty(v) }),
        new(nameof(NodeOptions.DataDir), "--data-dir", "the folder holding the dataset files",
            (o, v) => o with { DataDir = NonEmpty(v) }),
        new(nameof(NodeOptions.Device), "--device", "auto, cpu or cuda",
            (o, v) => o with { Device = Device(v) }),
        new(nameof(NodeOptions.Threads), "--threads", "torch intra-op threads 0-1024 (0 = one per core)",
            (o, v) => o with { Threads = Int(v, 0, 1024) }),
        new(nameof(NodeOptions.HttpPort), "--http-port", "a TCP port 0-65535 for the control API (0 = any free port), or -1 to turn it off",
            (o, v) => o with { HttpPort = Int(v, -1, 65535) }),
        new(nameof(NodeOptions.Token), "--token", "the bearer token clients send to the control API (required when HttpPort >= 0)",
            (o, v) => o with { Token = v.Length == 0 ? null : v }),
    ];

    public static Setting? ByKey(string key) => All.FirstOrDefault(s => string.Equals(s.Key, key, StringComparison.OrdinalIgnoreCase));

    public static Setting? ByFlag(string flag) => All.FirstOrDefault(s => s.Flag == flag);

    private static string NonEmpty(string v) =>
        v.Trim().Length > 0 ? v.Trim() : throw new SettingValueException("is empty");

    private static int Int(string v, int min, int max)
    {
        if (!int.TryParse(v.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n))
            throw new SettingValueException("is not a whole number");
        return n >= min && n <= max ? n : throw new SettingValueException("is out of range");
    }

    private static string HostName(string v)
    {
        string h = v.Trim();
        if (h.Length == 0) throw new SettingValueException("is empty");
        return Uri.CheckHostName(h.Trim('[', ']')) != UriHostNameType.Unknown ? h : throw new SettingValueException("is not an IP address or host name");
    }

    private static IEnumerable<string> Items(string v) =>
        v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private static IReadOnlyList<string> Seeds(string v)
    {
        var seeds = new List<string>();
        foreach (string s in Items(v))
        {
            if (!NodeAddress.TryParse(s, out var a) || a!.System != NodeOptions.SystemName || a.Port == 0)
                throw new SettingValueException($"has '{s}', which is not a seed address");
            seeds.Add(a.ToString());
        }
        return seeds;
    }

    private static IReadOnlyList<string> Roles(string v)
    {
        var roles = new List<string>();
        foreach (string r in Items(v).Select(r => r.ToLowerInvariant()))
        {
            if (!NodeOptions.KnownRoles.Contains(r))
                throw new SettingValueException($"has '{r}', which is not a role{Suggest.DidYouMean(r, NodeOptions.KnownRoles)}");
            if (!roles.Contains(r)) roles.Add(r);
        }
        return roles.Count > 0 ? roles : throw new SettingValueException("names no role");
    }

    private static string Store(string v)
    {
        string s = v.Trim();
        if (s.StartsWith("sqlite:", StringComparison.Ordinal))
            return s.Length > "sqlite:".Length ? s : throw new SettingValueException("names no database file after sqlite:");
        if (s.StartsWith("postgres:", StringComparison.Ordinal))
        {
            string conn = s["postgres:".Length..];
            if (conn.Trim().Length == 0) throw new SettingValueException("has no connection string after postgres:");
            try { _ = new DbConnectionStringBuilder { ConnectionString = conn }; }
            catch (ArgumentException e) { throw new SettingValueException($"has a malformed PostgreSQL connection string ({e.Message})"); }
            return s;
        }
        throw new SettingValueException("starts with neither sqlite: nor postgres:");
    }

    private static string Device(string v)
    {
        string d = v.Trim().ToLowerInvariant();
        return d is "auto" or "cpu" or "cuda" ? d : throw new SettingValueException($"is not a device{Suggest.DidYouMean(d, ["auto", "cpu", "cuda"])}");
    }
}
