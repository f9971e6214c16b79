using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace ClusterTrainer.Training.Runs;

/// <summary>One mistake in a run spec: where (line, column, dotted path) and what is allowed instead.</summary>
public sealed record RunSpecError(int Line, int Column, string Path, string Message)
{
    public override string ToString() => Line > 0 ? $"line {Line}, column {Column}: {Path}: {Message}" : $"{Path}: {Message}";
}

/// <summary>Thrown with every mistake found in a run spec at once, so a user fixes them in one pass.</summary>
public sealed class RunSpecException(string source, IReadOnlyList<RunSpecError> errors)
    : Exception($"{source}: {errors.Count} problem(s) in the run spec:{Environment.NewLine}  "
                + string.Join(Environment.NewLine + "  ", errors))
{
    public IReadOnlyList<RunSpecError> Errors { get; } = errors;
}

/// <summary>
/// Reads one YAML mapping of a run spec. Every read records the key as known; <see cref="Finish"/> reports
/// keys nobody asked for (typos), naming the allowed keys. Errors accumulate in the shared list.
/// </summary>
internal sealed class SpecReader
{
    private readonly YamlMappingNode _node;
    private readonly List<RunSpecError> _errors;
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    public SpecReader(YamlMappingNode node, string path, List<RunSpecError> errors)
    {
        _node = node;
        Path = path;
        _errors = errors;
    }

    public string Path { get; }

    private string Child(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    public void Error(YamlNode? at, string key, string message)
    {
        var mark = (at ?? _node).Start;
        _errors.Add(new RunSpecError((int)mark.Line, (int)mark.Column, Child(key), message));
    }

    private YamlNode? Get(string key, bool required, string what)
    {
        _known.Add(key);
        if (_node.Children.TryGetValue(new YamlScalarNode(key), out var value)) return value;
        if (required) Error(null, key, $"is required ({what})");
        return null;
    }

    /// <summary>The key's scalar text and its node (for error positions); text is null when absent or not a scalar.</summary>
    private (string? Text, YamlNode? Node) Scalar(string key, bool required, string what)
    {
        var node = Get(key, required, what);
        if (node is null) return (null, null);
        if (node is YamlScalarNode s && s.Value is not null) return (s.Value, node);
        Error(node, key, $"must be a single value ({what}), not a list or a mapping");
        return (null, node);
    }

    public string? String(string key, bool required, string what, IReadOnlyCollection<string>? allowed = null)
    {
        var (value, node) = Scalar(key, required, what);
        if (value is null) return null;
        if (allowed is not null && !allowed.Contains(value))
        {
            Error(node, key, $"'{value}' is not allowed; use one of: {string.Join(", ", allowed)}");
            return null;
        }
        return value;
    }

    public double Double(string key, double fallback, double min, double max, string what, bool minExclusive = false)
    {
        var (text, node) = Scalar(key, false, what);
        if (text is null) return fallback;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
        {
            Error(node, key, $"'{text}' is not a number ({what})");
            return fallback;
        }
        if (v < min || v > max || (minExclusive && v == min))
        {
            var lower = minExclusive ? $"> {min.ToString(CultureInfo.InvariantCulture)}" : $">= {min.ToString(CultureInfo.InvariantCulture)}";
            var upper = double.IsPositiveInfinity(max) ? "" : $" and <= {max.ToString(CultureInfo.InvariantCulture)}";
            Error(node, key, $"{v.ToString(CultureInfo.InvariantCulture)} is out of range; must be {lower}{upper} ({what})");
            return fallback;
        }
        return v;
    }

    public double? OptionalDouble(string key, double min, string what)
    {
        if (!_node.Children.ContainsKey(new YamlScalarNode(key))) { _known.Add(key); return null; }
        var v = Double(key, double.NaN, min, double.PositiveInfinity, what, minExclusive: true);
        return double.IsNaN(v) ? null : v;
    }

    public long Long(string key, long fallback, long min, long max, string what, bool required = false)
    {
        var (text, node) = Scalar(key, required, what);
        if (text is null) return fallback;
        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
        {
            Error(node, key, $"'{text}' is not a whole number ({what})");
            return fallback;
        }
        if (v < min || v > max)
        {
            Error(node, key, $"{v} is out of range; must be between {min} and {max} ({what})");
            return fallback;
        }
        return v;
    }

    public int Int(string key, int fallback, int min, int max, string what, bool required = false)
        => (int)Long(key, fallback, min, max, what, required);

    public bool Bool(string key, bool fallback, string what)
    {
        var (text, node) = Scalar(key, false, what);
        if (text is null) return fallback;
        switch (text.ToLowerInvariant())
        {
            case "true" or "yes" or "on": return true;
            case "false" or "no" or "off": return false;
            default:
                Error(node, key, $"'{text}' is not true or false ({what})");
                return fallback;
        }
    }

    /// <summary>A two-element list of numbers, e.g. Adam's <c>betas: [0.9, 0.999]</c>.</summary>
    public (double, double) Pair(string key, (double, double) fallback, double min, double maxExclusive, string what)
    {
        var node = Get(key, false, what);
        if (node is null) return fallback;
        if (node is not YamlSequenceNode seq || seq.Children.Count != 2
            || seq.Children.Any(c => c is not YamlScalarNode))
        {
            Error(node, key, $"must be a list of two numbers, like [0.9, 0.999] ({what})");
            return fallback;
        }
        var values = new double[2];
        for (int i = 0; i < 2; i++)
        {
            var text = ((YamlScalarNode)seq.Children[i]).Value;
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out values[i])
                || values[i] < min || values[i] >= maxExclusive)
            {
                Error(seq.Children[i], $"{key}[{i}]", $"'{text}' must be a number in [{min}, {maxExclusive}) ({what})");
                return fallback;
            }
        }
        return (values[0], values[1]);
    }

    public SpecReader? Map(string key, bool required, string what)
    {
        var node = Get(key, required, what);
        if (node is null) return null;
        if (node is YamlMappingNode m) return new SpecReader(m, Child(key), _errors);
        Error(node, key, $"must be a mapping of keys ({what})");
        return null;
    }

    public bool Has(string key) => _node.Children.ContainsKey(new YamlScalarNode(key));

    /// <summary>Reports every key that no read asked for: usually a typo, or an option the chosen item does not take.</summary>
    public void Finish(string? context = null)
    {
        foreach (var (k, v) in _node.Children)
        {
            var key = (k as YamlScalarNode)?.Value ?? "?";
            if (_known.Contains(key)) continue;
            var allowed = string.Join(", ", _known.OrderBy(x => x, StringComparer.Ordinal));
            Error(k, key, $"unknown key{(context is null ? "" : $" for {context}")}; allowed here: {allowed}");
        }
    }
}
