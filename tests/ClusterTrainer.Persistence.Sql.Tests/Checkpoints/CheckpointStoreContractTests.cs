using ClusterTrainer.Persistence.Sql.Checkpoints;
using ClusterTrainer.Persistence.Sql.Tests.Postgres;
using ClusterTrainer.Persistence.Sql.Tests.Sqlite;
using Xunit;

namespace ClusterTrainer.Persistence.Sql.Tests.Checkpoints;

public sealed class SqliteCheckpointStoreContractTests : CheckpointStoreContract
{
    private readonly TempDirectory directory = new();

    private string DataSource => Path.Combine(directory.Path, "checkpoints.db");

    protected override Task<ICheckpointStore> CreateStoreAsync() => Task.FromResult<ICheckpointStore>(new SqliteCheckpointStore(DataSource));

    protected override Task<ICheckpointStore> OpenSecondInstanceAsync() => Task.FromResult<ICheckpointStore>(new SqliteCheckpointStore(DataSource));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        directory.Dispose();
    }
}

/// <summary>Runs on the real PostgreSQL server the "postgres" collection starts; each test gets its own schema.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresCheckpointStoreContractTests(PostgresFixture fixture) : CheckpointStoreContract
{
    private readonly string schema = "ckpt_" + Guid.NewGuid().ToString("N")[..8];

    protected override Task<ICheckpointStore> CreateStoreAsync() =>
        Task.FromResult<ICheckpointStore>(new PostgresCheckpointStore(fixture.ConnectionString, schema));

    protected override Task<ICheckpointStore> OpenSecondInstanceAsync() =>
        Task.FromResult<ICheckpointStore>(new PostgresCheckpointStore(fixture.ConnectionString, schema));
}
