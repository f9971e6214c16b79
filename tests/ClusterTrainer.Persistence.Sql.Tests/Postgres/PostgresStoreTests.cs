using System.Net;
using System.Net.Sockets;
using System.Text;
using ClusterTrainer.Actors.Persistence;
using ClusterTrainer.Persistence.Sql.Postgres;
using Npgsql;
using Xunit;

namespace ClusterTrainer.Persistence.Sql.Tests.Postgres;

/// <summary>What is specific to the PostgreSQL plugin: schema/table names, schema creation, delete modes, errors.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreTests(PostgresFixture fixture)
{
    [Fact]
    public async Task Start_creates_the_configured_schema_and_tables_and_is_idempotent()
    {
        var schema = "ct_" + Guid.NewGuid().ToString("N")[..8];
        var settings = new PostgresStoreSettings
        {
            ConnectionString = fixture.ConnectionString, Schema = schema, JournalTable = "events", SnapshotTable = "snaps",
        };
        await using (var journal = new PostgresJournal(settings))
        await using (var snapshots = new PostgresSnapshotStore(settings))
        {
            await Task.WhenAll(journal.InitializeAsync(), snapshots.InitializeAsync());
        }

        // A second node starting on the same database creates nothing new and fails on nothing.
        await using (var again = new PostgresJournal(settings))
        {
            await again.InitializeAsync();
            await again.WriteAsync([new PersistentRepr("p", 1, "e", Encoding.UTF8.GetBytes("x"), "w")]);
        }

        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = $1", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = schema });
        Assert.Equal("events,snaps", await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_least_privilege_user_without_CREATE_on_the_database_can_use_an_existing_schema()
    {
        var role = "limited_" + Guid.NewGuid().ToString("N")[..8];
        await using (var admin = new NpgsqlConnection(fixture.ConnectionString))
        {
            await admin.OpenAsync();
            await new NpgsqlCommand($"CREATE ROLE {role} LOGIN; GRANT USAGE, CREATE ON SCHEMA public TO {role};", admin).ExecuteNonQueryAsync();
        }

        var asLimited = new NpgsqlConnectionStringBuilder(fixture.ConnectionString) { Username = role }.ConnectionString;
        await using var journal = new PostgresJournal(new PostgresStoreSettings
        {
            ConnectionString = asLimited, JournalTable = "journal_" + Guid.NewGuid().ToString("N")[..12],
        });

        await journal.WriteAsync([new PersistentRepr("p", 1, "e", [1], "w")]);
        Assert.Equal(1, await journal.ReadHighestSequenceNrAsync("p"));
    }

    [Theory]
    [InlineData(JournalDeleteMode.Physical, 1L)]
    [InlineData(JournalDeleteMode.Logical, 4L)]
    public async Task Delete_mode_decides_which_rows_stay(JournalDeleteMode mode, long rowsLeft)
    {
        var table = "journal_" + Guid.NewGuid().ToString("N")[..12];
        await using var journal = new PostgresJournal(new PostgresStoreSettings
        {
            ConnectionString = fixture.ConnectionString, JournalTable = table, DeleteMode = mode,
        });
        await journal.WriteAsync(Enumerable.Range(1, 4).Select(i => new PersistentRepr("p", i, "e", [(byte)i], "w")).ToArray());

        await journal.DeleteMessagesToAsync("p", 4);

        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        Assert.Equal(rowsLeft, (long)(await new NpgsqlCommand($"SELECT COUNT(*) FROM \"{table}\"", connection).ExecuteScalarAsync())!);
        Assert.Equal(4, await journal.ReadHighestSequenceNrAsync("p"));
    }

    [Theory]
    [InlineData("Schema")]
    [InlineData("JournalTable")]
    [InlineData("SnapshotTable")]
    public void Unsafe_identifiers_are_refused_naming_the_setting(string setting)
    {
        var settings = new PostgresStoreSettings { ConnectionString = fixture.ConnectionString };
        settings = setting switch
        {
            "Schema" => settings with { Schema = "public\"; DROP SCHEMA x; --" },
            "JournalTable" => settings with { JournalTable = "a-b" },
            _ => settings with { SnapshotTable = new string('s', 64) },
        };
        var error = Assert.Throws<ArgumentException>(() => settings.Validate());
        Assert.Contains($"'{setting}'", error.Message);
    }

    [Fact]
    public async Task An_unreachable_server_fails_with_a_message_naming_the_setting()
    {
        int closedPort;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            closedPort = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        await using var journal = new PostgresJournal(new PostgresStoreSettings
        {
            ConnectionString = $"Host=127.0.0.1;Port={closedPort};Username=ct;Database=x;Timeout=5",
        });
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => journal.ReadHighestSequenceNrAsync("p"));
        Assert.Contains("cannot connect to PostgreSQL", error.Message);
        Assert.Contains("'ConnectionString'", error.Message);
    }

    [Fact]
    public void An_empty_connection_string_is_refused_with_an_example()
    {
        var error = Assert.Throws<ArgumentException>(() => new PostgresJournal(new PostgresStoreSettings { ConnectionString = "" }));
        Assert.Contains("'ConnectionString'", error.Message);
        Assert.Contains("Host=", error.Message);
    }
}
