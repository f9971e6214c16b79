using System.Text;
using ClusterTrainer.Actors.Persistence;
using ClusterTrainer.Persistence.Sql.Sqlite;
using Microsoft.Data.Sqlite;
using Xunit;

namespace ClusterTrainer.Persistence.Sql.Tests.Sqlite;

/// <summary>What is specific to the SQLite plugin: file, WAL, schema, settings, delete modes.</summary>
public sealed class SqliteStoreTests : IDisposable
{
    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public async Task Start_creates_the_file_its_directory_and_both_tables_in_WAL_mode()
    {
        var settings = new SqliteStoreSettings
        {
            DataSource = Path.Combine(directory.Path, "nested", "dir", "store.db"),
            JournalTable = "my_events",
            SnapshotTable = "my_snapshots",
        };
        await new SqliteJournal(settings).InitializeAsync();
        await new SqliteSnapshotStore(settings).InitializeAsync();

        Assert.True(File.Exists(settings.DataSource));
        await using var connection = new SqliteConnection($"Data Source={settings.DataSource}");
        await connection.OpenAsync();
        Assert.Equal("wal", await Scalar(connection, "PRAGMA journal_mode;"));
        var tables = await Scalar(connection, "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name);");
        Assert.Equal("my_events,my_snapshots", tables);
    }

    [Fact]
    public async Task Schema_creation_is_idempotent_across_instances_and_data_survives_a_reopen()
    {
        var settings = new SqliteStoreSettings { DataSource = Path.Combine(directory.Path, "j.db") };
        await new SqliteJournal(settings).WriteAsync([Event("p", 1)]);
        SqliteConnection.ClearAllPools();

        var reopened = new SqliteJournal(settings);
        await reopened.InitializeAsync();
        Assert.Equal(1, await reopened.ReadHighestSequenceNrAsync("p"));
    }

    [Theory]
    [InlineData(SqliteSynchronous.Full, 2L)]
    [InlineData(SqliteSynchronous.Normal, 1L)]
    public async Task The_synchronous_setting_reaches_every_connection(SqliteSynchronous level, long pragmaValue)
    {
        var database = new SqliteDatabase(Path.Combine(directory.Path, $"{level}.db"), TimeSpan.FromSeconds(5), level);
        await using var connection = await database.OpenAsync(CancellationToken.None);
        Assert.Equal(pragmaValue.ToString(), await Scalar(connection, "PRAGMA synchronous;"));
    }

    [Theory]
    [InlineData(JournalDeleteMode.Physical, 1)]
    [InlineData(JournalDeleteMode.Logical, 5)]
    public async Task Delete_mode_decides_which_rows_stay(JournalDeleteMode mode, long rowsLeft)
    {
        var settings = new SqliteStoreSettings { DataSource = Path.Combine(directory.Path, $"{mode}.db"), DeleteMode = mode };
        var journal = new SqliteJournal(settings);
        await journal.WriteAsync(Enumerable.Range(1, 5).Select(i => Event("p", i)).ToArray());

        await journal.DeleteMessagesToAsync("p", 5);

        await using var connection = new SqliteConnection($"Data Source={settings.DataSource}");
        await connection.OpenAsync();
        Assert.Equal(rowsLeft, Convert.ToInt64(await Scalar(connection, "SELECT COUNT(*) FROM event_journal;")));
        Assert.Equal(5, await journal.ReadHighestSequenceNrAsync("p"));
        await foreach (var _ in journal.ReplayAsync("p", 1, long.MaxValue, long.MaxValue))
        {
            Assert.Fail("a deleted event was replayed");
        }
    }

    [Theory]
    [InlineData("event journal", "JournalTable")]
    [InlineData("x;DROP TABLE y", "JournalTable")]
    [InlineData("1abc", "JournalTable")]
    [InlineData("", "JournalTable")]
    public void Unsafe_table_names_are_refused_naming_the_setting(string table, string setting)
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new SqliteJournal(new SqliteStoreSettings { DataSource = Path.Combine(directory.Path, "x.db"), JournalTable = table }));
        Assert.Contains($"'{setting}'", error.Message);
        Assert.Contains("not a valid SQL identifier", error.Message);
    }

    [Fact]
    public void An_empty_file_path_or_a_non_positive_busy_timeout_is_refused_with_the_fix()
    {
        var empty = Assert.Throws<ArgumentException>(() => new SqliteSnapshotStore(new SqliteStoreSettings { DataSource = " " }));
        Assert.Contains("'DataSource'", empty.Message);
        Assert.Contains("database file path", empty.Message);
        var timeout = Assert.Throws<ArgumentException>(() => new SqliteJournal(
            new SqliteStoreSettings { DataSource = Path.Combine(directory.Path, "t.db"), BusyTimeout = TimeSpan.Zero }));
        Assert.Contains("'BusyTimeout'", timeout.Message);
    }

    [Fact]
    public async Task An_unwritable_location_fails_with_the_path_and_the_setting()
    {
        var blocker = Path.Combine(directory.Path, "a-file");
        await File.WriteAllTextAsync(blocker, "not a directory");
        var error = Assert.Throws<ArgumentException>(() =>
            new SqliteJournal(new SqliteStoreSettings { DataSource = Path.Combine(blocker, "j.db") }));
        Assert.Contains("a-file", error.Message);
        Assert.Contains("'DataSource'", error.Message);
    }

    private static PersistentRepr Event(string pid, long seq) => new(pid, seq, "e", Encoding.UTF8.GetBytes($"e{seq}"), "w");

    private static async Task<string?> Scalar(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (await command.ExecuteScalarAsync())?.ToString();
    }
}
