using System.Globalization;
using System.Text;
using Xunit;

namespace ClusterTrainer.Node.Tests.Control;

internal sealed record ParsedSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

internal sealed record ParsedFamily(string Name, string Help, string Type, List<ParsedSample> Samples);

/// <summary>
/// A strict reader of the Prometheus text format 0.0.4 written from the spec, independent of the writer:
/// it unescapes HELP and label values, and fails on anything the format does not allow (samples before their
/// TYPE, a second HELP or TYPE for a name, bad names, unterminated labels).
/// </summary>
internal static class PrometheusParser
{
    public static IReadOnlyList<ParsedFamily> Parse(string text)
    {
        Assert.EndsWith("\n", text);
        var families = new List<ParsedFamily>();
        var byName = new Dictionary<string, ParsedFamily>();
        string? pendingHelpName = null, pendingHelp = null;
        foreach (var line in text[..^1].Split('\n'))
        {
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                var rest = line["# HELP ".Length..];
                var space = rest.IndexOf(' ');
                pendingHelpName = rest[..space];
                pendingHelp = Unescape(rest[(space + 1)..], quotes: false);
                Assert.False(byName.ContainsKey(pendingHelpName), $"second HELP for {pendingHelpName}");
            }
            else if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                Assert.Equal(4, parts.Length);
                Assert.Equal(pendingHelpName, parts[2]);
                Assert.Contains(parts[3], new[] { "counter", "gauge", "untyped", "summary", "histogram" });
                var family = new ParsedFamily(parts[2], pendingHelp!, parts[3], []);
                Assert.True(byName.TryAdd(family.Name, family), $"second TYPE for {family.Name}");
                families.Add(family);
            }
            else
            {
                Assert.False(line.StartsWith('#'), $"unexpected comment '{line}'");
                var sample = Sample(line);
                Assert.True(byName.TryGetValue(sample.Name, out var family), $"sample {sample.Name} before its TYPE");
                Assert.Same(families[^1], family); // a family's samples are together
                family.Samples.Add(sample);
            }
        }
        return families;
    }

    private static ParsedSample Sample(string line)
    {
        var i = 0;
        while (i < line.Length && line[i] is not ('{' or ' ')) i++;
        var name = line[..i];
        AssertName(name, colon: true);
        var labels = new Dictionary<string, string>();
        if (line[i] == '{')
        {
            i++;
            while (line[i] != '}')
            {
                var eq = line.IndexOf('=', i);
                var label = line[i..eq];
                AssertName(label, colon: false);
                Assert.Equal('"', line[eq + 1]);
                var value = new StringBuilder();
                var j = eq + 2;
                for (; line[j] != '"'; j++)
                {
                    if (line[j] == '\\') { value.Append(line[j + 1] switch { 'n' => '\n', '\\' => '\\', '"' => '"', var c => throw new FormatException($"bad escape \\{c}") }); j++; }
                    else value.Append(line[j]);
                }
                Assert.True(labels.TryAdd(label, value.ToString()), $"label {label} twice");
                i = j + 1;
                if (line[i] == ',') i++;
            }
            i++;
        }
        Assert.Equal(' ', line[i]);
        var valueText = line[(i + 1)..];
        var number = valueText switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            _ => double.Parse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
        return new ParsedSample(name, labels, number);
    }

    private static string Unescape(string text, bool quotes)
    {
        var value = new StringBuilder();
        for (var j = 0; j < text.Length; j++)
        {
            if (text[j] != '\\') { value.Append(text[j]); continue; }
            j++;
            value.Append(text[j] switch { 'n' => '\n', '\\' => '\\', '"' when quotes => '"', var c => throw new FormatException($"bad escape \\{c}") });
        }
        return value.ToString();
    }

    private static void AssertName(string name, bool colon)
    {
        Assert.NotEmpty(name);
        for (var k = 0; k < name.Length; k++)
        {
            var c = name[k];
            var ok = char.IsAsciiLetter(c) || c == '_' || (colon && c == ':') || (k > 0 && char.IsAsciiDigit(c));
            Assert.True(ok, $"'{name}' is not a valid {(colon ? "metric" : "label")} name");
        }
    }
}
