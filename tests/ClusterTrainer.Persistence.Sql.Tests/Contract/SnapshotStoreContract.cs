using System.Text;
using ClusterTrainer.Actors.Persistence;
using Xunit;

namespace ClusterTrainer.Persistence.Sql.Tests.Contract;

/// <summary>The snapshot-store contract (after Akka.Persistence.TCK's SnapshotStoreSpec), one subclass per store.</summary>
public abstract class SnapshotStoreContract : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
    private ISnapshotStore? store;

    protected ISnapshotStore Store => store ?? throw new InvalidOperationException("store not created");

    /// <summary>A fresh snapshot store over empty storage.</summary>
    protected abstract Task<ISnapshotStore> CreateStoreAsync();

    public async Task InitializeAsync()
    {
        store = await CreateStoreAsync();
        // Three snapshots one second apart, as an actor snapshotting every 5 events would leave.
        for (var i = 1; i <= 3; i++)
        {
            await Store.SaveAsync(new SnapshotMetadata("p-1", 5 * i, T0.AddSeconds(i)), "test.state", Encoding.UTF8.GetBytes($"state-{5 * i}"));
        }
    }

    public virtual Task DisposeAsync() => store is IAsyncDisposable d ? d.DisposeAsync().AsTask() : Task.CompletedTask;

    [Fact]
    public async Task Load_returns_null_for_an_unknown_id()
    {
        Assert.Null(await Store.LoadAsync("nobody", SnapshotSelectionCriteria.Latest));
    }

    [Fact]
    public async Task Load_latest_returns_the_highest_sequence_number_with_its_metadata()
    {
        var loaded = await Store.LoadAsync("p-1", SnapshotSelectionCriteria.Latest);

        Assert.NotNull(loaded);
        Assert.Equal(new SnapshotMetadata("p-1", 15, T0.AddSeconds(3)), loaded.Metadata);
        Assert.Equal("test.state", loaded.Manifest);
        Assert.Equal("state-15", Encoding.UTF8.GetString(loaded.Payload));
    }

    [Fact]
    public async Task Load_honours_max_sequence_number()
    {
        Assert.Equal(10, (await Store.LoadAsync("p-1", new SnapshotSelectionCriteria(12)))?.Metadata.SequenceNr);
        Assert.Equal(10, (await Store.LoadAsync("p-1", new SnapshotSelectionCriteria(10)))?.Metadata.SequenceNr);
        Assert.Null(await Store.LoadAsync("p-1", new SnapshotSelectionCriteria(4)));
        Assert.Null(await Store.LoadAsync("p-1", SnapshotSelectionCriteria.None));
    }

    [Fact]
    public async Task Load_honours_max_timestamp_and_the_minimum_bounds()
    {
        Assert.Equal(10, (await Store.LoadAsync("p-1", new SnapshotSelectionCriteria(long.MaxValue, T0.AddSeconds(2.5))))?.Metadata.SequenceNr);
        Assert.Null(await Store.LoadAsync("p-1", new SnapshotSelectionCriteria(long.MaxValue, T0)));
        Assert.Equal(5, (await Store.LoadAsync("p-1", new SnapshotSelectionCriteria(15, T0.AddSeconds(1))))?.Metadata.SequenceNr);
        Assert.Null(await Store.LoadAsync("p-1", new SnapshotSelectionCriteria(12, DateTimeOffset.MaxValue, MinSequenceNr: 11)));
        Assert.Null(await Store.LoadAsync("p-1", new SnapshotSelectionCriteria(12, DateTimeOffset.MaxValue, MinTimestamp: T0.AddSeconds(2.5))));
    }

    [Fact]
    public async Task Delete_one_removes_exactly_that_snapshot()
    {
        await Store.DeleteAsync(new SnapshotMetadata("p-1", 15, T0.AddSeconds(3)));
        Assert.Equal(10, (await Store.LoadAsync("p-1", SnapshotSelectionCriteria.Latest))?.Metadata.SequenceNr);

        // A timestamp that does not match leaves it alone; MinValue means "any timestamp".
        await Store.DeleteAsync(new SnapshotMetadata("p-1", 10, T0.AddSeconds(99)));
        Assert.Equal(10, (await Store.LoadAsync("p-1", SnapshotSelectionCriteria.Latest))?.Metadata.SequenceNr);
        await Store.DeleteAsync(new SnapshotMetadata("p-1", 10, DateTimeOffset.MinValue));
        Assert.Equal(5, (await Store.LoadAsync("p-1", SnapshotSelectionCriteria.Latest))?.Metadata.SequenceNr);
    }

    [Fact]
    public async Task Delete_by_criteria_removes_every_match_and_nothing_else()
    {
        await Store.DeleteAsync("p-1", new SnapshotSelectionCriteria(10));

        Assert.Null(await Store.LoadAsync("p-1", new SnapshotSelectionCriteria(10)));
        Assert.Equal(15, (await Store.LoadAsync("p-1", SnapshotSelectionCriteria.Latest))?.Metadata.SequenceNr);
        await Store.DeleteAsync("p-1", SnapshotSelectionCriteria.Latest);
        Assert.Null(await Store.LoadAsync("p-1", SnapshotSelectionCriteria.Latest));
    }

    [Fact]
    public async Task Saving_again_at_a_sequence_number_replaces_the_snapshot()
    {
        await Store.SaveAsync(new SnapshotMetadata("p-1", 15, T0.AddSeconds(10)), "test.state.v2", Encoding.UTF8.GetBytes("newer"));

        var loaded = await Store.LoadAsync("p-1", SnapshotSelectionCriteria.Latest);
        Assert.Equal(new SnapshotMetadata("p-1", 15, T0.AddSeconds(10)), loaded?.Metadata);
        Assert.Equal("test.state.v2", loaded?.Manifest);
        Assert.Equal("newer", Encoding.UTF8.GetString(loaded!.Payload));
    }

    [Fact]
    public async Task Persistence_ids_are_isolated()
    {
        await Store.SaveAsync(new SnapshotMetadata("p-10", 99, T0), "test.state", [1, 2, 3]);
        await Store.DeleteAsync("p-10", SnapshotSelectionCriteria.Latest);

        Assert.Null(await Store.LoadAsync("p-10", SnapshotSelectionCriteria.Latest));
        Assert.Equal(15, (await Store.LoadAsync("p-1", SnapshotSelectionCriteria.Latest))?.Metadata.SequenceNr);
        await Store.DeleteAsync("p-1", SnapshotSelectionCriteria.Latest);
        Assert.Null(await Store.LoadAsync("p-1", SnapshotSelectionCriteria.Latest));
    }

    [Fact]
    public async Task Large_snapshots_round_trip_byte_for_byte()
    {
        var bytes = new byte[4 << 20];
        new Random(7).NextBytes(bytes);
        await Store.SaveAsync(new SnapshotMetadata("big", 1, T0), "test.state", bytes);

        var loaded = await Store.LoadAsync("big", SnapshotSelectionCriteria.Latest);
        Assert.True(bytes.AsSpan().SequenceEqual(loaded!.Payload), "the 4 MiB snapshot differs after loading");
    }

    [Fact]
    public async Task Timestamps_keep_millisecond_precision()
    {
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_123_456);
        await Store.SaveAsync(new SnapshotMetadata("ms", 3, at.AddTicks(1234)), "test.state", [0]);
        Assert.Equal(at, (await Store.LoadAsync("ms", SnapshotSelectionCriteria.Latest))?.Metadata.Timestamp);
    }
}
