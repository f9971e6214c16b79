using System.Globalization;
using ClusterTrainer.Training.Models;
using ClusterTrainer.Training.Runs;
using YamlDotNet.RepresentationModel;

namespace ClusterTrainer.Node.Local;

/// <summary>
/// The run spec the launcher submits: the <c>--spec</c> file or the built-in example, with the command-line
/// overrides written into it, checked by <see cref="RunSpecParser"/> before any node is started.
/// </summary>
public sealed record LaunchSpec(string Yaml, string Source, RunSpec Parsed)
{
    /// <summary>The default spec, embedded from examples/fashion-mnist-cnn.yaml at build time.</summary>
    public const string DefaultResource = "fashion-mnist-cnn.yaml";

    /// <summary>Throws <see cref="RunSpecException"/> (every problem, with its path in the file) or <see cref="ArgumentException"/>.</summary>
    public static LaunchSpec Load(LauncherOptions o)
    {
        string yaml, source;
        if (o.Spec is null)
        {
            using var stream = typeof(LaunchSpec).Assembly.GetManifestResourceStream(DefaultResource)
                ?? throw new InvalidOperationException($"the built-in run spec {DefaultResource} is missing from the executable; rebuild it");
            yaml = new StreamReader(stream).ReadToEnd();
            source = "examples/" + DefaultResource;
        }
        else
        {
            source = Path.GetFullPath(o.Spec);
            if (!File.Exists(source))
                throw new ArgumentException($"--spec: the run spec file '{source}' does not exist; give the path of a YAML run spec (see examples/).");
            yaml = File.ReadAllText(source);
        }
        yaml = ApplyOverrides(yaml, source, o);
        var parsed = RunSpecParser.Parse(yaml, source, ModelZoo.Names.ToList());
        if (parsed.Training.Workers == 0)
        {
            // "0 = the workers live at start": the launcher knows how many it started, and the coordinator then waits
            // for all of them instead of starting with whichever registered first.
            yaml = Write(yaml, source, [(["training", "workers"], Text(o.Workers))]);
            parsed = RunSpecParser.Parse(yaml, source, ModelZoo.Names.ToList());
        }
        return new LaunchSpec(yaml, source, parsed);
    }

    /// <summary>Writes the overrides the user gave into the YAML; without any, the text is returned unchanged (comments kept).</summary>
    public static string ApplyOverrides(string yaml, string source, LauncherOptions o)
    {
        var changes = new List<(string[] Path, string Value)>();
        if (o.Epochs is { } epochs) changes.Add((["training", "epochs"], Text(epochs)));
        if (o.BatchSize is { } batch) changes.Add((["training", "batch_size"], Text(batch)));
        if (o.Seed is { } seed) changes.Add((["training", "seed"], Text(seed)));
        if (o.LearningRate is { } lr) changes.Add((["optimizer", "lr"], lr.ToString("R", CultureInfo.InvariantCulture)));
        if (o.DataDir is { } dir) changes.Add((["dataset", "dir"], Path.GetFullPath(dir)));
        if (o.TrainLimit is { } train) changes.Add((["dataset", "train_limit"], Text(train)));
        if (o.TestLimit is { } test) changes.Add((["dataset", "test_limit"], Text(test)));
        return changes.Count == 0 ? yaml : Write(yaml, source, changes);
    }

    /// <summary>Sets each dotted path of <paramref name="changes"/> to its value, creating mappings on the way.</summary>
    private static string Write(string yaml, string source, List<(string[] Path, string Value)> changes)
    {
        var stream = new YamlStream();
        try { stream.Load(new StringReader(yaml)); }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new RunSpecException(source, [new RunSpecError((int)e.Start.Line, (int)e.Start.Column, "(yaml)", $"not valid YAML: {e.Message}")]);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new RunSpecException(source, [new RunSpecError(1, 1, "(root)", "the run spec must be a YAML mapping with keys like name, model, dataset, optimizer, training")]);
        foreach (var (path, value) in changes) Set(root, path, value, source);
        var text = new StringWriter();
        stream.Save(text, assignAnchors: false);
        return text.ToString();
    }

    private static void Set(YamlMappingNode node, string[] path, string value, string source)
    {
        for (int i = 0; i < path.Length - 1; i++)
        {
            var key = new YamlScalarNode(path[i]);
            if (!node.Children.TryGetValue(key, out var child))
                node.Children[key] = child = new YamlMappingNode();
            node = child as YamlMappingNode ?? throw new RunSpecException(source,
                [new RunSpecError((int)child.Start.Line, (int)child.Start.Column, string.Join(".", path[..(i + 1)]), "must be a mapping to take the command-line override")]);
        }
        node.Children[new YamlScalarNode(path[^1])] = new YamlScalarNode(value);
    }

    private static string Text(long v) => v.ToString(CultureInfo.InvariantCulture);
}
