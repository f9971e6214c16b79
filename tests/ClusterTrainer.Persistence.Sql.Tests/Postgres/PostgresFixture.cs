using ClusterTrainer.TestKit.Postgres;
using Xunit;

namespace ClusterTrainer.Persistence.Sql.Tests.Postgres;

/// <summary>One throw-away PostgreSQL server for every test class in the "postgres" collection.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PostgresTestServer? server;

    public PostgresTestServer Server => server ?? throw new InvalidOperationException("the PostgreSQL test server has not started");

    /// <summary>A database shared by the collection; tests isolate themselves with unique table names.</summary>
    public string ConnectionString { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        server = await PostgresTestServer.StartAsync();
        ConnectionString = await server.CreateDatabaseAsync("persistence_tests");
    }

    public async Task DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "postgres";
}
