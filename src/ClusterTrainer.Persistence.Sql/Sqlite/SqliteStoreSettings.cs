using ClusterTrainer.Actors.Persistence;

namespace ClusterTrainer.Persistence.Sql.Sqlite;

/// <summary>Settings of the SQLite journal and snapshot store (the embedded default: one database file).</summary>
public sealed record SqliteStoreSettings
{
    /// <summary>Path of the database file; its directory is created when missing.</summary>
    public required string DataSource { get; init; }

    /// <summary>How long a writer waits for another writer's lock before failing (SQLite busy timeout).</summary>
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Full (default): every commit is fsynced, nothing acknowledged is lost even on power failure.
    /// Normal: WAL commits are fsynced at checkpoints only, much faster; a power cut may lose the last
    /// acknowledged writes (never corrupts). Use Normal only where events can be re-derived.
    /// </summary>
    public SqliteSynchronous Synchronous { get; init; } = SqliteSynchronous.Full;

    public string JournalTable { get; init; } = "event_journal";

    public string SnapshotTable { get; init; } = "snapshot_store";

    public JournalDeleteMode DeleteMode { get; init; } = JournalDeleteMode.Physical;

    /// <summary>The settings themselves once they are non-null and valid; the stores' constructor check.</summary>
    internal static SqliteStoreSettings Checked(SqliteStoreSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        return settings;
    }

    /// <summary>Throws with the setting's name when a value is unusable.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataSource))
        {
            throw new ArgumentException(
                "setting 'DataSource' is empty: give the SQLite journal a database file path, e.g. 'data/journal.db'",
                nameof(DataSource));
        }

        if (DataSource.Contains(';'))
        {
            throw new ArgumentException($"setting 'DataSource' is '{DataSource}': a file path must not contain ';'", nameof(DataSource));
        }

        if (BusyTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"setting 'BusyTimeout' is {BusyTimeout}; it must be positive, e.g. 30 s", nameof(BusyTimeout));
        }

        SqlIdentifier.Validate(JournalTable, nameof(JournalTable));
        SqlIdentifier.Validate(SnapshotTable, nameof(SnapshotTable));
    }
}

/// <summary>SQLite's <c>PRAGMA synchronous</c> levels offered for the stores.</summary>
public enum SqliteSynchronous
{
    Full,
    Normal,
}
