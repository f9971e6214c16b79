using System.Diagnostics;
using System.Globalization;
using ClusterTrainer.Torch;
using ClusterTrainer.Training.Checkpoints;
using Xunit;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Training.Tests.Checkpoints;

/// <summary>A checkpoint of a real model's flat parameters, cut into shards, exports to a state_dict Python's torch.load reads.</summary>
public sealed class CheckpointExportTests : IDisposable
{
    private const string Python = "/usr/bin/python3";
    private readonly CheckpointTestBed bed = new();

    public void Dispose() => bed.Dispose();

    [Fact]
    public async Task Export_of_a_sharded_checkpoint_loads_in_python_with_the_models_names_shapes_and_values()
    {
        manual_seed(5);
        using var model = nn.Sequential(nn.Linear(6, 4), nn.ReLU(), nn.Linear(4, 3));
        using var flat = FlatParameters.Create(model);
        var values = flat.ValuesSpan.ToArray();
        // Three shards of uneven size, written out of order, as parameter servers would.
        long[] cuts = [0, 11, 29, values.Length];
        var parts = new[] { 2, 0, 1 }.Select(s => bed.Manager.WritePart(CheckpointTestBed.Run, new ShardPartHeader(s, cuts[s], 100, 100),
            values.AsSpan((int)cuts[s], (int)(cuts[s + 1] - cuts[s])), [])).ToList();
        await bed.Manager.CommitAsync(CheckpointTestBed.Run, CheckpointTestBed.Position(100), parts);

        var loaded = await bed.Manager.LoadLatestAsync(CheckpointTestBed.Run);
        Assert.Equal(values, CheckpointExport.Assemble(loaded!, values.Length));
        var path = Path.Combine(bed.Root, "export.pt");
        CheckpointExport.ExportStateDict(loaded!, flat.Slots, path);

        var lines = RunPython(
            "import torch\n" +
            $"sd = torch.load({PyString(path)})\n" +
            "for k, v in sd.items(): print(k, str(v.dtype), ','.join(map(str, v.shape)), ' '.join(repr(x) for x in v.flatten().tolist()))\n" +
            "m = torch.nn.Sequential(torch.nn.Linear(6, 4), torch.nn.ReLU(), torch.nn.Linear(4, 3))\n" +
            "m.load_state_dict(sd, strict=True)\n" +
            "print('strict-load-ok')\n")
            .Split('\n');
        // The same architecture built in Python accepts the export with strict=True (names and shapes all match).
        Assert.Equal("strict-load-ok", lines[^1]);
        lines = lines[..^1];
        Assert.Equal(flat.Slots.Count, lines.Length);
        for (var i = 0; i < lines.Length; i++)
        {
            var slot = flat.Slots[i];
            var fields = lines[i].Split(' ', 4);
            Assert.Equal(slot.Name, fields[0]);
            Assert.Equal("torch.float32", fields[1]);
            Assert.Equal(string.Join(',', slot.Shape), fields[2]);
            var fromPython = fields[3].Split(' ').Select(x => (float)double.Parse(x, CultureInfo.InvariantCulture)).ToArray();
            var expected = values.AsSpan((int)slot.Offset, (int)slot.Length).ToArray();
            var maxDiff = expected.Zip(fromPython, (a, b) => Math.Abs(a - b)).Max();
            Assert.True(expected.SequenceEqual(fromPython), $"{slot.Name}: python's values differ, max |diff| = {maxDiff}");
        }
    }

    [Fact]
    public async Task Export_with_a_layout_of_another_model_is_refused()
    {
        await bed.CheckpointAsync(10, shards: 2, shardLength: 5);
        var loaded = await bed.Manager.LoadLatestAsync(CheckpointTestBed.Run);
        var ex = Assert.Throws<InvalidDataException>(() => CheckpointExport.Assemble(loaded!, 12));
        Assert.Contains("holds 10 parameters but the model has 12", ex.Message);
    }

    private static string PyString(string s) => "'" + s.Replace("\\", "\\\\").Replace("'", "\\'") + "'";

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
}
