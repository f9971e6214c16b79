using ClusterTrainer.Actors.Persistence;
using ClusterTrainer.Persistence.Sql.Sqlite;
using ClusterTrainer.Persistence.Sql.Tests.Contract;

namespace ClusterTrainer.Persistence.Sql.Tests.Sqlite;

public sealed class SqliteJournalContractTests : JournalContract
{
    private readonly TempDirectory directory = new();

    private SqliteStoreSettings Settings => new() { DataSource = Path.Combine(directory.Path, "journal.db") };

    protected override Task<IJournal> CreateJournalAsync() => Task.FromResult<IJournal>(new SqliteJournal(Settings));

    protected override Task<IJournal> OpenSecondInstanceAsync() => Task.FromResult<IJournal>(new SqliteJournal(Settings));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        directory.Dispose();
    }
}

public sealed class SqliteSnapshotStoreContractTests : SnapshotStoreContract
{
    private readonly TempDirectory directory = new();

    protected override Task<ISnapshotStore> CreateStoreAsync() =>
        Task.FromResult<ISnapshotStore>(new SqliteSnapshotStore(new SqliteStoreSettings { DataSource = Path.Combine(directory.Path, "snapshots.db") }));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        directory.Dispose();
    }
}

/// <summary>A temp directory deleted on dispose (SQLite pools are cleared first so no handle outlives it).</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("ct-sqlite-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
