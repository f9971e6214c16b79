using System.Globalization;
using System.Text;
using ClusterTrainer.Training.Control;

namespace ClusterTrainer.Node.Control;

/// <summary>
/// Prometheus text exposition format 0.0.4. Families are ordered by name, series within a family by their
/// label text, labels by name, so two scrapes of the same samples give the same text. HELP and TYPE come once
/// per name (the first sample's). Names that break the grammar have the offending characters replaced by '_';
/// a second sample with the same name and labels is dropped (Prometheus refuses duplicate series).
/// <code>
///   # HELP name help-with-\\-and-\n-escaped
///   # TYPE name counter|gauge|untyped
///   name{label="value with \\ \" \n escaped",...} 1.5
/// </code>
/// </summary>
public static class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Format(IEnumerable<MetricSample> samples)
    {
        var text = new StringBuilder();
        var families = samples
            .Select(s => (Name: Sanitize(s.Name, colonAllowed: true), Sample: s))
            .GroupBy(s => s.Name, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal);
        foreach (var family in families)
        {
            var first = family.First().Sample;
            text.Append("# HELP ").Append(family.Key).Append(' ').Append(EscapeHelp(first.Help)).Append('\n');
            text.Append("# TYPE ").Append(family.Key).Append(' ').Append(TypeOf(first.Type)).Append('\n');
            var series = family
                .Select(s => (Labels: LabelText(s.Sample.Labels), s.Sample.Value))
                .DistinctBy(s => s.Labels, StringComparer.Ordinal)
                .OrderBy(s => s.Labels, StringComparer.Ordinal);
            foreach (var (labels, value) in series)
                text.Append(family.Key).Append(labels).Append(' ').Append(Number(value)).Append('\n');
        }
        return text.ToString();
    }

    public static string EscapeHelp(string help) => help.Replace("\\", @"\\").Replace("\n", @"\n");

    public static string EscapeLabelValue(string value) => value.Replace("\\", @"\\").Replace("\"", "\\\"").Replace("\n", @"\n");

    public static string Number(double value) =>
        double.IsNaN(value) ? "NaN"
        : double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Makes <paramref name="name"/> match [a-zA-Z_:][a-zA-Z0-9_:]* (metric) or [a-zA-Z_][a-zA-Z0-9_]* (label).</summary>
    public static string Sanitize(string name, bool colonAllowed)
    {
        if (string.IsNullOrEmpty(name)) return "_";
        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            var c = chars[i];
            var ok = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_' || (colonAllowed && c == ':') || (i > 0 && c is >= '0' and <= '9');
            if (!ok) chars[i] = '_';
        }
        return new string(chars);
    }

    private static string TypeOf(string type) => type switch
    {
        "counter" or "gauge" => type,
        _ => "untyped",
    };

    private static string LabelText(IReadOnlyDictionary<string, string>? labels)
    {
        if (labels is null || labels.Count == 0) return "";
        var text = new StringBuilder("{");
        var first = true;
        foreach (var (name, value) in labels.Select(l => (Sanitize(l.Key, colonAllowed: false), l.Value)).OrderBy(l => l.Item1, StringComparer.Ordinal))
        {
            if (!first) text.Append(',');
            first = false;
            text.Append(name).Append("=\"").Append(EscapeLabelValue(value ?? "")).Append('"');
        }
        return text.Append('}').ToString();
    }
}
