using System.Diagnostics;
using System.Net.Sockets;
using ClusterTrainer.TestKit.Postgres;
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

    [Fact]
    public async Task Missing_server_binaries_fail_with_the_install_command()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => PostgresTestServer.StartAsync("/nonexistent/pg/bin"));
        Assert.Contains("apt-get install postgresql", error.Message);
        Assert.Contains("CLUSTERTRAINER_PG_BIN", error.Message);
    }

    [Fact]
    public async Task Dispose_stops_the_server_and_deletes_its_directory_and_an_orphaned_server_is_reaped_by_the_next_start()
    {
        var orphan = await PostgresTestServer.StartAsync();
        var next = default(PostgresTestServer);
        try
        {
            // Pretend the orphan's test host died: its owner file names a process that has exited.
            using (var gone = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!)
            {
                await gone.WaitForExitAsync();
                await File.WriteAllTextAsync(Path.Combine(orphan.RootDirectory, "owner.pid"), gone.Id.ToString());
            }

            next = await PostgresTestServer.StartAsync();

            Assert.False(Directory.Exists(orphan.RootDirectory), "the orphaned server's directory should have been deleted");
            Assert.False(await Accepts(orphan.Port), $"the orphaned server should no longer listen on port {orphan.Port}");
            Assert.True(await Accepts(next.Port));
            Assert.True(Directory.Exists(fixture.Server.RootDirectory), "the live fixture server must not be reaped");
        }
        finally
        {
            orphan.Dispose();
            next?.Dispose();
        }

        Assert.False(Directory.Exists(next!.RootDirectory));
        Assert.False(await Accepts(next.Port));
    }

    private static async Task<bool> Accepts(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
