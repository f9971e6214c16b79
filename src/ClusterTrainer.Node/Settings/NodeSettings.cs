using System.Collections;
using ClusterTrainer.Training.Control;
using Microsoft.Extensions.Configuration;

namespace ClusterTrainer.Node.Settings;

/// <summary>One thing wrong with the settings: which key, where its value came from, what is wrong and allowed.</summary>
public sealed record SettingsProblem(string Key, string Source, string Message)
{
    public override string ToString() => $"{Key} ({Source}): {Message}";
}

/// <summary>Every problem of the node settings at once; the node exits with code 2 after printing them.</summary>
public sealed class SettingsException(IReadOnlyList<SettingsProblem> problems)
    : Exception($"{problems.Count} problem(s) in the node settings:{System.Environment.NewLine}  " +
                string.Join(System.Environment.NewLine + "  ", problems))
{
    public IReadOnlyList<SettingsProblem> Problems { get; } = problems;
}

/// <summary>What the <c>node</c> command was asked to do.</summary>
public sealed record NodeCommandLine(NodeOptions Options, bool ExitWithParent, bool Help);

/// <summary>
/// Binds <see cref="NodeOptions"/> from, in order (later wins): appsettings.json beside the executable, the
/// <c>--config FILE</c> JSON file, environment variables <c>CLUSTERTRAINER_NODE__KEY</c>, and command-line flags.
/// Both JSON files keep the settings under the section "Node". Every problem is collected, then all are thrown
/// together in a <see cref="SettingsException"/>.
/// </summary>
public static class NodeSettings
{
    public const string Section = "Node";
    public const string FileName = "appsettings.json";

    /// <summary>One configuration source and how to name a key's origin in it.</summary>
    private sealed record Layer(IConfigurationProvider Provider, Func<Setting, string> Describe);

    public static NodeCommandLine Load(IReadOnlyList<string> args, IDictionary environment, string baseDirectory)
    {
        var problems = new List<SettingsProblem>();
        var cli = NodeCommandLineParser.Parse(args, problems);
        var layers = new List<Layer>();

        string baseFile = Path.Combine(baseDirectory, FileName);
        if (File.Exists(baseFile)) AddJson(layers, baseFile, problems);
        if (cli.ConfigFile is { } config)
            AddConfigFile(layers, config, problems);
        layers.Add(new(Memory(EnvironmentSettings(environment, problems)), s => $"environment {s.Environment}"));
        layers.Add(new(Memory(cli.Values), s => $"command line {s.Flag}"));

        var options = new NodeOptions();
        var sources = new Dictionary<string, string>();
        foreach (var setting in SettingTable.All)
        {
            var (raw, source) = Resolve(setting, layers, problems);
            sources[setting.Key] = source;
            if (raw is null) continue;
            try { options = setting.Apply(options, raw); }
            catch (SettingValueException e)
            {
                string value = setting.IsSecret ? "the value" : $"'{raw}'";
                problems.Add(new(setting.Key, source, $"{value} {e.Message}; allowed: {setting.Allowed}"));
            }
        }
        CheckRequired(options, sources, problems);
        if (problems.Count > 0 && !cli.Help) throw new SettingsException(problems);
        return new NodeCommandLine(options, cli.ExitWithParent, cli.Help);
    }

    /// <summary>The node settings of the process environment.</summary>
    public static NodeCommandLine Load(IReadOnlyList<string> args) =>
        Load(args, System.Environment.GetEnvironmentVariables(), AppContext.BaseDirectory);

    private static void CheckRequired(NodeOptions options, Dictionary<string, string> sources, List<SettingsProblem> problems)
    {
        string Where(string key) => $"set {SettingTable.ByKey(key)!.Flag}, {SettingTable.ByKey(key)!.Environment} or \"{Section}:{key}\" in {FileName}";
        if (options.Secret.Length == 0 && !problems.Any(p => p.Key == nameof(NodeOptions.Secret)))
            problems.Add(new(nameof(NodeOptions.Secret), sources[nameof(NodeOptions.Secret)],
                $"the cluster secret is missing; {Where(nameof(NodeOptions.Secret))} (the same on every node)"));
        if (options.HttpPort >= 0 && string.IsNullOrEmpty(options.Token) && !problems.Any(p => p.Key == nameof(NodeOptions.HttpPort)))
            problems.Add(new(nameof(NodeOptions.Token), sources[nameof(NodeOptions.Token)],
                $"the control API token is missing while HttpPort is {options.HttpPort} ({sources[nameof(NodeOptions.HttpPort)]}); " +
                $"{Where(nameof(NodeOptions.Token))}, or turn the control API off with --http-port -1"));
    }

