using Npgsql;
using Xunit;
using Xunit.Abstractions;

namespace ClusterTrainer.Persistence.Sql.Tests.Postgres;

[Collection(PostgresCollection.Name)]
public sealed class PostgresTestServerTests(PostgresFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Server_answers_over_tcp_on_loopback_and_over_its_unix_socket()
    {
        output.WriteLine($"server on 127.0.0.1:{fixture.Server.Port}, started in {fixture.Server.StartupTime.TotalMilliseconds:0} ms");
        await using (var tcp = new NpgsqlConnection(fixture.ConnectionString))
        {
            await tcp.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT current_database(), inet_server_addr()::text, current_setting('server_version_num')::int", tcp);
            await using var reader = await command.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.Equal("persistence_tests", reader.GetString(0));
            Assert.StartsWith("127.0.0.1", reader.GetString(1));
            Assert.True(reader.GetInt32(2) >= 150000, $"expected PostgreSQL 15+, got {reader.GetInt32(2)}");
        }

        var viaSocket = $"Host={fixture.Server.SocketDirectory};Port={fixture.Server.Port};Username=ct;Database=persistence_tests;Pooling=false";
        await using var unix = new NpgsqlConnection(viaSocket);
        await unix.OpenAsync();
        await using var ping = new NpgsqlCommand("SELECT inet_server_addr() IS NULL", unix);
        Assert.True((bool)(await ping.ExecuteScalarAsync())!, "a unix-socket connection has no server inet address");
    }

    [Fact]
    public async Task Each_created_database_is_separate()
    {
        var first = await fixture.Server.CreateDatabaseAsync();
        var second = await fixture.Server.CreateDatabaseAsync();
        Assert.NotEqual(first, second);
        await using var a = new NpgsqlConnection(first);
        await a.OpenAsync();
        await new NpgsqlCommand("CREATE TABLE only_here (x int)", a).ExecuteNonQueryAsync();
        await using var b = new NpgsqlConnection(second);
        await b.OpenAsync();
        var exists = await new NpgsqlCommand("SELECT to_regclass('only_here') IS NOT NULL", b).ExecuteScalarAsync();
        Assert.False((bool)exists!);
    }
}
