using Npgsql;

namespace ClusterTrainer.Persistence.Sql.Postgres;

/// <summary>
/// Connection and schema plumbing for PostgreSQL-backed stores (journal, snapshots, and later
/// checkpoints): one pooled <see cref="NpgsqlDataSource"/>, schema-qualified table names, and each
/// store's CREATE ... IF NOT EXISTS run once per process under an advisory lock (concurrent CREATE TABLE
/// IF NOT EXISTS from several nodes can otherwise fail on the catalog's unique index).
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable, IDisposable
{
    private const long SchemaLockKey = 0x43545F534348454D; // "CT_SCHEM"
    private readonly NpgsqlDataSource dataSource;
    private readonly SemaphoreSlim schemaLock = new(1, 1);
    private readonly HashSet<string> created = new(StringComparer.Ordinal);

    public PostgresDatabase(string connectionString, string schema)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new ArgumentException("the PostgreSQL connection string is empty (setting 'ConnectionString')", nameof(connectionString));
        }

        Schema = SqlIdentifier.Validate(schema, "Schema");
        try
        {
            dataSource = NpgsqlDataSource.Create(connectionString);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"setting 'ConnectionString' is not a valid Npgsql connection string: {ex.Message}", nameof(connectionString), ex);
        }
    }

    public string Schema { get; }

    /// <summary>"schema"."table" for a validated table name.</summary>
    public string Qualify(string table) => $"\"{Schema}\".\"{SqlIdentifier.Validate(table, "table")}\"";

    /// <summary>An open pooled connection; the caller disposes it.</summary>
    public async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException ex)
        {
            throw new InvalidOperationException(
                $"cannot connect to PostgreSQL ({ex.Message}); check setting 'ConnectionString' (host, port, database, " +
                "user) and that the server is running", ex);
        }
    }

    /// <summary>Runs <paramref name="ddl"/> (idempotent) once per process for <paramref name="key"/>, after creating the schema.</summary>
    public async Task EnsureSchemaAsync(string key, string ddl, CancellationToken cancellationToken)
    {
        lock (created)
        {
            if (created.Contains(key))
            {
                return;
            }
        }

        await schemaLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (created)
            {
                if (created.Contains(key))
                {
                    return;
                }
            }

            await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (var command = new NpgsqlCommand(
                $"SELECT pg_advisory_xact_lock({SchemaLockKey}); {CreateSchemaSql()} {ddl}",
                connection, transaction))
            {
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            lock (created)
            {
                created.Add(key);
            }
        }
        finally
        {
            schemaLock.Release();
        }
    }

    // CREATE SCHEMA IF NOT EXISTS still demands CREATE on the database, which a least-privilege store user
    // (e.g. owner of 'public' only) lacks: create the schema only when it is really missing.
    private string CreateSchemaSql() =>
        $"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = '{Schema}') THEN " +
        $"EXECUTE 'CREATE SCHEMA \"{Schema}\"'; END IF; END $$;";

    /// <summary>unique_violation (23505): a row with that key exists.</summary>
    public static bool IsUniqueViolation(PostgresException ex) => ex.SqlState == PostgresErrorCodes.UniqueViolation;

    public ValueTask DisposeAsync() => dataSource.DisposeAsync();

    public void Dispose() => dataSource.Dispose();
}
