using System.Diagnostics;
using System.Globalization;
using ClusterTrainer.Bench.Checkpoint;
using ClusterTrainer.Training.Checkpoints;

// Checkpoint part write throughput vs the same bytes written raw with the same durability and preallocation
// (one write, fsync, rename); the part adds header, optimizer state, CRC-32C and the directory fsync.
// Usage: bench-checkpoint [MB per part, default 64] [rounds, default 5]. Runs alternate so disk-cache drift hits both.
var megabytes = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 64;
var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
if (megabytes < 1 || rounds < 1)
{
    Console.Error.WriteLine("usage: bench-checkpoint [MB per part >= 1] [rounds >= 1]");
    return 2;
}

var floats = new float[megabytes * (1 << 20) / sizeof(float)];
var rng = new Random(1);
for (var i = 0; i < floats.Length; i++) floats[i] = (float)rng.NextDouble();
var momentum = OptimizerStateEntry.FromFloats("momentum_buffer", floats.AsSpan(0, 1024));
var dir = Directory.CreateTempSubdirectory("ct-bench-ckpt-").FullName;
try
{
    double raw = 0, part = 0;
    long bytes = 0;
    for (var r = 0; r <= rounds; r++)
    {
        var path = Path.Combine(dir, "raw.bin");
        var rawSeconds = RawDurableWrite.Write(path, [floats]);

        var sw = Stopwatch.StartNew();
        var written = PartFile.Write(dir, "part.part", new ShardPartHeader(0, 0, r, r), floats, [momentum]);
        var partSeconds = sw.Elapsed.TotalSeconds;
        if (r == 0) continue; // warm-up
        raw += rawSeconds;
        part += partSeconds;
        bytes = written.SizeBytes;
        File.Delete(path);
        File.Delete(Path.Combine(dir, "part.part"));
    }

    var rawMBs = (double)floats.Length * sizeof(float) * rounds / raw / 1e6;
    var partMBs = (double)bytes * rounds / part / 1e6;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"checkpoint part_mb={megabytes} rounds={rounds} raw_write_mb_s={rawMBs:F0} checkpoint_write_mb_s={partMBs:F0} checkpoint_ratio={partMBs / rawMBs:F2}"));
    return 0;
}
finally
{
    Directory.Delete(dir, recursive: true);
}
