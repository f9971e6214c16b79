using Xunit;
using System.Text;
using System.Text.Json;
using ClusterTrainer.Torch;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Torch.Tests.Golden;

/// <summary>A tensor as make_nn_fixtures.py stores it: shape, dtype and the exact values.</summary>
public sealed record NNFixtureTensor(long[] Shape, string DType, double[] Data)
{
    public static NNFixtureTensor? Parse(JsonElement e)
    {
        if (e.ValueKind == JsonValueKind.Null) return null;
        var shape = e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()).ToArray();
        var data = e.GetProperty("data").EnumerateArray()
            .Select(x => x.ValueKind == JsonValueKind.String ? double.Parse(x.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : x.GetDouble())
            .ToArray();
        return new NNFixtureTensor(shape, e.GetProperty("dtype").GetString()!, data);
    }

    public Tensor ToTensor(bool requiresGrad = false) => DType switch
    {
        "float32" => torch.tensor(Data.Select(v => (float)v).ToArray(), Shape, requires_grad: requiresGrad),
        "float64" => torch.tensor(Data, Shape, requires_grad: requiresGrad),
        "int64" => torch.tensor(Data.Select(v => (long)v).ToArray(), Shape),
        "bool" => torch.tensor(Data.Select(v => v != 0).ToArray(), Shape),
        _ => throw new InvalidDataException($"fixture dtype {DType} is not handled"),
    };
}

/// <summary>One case of a fixture file (see make_nn_fixtures.py for the meaning of each field).</summary>
public sealed record NNFixtureCase(
    string Name,
    long Seed,
    bool Train,
    NNFixtureTensor?[] Inputs,
    bool[] InputRequiresGrad,
    Dictionary<string, NNFixtureTensor> State,
    Dictionary<string, NNFixtureTensor> StateAfter,
    NNFixtureTensor[] Outputs,
    NNFixtureTensor[] Upstream,
    NNFixtureTensor?[] InputGrads,
    Dictionary<string, NNFixtureTensor> ParamGrads,
    Dictionary<string, NNFixtureTensor> Extra,
    NNFixtureTensor? RandAfter)
{
    public override string ToString() => Name;
}

public static class NNFixtures
{
    private static readonly Dictionary<string, IReadOnlyDictionary<string, NNFixtureCase>> Cache = new();

    /// <summary>The fixture folder, found by walking up from the test binaries to the repository checkout.</summary>
    public static string Directory
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "tests", "ClusterTrainer.Torch.Tests", "Golden", "fixtures", "nn");
                if (System.IO.Directory.Exists(candidate)) return candidate;
            }
            throw new DirectoryNotFoundException(
                "tests/ClusterTrainer.Torch.Tests/Golden/fixtures/nn not found above " + AppContext.BaseDirectory +
                "; run the tests from a repository checkout (regenerate with /usr/bin/python3 tests/ClusterTrainer.Torch.Tests/Golden/make_nn_fixtures.py)");
        }
    }

    public static IReadOnlyDictionary<string, NNFixtureCase> Load(string group)
    {
        lock (Cache)
        {
            if (Cache.TryGetValue(group, out var cached)) return cached;
            using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Directory, group + ".json")));
            var cases = new Dictionary<string, NNFixtureCase>();
            foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
            {
                var parsed = ParseCase(c);
                cases[parsed.Name] = parsed;
            }
            Cache[group] = cases;
            return cases;
        }
    }

    public static IEnumerable<object[]> Names(string group) => Load(group).Keys.Select(k => new object[] { k });

    private static NNFixtureCase ParseCase(JsonElement c)
    {
        static NNFixtureTensor?[] List(JsonElement c, string name) =>
            c.TryGetProperty(name, out var a) ? a.EnumerateArray().Select(NNFixtureTensor.Parse).ToArray() : [];
        static Dictionary<string, NNFixtureTensor> Dict(JsonElement c, string name) =>
            c.TryGetProperty(name, out var d) ? d.EnumerateObject().ToDictionary(p => p.Name, p => NNFixtureTensor.Parse(p.Value)!) : new();
        var known = new HashSet<string> { "name", "seed", "train", "inputs", "input_requires_grad", "state", "state_after", "outputs", "upstream", "input_grads", "param_grads", "rand_after" };
        var extra = c.EnumerateObject().Where(p => !known.Contains(p.Name) && p.Value.ValueKind == JsonValueKind.Object)
            .ToDictionary(p => p.Name, p => NNFixtureTensor.Parse(p.Value)!);
        return new NNFixtureCase(
            c.GetProperty("name").GetString()!,
            c.GetProperty("seed").GetInt64(),
            !c.TryGetProperty("train", out var t) || t.GetBoolean(),
            List(c, "inputs"),
            c.TryGetProperty("input_requires_grad", out var rg) ? rg.EnumerateArray().Select(x => x.GetBoolean()).ToArray() : [],
            Dict(c, "state"),
            Dict(c, "state_after"),
            List(c, "outputs")!,
            List(c, "upstream")!,
            List(c, "input_grads"),
            Dict(c, "param_grads"),
            extra,
            c.TryGetProperty("rand_after", out var ra) ? NNFixtureTensor.Parse(ra) : null);
    }

    /// <summary>
    /// Asserts |actual - expected| &lt;= atol + rtol * |expected| elementwise (PyTorch's allclose), and on failure
    /// reports the max absolute difference and the worst index.
    /// </summary>
    public static void AssertClose(NNFixtureTensor expected, Tensor actual, string what, double rtol = 1e-5, double atol = 1e-6)
    {
        Assert.True(expected.Shape.SequenceEqual(actual.shape),
            $"{what}: shape [{string.Join(", ", actual.shape)}], expected [{string.Join(", ", expected.Shape)}]");
        double[] got;
        using (var d = actual.detach().to(ScalarType.Float64).contiguous()) got = d.ToArray<double>();
        double maxDiff = 0;
        long worst = -1;
        bool ok = true;
        for (int i = 0; i < got.Length; i++)
        {
            double e = expected.Data[i], diff = Math.Abs(got[i] - e);
            if (double.IsNaN(diff) && !(double.IsNaN(got[i]) && double.IsNaN(e))) diff = double.PositiveInfinity;
            if (double.IsNaN(diff)) diff = 0;
            if (diff > maxDiff) { maxDiff = diff; worst = i; }
            if (diff > atol + rtol * Math.Abs(e)) ok = false;
        }
        if (!ok)
        {
            var sb = new StringBuilder($"{what}: max |difference| {maxDiff:G6} at flat index {worst} ");
            sb.Append($"(got {got[worst]:R}, expected {expected.Data[worst]:R}; rtol {rtol}, atol {atol})");
            Assert.Fail(sb.ToString());
        }
    }
}
