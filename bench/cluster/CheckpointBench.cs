using System.Diagnostics;
using System.Globalization;
using ClusterTrainer.Bench.Checkpoint;
using ClusterTrainer.Persistence.Sql.Checkpoints;
using ClusterTrainer.Training.Checkpoints;
using ClusterTrainer.Training.Distributed.ParameterServer;
using ClusterTrainer.Training.Runs;

namespace ClusterTrainer.Bench.Cluster;

/// <summary>
/// Part 3: a whole checkpoint of the 25M-parameter model (every shard's slice + Adam state written as part files
/// with CRC-32C, fsync, rename and directory fsync, then the manifest committed to SQLite with retention) against
/// one raw durable file of the same bytes (bench/checkpoint's <see cref="RawDurableWrite"/>). Rounds alternate
/// which goes first. The first <see cref="KeepLast"/> rounds are warm-up: from then on every commit also deletes the
/// oldest checkpoint, as in a long run. The shard states are real: each shard applied one Adam step.
/// </summary>
internal static class CheckpointBench
{
    private const string RunId = "bench";
    private const int KeepLast = 2;
    private static readonly int Writers = Environment.ProcessorCount;

    public static async Task<double> RunAsync(BenchOptions o)
    {
        var layout = new ShardLayout(o.ExchangeParameters, o.ShardBound(o.ExchangeParameters));
        var snapshot = Stopwatch.StartNew();
        var states = layout.Shards.Select(AfterOneAdamStep).ToArray();
        // What a shard hands to the writer: its slice and one entry per optimizer state array plus the step count.
        var entries = states.Select(s => (IReadOnlyList<OptimizerStateEntry>)s.OptimizerState
            .Select(a => OptimizerStateEntry.FromFloats(a.Name, a.Data))
            .Append(new OptimizerStateEntry("step", BitConverter.GetBytes(s.OptimizerStep))).ToArray()).ToArray();
        double snapshotSeconds = snapshot.Elapsed.TotalSeconds;
        var rawSections = states.SelectMany(s => s.OptimizerState.Select(a => a.Data).Prepend(s.Values)).ToArray();
        long bytes = rawSections.Sum(a => (long)a.Length * sizeof(float));
        Console.WriteLine($"[checkpoint] {layout.ParameterCount:N0} parameters + Adam state in {layout.Count} part files: " +
                          $"{bytes / 1e6:0} MB per checkpoint, {o.CheckpointRounds} timed round(s) (shard states built in {snapshotSeconds:0.0} s, not timed)");

        var dir = Directory.CreateTempSubdirectory("ct-bench-cluster-ckpt-").FullName;
        try
        {
            var store = new SqliteCheckpointStore(Path.Combine(dir, "checkpoints.db"));
            await store.InitializeAsync();
            var manager = new CheckpointManager(store, Path.Combine(dir, "parts"), keepLast: KeepLast);
            // Diagnostic, not in the ratio: the same bytes as one raw durable file per part (the cost of the file count).
            var perPart = states.Select(st => (float[][])[st.Values, .. st.OptimizerState.Select(a => a.Data)]).ToArray();
            double checkpointSeconds = 0, rawSeconds = 0, perPartSeconds = 0;
            for (int round = 0; round < KeepLast + o.CheckpointRounds; round++)
            {
                double c = 0, r = 0, pp = 0, commit = 0;
                for (int k = 0; k < 3; k++) // rotate which goes first
                    switch ((k + round) % 3)
                    {
                        case 0: (c, commit) = await WriteCheckpointAsync(manager, states, entries, step: round + 1); break;
                        case 1: r = RawDurableWrite.Write(Path.Combine(dir, "raw.bin"), rawSections); break;
                        default: pp = WritePerPartRaw(Path.Combine(dir, "raw-parts"), perPart); break;
                    }
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  round {round}{(round < KeepLast ? " (warm-up)" : "")}: checkpoint {bytes / c / 1e6:0} MB/s ({c:0.00} s, commit {commit:0.00} s), " +
                    $"raw {bytes / r / 1e6:0} MB/s ({r:0.00} s), raw one file per part {bytes / pp / 1e6:0} MB/s"));
                if (round < KeepLast) continue;
                checkpointSeconds += c;
                rawSeconds += r;
                perPartSeconds += pp;
            }
            var crcClock = Stopwatch.StartNew();
            var crc = new Crc32C();
            foreach (var section in rawSections) crc.Append(System.Runtime.InteropServices.MemoryMarshal.AsBytes(section.AsSpan()));
            double crcSeconds = crcClock.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  diagnostics: raw one file per part {bytes * o.CheckpointRounds / perPartSeconds / 1e6:0} MB/s (what {layout.Count} fsynced files cost), " +
                $"CRC-32C alone {bytes / crcSeconds / 1e6:0} MB/s (one thread)"));
            double checkpointMBs = bytes * o.CheckpointRounds / checkpointSeconds / 1e6, rawMBs = bytes * o.CheckpointRounds / rawSeconds / 1e6;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  checkpoint {checkpointMBs:0} MB/s, raw durable write {rawMBs:0} MB/s"));
            return checkpointMBs / rawMBs;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Every shard's part, then the manifest; the seconds the whole checkpoint took and the commit's share.</summary>
    private static async Task<(double Total, double Commit)> WriteCheckpointAsync(CheckpointManager manager, ShardState[] states,
        IReadOnlyList<OptimizerStateEntry>[] entries, long step)
    {
        var clock = Stopwatch.StartNew();
        var parts = new CheckpointPart[states.Length];
        // Each shard actor writes its own part when asked, so a node's parts are written side by side.
        Parallel.For(0, states.Length, new ParallelOptions { MaxDegreeOfParallelism = Writers }, i =>
        {
            var s = states[i];
            parts[i] = manager.WritePart(RunId, new ShardPartHeader(s.ShardIndex, s.Offset, step, s.Version), s.Values, entries[i]);
        });
        double written = clock.Elapsed.TotalSeconds;
        await manager.CommitAsync(RunId, new CheckpointPosition(step, 0, step, [1], "bench"), parts);
        double total = clock.Elapsed.TotalSeconds;
        return (total, total - written);
    }

    /// <summary>Each part's sections as a raw durable file of its own, side by side like the parts; the seconds taken.</summary>
    private static double WritePerPartRaw(string directory, float[][][] perPart)
    {
        Directory.CreateDirectory(directory);
        var clock = Stopwatch.StartNew();
        Parallel.For(0, perPart.Length, new ParallelOptions { MaxDegreeOfParallelism = Writers },
            i => RawDurableWrite.Write(Path.Combine(directory, $"part-{i}.bin"), perPart[i]));
        return clock.Elapsed.TotalSeconds;
    }

    private static ShardState AfterOneAdamStep(ShardSpec spec)
    {
        var initial = new float[spec.Length];
        var gradient = new float[spec.Length];
        for (int i = 0; i < initial.Length; i++) { initial[i] = (i % 1000) * 1e-3f; gradient[i] = ((i * 7 + spec.Index) % 1000 - 500) * 1e-4f; }
        using var shard = new ParameterShard(spec, initial, OptimizerSpec.Defaults("adam"), ShardPolicy.Synchronous, ["w"]);
        if (shard.Push("w", 0, gradient, 1) != PushOutcome.Applied)
            throw new InvalidOperationException($"shard {spec.Index} did not apply its step");
        return shard.ExportState();
    }
}
