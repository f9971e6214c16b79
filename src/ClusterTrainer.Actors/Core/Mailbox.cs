using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace ClusterTrainer.Actors;

/// <summary>
/// The mailbox queues an actor's messages and runs the actor on the thread pool, one batch at a time (or on the
/// actor's own <see cref="PinnedThread"/> when its props asked for one).
///
/// Status is one int changed only through the CAS accessors below:
///   bit 0  Closed     (actor stopped; nothing is processed again)
///   bit 1  Scheduled  (a run is queued on, or running on, the thread pool)
///   bits 2+ suspend count (user messages are not processed while > 0)
///
///   Idle --Post/PostSystem--> Scheduled --Run finishes--> Idle (rescheduled at once if work is left)
///     \                                                  /
///      `------------------- Close() ------------------> Closed (terminal; remaining mail to dead letters)
///
/// System messages live in their own queue and are drained before every user message. One run handles at
/// most <see cref="ActorSystemOptions.Throughput"/> user messages, then yields the thread and reschedules
/// itself in <c>finally</c> if work is left. Tell is lock-free: one ConcurrentQueue enqueue plus at most one
/// CAS to schedule.
/// </summary>
internal sealed class Mailbox : IThreadPoolWorkItem
{
    private const int ClosedBit = 1;
    private const int ScheduledBit = 2;
    private const int SuspendUnit = 4;

    private readonly ConcurrentQueue<Envelope> _queue = new();
    private readonly ConcurrentQueue<ISystemMessage> _systemQueue = new();
    // Stashed messages put back in front; touched only by the actor's own thread.
    private readonly Queue<Envelope> _prepended = new();
    private readonly int? _capacity;
    private readonly MailboxOverflowPolicy _policy;
    private readonly int _throughput;
    private readonly bool _bounded;
    private int _count; // maintained only for bounded mailboxes (it enforces the capacity)
    private int _status;
    private ActorCell _cell = null!;
    private PinnedThread? _pinned;

    public Mailbox(MailboxOptions options, int throughput)
    {
        _capacity = options.Capacity;
        _bounded = options.Capacity is not null;
        _policy = options.OverflowPolicy;
        _throughput = throughput;
    }

    public void SetCell(ActorCell cell)
    {
        _cell = cell;
        if (cell.Props.PinnedThread) _pinned = new PinnedThread(this, () => IsClosed, "actor " + cell.Self.Path.Name);
    }

    /// <summary>Queued user messages (including ones put back from the stash).</summary>
    public int Count => (_bounded ? Volatile.Read(ref _count) : _queue.Count) + Volatile.Read(ref _prependedHint);

    public bool IsClosed => (Volatile.Read(ref _status) & ClosedBit) != 0;
    public bool IsSuspended => Volatile.Read(ref _status) >= SuspendUnit;
    private bool HasSystemMessages => !_systemQueue.IsEmpty;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Post(in Envelope envelope)
    {
        if (IsClosed) { _cell.DeadLetter(envelope); return; }
        if (_bounded && !MakeRoom(envelope, _capacity!.Value)) return;
        _queue.Enqueue(envelope);
        if (IsClosed) { DrainQueueToDeadLetters(); return; }
        TrySchedule();
    }

    /// <summary>Runtime-generated message (e.g. Terminated) that must not be lost to a full bounded mailbox.</summary>
    public void PostInternal(in Envelope envelope)
    {
        if (IsClosed) { _cell.DeadLetter(envelope); return; }
        if (_bounded) Interlocked.Increment(ref _count);
        _queue.Enqueue(envelope);
        if (IsClosed) { DrainQueueToDeadLetters(); return; }
        TrySchedule();
    }

    /// <summary>Reserves a slot in a bounded mailbox; false when the message was dropped.</summary>
    private bool MakeRoom(in Envelope envelope, int capacity)
    {
        while (true)
        {
            var c = Volatile.Read(ref _count);
            if (c < capacity)
            {
                if (Interlocked.CompareExchange(ref _count, c + 1, c) == c) return true;
                continue;
            }
            switch (_policy)
            {
                case MailboxOverflowPolicy.DropNewest:
                    _cell.DeadLetter(envelope);
                    return false;
                case MailboxOverflowPolicy.DropOldest:
                    if (_queue.TryDequeue(out var oldest))
                    {
                        // The slot of the dropped message is handed to the new one: count unchanged.
                        _cell.DeadLetter(oldest);
                        return true;
                    }
                    continue; // the actor emptied the queue meanwhile; retry for a free slot
                default:
                    throw new MailboxFullException(
                        $"Mailbox of {_cell.Self.Path} is full ({capacity} messages) and its overflow policy is Fail; " +
                        $"{envelope.Message.GetType().Name} was not delivered. Slow the sender down, raise the capacity, " +
                        "or choose DropNewest/DropOldest in MailboxOptions.Bounded.");
            }
        }
    }

