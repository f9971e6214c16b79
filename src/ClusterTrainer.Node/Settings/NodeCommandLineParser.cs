using System.Text;

namespace ClusterTrainer.Node.Settings;

/// <summary>
/// The flags of the <c>node</c> command: one per row of the settings table (<c>--port 5</c> or <c>--port=5</c>),
/// plus <c>--config FILE</c>, <c>--exit-with-parent</c> and <c>--help</c>. Problems are collected, not thrown.
/// </summary>
public static class NodeCommandLineParser
{
    public const string ConfigFlag = "--config";
    public const string ExitWithParentFlag = "--exit-with-parent";

    public sealed record Parsed(Dictionary<string, string?> Values, string? ConfigFile, bool ExitWithParent, bool Help);

    private static IEnumerable<string> KnownFlags =>
        SettingTable.All.Select(s => s.Flag).Concat([ConfigFlag, ExitWithParentFlag, "--help"]);

    public static Parsed Parse(IReadOnlyList<string> args, List<SettingsProblem> problems)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        string? config = null;
        bool exitWithParent = false, help = false;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg is "--help" or "-h") { help = true; continue; }
            if (arg == ExitWithParentFlag) { exitWithParent = true; continue; }
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                problems.Add(new(arg, "command line", "unexpected argument; flags start with '--' and take a value, e.g. --port 4053"));
                continue;
            }
            int eq = arg.IndexOf('=');
            string flag = eq > 0 ? arg[..eq] : arg;
            var setting = SettingTable.ByFlag(flag);
            if (setting is null && flag != ConfigFlag)
            {
                problems.Add(new(flag, "command line", "unknown flag" + Suggest.DidYouMean(flag, KnownFlags) +
                                                       "; run with --help for the list"));
                if (eq < 0 && i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal)) i++;
                continue;
            }
            string? value = eq > 0 ? arg[(eq + 1)..] : i + 1 < args.Count ? args[++i] : null;
            if (value is null)
            {
                problems.Add(new(flag, "command line", $"needs a value: {setting?.Allowed ?? "the path of a JSON file"}"));
                continue;
            }
            if (setting is null) config = value;
            else values[$"{NodeSettings.Section}:{setting.Key}"] = value;
        }
        return new Parsed(values, config, exitWithParent, help);
    }

    /// <summary>The help text: every flag with its environment variable and what it allows.</summary>
    public static string Usage()
    {
        var text = new StringBuilder();
        text.AppendLine("usage: ClusterTrainer.Node node [flags]");
        text.AppendLine("Starts one node of the training cluster. Settings come from appsettings.json beside the executable,");
        text.AppendLine($"then {ConfigFlag} FILE (JSON, section \"{NodeSettings.Section}\"), then environment variables, then flags; later wins.");
        text.AppendLine("When ready it prints one line on stdout: ready address=<ct.tcp://...> http=<url or ->. Logs go to stderr.");
        text.AppendLine();
        foreach (var s in SettingTable.All)
            text.AppendLine($"  {s.Flag,-17} {s.Environment,-34} {s.Allowed}");
        text.AppendLine($"  {ConfigFlag,-17} {"",-34} a JSON file of settings (section \"{NodeSettings.Section}\")");
        text.AppendLine($"  {ExitWithParentFlag,-17} {"",-34} leave the cluster and exit when stdin reaches end of file");
        text.AppendLine("SIGTERM or SIGINT leaves the cluster gracefully and exits 0; a second signal exits at once.");
        return text.ToString();
    }
}
