using System.Runtime.CompilerServices;
using ClusterTrainer.Actors.Persistence;
using Microsoft.Data.Sqlite;

namespace ClusterTrainer.Persistence.Sql.Sqlite;

/// <summary>
/// Event journal in one SQLite file (WAL mode). Primary key (persistence_id, sequence_nr); a batch is
/// one IMMEDIATE transaction that first checks the highest stored sequence number, so a second writer
/// for the same persistence id gets <see cref="JournalWriteConflictException"/> and writes nothing.
/// </summary>
public sealed class SqliteJournal : IJournal
{
    private readonly SqliteDatabase database;
    private readonly string table;
    private readonly JournalDeleteMode deleteMode;

    public SqliteJournal(SqliteStoreSettings settings)
        : this(new SqliteDatabase(SqliteStoreSettings.Checked(settings).DataSource, settings.BusyTimeout, settings.Synchronous), settings)
    {
    }

    /// <summary>Shares <paramref name="database"/> with other stores on the same file.</summary>
    public SqliteJournal(SqliteDatabase database, SqliteStoreSettings settings)
    {
        SqliteStoreSettings.Checked(settings);
        this.database = database ?? throw new ArgumentNullException(nameof(database));
        table = settings.JournalTable;
        deleteMode = settings.DeleteMode;
    }

    /// <summary>Creates the table when missing. Every operation calls it, so calling it is optional.</summary>
    public Task InitializeAsync(CancellationToken cancellationToken = default) =>
        database.EnsureSchemaAsync("journal:" + table, $"""
            CREATE TABLE IF NOT EXISTS {table} (
                persistence_id TEXT NOT NULL,
                sequence_nr INTEGER NOT NULL,
                manifest TEXT NOT NULL,
                payload BLOB NOT NULL,
                writer_uuid TEXT NOT NULL,
                timestamp_ms INTEGER NOT NULL,
                tags TEXT NOT NULL DEFAULT '',
                is_deleted INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (persistence_id, sequence_nr));
            """, cancellationToken);

    public async Task WriteAsync(IReadOnlyList<PersistentRepr> batch, CancellationToken cancellationToken = default)
    {
        JournalBatch.Validate(batch);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        var pid = batch[0].PersistenceId;
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        // IMMEDIATE: takes the write lock up front, so the highest-sequence check below cannot go stale.
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var highest = await HighestAsync(connection, transaction, pid, cancellationToken).ConfigureAwait(false);
            if (batch[0].SequenceNr <= highest)
            {
                throw new JournalWriteConflictException(pid, batch[0].SequenceNr);
            }

            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = $"""
                INSERT INTO {table} (persistence_id, sequence_nr, manifest, payload, writer_uuid, timestamp_ms, tags)
                VALUES ($pid, $seq, $manifest, $payload, $writer, $ts, $tags);
                """;
            var pPid = insert.Parameters.Add("$pid", SqliteType.Text);
            var pSeq = insert.Parameters.Add("$seq", SqliteType.Integer);
            var pManifest = insert.Parameters.Add("$manifest", SqliteType.Text);
            var pPayload = insert.Parameters.Add("$payload", SqliteType.Blob);
            var pWriter = insert.Parameters.Add("$writer", SqliteType.Text);
            var pTs = insert.Parameters.Add("$ts", SqliteType.Integer);
            var pTags = insert.Parameters.Add("$tags", SqliteType.Text);
            foreach (var repr in batch)
            {
                pPid.Value = repr.PersistenceId;
                pSeq.Value = repr.SequenceNr;
                pManifest.Value = repr.Manifest;
                pPayload.Value = repr.Payload;
                pWriter.Value = repr.WriterUuid;
                pTs.Value = repr.TimestampMs;
                pTags.Value = JournalBatch.JoinTags(repr.Tags);
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException ex) when (SqliteDatabase.IsUniqueViolation(ex))
        {
            await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
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
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT sequence_nr, manifest, payload, writer_uuid, timestamp_ms, tags FROM {table}
            WHERE persistence_id = $pid AND sequence_nr >= $from AND sequence_nr <= $to AND is_deleted = 0
            ORDER BY sequence_nr LIMIT $max;
            """;
        command.Parameters.AddWithValue("$pid", persistenceId);
        command.Parameters.AddWithValue("$from", fromSequenceNr);
        command.Parameters.AddWithValue("$to", toSequenceNr);
        command.Parameters.AddWithValue("$max", max);
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
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        // Mark first, then (physical mode) remove all but the highest row so numbering never restarts.
        command.CommandText = $"UPDATE {table} SET is_deleted = 1 WHERE persistence_id = $pid AND sequence_nr <= $to AND is_deleted = 0;" +
            (deleteMode == JournalDeleteMode.Physical
                ? $"""
                   DELETE FROM {table} WHERE persistence_id = $pid AND sequence_nr <= $to
                   AND sequence_nr < (SELECT MAX(sequence_nr) FROM {table} WHERE persistence_id = $pid);
                   """
                : string.Empty);
        command.Parameters.AddWithValue("$pid", persistenceId);
        command.Parameters.AddWithValue("$to", toSequenceNr);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<long> HighestAsync(SqliteConnection connection, SqliteTransaction? transaction, string pid, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT COALESCE(MAX(sequence_nr), 0) FROM {table} WHERE persistence_id = $pid;";
        command.Parameters.AddWithValue("$pid", pid);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false));
    }
}
