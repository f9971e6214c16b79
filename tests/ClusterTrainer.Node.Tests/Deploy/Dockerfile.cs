using System.Text.RegularExpressions;

namespace ClusterTrainer.Node.Tests.Deploy;

/// <summary>One instruction of a Dockerfile, continuation lines joined: <c>RUN</c>, <c>a &amp;&amp; b</c>.</summary>
internal sealed record Instruction(string Keyword, string Arguments, int Line);

/// <summary>One build stage: <c>FROM image AS name</c> and what follows it.</summary>
internal sealed record Stage(string Name, string From, IReadOnlyList<Instruction> Instructions)
{
    public IEnumerable<Instruction> All(string keyword) => Instructions.Where(i => i.Keyword == keyword);

    public string Run => string.Join("\n", All("RUN").Select(i => i.Arguments));

    /// <summary>ENV KEY=VALUE pairs of this stage (values without spaces, as ours are).</summary>
    public IReadOnlyDictionary<string, string> Env => All("ENV")
        .SelectMany(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        .Select(pair => pair.Split('=', 2))
        .ToDictionary(p => p[0], p => p.Length > 1 ? p[1].Trim('"') : "");

    /// <summary>Packages named by <c>apt-get install</c> in this stage.</summary>
    public ISet<string> AptPackages => Dockerfile.AptInstall().Matches(Run)
        .SelectMany(m => m.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        .Where(t => !t.StartsWith('-'))
        .ToHashSet();
}

/// <summary>
/// A small Dockerfile reader, enough to check that the build steps point at what the repository has.
/// Comments and blank lines are dropped; a trailing backslash continues the instruction.
/// </summary>
internal static partial class Dockerfile
{
    public static IReadOnlyList<Stage> Parse(string path)
    {
        var instructions = new List<Instruction>();
        string? pending = null;
        int start = 0, number = 0;
        foreach (string raw in File.ReadAllLines(path))
        {
            number++;
            string line = raw.Trim();
            if (line.StartsWith('#') || line.Length == 0) continue;
            if (pending is null) start = number;
            bool continues = line.EndsWith('\\');
            pending = (pending is null ? "" : pending + " ") + (continues ? line[..^1].TrimEnd() : line);
            if (continues) continue;
            int space = pending.IndexOf(' ');
            instructions.Add(new Instruction(pending[..space].ToUpperInvariant(), pending[(space + 1)..].Trim(), start));
            pending = null;
        }

        var stages = new List<Stage>();
        for (int i = 0; i < instructions.Count; i++)
        {
            if (instructions[i].Keyword != "FROM") continue;
            var from = FromLine().Match(instructions[i].Arguments);
            int end = instructions.FindIndex(i + 1, x => x.Keyword == "FROM");
            var body = instructions.Skip(i + 1).Take((end < 0 ? instructions.Count : end) - i - 1).ToList();
            stages.Add(new Stage(from.Groups[2].Success ? from.Groups[2].Value : $"#{stages.Count}", from.Groups[1].Value, body));
        }
        return stages;
    }

    /// <summary>Sources and destination of a COPY, with its --from (null: the build context).</summary>
    public static (string? From, IReadOnlyList<string> Sources, string Destination) Copy(Instruction copy)
    {
        var words = copy.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        string? from = words.FirstOrDefault(w => w.StartsWith("--from=", StringComparison.Ordinal))?["--from=".Length..];
        var paths = words.Where(w => !w.StartsWith("--", StringComparison.Ordinal)).ToList();
        return (from, paths[..^1], paths[^1]);
    }

    [GeneratedRegex(@"^(\S+)(?:\s+AS\s+(\S+))?$", RegexOptions.IgnoreCase)]
    private static partial Regex FromLine();

    [GeneratedRegex(@"apt-get install((?:\s+[^\s&;]+)+)")]
    internal static partial Regex AptInstall();
}

/// <summary>The patterns of .dockerignore, matched the way Docker does for the paths we care about.</summary>
internal sealed class DockerIgnore(IReadOnlyList<string> patterns)
{
    public IReadOnlyList<string> Patterns { get; } = patterns;

    public static DockerIgnore Load(string path) => new(File.ReadAllLines(path)
        .Select(l => l.Trim())
        .Where(l => l.Length > 0 && !l.StartsWith('#'))
        .ToList());

    /// <summary>Whether <paramref name="path"/> (relative, '/'-separated) or one of its parent folders is ignored.</summary>
    public bool Excludes(string path)
    {
        var parts = path.Trim('/').Split('/');
        for (int n = 1; n <= parts.Length; n++)
        {
            string prefix = string.Join('/', parts.Take(n));
            if (Patterns.Any(p => !p.StartsWith('!') && ToRegex(p).IsMatch(prefix))) return true;
        }
        return false;
    }

    private static Regex ToRegex(string pattern)
    {
        string escaped = Regex.Escape(pattern.Trim('/'))
            .Replace(@"\*\*/", "(?:.*/)?")
            .Replace(@"\*\*", ".*")
            .Replace(@"\*", "[^/]*")
            .Replace(@"\?", "[^/]");
        return new Regex("^" + escaped + "$");
    }
}
