using Microsoft.Data.Sqlite;

namespace ClusterTrainer.Persistence.Sql.Sqlite;

/// <summary>
/// Connection and schema plumbing for SQLite-backed stores (journal, snapshots, and later checkpoints):
/// opens pooled connections with the busy timeout applied, switches the file to WAL once, and runs each
/// store's CREATE TABLE IF NOT EXISTS once per process.
/// </summary>
public sealed class SqliteDatabase
{
    private readonly string connectionString;
    private readonly int busyTimeoutMs;
    private readonly SemaphoreSlim schemaLock = new(1, 1);
    private readonly HashSet<string> createdSchemas = new(StringComparer.Ordinal);
    private bool walEnabled;

    private readonly string synchronous;

    public SqliteDatabase(string dataSource, TimeSpan busyTimeout, SqliteSynchronous synchronous = SqliteSynchronous.Full)
    {
        this.synchronous = synchronous == SqliteSynchronous.Normal ? "NORMAL" : "FULL";
        var fullPath = Path.GetFullPath(dataSource);
        var directory = Path.GetDirectoryName(fullPath);
        if (!string.IsNullOrEmpty(directory))
        {
            try
            {
                Directory.CreateDirectory(directory);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new ArgumentException(
                    $"setting 'DataSource' is '{dataSource}', but its directory '{directory}' cannot be created ({ex.Message}); " +
                    "choose a writable location", nameof(dataSource), ex);
            }
        }

        DataSource = fullPath;
        busyTimeoutMs = (int)Math.Min(int.MaxValue, busyTimeout.TotalMilliseconds);
        connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(busyTimeout.TotalSeconds)),
        }.ToString();
    }

    /// <summary>Absolute path of the database file.</summary>
    public string DataSource { get; }

    /// <summary>An open connection with the busy timeout set; the caller disposes it.</summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var pragma = connection.CreateCommand();
            pragma.CommandText = $"PRAGMA busy_timeout = {busyTimeoutMs}; PRAGMA synchronous = {synchronous};";
            await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch (SqliteException ex)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException(
                $"cannot open SQLite database '{DataSource}': {ex.Message}. Check that the path is writable " +
                "(setting 'DataSource').", ex);
        }
    }

    /// <summary>Runs <paramref name="ddl"/> once per process for <paramref name="key"/> (idempotent DDL expected).</summary>
    public async Task EnsureSchemaAsync(string key, string ddl, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref walEnabled) && IsCreated(key))
        {
            return;
        }

        await schemaLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (walEnabled && createdSchemas.Contains(key))
            {
                return;
            }

            await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            if (!walEnabled)
            {
                await using var wal = connection.CreateCommand();
                wal.CommandText = "PRAGMA journal_mode = WAL;";
                await wal.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await using (var command = connection.CreateCommand())
            {
                command.CommandText = ddl;
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            lock (createdSchemas)
            {
                createdSchemas.Add(key);
            }

            Volatile.Write(ref walEnabled, true);
        }
        finally
        {
            schemaLock.Release();
        }
    }

    /// <summary>SQLITE_CONSTRAINT_PRIMARYKEY (1555) or SQLITE_CONSTRAINT_UNIQUE (2067): a row with that key exists.</summary>
    public static bool IsUniqueViolation(SqliteException ex) => ex.SqliteExtendedErrorCode is 1555 or 2067;

    private bool IsCreated(string key)
    {
        lock (createdSchemas)
        {
            return createdSchemas.Contains(key);
        }
    }
}
