using System.Diagnostics;
using System.Runtime.InteropServices;

namespace ClusterTrainer.Node.Local;

/// <summary>What a node prints on stdout once it serves: <c>ready address=&lt;ct.tcp://...&gt; http=&lt;url or -&gt;</c>.</summary>
public sealed record ReadyLine(string Address, Uri? Http)
{
    public static bool TryParse(string line, out ReadyLine? ready)
    {
        ready = null;
        if (!line.StartsWith("ready ", StringComparison.Ordinal)) return false;
        string? address = null, http = null;
        foreach (string part in line[6..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.StartsWith("address=", StringComparison.Ordinal)) address = part[8..];
            else if (part.StartsWith("http=", StringComparison.Ordinal)) http = part[5..];
        }
        if (string.IsNullOrEmpty(address) || http is null) return false;
        Uri? url = null;
        if (http != "-" && !Uri.TryCreate(http, UriKind.Absolute, out url)) return false;
        ready = new ReadyLine(address, url);
        return true;
    }
}

/// <summary>The launcher could not do its job; the message says why and where to look.</summary>
public sealed class LaunchException(string message) : Exception(message);

/// <summary>
/// One node process started by the launcher. Its stdout and stderr go to its log file; its stdin is a pipe kept
/// open (the node runs with --exit-with-parent, so it leaves the cluster when the launcher dies).
/// <code>
///   Started --"ready ..." on stdout--> Ready --StopAsync: SIGTERM--> Stopping --exit--> Exited
///      |                                 |                           | grace over: SIGKILL
///      +--exit---------------------------+--exit---------------------+------------------> Exited
/// </code>
/// </summary>
public sealed partial class ChildNode : IAsyncDisposable
{
    private const int TailLines = 30;
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Queue<string> _tail = new();
    private readonly object _lock = new();
    private readonly TaskCompletionSource<ReadyLine> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _pumps;

    public string Name { get; }
    public string LogPath { get; }
    /// <summary>Completes when the process has exited and its output has been written to the log.</summary>
    public Task Exited { get; }
    public int Pid => _process.Id;
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    private ChildNode(string name, Process process, string logPath)
    {
        Name = name;
        LogPath = logPath;
        _process = process;
        _log = new StreamWriter(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        _pumps = Task.WhenAll(Pump(process.StandardOutput, isStdout: true), Pump(process.StandardError, isStdout: false));
        Exited = ExitAsync();
    }

    /// <summary>Starts <paramref name="start"/> (its streams are redirected here) and logs its output to <paramref name="logPath"/>.</summary>
    public static ChildNode Start(string name, ProcessStartInfo start, string logPath)
    {
        start.UseShellExecute = false;
        start.RedirectStandardInput = start.RedirectStandardOutput = start.RedirectStandardError = true;
        var process = Process.Start(start) ?? throw new LaunchException($"node {name}: the process '{start.FileName}' did not start");
        return new ChildNode(name, process, logPath);
    }

    /// <summary>Waits for the ready line; throws <see cref="LaunchException"/> with the log's last lines if the node exits or is late.</summary>
    public async Task<ReadyLine> WaitReadyAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var late = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var timer = Task.Delay(timeout, late.Token);
        await Task.WhenAny(_ready.Task, Exited, timer);
        late.Cancel();
        ct.ThrowIfCancellationRequested();
        if (_ready.Task.IsCompletedSuccessfully) return _ready.Task.Result;
        if (_ready.Task.IsFaulted) await Exited; // it exited: the log tail is complete once Exited is
        string what = Exited.IsCompleted
            ? $"node {Name} exited with code {ExitCode} before it was ready"
            : $"node {Name} was not ready within {timeout.TotalSeconds:0} s (raise --ready-timeout if the machine is busy)";
        throw new LaunchException($"{what}. Last lines of {LogPath}:{Environment.NewLine}{Tail()}");
    }

    public Task<ReadyLine> Ready => _ready.Task;

    /// <summary>The last lines the node wrote, indented, for error messages.</summary>
    public string Tail()
    {
        lock (_lock)
            return _tail.Count == 0 ? "    (nothing)" : string.Join(Environment.NewLine, _tail.Select(l => "    " + l));
    }

    /// <summary>SIGTERM (the node leaves the cluster), then SIGKILL when it is still running after <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited) { await Exited; return; }
        if (kill(_process.Id, Sigterm) != 0 && !_process.HasExited)
            Note($"SIGTERM failed (errno {Marshal.GetLastPInvokeError()}); killing");
        else if (await Task.WhenAny(Exited, Task.Delay(grace)) == Exited) return;
        else Note($"still running {grace.TotalSeconds:0} s after SIGTERM; killing");
        Kill();
        await Exited;
    }

    /// <summary>SIGKILL now, no leave.</summary>
    public void Kill()
    {
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await Exited;
        try { _process.StandardInput.Close(); } catch (IOException) { }
        _process.Dispose();
        await _log.DisposeAsync();
    }

    private async Task ExitAsync()
    {
        await _process.WaitForExitAsync();
        await _pumps;
        Note($"exited with code {_process.ExitCode}");
        _ready.TrySetException(new LaunchException($"node {Name} exited with code {_process.ExitCode} before it was ready"));
        _ = _ready.Task.Exception; // observed: WaitReadyAsync reports the exit with the log tail instead
    }

    private async Task Pump(StreamReader reader, bool isStdout)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            if (isStdout && !_ready.Task.IsCompleted && ReadyLine.TryParse(line, out var ready)) _ready.TrySetResult(ready!);
            Write(isStdout ? "[stdout] " + line : line);
        }
    }

    private void Note(string message) => Write($"[launcher] {DateTimeOffset.Now:HH:mm:ss.fff} {message}");

    private void Write(string line)
    {
        lock (_lock)
        {
            _log.WriteLine(line);
            _tail.Enqueue(line);
            if (_tail.Count > TailLines) _tail.Dequeue();
        }
    }

    private const int Sigterm = 15;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
