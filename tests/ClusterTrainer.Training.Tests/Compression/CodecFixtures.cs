using System.Runtime.InteropServices;
using System.Text.Json;
using Xunit;

namespace ClusterTrainer.Training.Tests.Compression;

/// <summary>One vector of the torch-generated golden file (see make_codec_fixtures.py for each field).</summary>
public sealed record CodecCase(
    string Name, float Scale, float[] Values, ushort[] Float16, ushort[] BFloat16,
    float[] DecodedFloat16, float[] DecodedBFloat16, float[] Destination,
    float[] AccumulatedFloat32, float[] AccumulatedFloat16, float[] AccumulatedBFloat16)
{
    public override string ToString() => Name;
}

/// <summary>Loads tests/ClusterTrainer.Training.Tests/Compression/fixtures/codec_golden.json (committed).</summary>
public static class CodecFixtures
{
    private const string RelativePath = "tests/ClusterTrainer.Training.Tests/Compression/fixtures/codec_golden.json";
    private const string Regenerate = "/usr/bin/python3 tests/ClusterTrainer.Training.Tests/Compression/make_codec_fixtures.py";

    private static readonly Lazy<IReadOnlyList<CodecCase>> All = new(Load);

    public static IReadOnlyList<CodecCase> Cases => All.Value;

    public static CodecCase Case(string name) => Cases.Single(c => c.Name == name);

    /// <summary>The case names, for [MemberData].</summary>
    public static TheoryData<string> Names => new(Cases.Select(c => c.Name));

    private static IReadOnlyList<CodecCase> Load()
    {
        string path = Find();
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(c =>
        {
            int count = c.GetProperty("count").GetInt32();
            T[] Array<T>(string field) where T : unmanaged
            {
                var values = MemoryMarshal.Cast<byte, T>(Convert.FromBase64String(c.GetProperty(field).GetString()!)).ToArray();
                if (values.Length != count)
                    throw new InvalidDataException($"{path}: case {c.GetProperty("name")} field {field} has {values.Length} values, expected {count}; regenerate with {Regenerate}.");
                return values;
            }
            return new CodecCase(
                c.GetProperty("name").GetString()!, (float)c.GetProperty("scale").GetDouble(),
                Array<float>("values_f32"), Array<ushort>("float16_u16"), Array<ushort>("bfloat16_u16"),
                Array<float>("decoded_float16_f32"), Array<float>("decoded_bfloat16_f32"), Array<float>("destination_f32"),
                Array<float>("accumulate_float32_f32"), Array<float>("accumulate_float16_f32"), Array<float>("accumulate_bfloat16_f32"));
        }).ToArray();
    }

    private static string Find()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, RelativePath);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException(
            $"{RelativePath} was not found above {AppContext.BaseDirectory}; run the tests from the repository checkout, or regenerate it with {Regenerate}.");
    }
}
