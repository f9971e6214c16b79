using System.Runtime.CompilerServices;

namespace ClusterTrainer.Actors;

/// <summary>
/// The runtime side of one actor: its mailbox, current behaviour, children, watchers and lifecycle.
/// All mutable state is touched only by the thread that currently runs the mailbox (one at a time),
/// except the children table, which is locked because <c>system.ActorOf</c> adds guardian children from
/// any thread.
///
/// Lifecycle of a cell:
/// <code>
///   Created --Create--> Running --failure--> Failed (suspended, parent asked)
///                         ^  |                 |-- Resume ----> Running
///                         |  |                 |-- Recreate --> Restarting (waits for stopping children)
///                         |  |                 |                  `--> Running (fresh instance)
///                         |  |                 `-- Terminate --.
///                         |  `--Terminate--> Terminating (children first) --> Terminated
/// </code>
/// </summary>
internal sealed partial class ActorCell : IActorContext
{
    [ThreadStatic] private static ActorCell? _current;

    private readonly List<Receive> _behaviors = new(2);
    private ActorBase? _actor;
    private Envelope _currentEnvelope;
    private bool _hasCurrent;
    private BoundedStash? _stash;
    private ILoggingAdapter? _log;
    private TimeSpan? _receiveTimeout;
    private ICancelable? _receiveTimeoutTask;
    private volatile bool _terminated;
    private bool _terminating;
    private bool _failed;
    private Exception? _pendingRecreate;
    private bool _asyncPending;
    private int _asyncGeneration;

    public ActorCell(ActorSystem system, Props props, IInternalActorRef parent, ActorPath path)
    {
        System = system;
        Props = props;
        Parent = parent;
        Mailbox = new Mailbox(props.Mailbox ?? system.Options.DefaultMailbox, system.Options.Throughput);
        Self = new LocalActorRef(this, path);
        Mailbox.SetCell(this);
    }

