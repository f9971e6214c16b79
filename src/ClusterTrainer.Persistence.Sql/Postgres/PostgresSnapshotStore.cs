using ClusterTrainer.Actors.Persistence;
using Npgsql;
using NpgsqlTypes;

namespace ClusterTrainer.Persistence.Sql.Postgres;

/// <summary>Snapshot store in PostgreSQL: one row per (persistence_id, sequence_nr); saving again replaces the row.</summary>
public sealed class PostgresSnapshotStore : ISnapshotStore, IAsyncDisposable
{
    private const string CriteriaSql =
        "sequence_nr <= $2 AND sequence_nr >= $3 AND timestamp_ms <= $4 AND timestamp_ms >= $5";

    private readonly PostgresDatabase database;
    private readonly bool ownsDatabase;
    private readonly string table;
    private readonly string tableName;

    public PostgresSnapshotStore(PostgresStoreSettings settings)
        : this(new PostgresDatabase(PostgresStoreSettings.Checked(settings).ConnectionString, settings.Schema), settings, ownsDatabase: true)
    {
    }

    /// <summary>Shares <paramref name="database"/> with other stores; does not dispose it.</summary>
    public PostgresSnapshotStore(PostgresDatabase database, PostgresStoreSettings settings)
        : this(database, PostgresStoreSettings.Checked(settings), ownsDatabase: false)
    {
    }

    private PostgresSnapshotStore(PostgresDatabase database, PostgresStoreSettings settings, bool ownsDatabase)
    {
        this.database = database ?? throw new ArgumentNullException(nameof(database));
        this.ownsDatabase = ownsDatabase;
        tableName = settings.SnapshotTable;
        table = database.Qualify(settings.SnapshotTable);
    }

    public Task InitializeAsync(CancellationToken cancellationToken = default) =>
        database.EnsureSchemaAsync("snapshot:" + table, $"""
            CREATE TABLE IF NOT EXISTS {table} (
                persistence_id TEXT NOT NULL,
                sequence_nr BIGINT NOT NULL,
                timestamp_ms BIGINT NOT NULL,
                manifest TEXT NOT NULL,
                payload BYTEA NOT NULL,
                CONSTRAINT "{tableName}_pk" PRIMARY KEY (persistence_id, sequence_nr));
            """, cancellationToken);

    public async Task SaveAsync(SnapshotMetadata metadata, string manifest, byte[] payload, CancellationToken cancellationToken = default)
    {
        SnapshotArguments.Validate(metadata, manifest, payload);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            $"INSERT INTO {table} (persistence_id, sequence_nr, timestamp_ms, manifest, payload) VALUES ($1, $2, $3, $4, $5) " +
            "ON CONFLICT (persistence_id, sequence_nr) DO UPDATE SET " +
            "timestamp_ms = EXCLUDED.timestamp_ms, manifest = EXCLUDED.manifest, payload = EXCLUDED.payload", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = metadata.PersistenceId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = metadata.SequenceNr });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = metadata.TimestampMs });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = manifest });
        command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = payload, NpgsqlDbType = NpgsqlDbType.Bytea });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default)
    {
        JournalBatch.ValidatePersistenceId(persistenceId);
        ArgumentNullException.ThrowIfNull(criteria);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            $"SELECT sequence_nr, timestamp_ms, manifest, payload FROM {table} WHERE persistence_id = $1 AND {CriteriaSql} " +
            "ORDER BY sequence_nr DESC LIMIT 1", connection);
        AddCriteria(command, persistenceId, criteria);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return SqlRows.Snapshot(reader, persistenceId);
    }

    public async Task DeleteAsync(SnapshotMetadata metadata, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        JournalBatch.ValidatePersistenceId(metadata.PersistenceId);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var anyTime = metadata.Timestamp == DateTimeOffset.MinValue;
        await using var command = new NpgsqlCommand(
            $"DELETE FROM {table} WHERE persistence_id = $1 AND sequence_nr = $2" + (anyTime ? string.Empty : " AND timestamp_ms = $3"),
            connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = metadata.PersistenceId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = metadata.SequenceNr });
        if (!anyTime)
        {
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = metadata.TimestampMs });
        }

        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default)
    {
        JournalBatch.ValidatePersistenceId(persistenceId);
        ArgumentNullException.ThrowIfNull(criteria);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"DELETE FROM {table} WHERE persistence_id = $1 AND {CriteriaSql}", connection);
        AddCriteria(command, persistenceId, criteria);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => ownsDatabase ? database.DisposeAsync() : ValueTask.CompletedTask;

    private static void AddCriteria(NpgsqlCommand command, string persistenceId, SnapshotSelectionCriteria criteria)
    {
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = persistenceId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = criteria.MaxSequenceNr });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = criteria.MinSequenceNr });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = criteria.MaxTimestampMs });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = criteria.MinTimestampMs });
    }
}
