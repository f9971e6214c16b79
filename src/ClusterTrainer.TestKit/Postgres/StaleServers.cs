namespace ClusterTrainer.TestKit.Postgres;

/// <summary>
/// Stops and deletes throw-away servers whose test host died without disposing them (killed run,
/// crashed host): each server directory records its owner's process id, and a directory whose owner
/// is gone is reaped when the next server starts. Directories of living owners are never touched.
/// </summary>
internal static class StaleServers
{
    public const string DirectoryPrefix = "ct-pg-";
    public const string OwnerFile = "owner.pid";

    public static async Task ReapAsync(string binDirectory, bool asPostgres, CancellationToken cancellationToken)
    {
        string[] candidates;
        try
        {
            candidates = Directory.GetDirectories(Path.GetTempPath(), DirectoryPrefix + "*");
        }
        catch (IOException)
        {
            return;
        }

        foreach (var directory in candidates)
        {
            if (!TryReadOwner(directory, out var owner) || owner == Environment.ProcessId || IsAlive(owner))
            {
                continue;
            }

            var data = Path.Combine(directory, "data");
            if (File.Exists(Path.Combine(data, "postmaster.pid")))
            {
                try
                {
                    await PostgresTestServer.RunServerBinaryAsync(binDirectory, asPostgres, "pg_ctl",
                        ["-D", data, "stop", "-m", "immediate", "-w", "-t", "30"], cancellationToken).ConfigureAwait(false);
                }
                catch (InvalidOperationException)
                {
                    // Not running any more (stale pid file): deleting is enough.
                }
            }

            PostgresTestServer.TryDeleteDirectory(directory);
        }
    }

    private static bool TryReadOwner(string directory, out int owner)
    {
        owner = 0;
        try
        {
            var path = Path.Combine(directory, OwnerFile);
            return File.Exists(path) && int.TryParse(File.ReadAllText(path).Trim(), out owner) && owner > 0;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool IsAlive(int processId)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
