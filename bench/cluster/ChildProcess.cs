using System.Diagnostics;
using System.Threading.Channels;

namespace ClusterTrainer.Bench.Cluster;

/// <summary>
/// One node process of the bench, spoken to by lines: it announces itself on stdout (<c>address ...</c>,
/// <c>ready</c>, <c>result ...</c>) and takes orders on stdin. Its stderr is kept (last lines) for error messages.
/// Disposing closes stdin (the node's cue to shut down) and SIGKILLs it if it has not exited within the grace time.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private const int StderrTailLines = 200;
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateBounded<string>(new BoundedChannelOptions(1024) { SingleReader = true });
    private readonly Queue<string> _stderr = new();
    private readonly Task _pump;

    private ChildProcess(string name, Process process)
    {
        Name = name;
        _process = process;
        _pump = Task.Run(PumpStdoutAsync);
        _ = Task.Run(PumpStderrAsync);
    }

    public string Name { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Starts <paramref name="file"/> with <paramref name="args"/> and the thread settings of a bench node.</summary>
    public static ChildProcess Start(string name, string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {name}: {file}");
        return new ChildProcess(name, p);
    }

    /// <summary>This program started again as a node: <c>node ROLE args...</c>.</summary>
    public static ChildProcess StartNode(string role, IEnumerable<string> args, IReadOnlyDictionary<string, string> env)
    {
        string exe = Environment.ProcessPath ?? "dotnet";
        // Under `dotnet bench-cluster.dll` the process is the host itself; hand it our assembly.
        var prefix = Path.GetFileNameWithoutExtension(exe) == "dotnet" ? [typeof(ChildProcess).Assembly.Location] : Array.Empty<string>();
        return Start(role, exe, prefix.Concat(["node", role]).Concat(args), env);
    }

    /// <summary>Waits for the next stdout line that starts with <paramref name="prefix"/> and returns the rest of it.</summary>
    public async Task<string> ExpectAsync(string prefix, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                string line = await _lines.Reader.ReadAsync(cts.Token);
                if (line == prefix) return "";
                if (line.StartsWith(prefix + " ", StringComparison.Ordinal)) return line[(prefix.Length + 1)..];
            }
        }
        catch (OperationCanceledException)
        {
            throw Failure($"no '{prefix}' line within {timeout.TotalSeconds:0} s");
        }
        catch (ChannelClosedException)
        {
            await _process.WaitForExitAsync();
            throw Failure($"exited (code {_process.ExitCode}) before its '{prefix}' line");
        }
    }

    public void Send(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    /// <summary>SIGKILL, as a crashed machine would go.</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: false);
    }

    /// <summary>CPU seconds (user + system) the process has used so far, from /proc (Linux).</summary>
    public double CpuSeconds()
    {
        // Fields after the ")" that ends the command name: state is field 3, utime 14, stime 15 (clock ticks, 100 per s).
        string stat = File.ReadAllText($"/proc/{_process.Id}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) +
                long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture)) / 100.0;
    }

    /// <summary>The last lines the node wrote to stderr (its log).</summary>
    public IReadOnlyList<string> StderrTail()
    {
        lock (_stderr) return _stderr.ToArray();
    }

    public InvalidOperationException Failure(string what)
    {
        string tail = string.Join('\n', StderrTail().TakeLast(40));
        return new InvalidOperationException($"node '{Name}' (pid {_process.Id}) {what}.{(tail.Length > 0 ? "\nits stderr:\n" + tail : "")}");
    }

    private async Task PumpStdoutAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line) await _lines.Writer.WriteAsync(line);
        _lines.Writer.Complete();
    }

    private async Task PumpStderrAsync()
    {
        while (await _process.StandardError.ReadLineAsync() is { } line)
            lock (_stderr)
            {
                _stderr.Enqueue(line);
                if (_stderr.Count > StderrTailLines) _stderr.Dequeue();
            }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited) _process.StandardInput.Close();
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try { await _process.WaitForExitAsync(grace.Token); }
            catch (OperationCanceledException) { Kill(); await _process.WaitForExitAsync(); }
        }
        catch (IOException) { Kill(); } // stdin already gone: the node died
        await _pump.ConfigureAwait(false);
        _process.Dispose();
    }
}

/// <summary>The environment every bench node gets: one libtorch and one BLAS thread, the run's cluster secret.</summary>
internal static class NodeEnvironment
{
    public const string SecretVariable = "CLUSTERTRAINER_BENCH_SECRET";

    public static Dictionary<string, string> For(string secret, int torchThreads) => new()
    {
        ["CLUSTERTRAINER_THREADS"] = torchThreads.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["OMP_NUM_THREADS"] = torchThreads.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["CLUSTERTRAINER_OPENBLAS_THREADS"] = "1",
        ["OPENBLAS_NUM_THREADS"] = "1",
        ["MKL_NUM_THREADS"] = "1",
        [SecretVariable] = secret,
    };

    public static string NewSecret() => Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    public static string ReadSecret() => Environment.GetEnvironmentVariable(SecretVariable) is { Length: > 0 } s
        ? s
        : throw new InvalidOperationException($"{SecretVariable} is not set; bench nodes are started by the bench itself (./build.sh bench cluster).");
}
