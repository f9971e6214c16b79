using System.Diagnostics;

namespace ClusterTrainer.TestKit.MultiNode;

/// <summary>
/// A cluster node in a separate OS process (so it can be killed like a crashed machine): the harness
/// starts it with <c>dotnet &lt;assembly&gt; node-host ...</c>, reads what it prints (one line per
/// fact: <c>READY ct.tcp://...</c>, <c>EVENT MemberUp ...</c>), sends it commands on stdin, and can
/// kill it with SIGKILL (<see cref="KillAbruptly"/>).
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly object _lock = new();

    private NodeProcess(Process process, string name)
    {
        _process = process;
        Name = name;
    }

    public string Name { get; }
    /// <summary>The node's address once it printed READY (set by the harness).</summary>
    public Actors.Remote.NodeAddress? Address { get; internal set; }
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;

    /// <summary>Everything the node printed so far (stdout and stderr).</summary>
    public IReadOnlyList<string> Lines { get { lock (_lock) return _lines.ToList(); } }

    public static NodeProcess Start(string name, string entryAssembly, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(entryAssembly);
        foreach (var a in args) psi.ArgumentList.Add(a);
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start node process '{name}' (dotnet {entryAssembly}).");
        var node = new NodeProcess(process, name);
        process.OutputDataReceived += (_, e) => node.Add(e.Data);
        process.ErrorDataReceived += (_, e) => node.Add(e.Data is null ? null : "STDERR " + e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    private void Add(string? line)
    {
        if (line is null) return;
        lock (_lock) _lines.Add(line);
    }

    /// <summary>Waits for a printed line starting with <paramref name="prefix"/>; returns it.</summary>
    public async Task<string> WaitForLineAsync(string prefix, TimeSpan timeout)
    {
        string? found = null;
        try
        {
            await Await.ConditionAsync(() =>
            {
                lock (_lock) found = _lines.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
                return found is not null || _process.HasExited;
            }, timeout, $"node '{Name}' prints '{prefix}'").ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}. Its output so far:\n{string.Join("\n", Lines.TakeLast(40))}", e);
        }
        return found ?? throw new InvalidOperationException(
            $"Node process '{Name}' exited (code {_process.ExitCode}) before printing '{prefix}'. Its output:\n{string.Join("\n", Lines.TakeLast(40))}");
    }

    public void SendCommand(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    /// <summary>SIGKILL of the whole process tree: no leave, no goodbye, sockets reset by the kernel.</summary>
    public void KillAbruptly()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
    }

    public async ValueTask DisposeAsync()
    {
        KillAbruptly();
        await _process.WaitForExitAsync().ConfigureAwait(false);
        _process.Dispose();
    }
}
