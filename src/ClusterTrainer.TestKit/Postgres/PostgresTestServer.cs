using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace ClusterTrainer.TestKit.Postgres;

/// <summary>
/// A throw-away PostgreSQL server for tests, started from Debian's <c>postgresql</c> binaries: initdb into
/// a fresh temp dir, <c>pg_ctl start</c> listening on 127.0.0.1 at a free port (plus a unix socket in the
/// temp dir), trust authentication, durability switched off for speed. Dispose stops it and deletes
/// the directory. As root (CI) the server binaries run as the <c>postgres</c> system user, since
/// initdb refuses root.
///
/// Share one per test collection (xunit <c>ICollectionFixture</c>) and give each test class its own
/// database (<see cref="CreateDatabaseAsync"/>) or its own table names.
/// </summary>
public sealed class PostgresTestServer : IAsyncDisposable, IDisposable
{
    /// <summary>Superuser created by initdb; trust authentication, no password.</summary>
    public const string Username = "ct";

    private readonly string binDirectory;
    private readonly bool runAsPostgresUser;
    private int disposed;

    private PostgresTestServer(string binDirectory, bool runAsPostgresUser, string rootDirectory, int port)
    {
        this.binDirectory = binDirectory;
        this.runAsPostgresUser = runAsPostgresUser;
        RootDirectory = rootDirectory;
        Port = port;
    }

    /// <summary>127.0.0.1.</summary>
    public string Host => "127.0.0.1";

    public int Port { get; }

    /// <summary>Temp directory holding the data directory, the log and the unix socket.</summary>
    public string RootDirectory { get; }

    public string DataDirectory => Path.Combine(RootDirectory, "data");

    public string SocketDirectory => RootDirectory;

    public string LogFile => Path.Combine(RootDirectory, "postgres.log");

    /// <summary>How long <see cref="StartAsync"/> took (initdb + start + readiness).</summary>
    public TimeSpan StartupTime { get; private set; }

    /// <summary>An Npgsql connection string for <paramref name="database"/> over TCP.</summary>
    public string ConnectionString(string database = "postgres") =>
        $"Host={Host};Port={Port};Username={Username};Database={database};Pooling=true;Timeout=30;Command Timeout=60";

