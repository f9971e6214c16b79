using System.Diagnostics;
using Xunit;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Torch.Tests.NN;

/// <summary>
/// torch.save/torch.load write and read PyTorch's own checkpoint format: Python's torch.load opens what we
/// write, we open what Python's torch.save writes, and damaged files are refused with the file named.
/// </summary>
public sealed class CheckpointTests : IDisposable
{
    private const string Python = "/usr/bin/python3";
    private readonly string _dir = Directory.CreateTempSubdirectory("ct-nn-ckpt-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static nn.Module<Tensor, Tensor> Model() =>
        nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU(), nn.Flatten(), nn.Linear(8, 3));

    private static string RunPython(string script)
    {
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(2)), "python did not finish within 2 minutes");
        Assert.True(p.ExitCode == 0, $"python failed ({p.ExitCode}): {stderr.Result}");
        return stdout.Result.Trim();
    }

    [Fact]
    public void Python_torch_load_reads_what_we_save()
    {
        using var model = Model();
        var path = Path.Combine(_dir, "model.pt");
        model.save(path);
        var sd = model.state_dict();
        // Python prints name, dtype, shape and the exact sum of every tensor; we compare with ours.
        var output = RunPython(
            "import torch\n" +
            $"sd = torch.load('{path}')\n" +
            "print(type(sd).__name__)\n" +
            "for k, v in sd.items(): print(k, str(v.dtype), list(v.shape), repr(v.double().sum().item()))\n");
        var lines = output.Split('\n');
        Assert.Equal("OrderedDict", lines[0]);
        Assert.Equal(sd.Count, lines.Length - 1);
        int i = 1;
        foreach (var (name, t) in sd)
        {
            var parts = lines[i++].Split(' ', 3);
            Assert.Equal(name, parts[0]);
            Assert.Equal(t.dtype == ScalarType.Int64 ? "torch.int64" : "torch.float32", parts[1]);
            Assert.Equal("[" + string.Join(", ", t.shape) + "]", parts[2][..(parts[2].LastIndexOf(']') + 1)]);
            using var d = t.detach().to(ScalarType.Float64);
            using var s = d.sum();
            Assert.Equal(s.item<double>(), double.Parse(parts[2][(parts[2].LastIndexOf(']') + 2)..], System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void We_load_what_python_torch_save_writes()
    {
        var path = Path.Combine(_dir, "from_python.pt");
        RunPython(
            "import torch\n" +
            "torch.manual_seed(3)\n" +
            "m = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2), torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(8, 3))\n" +
            "m[1].running_mean.add_(0.5); m[1].num_batches_tracked.add_(7)\n" +
            "sd = m.state_dict(); sd['strided'] = torch.arange(12.).reshape(3, 4).t()\n" +
            $"torch.save(sd, '{path}')\n");
        var loaded = load(path);
        try
        {
            Assert.Equal(["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked", "4.weight", "4.bias", "strided"],
                loaded.Keys.ToArray());
            Assert.Equal(7L, loaded["1.num_batches_tracked"].item<long>());
            Assert.All(loaded["1.running_mean"].ToArray<float>(), v => Assert.Equal(0.5f, v));
            Assert.Equal([4L, 3], loaded["strided"].shape);
            Assert.Equal([0f, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11], loaded["strided"].ToArray<float>());

            using var model = Model();
            loaded.Remove("strided", out var strided);
            strided!.Dispose();
            model.load_state_dict(loaded);
            Assert.Equal(loaded["0.weight"].ToArray<float>(), model.state_dict()["0.weight"].detach().ToArray<float>());
        }
        finally
        {
            foreach (var t in loaded.Values) t.Dispose();
        }
    }

    [Fact]
    public void Every_supported_dtype_survives_a_trip_through_python()
    {
        var path = Path.Combine(_dir, "dtypes.pt");
        var back = Path.Combine(_dir, "dtypes_back.pt");
        using var scope = NewDisposeScope();
        var source = new Dictionary<string, Tensor>
        {
            ["f32"] = tensor(new[] { 1.5f, -2f, 3.25f }),
            ["f64"] = tensor(new[] { 1e-300, 2.5 }),
            ["f16"] = tensor(new[] { 0.5f, -4f }).to(ScalarType.Float16),
            ["bf16"] = tensor(new[] { 1f, 256f }).to(ScalarType.BFloat16),
            ["i64"] = tensor(new[] { long.MaxValue, -7L }),
            ["i32"] = tensor(new[] { 5, -6 }),
            ["u8"] = tensor(new byte[] { 0, 255 }),
            ["b"] = tensor(new[] { true, false }),
            ["scalar"] = tensor(3.0),
            ["empty"] = zeros(0, 3),
        };
        save(source, path);
        // Python checks what it sees, then saves every tensor + 1 (bools: negated) for us to read back.
        var seen = RunPython(
            "import torch\n" +
            $"sd = torch.load('{path}')\n" +
            "print(','.join(f'{k}:{str(v.dtype)[6:]}:{list(v.shape)}' for k, v in sd.items()))\n" +
            "out = {k: (~v if v.dtype == torch.bool else v + 1) for k, v in sd.items()}\n" +
            $"torch.save(out, '{back}')\n");
        Assert.Equal("f32:float32:[3],f64:float64:[2],f16:float16:[2],bf16:bfloat16:[2],i64:int64:[2],i32:int32:[2],u8:uint8:[2]," +
                     "b:bool:[2],scalar:float64:[],empty:float32:[0, 3]", seen);
        var loaded = load(back);
        foreach (var t in loaded.Values) scope.Attach(t);
        Assert.Equal([2.5f, -1f, 4.25f], loaded["f32"].ToArray<float>());
        Assert.Equal([1.0, 3.5], loaded["f64"].ToArray<double>());
        Assert.Equal([1.5f, -3f], loaded["f16"].to(ScalarType.Float32).ToArray<float>());
        Assert.Equal([2f, 256f], loaded["bf16"].to(ScalarType.Float32).ToArray<float>()); // 257 rounds to 256 in bfloat16
        Assert.Equal([long.MinValue, -6L], loaded["i64"].ToArray<long>());
        Assert.Equal([6, -5], loaded["i32"].ToArray<int>());
        Assert.Equal(new byte[] { 1, 0 }, loaded["u8"].ToArray<byte>());
        Assert.Equal([false, true], loaded["b"].ToArray<bool>());
        Assert.Equal(4.0, loaded["scalar"].item<double>());
        Assert.Equal([0L, 3], loaded["empty"].shape);
    }

    [Fact]
    public void Module_save_and_load_round_trip_exactly()
    {
        using var a = Model();
        using var b = Model();
        var path = Path.Combine(_dir, "roundtrip.pt");
        a.save(path);
        b.load(path);
        foreach (var ((name, ta), (_, tb)) in a.state_dict().Zip(b.state_dict()))
        {
            using var da = ta.detach().to(ScalarType.Float64);
            using var db = tb.detach().to(ScalarType.Float64);
            Assert.True(da.ToArray<double>().SequenceEqual(db.ToArray<double>()), $"{name} differs after save/load");
        }
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp-*"));
    }

    [Fact]
    public void A_truncated_file_is_refused_naming_the_file()
    {
        using var model = Model();
        var path = Path.Combine(_dir, "truncated.pt");
        model.save(path);
        var bytes = File.ReadAllBytes(path);
        foreach (var keep in new[] { bytes.Length - 10, bytes.Length / 2, 100 })
        {
            File.WriteAllBytes(path, bytes[..keep]);
            var e = Assert.Throws<InvalidDataException>(() => load(path));
            Assert.Contains(path, e.Message);
        }
    }

    [Fact]
    public void A_flipped_byte_in_tensor_data_fails_the_crc_check()
    {
        using var model = Model();
        var path = Path.Combine(_dir, "flipped.pt");
        model.save(path);
        var bytes = File.ReadAllBytes(path);
        // Find the first tensor record (archive/data/0) and flip one byte of its data.
        int name = IndexOf(bytes, "archive/data/0"u8.ToArray());
        int extra = BitConverter.ToUInt16(bytes, name - 2);
        int dataStart = name + "archive/data/0".Length + extra;
        bytes[dataStart + 3] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("CRC-32", e.Message);
        Assert.Contains("archive/data/0", e.Message);
    }

    [Fact]
    public void Missing_and_foreign_files_get_clear_errors()
    {
        var missing = Path.Combine(_dir, "nope.pt");
        Assert.Contains(missing, Assert.Throws<FileNotFoundException>(() => load(missing)).Message);
        var text = Path.Combine(_dir, "text.pt");
        File.WriteAllText(text, "not a checkpoint at all");
        var e = Assert.Throws<InvalidDataException>(() => load(text));
        Assert.Contains(text, e.Message);
    }

    private static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle)) return i;
        throw new InvalidOperationException("record not found");
    }
}
