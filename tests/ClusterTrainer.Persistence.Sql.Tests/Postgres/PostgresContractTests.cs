using ClusterTrainer.Actors.Persistence;
using ClusterTrainer.Persistence.Sql.Postgres;
using ClusterTrainer.Persistence.Sql.Tests.Contract;
using Xunit;

namespace ClusterTrainer.Persistence.Sql.Tests.Postgres;

/// <summary>Each test gets its own tables in the shared server's database.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresJournalContractTests(PostgresFixture fixture) : JournalContract
{
    private readonly PostgresStoreSettings settings = new()
    {
        ConnectionString = fixture.ConnectionString,
        JournalTable = "journal_" + Guid.NewGuid().ToString("N")[..12],
    };

    protected override Task<IJournal> CreateJournalAsync() => Task.FromResult<IJournal>(new PostgresJournal(settings));

    protected override Task<IJournal> OpenSecondInstanceAsync() => Task.FromResult<IJournal>(new PostgresJournal(settings));
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresSnapshotStoreContractTests(PostgresFixture fixture) : SnapshotStoreContract
{
    protected override Task<ISnapshotStore> CreateStoreAsync() => Task.FromResult<ISnapshotStore>(new PostgresSnapshotStore(
        new PostgresStoreSettings
        {
            ConnectionString = fixture.ConnectionString,
            Schema = "snapshots_" + Guid.NewGuid().ToString("N")[..8],
            SnapshotTable = "snapshot_store",
        }));
}