    internal static ActorCell? Current
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _current;
    }

    public ActorSystem System { get; }
    public Props Props { get; }
    public IInternalActorRef Parent { get; }
    IActorRef IActorContext.Parent => Parent;
    internal Mailbox Mailbox { get; }
    internal LocalActorRef Self { get; }
    IActorRef IActorContext.Self => Self;
    internal bool IsTerminated => _terminated;
    internal ActorBase? Actor => _actor;

    public IActorRef Sender => _hasCurrent ? _currentEnvelope.Sender ?? System.DeadLetters : System.DeadLetters;
    /// <summary>Incremented per received message (lets the stash detect double stashing).</summary>
    internal long MessageSequence { get; private set; }

    internal Envelope? CurrentEnvelope => _hasCurrent ? _currentEnvelope : null;

    internal ILoggingAdapter Log => _log ??= System.CreateLogger(Self.Path.ToString());
    public ILoggingAdapter GetLogger() => Log;

    internal void Start() => Mailbox.PostSystem(Create.Instance);

    // ---------------- user messages ----------------

    internal void Invoke(in Envelope envelope)
    {
        var previous = _current;
        _current = this;
        _currentEnvelope = envelope;
        _hasCurrent = true;
        MessageSequence++;
        try
        {
            var message = envelope.Message;
            if (message is IAutoReceivedMessage) AutoReceive(message);
            else ReceiveMessage(message);
            if (_receiveTimeout is not null && message is not (Actors.ReceiveTimeout or INotInfluenceReceiveTimeout)) RescheduleReceiveTimeout();
        }
        catch (Exception e)
        {
            HandleInvokeFailure(e);
        }
        finally
        {
            _current = previous;
        }
    }

    private void ReceiveMessage(object message)
    {
        if (_actor is null) { DeadLetter(_currentEnvelope); return; }
        if (message is TimerMessage tm) { if (!AcceptTimerMessage(tm, out message)) return; }
        if (!_behaviors[^1](message)) _actor.InvokeUnhandled(message);
    }

    private void AutoReceive(object message)
    {
        switch (message)
        {
            case PoisonPill:
                Self.Stop();
                break;
            case Kill:
                throw new ActorKilledException($"{Self.Path} received Kill.");
            case DeathWatchTerminated dwt:
                if (_terminatedQueued is not null && _terminatedQueued.Remove(dwt.Terminated.ActorRef))
                    ReceiveMessage(dwt.Terminated);
                break;
            case Actors.Identify identify:
                Sender.Tell(new ActorIdentity(identify.MessageId, Self), Self);
                break;
            default:
                ReceiveMessage(message);
                break;
        }
    }

    internal void DeadLetter(in Envelope envelope) =>
        System.DeadLetterOffice.Publish(envelope.Message, envelope.Sender, Self);

    // ---------------- behaviours ----------------

    public void Become(Receive receive)
    {
        ArgumentNullException.ThrowIfNull(receive);
        if (_behaviors.Count == 0) _behaviors.Add(receive);
        else _behaviors[^1] = receive;
    }

    public void BecomeStacked(Receive receive)
    {
        ArgumentNullException.ThrowIfNull(receive);
        _behaviors.Add(receive);
    }

    public void UnbecomeStacked()
    {
        if (_behaviors.Count > 1) _behaviors.RemoveAt(_behaviors.Count - 1);
    }

    // ---------------- receive timeout ----------------

    public TimeSpan? ReceiveTimeout => _receiveTimeout;

    public void SetReceiveTimeout(TimeSpan? timeout)
    {
        if (timeout is { } t && t <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(timeout), t, "A receive timeout must be positive; pass null to switch it off.");
        _receiveTimeout = timeout;
        RescheduleReceiveTimeout();
    }

    private void RescheduleReceiveTimeout()
    {
        _receiveTimeoutTask?.Cancel();
        _receiveTimeoutTask = _receiveTimeout is { } t && !_terminating
            ? System.Scheduler.ScheduleTellOnce(t, Self, Actors.ReceiveTimeout.Instance, null)
            : null;
    }

    // ---------------- selection ----------------

    public ActorSelection ActorSelection(string path) => Actors.ActorSelection.Create(System, Self.Path, path);

    // ---------------- async handlers ----------------

    /// <summary>
    /// Runs a ReceiveAsync handler. Its continuations are posted back to this actor (as system messages,
    /// so they run one at a time with Context valid), and until the task completes no further user
    /// message is processed. A fault fails the actor as if the handler had thrown.
    /// </summary>
    internal void RunAsyncHandler(Func<Task> handler)
    {
        var previousContext = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(_syncContext ??= new ActorSynchronizationContext(this));
        Task task;
        try { task = handler(); }
        finally { SynchronizationContext.SetSynchronizationContext(previousContext); }
        if (task.IsCompletedSuccessfully) return;
        if (task.IsCompleted) { task.GetAwaiter().GetResult(); return; }
        var generation = ++_asyncGeneration;
        _asyncPending = true;
        Mailbox.Suspend();
        task.ContinueWith(static (t, state) =>
        {
            var (cell, gen) = ((ActorCell, int))state!;
            Exception? error = t.IsFaulted ? t.Exception!.InnerExceptions.Count == 1 ? t.Exception.InnerException : t.Exception
                : t.IsCanceled ? new TaskCanceledException("The async handler's task was cancelled.") : null;
            cell.Mailbox.PostSystem(new AsyncCompleted(gen, error));
        }, (this, generation), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private ActorSynchronizationContext? _syncContext;

    /// <summary>Runs an await continuation of a ReceiveAsync handler inside the actor.</summary>
    private void RunContinuation(AsyncContinuation continuation)
    {
        var previousContext = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(_syncContext);
        try { continuation.Callback(continuation.State); }
        finally { SynchronizationContext.SetSynchronizationContext(previousContext); }
    }

    internal sealed record AsyncContinuation(SendOrPostCallback Callback, object? State) : ISystemMessage;

    private sealed class ActorSynchronizationContext(ActorCell cell) : SynchronizationContext
    {
        public override void Post(SendOrPostCallback d, object? state)
        {
            if (cell.IsTerminated) ThreadPool.QueueUserWorkItem(_ => d(state)); // keep the task going; the actor is gone
            else cell.Mailbox.PostSystem(new AsyncContinuation(d, state));
        }

        public override void Send(SendOrPostCallback d, object? state) =>
            throw new NotSupportedException("Synchronous Send to an actor's context would deadlock; await instead.");

        public override SynchronizationContext CreateCopy() => this;
    }

    private void HandleAsyncCompleted(AsyncCompleted completed)
    {
        if (!_asyncPending || completed.Generation != _asyncGeneration) return;
        _asyncPending = false;
        Mailbox.Resume();
        if (completed.Error is not null) HandleInvokeFailure(completed.Error);
    }

    private sealed record AsyncCompleted(int Generation, Exception? Error) : ISystemMessage;
}
