using ClusterTrainer.Actors.Persistence;
using Microsoft.Data.Sqlite;

namespace ClusterTrainer.Persistence.Sql.Sqlite;

/// <summary>Snapshot store in SQLite: one row per (persistence_id, sequence_nr); saving again replaces the row.</summary>
public sealed class SqliteSnapshotStore : ISnapshotStore
{
    private readonly SqliteDatabase database;
    private readonly string table;

    public SqliteSnapshotStore(SqliteStoreSettings settings)
        : this(new SqliteDatabase(SqliteStoreSettings.Checked(settings).DataSource, settings.BusyTimeout, settings.Synchronous), settings)
    {
    }

    public SqliteSnapshotStore(SqliteDatabase database, SqliteStoreSettings settings)
    {
        SqliteStoreSettings.Checked(settings);
        this.database = database ?? throw new ArgumentNullException(nameof(database));
        table = settings.SnapshotTable;
    }

    public Task InitializeAsync(CancellationToken cancellationToken = default) =>
        database.EnsureSchemaAsync("snapshot:" + table, $"""
            CREATE TABLE IF NOT EXISTS {table} (
                persistence_id TEXT NOT NULL,
                sequence_nr INTEGER NOT NULL,
                timestamp_ms INTEGER NOT NULL,
                manifest TEXT NOT NULL,
                payload BLOB NOT NULL,
                PRIMARY KEY (persistence_id, sequence_nr));
            """, cancellationToken);

    public async Task SaveAsync(SnapshotMetadata metadata, string manifest, byte[] payload, CancellationToken cancellationToken = default)
    {
        SnapshotArguments.Validate(metadata, manifest, payload);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            INSERT INTO {table} (persistence_id, sequence_nr, timestamp_ms, manifest, payload)
            VALUES ($pid, $seq, $ts, $manifest, $payload)
            ON CONFLICT (persistence_id, sequence_nr) DO UPDATE SET
                timestamp_ms = excluded.timestamp_ms, manifest = excluded.manifest, payload = excluded.payload;
            """;
        command.Parameters.AddWithValue("$pid", metadata.PersistenceId);
        command.Parameters.AddWithValue("$seq", metadata.SequenceNr);
        command.Parameters.AddWithValue("$ts", metadata.TimestampMs);
        command.Parameters.AddWithValue("$manifest", manifest);
        command.Parameters.Add("$payload", SqliteType.Blob).Value = payload;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default)
    {
        JournalBatch.ValidatePersistenceId(persistenceId);
        ArgumentNullException.ThrowIfNull(criteria);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT sequence_nr, timestamp_ms, manifest, payload FROM {table}
            WHERE persistence_id = $pid AND {CriteriaSql} ORDER BY sequence_nr DESC LIMIT 1;
            """;
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
        await using var command = connection.CreateCommand();
        var anyTime = metadata.Timestamp == DateTimeOffset.MinValue;
        command.CommandText = $"DELETE FROM {table} WHERE persistence_id = $pid AND sequence_nr = $seq" +
                              (anyTime ? ";" : " AND timestamp_ms = $ts;");
        command.Parameters.AddWithValue("$pid", metadata.PersistenceId);
        command.Parameters.AddWithValue("$seq", metadata.SequenceNr);
        if (!anyTime)
        {
            command.Parameters.AddWithValue("$ts", metadata.TimestampMs);
        }

        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default)
    {
        JournalBatch.ValidatePersistenceId(persistenceId);
        ArgumentNullException.ThrowIfNull(criteria);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"DELETE FROM {table} WHERE persistence_id = $pid AND {CriteriaSql};";
        AddCriteria(command, persistenceId, criteria);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private const string CriteriaSql =
        "sequence_nr <= $maxSeq AND sequence_nr >= $minSeq AND timestamp_ms <= $maxTs AND timestamp_ms >= $minTs";

    private static void AddCriteria(SqliteCommand command, string persistenceId, SnapshotSelectionCriteria criteria)
    {
        command.Parameters.AddWithValue("$pid", persistenceId);
        command.Parameters.AddWithValue("$maxSeq", criteria.MaxSequenceNr);
        command.Parameters.AddWithValue("$minSeq", criteria.MinSequenceNr);
        command.Parameters.AddWithValue("$maxTs", criteria.MaxTimestampMs);
        command.Parameters.AddWithValue("$minTs", criteria.MinTimestampMs);
    }
}
