namespace ClusterTrainer.Actors;

/// <summary>
/// The one thread of an actor created with <see cref="Props.WithPinnedThread"/>: it runs that actor's mailbox and
/// nothing else. The mailbox signals it where it would otherwise queue itself on the thread pool; the same
/// one-run-at-a-time rule holds, so the semaphore's count never exceeds one pending run.
/// <code>
///   (not started) --first Signal--> waiting --Signal--> running the mailbox --run ends--> waiting
///                                      |                                      |
///                                      `----------- Stop / mailbox closed ----+--> exited
/// </code>
/// Why: native libraries keep per-thread state (libtorch pays about 100 ms of CPU the first time a thread runs
/// its ops), and an actor hopping between pool threads pays that again on every new thread; a compute-bound
/// actor on its own thread also stops competing with the pool's short message handlers.
/// </summary>
internal sealed class PinnedThread
{
    private readonly SemaphoreSlim _signal = new(0);
    private readonly IThreadPoolWorkItem _work;
    private readonly Func<bool> _closed;
    private readonly string _name;
    private Thread? _thread;
    private volatile bool _stopped;

    public PinnedThread(IThreadPoolWorkItem work, Func<bool> closed, string name)
    {
        _work = work;
        _closed = closed;
        _name = name;
    }

    /// <summary>One run is due (called by the mailbox after it set itself Scheduled).</summary>
    public void Signal()
    {
        if (_thread is null)
            lock (_signal)
                if (_thread is null)
                {
                    var t = new Thread(Loop) { IsBackground = true, Name = _name };
                    t.Start();
                    _thread = t;
                }
        _signal.Release();
    }

    /// <summary>Lets the thread exit once its current run, if any, is over.</summary>
    public void Stop()
    {
        _stopped = true;
        _signal.Release();
    }

    private void Loop()
    {
        while (true)
        {
            _signal.Wait();
            if (_stopped) return;
            _work.Execute();
            if (_closed()) return;
        }
    }
}
