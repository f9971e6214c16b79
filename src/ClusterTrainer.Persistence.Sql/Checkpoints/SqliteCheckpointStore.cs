using ClusterTrainer.Persistence.Sql.Sqlite;
using Microsoft.Data.Sqlite;

namespace ClusterTrainer.Persistence.Sql.Checkpoints;

/// <summary>Checkpoint manifests in SQLite: one row per (run_id, step), the manifest as JSON.</summary>
public sealed class SqliteCheckpointStore : ICheckpointStore
{
    public const string DefaultTable = "checkpoint_manifest";
    private readonly SqliteDatabase database;
    private readonly string table;

    /// <summary>A store over the database file <paramref name="dataSource"/> (created when missing).</summary>
    public SqliteCheckpointStore(string dataSource, string table = DefaultTable)
        : this(new SqliteDatabase(CheckedSource(dataSource), TimeSpan.FromSeconds(30)), table)
    {
    }

    /// <summary>A store sharing connection and schema plumbing with the journal and snapshot store.</summary>
    public SqliteCheckpointStore(SqliteDatabase database, string table = DefaultTable)
    {
        this.database = database ?? throw new ArgumentNullException(nameof(database));
        this.table = SqlIdentifier.Validate(table, "CheckpointTable");
    }

    public Task InitializeAsync(CancellationToken cancellationToken = default) =>
        database.EnsureSchemaAsync("checkpoint:" + table, $"""
            CREATE TABLE IF NOT EXISTS {table} (
                run_id TEXT NOT NULL,
                step INTEGER NOT NULL,
                created_ms INTEGER NOT NULL,
                manifest TEXT NOT NULL,
                PRIMARY KEY (run_id, step));
            """, cancellationToken);

    public async Task CommitAsync(CheckpointManifest manifest, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        manifest.Validate();
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"INSERT INTO {table} (run_id, step, created_ms, manifest) VALUES ($run, $step, $ts, $manifest);";
        command.Parameters.AddWithValue("$run", manifest.RunId);
        command.Parameters.AddWithValue("$step", manifest.Step);
        command.Parameters.AddWithValue("$ts", manifest.CreatedAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$manifest", manifest.ToJson());
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException ex) when (SqliteDatabase.IsUniqueViolation(ex))
        {
            throw new CheckpointExistsException(manifest.RunId, manifest.Step, ex);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<CheckpointManifest>> ListAsync(string runId, CancellationToken cancellationToken = default) =>
        await QueryAsync(runId, $"SELECT step, manifest FROM {table} WHERE run_id = $run ORDER BY step ASC;", null, cancellationToken).ConfigureAwait(false);

    public async Task<CheckpointManifest?> LatestAsync(string runId, CancellationToken cancellationToken = default) =>
        (await QueryAsync(runId, $"SELECT step, manifest FROM {table} WHERE run_id = $run ORDER BY step DESC LIMIT 1;", null, cancellationToken)
            .ConfigureAwait(false)).SingleOrDefault();

    public async Task<CheckpointManifest?> GetAsync(string runId, long step, CancellationToken cancellationToken = default) =>
        (await QueryAsync(runId, $"SELECT step, manifest FROM {table} WHERE run_id = $run AND step = $step;", step, cancellationToken)
            .ConfigureAwait(false)).SingleOrDefault();

    public async Task<bool> DeleteAsync(string runId, long step, CancellationToken cancellationToken = default)
    {
        CheckpointManifest.ValidateRunId(runId);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"DELETE FROM {table} WHERE run_id = $run AND step = $step;";
        command.Parameters.AddWithValue("$run", runId);
        command.Parameters.AddWithValue("$step", step);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    private async Task<List<CheckpointManifest>> QueryAsync(string runId, string sql, long? step, CancellationToken cancellationToken)
    {
        CheckpointManifest.ValidateRunId(runId);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$run", runId);
        if (step is { } s)
        {
            command.Parameters.AddWithValue("$step", s);
        }

        var result = new List<CheckpointManifest>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(CheckpointManifest.FromJson(reader.GetString(1), runId, reader.GetInt64(0)));
        }

        return result;
    }

    private static string CheckedSource(string dataSource)
    {
        if (string.IsNullOrWhiteSpace(dataSource) || dataSource.Contains(';'))
        {
            throw new ArgumentException(
                $"setting 'DataSource' is '{dataSource}': give the checkpoint store a database file path without ';', e.g. 'data/checkpoints.db'",
                nameof(dataSource));
        }

        return dataSource;
    }
}
