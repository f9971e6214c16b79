using ClusterTrainer.Persistence.Sql.Checkpoints;
using ClusterTrainer.Training.Checkpoints;

namespace ClusterTrainer.Training.Tests.Checkpoints;

/// <summary>A temp checkpoint directory with a SQLite checkpoint store, and shards with deterministic contents.</summary>
public sealed class CheckpointTestBed : IDisposable
{
    public const string Run = "run-1";

    public CheckpointTestBed(int keepLast = 3)
    {
        Store = new SqliteCheckpointStore(Path.Combine(Root, "store", "checkpoints.db"));
        Manager = new CheckpointManager(Store, Path.Combine(Root, "parts"), keepLast);
    }

    public string Root { get; } = Directory.CreateTempSubdirectory("ct-ckpt-").FullName;

    public SqliteCheckpointStore Store { get; }

    public CheckpointManager Manager { get; }

    public string RunDirectory => Manager.RunDirectory(Run);

    /// <summary>The values shard <paramref name="shard"/> holds at <paramref name="step"/>: distinct per shard, step and index.</summary>
    public static float[] SliceValues(int shard, long step, int length) =>
        Enumerable.Range(0, length).Select(i => (float)(shard * 1000 + step + i * 0.25)).ToArray();

    public static CheckpointPosition Position(long step) => new(step, Epoch: (int)(step / 100), DataCursor: step * 32, RngSeeds: [7, step], SpecHash: "spec-hash");

    /// <summary>Every shard writes its part for <paramref name="step"/> (shards of <paramref name="shardLength"/> floats, Adam-like state).</summary>
    public List<CheckpointPart> WriteParts(long step, int shards = 3, int shardLength = 50) =>
        Enumerable.Range(0, shards).Select(s =>
        {
            var values = SliceValues(s, step, shardLength);
            return Manager.WritePart(Run, new ShardPartHeader(s, (long)s * shardLength, step, Version: step + 1), values,
                [OptimizerStateEntry.FromFloats("exp_avg", values.Select(v => v * 0.5f).ToArray()), new("step", BitConverter.GetBytes(step))]);
        }).ToList();

    public async Task<CheckpointManifest> CheckpointAsync(long step, int shards = 3, int shardLength = 50) =>
        await Manager.CommitAsync(Run, Position(step), WriteParts(step, shards, shardLength));

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
