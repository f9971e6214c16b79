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
/// which goes first; round 0 is a warm-up. The shard states are real: each shard applied one Adam step.
/// </summary>
internal static class CheckpointBench
{
    private const string RunId = "bench";

    public static async Task<double> RunAsync(BenchOptions o)
    {
        var layout = new ShardLayout(o.ExchangeParameters, o.MaxShardElements);
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
            var manager = new CheckpointManager(store, Path.Combine(dir, "parts"), keepLast: 2);
            double checkpointSeconds = 0, rawSeconds = 0;
            for (int round = 0; round <= o.CheckpointRounds; round++)
            {
                double c = 0, r = 0;
                foreach (bool checkpointFirst in round % 2 == 0 ? new[] { true, false } : [false, true])
                {
                    if (checkpointFirst) c = await WriteCheckpointAsync(manager, states, entries, step: round + 1);
                    else r = RawDurableWrite.Write(Path.Combine(dir, "raw.bin"), rawSections);
                }
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  round {round}{(round == 0 ? " (warm-up)" : "")}: checkpoint {bytes / c / 1e6:0} MB/s ({c:0.00} s), raw {bytes / r / 1e6:0} MB/s ({r:0.00} s)"));
                if (round == 0) continue;
                checkpointSeconds += c;
                rawSeconds += r;
            }
            double checkpointMBs = bytes * o.CheckpointRounds / checkpointSeconds / 1e6, rawMBs = bytes * o.CheckpointRounds / rawSeconds / 1e6;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  checkpoint {checkpointMBs:0} MB/s, raw durable write {rawMBs:0} MB/s"));
            return checkpointMBs / rawMBs;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Every shard's part, then the manifest; the seconds the whole checkpoint took.</summary>
    private static async Task<double> WriteCheckpointAsync(CheckpointManager manager, ShardState[] states,
        IReadOnlyList<OptimizerStateEntry>[] entries, long step)
    {
        var clock = Stopwatch.StartNew();
        var parts = new CheckpointPart[states.Length];
        for (int i = 0; i < states.Length; i++)
        {
            var s = states[i];
            parts[i] = manager.WritePart(RunId, new ShardPartHeader(s.ShardIndex, s.Offset, step, s.Version), s.Values, entries[i]);
        }
        await manager.CommitAsync(RunId, new CheckpointPosition(step, 0, step, [1], "bench"), parts);
        return clock.Elapsed.TotalSeconds;
    }

    private static ShardState AfterOneAdamStep(ShardSpec spec)
    {
        var initial = new float[spec.Length];
        var gradient = new float[spec.Length];
        var rng = new Random(spec.Index);
        for (int i = 0; i < initial.Length; i++) { initial[i] = (float)rng.NextDouble(); gradient[i] = (float)rng.NextDouble() - 0.5f; }
        using var shard = new ParameterShard(spec, initial, OptimizerSpec.Defaults("adam"), ShardPolicy.Synchronous, ["w"]);
        if (shard.Push("w", 0, gradient, 1) != PushOutcome.Applied)
            throw new InvalidOperationException($"shard {spec.Index} did not apply its step");
        return shard.ExportState();
    }
}