    public void PostSystem(ISystemMessage message)
    {
        if (IsClosed) { _cell.HandleSystemMessageAfterStop(message); return; }
        _systemQueue.Enqueue(message);
        if (IsClosed) { DrainSystemAfterStop(); return; }
        TrySchedule();
    }

    /// <summary>Puts stashed messages back in front of the queue (actor thread only).</summary>
    public void Prepend(IEnumerable<Envelope> envelopes)
    {
        if (_prepended.Count == 0)
        {
            foreach (var e in envelopes) _prepended.Enqueue(e);
            return;
        }
        var rest = _prepended.ToArray();
        _prepended.Clear();
        foreach (var e in envelopes) _prepended.Enqueue(e);
        foreach (var e in rest) _prepended.Enqueue(e);
    }

    private bool TryDequeue(out Envelope envelope)
    {
        if (_prepended.Count > 0) { envelope = _prepended.Dequeue(); return true; }
        if (_queue.TryDequeue(out envelope))
        {
            if (_bounded) Interlocked.Decrement(ref _count);
            return true;
        }
        return false;
    }

    // ---- status accessors (CAS only) ----

    public void Suspend()
    {
        int s;
        do { s = Volatile.Read(ref _status); }
        while (Interlocked.CompareExchange(ref _status, s + SuspendUnit, s) != s);
    }

    /// <summary>Decrements the suspend count; true when the mailbox is no longer suspended.</summary>
    public bool Resume()
    {
        while (true)
        {
            var s = Volatile.Read(ref _status);
            if (s < SuspendUnit) return true;
            if (Interlocked.CompareExchange(ref _status, s - SuspendUnit, s) == s) return s - SuspendUnit < SuspendUnit;
        }
    }

    /// <summary>Clears every suspension (used after a restart).</summary>
    public void ResumeFully()
    {
        int s;
        do { s = Volatile.Read(ref _status); }
        while (Interlocked.CompareExchange(ref _status, s & (ClosedBit | ScheduledBit), s) != s);
        TrySchedule();
    }

    private bool SetAsScheduled()
    {
        while (true)
        {
            var s = Volatile.Read(ref _status);
            if ((s & (ClosedBit | ScheduledBit)) != 0) return false;
            if (Interlocked.CompareExchange(ref _status, s | ScheduledBit, s) == s) return true;
        }
    }

    private void SetAsIdle()
    {
        int s;
        do { s = Volatile.Read(ref _status); }
        while (Interlocked.CompareExchange(ref _status, s & ~ScheduledBit, s) != s);
    }

    public void Close()
    {
        int s;
        do { s = Volatile.Read(ref _status); }
        while (Interlocked.CompareExchange(ref _status, s | ClosedBit, s) != s);
        DrainToDeadLetters();
        DrainSystemAfterStop();
        _pinned?.Stop();
    }

    private void DrainToDeadLetters()
    {
        while (_prepended.Count > 0) _cell.DeadLetter(_prepended.Dequeue());
        DrainQueueToDeadLetters();
    }

    private void DrainQueueToDeadLetters()
    {
        while (_queue.TryDequeue(out var e))
        {
            if (_bounded) Interlocked.Decrement(ref _count);
            _cell.DeadLetter(e);
        }
    }

    private void DrainSystemAfterStop()
    {
        while (_systemQueue.TryDequeue(out var m)) _cell.HandleSystemMessageAfterStop(m);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void TrySchedule()
    {
        var s = Volatile.Read(ref _status);
        if ((s & (ClosedBit | ScheduledBit)) != 0) return;
        if (!HasSystemMessages && (s >= SuspendUnit || !HasMessagesAnyThread())) return;
        if (!SetAsScheduled()) return;
        if (_pinned is null) ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: true);
        else _pinned.Signal();
    }

    private bool HasMessagesAnyThread() => !_queue.IsEmpty || Volatile.Read(ref _prependedHint) != 0;
    private int _prependedHint;

    void IThreadPoolWorkItem.Execute() => Run();

    private void Run()
    {
        try
        {
            if (IsClosed) return;
            ProcessSystemMessages();
            var left = _throughput;
            while (left-- > 0 && Volatile.Read(ref _status) < SuspendUnit && (Volatile.Read(ref _status) & ClosedBit) == 0
                   && TryDequeue(out var envelope))
            {
                _cell.Invoke(envelope);
                ProcessSystemMessages();
            }
        }
        catch (Exception e)
        {
            // Invoke and SystemInvoke handle actor failures themselves; reaching here is a runtime bug,
            // which must not take the whole process down with an unhandled thread-pool exception.
            _cell.System.Log.Error(e, $"Internal error while running the mailbox of {_cell.Self.Path}.");
        }
        finally
        {
            Volatile.Write(ref _prependedHint, _prepended.Count);
            SetAsIdle();
            TrySchedule();
        }
    }

    private void ProcessSystemMessages()
    {
        while ((Volatile.Read(ref _status) & ClosedBit) == 0 && _systemQueue.TryDequeue(out var message))
            _cell.SystemInvoke(message);
    }
}
