using System.Runtime.CompilerServices;
using ClusterTrainer.Actors.Persistence;
using Npgsql;
using NpgsqlTypes;

namespace ClusterTrainer.Persistence.Sql.Postgres;

/// <summary>
/// Event journal in PostgreSQL. Primary key (persistence_id, sequence_nr); a batch is one transaction
/// that checks the highest stored sequence number and then inserts every row in one round trip. Two
/// writers racing for one sequence number: the second insert waits on the first's index entry and then
/// fails with unique_violation, reported as <see cref="JournalWriteConflictException"/>.
/// </summary>
public sealed class PostgresJournal : IJournal, IAsyncDisposable
{
    private readonly PostgresDatabase database;
    private readonly bool ownsDatabase;
    private readonly string table;
    private readonly string tableName;
    private readonly JournalDeleteMode deleteMode;

    public PostgresJournal(PostgresStoreSettings settings)
        : this(new PostgresDatabase(PostgresStoreSettings.Checked(settings).ConnectionString, settings.Schema), settings, ownsDatabase: true)
    {
    }

    /// <summary>Shares <paramref name="database"/> (and its connection pool) with other stores; does not dispose it.</summary>
    public PostgresJournal(PostgresDatabase database, PostgresStoreSettings settings)
        : this(database, PostgresStoreSettings.Checked(settings), ownsDatabase: false)
    {
    }

    private PostgresJournal(PostgresDatabase database, PostgresStoreSettings settings, bool ownsDatabase)
    {
        this.database = database ?? throw new ArgumentNullException(nameof(database));
        this.ownsDatabase = ownsDatabase;
        tableName = settings.JournalTable;
        table = database.Qualify(settings.JournalTable);
        deleteMode = settings.DeleteMode;
    }

    /// <summary>Creates the schema and table when missing. Every operation calls it, so calling it is optional.</summary>
    public Task InitializeAsync(CancellationToken cancellationToken = default) =>
        database.EnsureSchemaAsync("journal:" + table, $"""
            CREATE TABLE IF NOT EXISTS {table} (
                persistence_id TEXT NOT NULL,
                sequence_nr BIGINT NOT NULL,
                manifest TEXT NOT NULL,
                payload BYTEA NOT NULL,
                writer_uuid TEXT NOT NULL,
                timestamp_ms BIGINT NOT NULL,
                tags TEXT NOT NULL DEFAULT '',
                is_deleted BOOLEAN NOT NULL DEFAULT FALSE,
                CONSTRAINT "{tableName}_pk" PRIMARY KEY (persistence_id, sequence_nr));
            """, cancellationToken);

    public async Task WriteAsync(IReadOnlyList<PersistentRepr> batch, CancellationToken cancellationToken = default)
    {
        JournalBatch.Validate(batch);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        var pid = batch[0].PersistenceId;
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var highest = await HighestAsync(connection, transaction, pid, cancellationToken).ConfigureAwait(false);
            if (batch[0].SequenceNr <= highest)
            {
                throw new JournalWriteConflictException(pid, batch[0].SequenceNr);
            }

            await using var insert = new NpgsqlBatch(connection, transaction);
            foreach (var repr in batch)
            {
                var command = new NpgsqlBatchCommand(
                    $"INSERT INTO {table} (persistence_id, sequence_nr, manifest, payload, writer_uuid, timestamp_ms, tags) " +
                    "VALUES ($1, $2, $3, $4, $5, $6, $7)");
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = repr.PersistenceId });
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = repr.SequenceNr });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = repr.Manifest });
                command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = repr.Payload, NpgsqlDbType = NpgsqlDbType.Bytea });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = repr.WriterUuid });
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = repr.TimestampMs });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = JournalBatch.JoinTags(repr.Tags) });
                insert.BatchCommands.Add(command);
            }

            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException ex) when (PostgresDatabase.IsUniqueViolation(ex))
        {
            throw new JournalWriteConflictException(pid, batch[0].SequenceNr, ex);
        }
    }

    public async IAsyncEnumerable<PersistentRepr> ReplayAsync(
        string persistenceId, long fromSequenceNr, long toSequenceNr, long max,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        JournalBatch.ValidatePersistenceId(persistenceId);
        if (max <= 0 || toSequenceNr < fromSequenceNr)
        {
            yield break;
        }

        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            $"SELECT sequence_nr, manifest, payload, writer_uuid, timestamp_ms, tags FROM {table} " +
            "WHERE persistence_id = $1 AND sequence_nr >= $2 AND sequence_nr <= $3 AND NOT is_deleted " +
            "ORDER BY sequence_nr LIMIT $4", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = persistenceId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = fromSequenceNr });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = toSequenceNr });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = max });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return SqlRows.Event(reader, persistenceId);
        }
    }

    public async Task<long> ReadHighestSequenceNrAsync(string persistenceId, CancellationToken cancellationToken = default)
    {
        JournalBatch.ValidatePersistenceId(persistenceId);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await HighestAsync(connection, null, persistenceId, cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default)
    {
        JournalBatch.ValidatePersistenceId(persistenceId);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection, transaction);
        batch.BatchCommands.Add(Command(
            $"UPDATE {table} SET is_deleted = TRUE WHERE persistence_id = $1 AND sequence_nr <= $2 AND NOT is_deleted"));
        if (deleteMode == JournalDeleteMode.Physical)
        {
            // Keep the highest row (marked) so the highest sequence number survives and numbering never restarts.
            batch.BatchCommands.Add(Command(
                $"DELETE FROM {table} WHERE persistence_id = $1 AND sequence_nr <= $2 " +
                $"AND sequence_nr < (SELECT MAX(sequence_nr) FROM {table} WHERE persistence_id = $1)"));
        }

        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);

        NpgsqlBatchCommand Command(string sql)
        {
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = persistenceId });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = toSequenceNr });
            return command;
        }
    }

    public ValueTask DisposeAsync() => ownsDatabase ? database.DisposeAsync() : ValueTask.CompletedTask;

    private async Task<long> HighestAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string pid, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT COALESCE(MAX(sequence_nr), 0) FROM {table} WHERE persistence_id = $1", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = pid });
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }
}
