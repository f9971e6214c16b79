using ClusterTrainer.Persistence.Sql.Postgres;
using Npgsql;
using NpgsqlTypes;

namespace ClusterTrainer.Persistence.Sql.Checkpoints;

/// <summary>Checkpoint manifests in PostgreSQL: one row per (run_id, step), the manifest as JSONB.</summary>
public sealed class PostgresCheckpointStore : ICheckpointStore, IAsyncDisposable
{
    public const string DefaultTable = "checkpoint_manifest";
    private readonly PostgresDatabase database;
    private readonly bool ownsDatabase;
    private readonly string tableName;
    private readonly string table;

    /// <summary>A store with its own connection pool over <paramref name="connectionString"/>; disposing it closes the pool.</summary>
    public PostgresCheckpointStore(string connectionString, string schema = "public", string table = DefaultTable)
        : this(new PostgresDatabase(connectionString, schema), table, ownsDatabase: true)
    {
    }

    /// <summary>Shares <paramref name="database"/> with the journal and snapshot store; does not dispose it.</summary>
    public PostgresCheckpointStore(PostgresDatabase database, string table = DefaultTable)
        : this(database, table, ownsDatabase: false)
    {
    }

    private PostgresCheckpointStore(PostgresDatabase database, string table, bool ownsDatabase)
    {
        this.database = database ?? throw new ArgumentNullException(nameof(database));
        this.ownsDatabase = ownsDatabase;
        tableName = SqlIdentifier.Validate(table, "CheckpointTable");
        this.table = database.Qualify(tableName);
    }

    public Task InitializeAsync(CancellationToken cancellationToken = default) =>
        database.EnsureSchemaAsync("checkpoint:" + table, $"""
            CREATE TABLE IF NOT EXISTS {table} (
                run_id TEXT NOT NULL,
                step BIGINT NOT NULL,
                created_ms BIGINT NOT NULL,
                manifest JSONB NOT NULL,
                CONSTRAINT "{tableName}_pk" PRIMARY KEY (run_id, step));
            """, cancellationToken);

    public async Task CommitAsync(CheckpointManifest manifest, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        manifest.Validate();
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            $"INSERT INTO {table} (run_id, step, created_ms, manifest) VALUES ($1, $2, $3, $4)", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = manifest.RunId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = manifest.Step });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = manifest.CreatedAt.ToUnixTimeMilliseconds() });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = manifest.ToJson(), NpgsqlDbType = NpgsqlDbType.Jsonb });
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException ex) when (PostgresDatabase.IsUniqueViolation(ex))
        {
            throw new CheckpointExistsException(manifest.RunId, manifest.Step, ex);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<CheckpointManifest>> ListAsync(string runId, CancellationToken cancellationToken = default) =>
        await QueryAsync(runId, $"SELECT step, manifest::text FROM {table} WHERE run_id = $1 ORDER BY step ASC", null, cancellationToken)
            .ConfigureAwait(false);

    public async Task<CheckpointManifest?> LatestAsync(string runId, CancellationToken cancellationToken = default) =>
        (await QueryAsync(runId, $"SELECT step, manifest::text FROM {table} WHERE run_id = $1 ORDER BY step DESC LIMIT 1", null, cancellationToken)
            .ConfigureAwait(false)).SingleOrDefault();

    public async Task<CheckpointManifest?> GetAsync(string runId, long step, CancellationToken cancellationToken = default) =>
        (await QueryAsync(runId, $"SELECT step, manifest::text FROM {table} WHERE run_id = $1 AND step = $2", step, cancellationToken)
            .ConfigureAwait(false)).SingleOrDefault();

    public async Task<bool> DeleteAsync(string runId, long step, CancellationToken cancellationToken = default)
    {
        CheckpointManifest.ValidateRunId(runId);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"DELETE FROM {table} WHERE run_id = $1 AND step = $2", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = runId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = step });
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    public async ValueTask DisposeAsync()
    {
        if (ownsDatabase)
        {
            await database.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<List<CheckpointManifest>> QueryAsync(string runId, string sql, long? step, CancellationToken cancellationToken)
    {
        CheckpointManifest.ValidateRunId(runId);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = runId });
        if (step is { } s)
        {
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = s });
        }

        var result = new List<CheckpointManifest>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(CheckpointManifest.FromJson(reader.GetString(1), runId, reader.GetInt64(0)));
        }

        return result;
    }
}
