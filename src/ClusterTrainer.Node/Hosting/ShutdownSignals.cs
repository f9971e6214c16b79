using System.Runtime.InteropServices;

namespace ClusterTrainer.Node.Hosting;

/// <summary>
/// Turns SIGTERM and SIGINT (and, with <c>--exit-with-parent</c>, end of file on stdin) into one stop request.
/// The first signal completes <see cref="Requested"/> and keeps the process alive so the node can leave the
/// cluster; a second signal exits at once with 128 + the signal number.
/// </summary>
public sealed class ShutdownSignals : IDisposable
{
    private readonly TaskCompletionSource<string> _requested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly PosixSignalRegistration[] _registrations;
    private int _signals;

    public ShutdownSignals(bool watchStdin)
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
        ];
        if (watchStdin)
            new Thread(WatchStdin) { IsBackground = true, Name = "exit-with-parent" }.Start();
    }

    /// <summary>Completes with the reason ("SIGTERM", "SIGINT", "stdin closed") at the first stop request.</summary>
    public Task<string> Requested => _requested.Task;

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        string name = context.Signal == PosixSignal.SIGTERM ? "SIGTERM" : "SIGINT";
        if (Interlocked.Increment(ref _signals) == 1)
        {
            _requested.TrySetResult(name);
            return;
        }
        Console.Error.WriteLine($"[node] second signal ({name}): exiting now without leaving the cluster");
        Environment.Exit(128 + (context.Signal == PosixSignal.SIGTERM ? 15 : 2));
    }

    /// <summary>The launcher keeps a pipe on our stdin open; when it dies the pipe closes and we read EOF.</summary>
    private void WatchStdin()
    {
        try
        {
            using var stdin = Console.OpenStandardInput();
            var buffer = new byte[256];
            while (stdin.Read(buffer, 0, buffer.Length) > 0) { }
        }
        catch (IOException) { }
        _requested.TrySetResult("stdin closed (the parent process is gone)");
    }

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
    }
}