    /// <summary>The raw value of <paramref name="setting"/> from the last layer that has it, and where it came from.</summary>
    private static (string? Raw, string Source) Resolve(Setting setting, List<Layer> layers, List<SettingsProblem> problems)
    {
        string key = $"{Section}:{setting.Key}";
        for (int i = layers.Count - 1; i >= 0; i--)
        {
            var p = layers[i].Provider;
            var children = p.GetChildKeys([], key).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            bool hasScalar = p.TryGet(key, out string? scalar);
            if (!hasScalar && children.Count == 0) continue;
            string source = layers[i].Describe(setting);
            if (hasScalar) return (scalar ?? "", source);
            if (!setting.IsList)
            {
                problems.Add(new(setting.Key, source, $"is a JSON object or array; give a single value: {setting.Allowed}"));
                return (null, source);
            }
            var items = children.Select(c => (Index: int.TryParse(c, out int n) ? n : int.MaxValue, Key: c))
                .OrderBy(c => c.Index)
                .Select(c => p.TryGet($"{key}:{c.Key}", out string? v) ? v ?? "" : "");
            return (string.Join(",", items), source);
        }
        return (null, "default");
    }

    private static void AddConfigFile(List<Layer> layers, string config, List<SettingsProblem> problems)
    {
        string flag = NodeCommandLineParser.ConfigFlag;
        if (config.Trim().Length == 0)
        {
            problems.Add(new(flag, "command line", "needs the path of a JSON file, not an empty value"));
            return;
        }
        string full = Path.GetFullPath(config);
        if (File.Exists(full)) AddJson(layers, full, problems);
        else problems.Add(new(flag, "command line", $"the file '{full}' does not exist; give the path of a JSON file with a \"{Section}\" section"));
    }

    private static void AddJson(List<Layer> layers, string path, List<SettingsProblem> problems)
    {
        IConfigurationProvider provider;
        try { provider = new ConfigurationBuilder().AddJsonFile(path, optional: false, reloadOnChange: false).Build().Providers.Single(); }
        catch (Exception e) when (e is FormatException or InvalidDataException or IOException or System.Text.Json.JsonException)
        {
            problems.Add(new(path, "JSON file", $"it cannot be read as JSON: {(e.InnerException ?? e).Message}"));
            return;
        }
        foreach (string child in provider.GetChildKeys([], Section).Distinct(StringComparer.OrdinalIgnoreCase))
            if (SettingTable.ByKey(child) is null)
                problems.Add(new($"{Section}:{child}", path, "unknown setting" +
                    Suggest.DidYouMean(child, SettingTable.All.Select(s => s.Key)) + $"; known: {string.Join(", ", SettingTable.All.Select(s => s.Key))}"));
        layers.Add(new(provider, s => $"{path} {Section}:{s.Key}"));
    }

    /// <summary>CLUSTERTRAINER_NODE__PORT=5 becomes Node:Port=5; an unknown CLUSTERTRAINER_NODE__ name is a problem.</summary>
    private static Dictionary<string, string?> EnvironmentSettings(IDictionary environment, List<SettingsProblem> problems)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry e in environment)
        {
            string name = (string)e.Key;
            if (!name.StartsWith(Setting.EnvironmentPrefix, StringComparison.OrdinalIgnoreCase)) continue;
            var setting = SettingTable.ByKey(name[Setting.EnvironmentPrefix.Length..]);
            if (setting is null)
            {
                problems.Add(new(name, "environment", "unknown setting" +
                    Suggest.DidYouMean(name, SettingTable.All.Select(s => s.Environment)) + "; unset it or use one of the names in the settings table."));
                continue;
            }
            values[$"{Section}:{setting.Key}"] = (string?)e.Value ?? "";
        }
        return values;
    }

    private static IConfigurationProvider Memory(IEnumerable<KeyValuePair<string, string?>> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build().Providers.Single();
}
