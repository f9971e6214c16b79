using ClusterTrainer.Persistence.Sql.Checkpoints;
using ClusterTrainer.Training.Checkpoints;
using Xunit;

namespace ClusterTrainer.Training.Tests.Checkpoints;

/// <summary>The commit protocol: manifests only over durable parts, retention, orphan cleanup, verified loading and fallback.</summary>
public sealed class CheckpointManagerTests : IDisposable
{
    private readonly CheckpointTestBed bed = new(keepLast: 3);

    public void Dispose() => bed.Dispose();

    private string[] PartFiles() => Directory.GetFiles(bed.RunDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    [Fact]
    public async Task Latest_is_loaded_with_its_position_and_every_shard_verified()
    {
        await bed.CheckpointAsync(10);
        await bed.CheckpointAsync(20);

        var loaded = await bed.Manager.LoadLatestAsync(CheckpointTestBed.Run);
        Assert.NotNull(loaded);
        Assert.Equal(20, loaded.Manifest.Step);
        Assert.Equal((0, 640L, "spec-hash"), (loaded.Manifest.Epoch, loaded.Manifest.DataCursor, loaded.Manifest.SpecHash));
        Assert.Equal([7L, 20L], loaded.Manifest.RngSeeds);
        Assert.Equal([0, 1, 2], loaded.Parts.Select(p => p.ShardId));
        foreach (var part in loaded.Parts)
        {
            Assert.Equal(CheckpointTestBed.SliceValues(part.ShardId, 20, 50), part.Values);
            Assert.Equal(21, part.Version);
        }

        Assert.Empty(loaded.Warnings);
    }

    [Fact]
    public async Task A_run_without_checkpoints_loads_nothing()
    {
        Assert.Null(await bed.Manager.LoadLatestAsync("never-checkpointed"));
    }

    [Fact]
    public async Task Crash_after_parts_before_manifest_leaves_the_previous_checkpoint_latest_and_orphans_are_cleaned()
    {
        await bed.CheckpointAsync(10);
        var orphans = bed.WriteParts(20);                        // every shard wrote step 20 ...
        File.WriteAllBytes(Path.Combine(bed.RunDirectory, CheckpointManager.PartFileName(30, 0, "0a0b0c0d") + ".tmp-0badf00d"), [1, 2, 3]);
        // ... and the coordinator died before committing: a restarted process sees only what the store says.
        var restarted = new CheckpointManager(new SqliteCheckpointStore(Path.Combine(bed.Root, "store", "checkpoints.db")), bed.Manager.RootDirectory);

        var latest = await restarted.LoadLatestAsync(CheckpointTestBed.Run);
        Assert.Equal(10, latest!.Manifest.Step);
        var deleted = await restarted.CleanOrphansAsync(CheckpointTestBed.Run);
        Assert.Equal(orphans.Select(p => p.FileName).Append(CheckpointManager.PartFileName(30, 0, "0a0b0c0d") + ".tmp-0badf00d").Order(StringComparer.Ordinal),
            deleted.Order(StringComparer.Ordinal));
        Assert.Equal(latest.Manifest.Parts.Select(p => p.FileName).Order(StringComparer.Ordinal), PartFiles());
        Assert.Equal(10, (await restarted.LoadLatestAsync(CheckpointTestBed.Run))!.Manifest.Step);
    }

    [Fact]
    public async Task Orphan_cleanup_after_a_commit_spares_parts_of_a_later_step_still_in_flight()
    {
        await bed.CheckpointAsync(10);
        var aborted = bed.WriteParts(15);
        var inFlight = bed.WriteParts(30);
        await bed.CheckpointAsync(20);

        var files = PartFiles();
        Assert.DoesNotContain(aborted[0].FileName, files);
        Assert.Contains(inFlight[0].FileName, files);
    }

    [Fact]
    public async Task Retention_keeps_exactly_the_last_N_manifests_and_their_files()
    {
        for (var step = 10; step <= 60; step += 10)
        {
            await bed.CheckpointAsync(step);
        }

        var kept = await bed.Store.ListAsync(CheckpointTestBed.Run);
        Assert.Equal([40L, 50L, 60L], kept.Select(m => m.Step));
        Assert.Equal(kept.SelectMany(m => m.Parts).Select(p => p.FileName).Order(StringComparer.Ordinal), PartFiles());
        foreach (var manifest in kept)
        {
            Assert.Equal(manifest.Step, (await bed.Manager.LoadAsync(CheckpointTestBed.Run, manifest.Step)).Manifest.Step);
        }
    }

    [Fact]
    public async Task A_corrupt_latest_is_refused_or_with_fallback_the_previous_one_is_loaded_saying_so()
    {
        await bed.CheckpointAsync(10);
        var latest = await bed.CheckpointAsync(20);
        var path = Path.Combine(bed.RunDirectory, latest.Parts[1].FileName);
        var bytes = File.ReadAllBytes(path);
        bytes[PartFile.HeaderSize + 17] ^= 0x01;
        File.WriteAllBytes(path, bytes);

        var ex = await Assert.ThrowsAsync<CheckpointCorruptException>(() => bed.Manager.LoadLatestAsync(CheckpointTestBed.Run));
        Assert.Equal(path, ex.FilePath);
        Assert.Contains("checksum mismatch", ex.Message);

        var fallback = await bed.Manager.LoadLatestAsync(CheckpointTestBed.Run, fallBackToPrevious: true);
        Assert.Equal(10, fallback!.Manifest.Step);
        var warning = Assert.Single(fallback.Warnings);
        Assert.Contains("step 20", warning);
        Assert.Contains(path, warning);
        Assert.Contains("falling back to step 10", warning);
    }

    [Fact]
    public async Task Writing_a_committed_step_again_never_touches_the_committed_files()
    {
        var committed = await bed.CheckpointAsync(10);
        var before = committed.Parts.Select(p => File.ReadAllBytes(Path.Combine(bed.RunDirectory, p.FileName))).ToList();
        var repeat = bed.WriteParts(10, shardLength: 60);   // a duplicated checkpoint request after failover
        Assert.Empty(repeat.Select(p => p.FileName).Intersect(committed.Parts.Select(p => p.FileName)));
        await Assert.ThrowsAsync<ClusterTrainer.Persistence.Sql.Checkpoints.CheckpointExistsException>(
            () => bed.Manager.CommitAsync(CheckpointTestBed.Run, CheckpointTestBed.Position(10), repeat));
        Assert.Equal(before, committed.Parts.Select(p => File.ReadAllBytes(Path.Combine(bed.RunDirectory, p.FileName))));
        Assert.Equal(10, (await bed.Manager.LoadLatestAsync(CheckpointTestBed.Run))!.Parts[0].Step);
        Assert.Equal(repeat.Select(p => p.FileName).Order(StringComparer.Ordinal),
            (await bed.Manager.CleanOrphansAsync(CheckpointTestBed.Run)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_manifest_is_not_committed_when_a_part_is_missing_or_short()
    {
        var parts = bed.WriteParts(10);
        File.Delete(Path.Combine(bed.RunDirectory, parts[2].FileName));
        var ex = await Assert.ThrowsAsync<CheckpointCorruptException>(() => bed.Manager.CommitAsync(CheckpointTestBed.Run, CheckpointTestBed.Position(10), parts));
        Assert.Contains("shard 2 is missing", ex.Message);
        Assert.Null(await bed.Store.LatestAsync(CheckpointTestBed.Run));
    }

    [Fact]
    public void Bad_settings_are_refused_with_the_fix()
    {
        Assert.Contains("keep at least 1", Assert.Throws<ArgumentException>(() => new CheckpointManager(bed.Store, bed.Root, keepLast: 0)).Message);
        Assert.Contains("[A-Za-z0-9._-]", Assert.Throws<ArgumentException>(() => bed.Manager.RunDirectory("../escape")).Message);
    }
}