    /// <summary>
    /// Starts a server. <paramref name="binDirectory"/> defaults to env CLUSTERTRAINER_PG_BIN, else the newest
    /// /usr/lib/postgresql/*/bin (Debian), preferring 15.
    /// </summary>
    public static async Task<PostgresTestServer> StartAsync(string? binDirectory = null, CancellationToken cancellationToken = default)
    {
        var stopwatch = Stopwatch.StartNew();
        var bin = binDirectory is null ? FindBinDirectory() : CheckBinDirectory(binDirectory);
        var asPostgres = IsRoot();
        await StaleServers.ReapAsync(bin, asPostgres, cancellationToken).ConfigureAwait(false);
        var root = Directory.CreateTempSubdirectory(StaleServers.DirectoryPrefix).FullName;
        try
        {
            // Lets a later run reap this server should the test host die without disposing it.
            await File.WriteAllTextAsync(Path.Combine(root, StaleServers.OwnerFile), Environment.ProcessId.ToString(), cancellationToken)
                .ConfigureAwait(false);
            if (asPostgres)
            {
                await ProcessRunner.RunAsync("chown", ["postgres:postgres", root], TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
                await CheckPostgresUserCanWriteAsync(root, cancellationToken).ConfigureAwait(false);
            }

            var initArgs = new[] { "-D", Path.Combine(root, "data"), "-U", Username, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions" };
            await RunServerBinaryAsync(bin, asPostgres, "initdb", initArgs, cancellationToken).ConfigureAwait(false);

            for (var attempt = 1; ; attempt++)
            {
                var port = FreePort();
                var server = new PostgresTestServer(bin, asPostgres, root, port);
                try
                {
                    await server.StartServerAsync(cancellationToken).ConfigureAwait(false);
                    server.StartupTime = stopwatch.Elapsed;
                    AppDomain.CurrentDomain.ProcessExit += server.OnProcessExit;
                    return server;
                }
                catch (InvalidOperationException) when (attempt < 3 && server.LogMentionsPortInUse())
                {
                    // Another process took the port between probing and binding: try a fresh one.
                }
            }
        }
        catch
        {
            TryDeleteDirectory(root);
            throw;
        }
    }

    /// <summary>Creates a database (a fresh unique name when none is given) and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string? name = null, CancellationToken cancellationToken = default)
    {
        name ??= "test_" + Guid.NewGuid().ToString("N")[..12];
        if (!System.Text.RegularExpressions.Regex.IsMatch(name, "^[a-z_][a-z0-9_]{0,62}$"))
        {
            throw new ArgumentException($"database name '{name}' must be lower-case letters, digits and '_', starting with a letter", nameof(name));
        }

        await ProcessRunner.RunAsync(
            Path.Combine(binDirectory, "createdb"), ["-h", Host, "-p", Port.ToString(), "-U", Username, name],
            TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
        return ConnectionString(name);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        try
        {
            RunServerBinaryAsync(binDirectory, runAsPostgresUser, "pg_ctl", ["-D", DataDirectory, "stop", "-m", "immediate", "-w", "-t", "30"], CancellationToken.None)
                .GetAwaiter().GetResult();
        }
        catch (InvalidOperationException)
        {
            // Already gone (e.g. killed with the test host); deleting the directory is all that is left.
        }

        TryDeleteDirectory(RootDirectory);
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task StartServerAsync(CancellationToken cancellationToken)
    {
        var options = $"-c listen_addresses=127.0.0.1 -p {Port} -k {SocketDirectory} -c fsync=off -c synchronous_commit=off " +
                      "-c full_page_writes=off -c max_connections=100 -c shared_buffers=32MB";
        await RunServerBinaryAsync(binDirectory, runAsPostgresUser, "pg_ctl",
            ["-D", DataDirectory, "-l", LogFile, "-o", options, "-w", "-t", "60", "start"], cancellationToken).ConfigureAwait(false);
    }

    private bool LogMentionsPortInUse()
    {
        try
        {
            return File.Exists(LogFile) && File.ReadAllText(LogFile).Contains("could not bind", StringComparison.OrdinalIgnoreCase);
        }
        catch (IOException)
        {
            return false;
        }
    }

    private void OnProcessExit(object? sender, EventArgs e) => Dispose();

    internal static Task RunServerBinaryAsync(string bin, bool asPostgres, string tool, string[] args, CancellationToken cancellationToken)
    {
        var path = Path.Combine(bin, tool);
        return asPostgres
            ? ProcessRunner.RunAsync("runuser", ["-u", "postgres", "--", path, .. args], TimeSpan.FromSeconds(90), cancellationToken)
            : ProcessRunner.RunAsync(path, args, TimeSpan.FromSeconds(90), cancellationToken);
    }

    private static async Task CheckPostgresUserCanWriteAsync(string root, CancellationToken cancellationToken)
    {
        try
        {
            await ProcessRunner.RunAsync("runuser", ["-u", "postgres", "--", "test", "-w", root], TimeSpan.FromSeconds(30), cancellationToken)
                .ConfigureAwait(false);
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidOperationException(
                $"running as root, the test server runs as the 'postgres' user, which cannot write to {root} (its temp directory " +
                $"{Path.GetTempPath()} is not traversable by others). Point TMPDIR at a world-traversable directory such as /tmp. " +
                ex.Message, ex);
        }
    }

    private static string FindBinDirectory()
    {
        var fromEnv = Environment.GetEnvironmentVariable("CLUSTERTRAINER_PG_BIN");
        var candidates = new List<string>();
        if (!string.IsNullOrEmpty(fromEnv))
        {
            candidates.Add(fromEnv);
        }

        candidates.Add("/usr/lib/postgresql/15/bin");
        if (Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                .Select(d => Path.Combine(d, "bin")));
        }

        return candidates.FirstOrDefault(HasServerBinaries) ?? throw MissingBinaries("/usr/lib/postgresql/*/bin");
    }

    private static string CheckBinDirectory(string directory) =>
        HasServerBinaries(directory) ? directory : throw MissingBinaries(directory);

    private static bool HasServerBinaries(string directory) =>
        File.Exists(Path.Combine(directory, "initdb")) && File.Exists(Path.Combine(directory, "pg_ctl"));

    private static InvalidOperationException MissingBinaries(string where) =>
        new($"PostgreSQL server binaries (initdb, pg_ctl) were not found in {where}. Install them with " +
            "`apt-get install postgresql` (./build.sh setup does it), or point CLUSTERTRAINER_PG_BIN at their directory.");

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool IsRoot() => OperatingSystem.IsLinux() && NativeMethods.geteuid() == 0;

    internal static void TryDeleteDirectory(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = false)]
        public static extern uint geteuid();
    }
}
