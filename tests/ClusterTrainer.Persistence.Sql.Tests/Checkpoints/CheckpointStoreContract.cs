using ClusterTrainer.Persistence.Sql.Checkpoints;
using Xunit;

namespace ClusterTrainer.Persistence.Sql.Tests.Checkpoints;

/// <summary>The checkpoint-store contract, one subclass per store (SQLite, PostgreSQL).</summary>
public abstract class CheckpointStoreContract : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
    private ICheckpointStore? store;

    protected ICheckpointStore Store => store ?? throw new InvalidOperationException("store not created");

    /// <summary>A fresh store over empty storage.</summary>
    protected abstract Task<ICheckpointStore> CreateStoreAsync();

    /// <summary>A second store instance over the same storage (another node, or a restarted process).</summary>
    protected abstract Task<ICheckpointStore> OpenSecondInstanceAsync();

    public async Task InitializeAsync() => store = await CreateStoreAsync();

    public virtual async Task DisposeAsync()
    {
        if (store is IAsyncDisposable d)
        {
            await d.DisposeAsync();
        }
    }

    internal static CheckpointManifest Manifest(string run, long step, int shards = 2) => new(
        run, step, Epoch: (int)(step / 10), DataCursor: step * 64, RngSeeds: [42, step],
        SpecHash: "sha256:abc", Enumerable.Range(0, shards).Select(s =>
            new CheckpointPart(s, s * 100L, 100, $"step-{step:D12}-shard-{s:D4}.part", 512 + s, $"{step:x4}{s:x4}")).ToList(),
        T0.AddSeconds(step));

    [Fact]
    public async Task A_run_without_checkpoints_has_no_latest_and_an_empty_list()
    {
        Assert.Null(await Store.LatestAsync("nobody"));
        Assert.Empty(await Store.ListAsync("nobody"));
        Assert.Null(await Store.GetAsync("nobody", 1));
        Assert.False(await Store.DeleteAsync("nobody", 1));
    }

    [Fact]
    public async Task A_committed_manifest_reads_back_field_for_field()
    {
        var manifest = Manifest("run-a", 20, shards: 3);
        await Store.CommitAsync(manifest);
        var loaded = await Store.GetAsync("run-a", 20);
        Assert.NotNull(loaded);
        Assert.Equal(manifest with { RngSeeds = [], Parts = [] }, loaded with { RngSeeds = [], Parts = [] });
        Assert.Equal(manifest.RngSeeds, loaded.RngSeeds);
        Assert.Equal(manifest.Parts, loaded.Parts);
    }

    [Fact]
    public async Task List_is_ordered_by_step_and_latest_is_the_highest_step_of_that_run_only()
    {
        foreach (var step in new long[] { 30, 10, 20 })
        {
            await Store.CommitAsync(Manifest("run-a", step));
        }

        await Store.CommitAsync(Manifest("run-b", 99));
        Assert.Equal([10L, 20L, 30L], (await Store.ListAsync("run-a")).Select(m => m.Step));
        Assert.Equal(30, (await Store.LatestAsync("run-a"))!.Step);
        Assert.Equal(99, (await Store.LatestAsync("run-b"))!.Step);
    }

    [Fact]
    public async Task Committing_the_same_step_twice_is_refused_and_keeps_the_first()
    {
        var first = Manifest("run-a", 5);
        await Store.CommitAsync(first);
        var ex = await Assert.ThrowsAsync<CheckpointExistsException>(() => Store.CommitAsync(Manifest("run-a", 5, shards: 4)));
        Assert.Contains("step 5", ex.Message);
        Assert.Equal(2, (await Store.GetAsync("run-a", 5))!.Parts.Count);
    }

    [Fact]
    public async Task Delete_removes_exactly_that_step()
    {
        await Store.CommitAsync(Manifest("run-a", 1));
        await Store.CommitAsync(Manifest("run-a", 2));
        Assert.True(await Store.DeleteAsync("run-a", 1));
        Assert.False(await Store.DeleteAsync("run-a", 1));
        Assert.Equal([2L], (await Store.ListAsync("run-a")).Select(m => m.Step));
    }

    [Fact]
    public async Task A_second_instance_sees_what_the_first_committed()
    {
        await Store.CommitAsync(Manifest("run-a", 7));
        var second = await OpenSecondInstanceAsync();
        try
        {
            Assert.Equal(7, (await second.LatestAsync("run-a"))!.Step);
        }
        finally
        {
            if (second is IAsyncDisposable d)
            {
                await d.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Two_nodes_committing_the_same_step_at_once_leave_exactly_one_manifest()
    {
        var second = await OpenSecondInstanceAsync();
        try
        {
            var a = Store.CommitAsync(Manifest("run-a", 40, shards: 2));
            var b = second.CommitAsync(Manifest("run-a", 40, shards: 3));
            var outcomes = await Task.WhenAll(Outcome(a), Outcome(b));
            Assert.Single(outcomes, o => o is null);
            Assert.Single(outcomes, o => o is CheckpointExistsException);
            var committed = Assert.Single(await Store.ListAsync("run-a"));
            Assert.Contains(committed.Parts.Count, new[] { 2, 3 });
        }
        finally
        {
            if (second is IAsyncDisposable d)
            {
                await d.DisposeAsync();
            }
        }

        static async Task<Exception?> Outcome(Task commit)
        {
            try
            {
                await commit;
                return null;
            }
            catch (Exception ex)
            {
                return ex;
            }
        }
    }

    [Fact]
    public async Task Malformed_manifests_and_run_ids_are_refused_with_what_is_wrong()
    {
        var noParts = Manifest("run-a", 1) with { Parts = [] };
        Assert.Contains("no parts", (await Assert.ThrowsAsync<ArgumentException>(() => Store.CommitAsync(noParts))).Message);
        var dup = Manifest("run-a", 1) with { Parts = [Manifest("run-a", 1).Parts[0], Manifest("run-a", 1).Parts[0]] };
        Assert.Contains("twice", (await Assert.ThrowsAsync<ArgumentException>(() => Store.CommitAsync(dup))).Message);
        var escape = Manifest("run-a", 1) with { Parts = [Manifest("run-a", 1).Parts[0] with { FileName = "../x.part" }] };
        Assert.Contains("plain file name", (await Assert.ThrowsAsync<ArgumentException>(() => Store.CommitAsync(escape))).Message);
        Assert.Contains("[A-Za-z0-9._-]", (await Assert.ThrowsAsync<ArgumentException>(() => Store.LatestAsync("../etc"))).Message);
        Assert.Empty(await Store.ListAsync("run-a"));
    }
}
