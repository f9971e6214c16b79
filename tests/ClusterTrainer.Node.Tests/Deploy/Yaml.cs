using YamlDotNet.RepresentationModel;
using Xunit;

namespace ClusterTrainer.Node.Tests.Deploy;

/// <summary>Navigation over YamlDotNet's representation model that fails with the missing key's name.</summary>
internal static class Yaml
{
    /// <summary>Every non-empty document of a (multi-document) YAML text.</summary>
    public static IReadOnlyList<YamlMappingNode> LoadAll(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>().ToList();
    }

    public static YamlNode? Get(this YamlNode node, string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    public static YamlNode Need(this YamlNode node, string key) =>
        node.Get(key) ?? throw new Xunit.Sdk.XunitException($"missing '{key}' in:\n{Dump(node)}");

    public static YamlMappingNode Map(this YamlNode node, string key) =>
        node.Need(key) as YamlMappingNode ?? throw new Xunit.Sdk.XunitException($"'{key}' is not a mapping");

    public static YamlMappingNode? MapOrNull(this YamlNode node, string key) => node.Get(key) as YamlMappingNode;

    public static IReadOnlyList<YamlNode> Seq(this YamlNode node, string key) =>
        node.Get(key) is YamlSequenceNode seq ? seq.Children.ToList() : [];

    public static string Str(this YamlNode node, string key) =>
        node.Need(key) is YamlScalarNode { Value: { } v } ? v : throw new Xunit.Sdk.XunitException($"'{key}' is not a scalar");

    public static string? StrOrNull(this YamlNode node, string key) => (node.Get(key) as YamlScalarNode)?.Value;

    public static string Scalar(this YamlNode node) =>
        node is YamlScalarNode { Value: { } v } ? v : throw new Xunit.Sdk.XunitException($"not a scalar:\n{Dump(node)}");

    public static IEnumerable<(string Key, YamlNode Value)> Entries(this YamlMappingNode map) =>
        map.Children.Select(kv => (kv.Key.Scalar(), kv.Value));

    private static string Dump(YamlNode node)
    {
        string s = node.ToString();
        return s.Length > 400 ? s[..400] + "..." : s;
    }
}
