using ClusterTrainer.Actors.Persistence;

namespace ClusterTrainer.Persistence.Sql.Postgres;

/// <summary>Settings of the PostgreSQL journal and snapshot store (the cluster store).</summary>
public sealed record PostgresStoreSettings
{
    /// <summary>Npgsql connection string, e.g. "Host=db;Port=5432;Database=ct;Username=ct;Password=...".</summary>
    public required string ConnectionString { get; init; }

    /// <summary>Schema holding the tables; created when missing.</summary>
    public string Schema { get; init; } = "public";

    public string JournalTable { get; init; } = "event_journal";

    public string SnapshotTable { get; init; } = "snapshot_store";

    public JournalDeleteMode DeleteMode { get; init; } = JournalDeleteMode.Physical;

    /// <summary>The settings themselves once they are non-null and valid; the stores' constructor check.</summary>
    internal static PostgresStoreSettings Checked(PostgresStoreSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        return settings;
    }

    /// <summary>Throws with the setting's name when a value is unusable.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new ArgumentException(
                "setting 'ConnectionString' is empty: give the PostgreSQL store an Npgsql connection string, e.g. " +
                "'Host=localhost;Port=5432;Database=clustertrainer;Username=ct'", nameof(ConnectionString));
        }

        SqlIdentifier.Validate(Schema, nameof(Schema));
        SqlIdentifier.Validate(JournalTable, nameof(JournalTable));
        SqlIdentifier.Validate(SnapshotTable, nameof(SnapshotTable));
    }
}
