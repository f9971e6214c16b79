namespace ClusterTrainer.Actors.Persistence;

/// <summary>
/// An event-sourced actor (after Akka.NET's ReceivePersistentActor). State changes only by events:
/// a command handler calls <see cref="Persist{TEvent}"/>; once the journal has stored the event the
/// handler runs and updates the state. On start (and after every restart) the actor recovers: the
/// latest snapshot is offered (<see cref="SnapshotOffer"/>), the events after it are replayed through
/// the Recover handlers, then <see cref="RecoveryCompleted"/> arrives.
/// <code>
///   start/restart --> Recovering --(snapshot + replay + RecoveryCompleted)--> Processing
///                        | load/replay/handler failure                         |      ^
///                        v                                                     | Persist in a
///                     Stopped (OnRecoveryFailure logs)               command   v      | handlers done
///                        ^                                             Persisting (commands held)
///                        `---------- write failed/conflict (OnPersistFailure logs) --'
///                                    write rejected (OnPersistRejected logs) --> Processing
/// </code>
/// While recovering or persisting the mailbox is suspended: commands wait in order and run afterwards.
/// Persist calls made in one command are written as one atomic batch.
/// </summary>
public abstract partial class PersistentActor : ActorBase
{
    /// <summary>Events read from the journal per round trip during recovery.</summary>
    protected const int ReplayPageSize = 1000;

    private readonly HandlerTable recoverHandlers = new();
    private readonly List<HandlerTable> behaviours = [new HandlerTable()];
    private HandlerTable building;
    private readonly List<Pending> pending = new();
    private PersistencePlugins? plugins;
    private ILoggingAdapter? log;
    private bool stopped;

    protected PersistentActor()
    {
        building = behaviours[0];
    }

    /// <summary>Stable identity of this actor's event stream; the same id after every restart.</summary>
    public abstract string PersistenceId { get; }

    /// <summary>Sequence number of the last event persisted or replayed (0 for a fresh actor).</summary>
    public long LastSequenceNr { get; private set; }

    /// <summary>Sequence number of the snapshot recovery started from (0 when none).</summary>
    public long SnapshotSequenceNr { get; private set; }

    /// <summary>True while the snapshot and events are being applied.</summary>
    public bool IsRecovering { get; private set; } = true;

    /// <summary>Identity of this incarnation, stored with each event.</summary>
    public string WriterUuid { get; } = Guid.NewGuid().ToString("N");

    /// <summary>What recovery reads; override to start from an older snapshot or to skip recovery.</summary>
    protected virtual Recovery Recovery => Recovery.Default;

    /// <summary>The stores this actor uses; by default those configured with <see cref="PersistenceExtension"/>.</summary>
    protected virtual PersistencePlugins Plugins => plugins ??= PersistenceExtension.Get(Context.System);

    protected ILoggingAdapter Log => log ??= Context.GetLogger();

    protected IJournal Journal => Plugins.Journal;

    protected ISnapshotStore SnapshotStore => Plugins.SnapshotStore;

    /// <summary>Handles <typeparamref name="T"/> during recovery (events, <see cref="SnapshotOffer"/>, <see cref="RecoveryCompleted"/>).</summary>
    protected void Recover<T>(Action<T> handler) => recoverHandlers.Add<T>(null, handler);

    protected void Recover<T>(Predicate<T> shouldHandle, Action<T> handler) => recoverHandlers.Add(shouldHandle, handler);

    /// <summary>Handles <typeparamref name="T"/> once recovered.</summary>
    protected void Command<T>(Action<T> handler) => building.Add<T>(null, handler);

    protected void Command<T>(Predicate<T> shouldHandle, Action<T> handler) => building.Add(shouldHandle, handler);

    protected void CommandAny(Action<object> handler) => building.Add<object>(null, handler);

    /// <summary>
    /// Replaces the command handlers with those <paramref name="configure"/> registers (Command&lt;T&gt; calls).
    /// Use this, not Context.Become, so that Persist keeps working in the new behaviour.
    /// </summary>
    protected void Become(Action configure) => behaviours[^1] = Build(configure);

    /// <summary>Pushes a command behaviour; <see cref="UnbecomeStacked"/> returns to the previous one.</summary>
    protected void BecomeStacked(Action configure) => behaviours.Add(Build(configure));

    protected void UnbecomeStacked()
    {
        if (behaviours.Count > 1)
        {
            behaviours.RemoveAt(behaviours.Count - 1);
        }
    }

    /// <summary>
    /// Stores <paramref name="event"/>, then calls <paramref name="handler"/> with it. Commands that
    /// arrive meanwhile wait; <see cref="ActorBase.Sender"/> inside the handler is the command's sender.
    /// </summary>
    protected void Persist<TEvent>(TEvent @event, Action<TEvent> handler)
    {
        ArgumentNullException.ThrowIfNull(@event);
        ArgumentNullException.ThrowIfNull(handler);
        pending.Add(new Pending(@event, e => handler((TEvent)e), IsEvent: true));
    }

    /// <summary>Stores every event atomically (one batch), then calls the handler for each, in order.</summary>
    protected void PersistAll<TEvent>(IEnumerable<TEvent> events, Action<TEvent> handler)
    {
        ArgumentNullException.ThrowIfNull(events);
        foreach (var e in events)
        {
            Persist(e, handler);
        }
    }

    /// <summary>Calls <paramref name="handler"/> after the events persisted before it, without storing anything.</summary>
    protected void DeferAsync<T>(T value, Action<T> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        pending.Add(new Pending(value!, v => handler((T)v), IsEvent: false));
    }

    /// <summary>A write failed (store down, or <see cref="JournalWriteConflictException"/>). Logs; the actor then stops.</summary>
    protected virtual void OnPersistFailure(Exception cause, object @event, long sequenceNr) =>
        Log.Error(cause, $"failed to persist event {@event.GetType().Name} with sequence number {sequenceNr} for " +
                         $"persistence id '{PersistenceId}'; stopping the actor so its state cannot diverge from the journal");

    /// <summary>An event was refused before being stored (e.g. not serializable). Logs; the actor carries on.</summary>
    protected virtual void OnPersistRejected(Exception cause, object @event, long sequenceNr) =>
        Log.Warning(cause, $"rejected to persist event {@event.GetType().Name} with sequence number {sequenceNr} for " +
                           $"persistence id '{PersistenceId}': {cause.Message}. The handler did not run; state is unchanged.");

    /// <summary>Recovery failed (store, serializer or a Recover handler). Logs; the actor then stops.</summary>
    protected virtual void OnRecoveryFailure(Exception cause, object? @event) =>
        Log.Error(cause, $"recovery of persistence id '{PersistenceId}' failed" +
                         (@event is null ? string.Empty : $" while replaying {@event.GetType().Name} (sequence number {LastSequenceNr})") +
                         $": {cause.Message}. Stopping the actor.");

    /// <summary>Runs before recovery starts (the actor's PreStart).</summary>
    protected virtual void OnPreStart()
    {
    }

    protected sealed override void PreStart()
    {
        OnPreStart();
        Cell.RunAsyncHandler(RecoverAsync);
    }

    protected sealed override bool Receive(object message)
    {
        var handled = behaviours[^1].Handle(message);
        if (pending.Count > 0)
        {
            Cell.RunAsyncHandler(FlushAsync);
        }

        return handled;
    }

    private async Task RecoverAsync()
    {
        object? current = null;
        try
        {
            IsRecovering = true;
            var recovery = Recovery;
            var serializer = Plugins.Serializer;
            var snapshot = await SnapshotStore.LoadAsync(PersistenceId, recovery.FromSnapshot);
            if (snapshot is not null)
            {
                current = serializer.Deserialize(snapshot.Manifest, snapshot.Payload);
                LastSequenceNr = SnapshotSequenceNr = snapshot.Metadata.SequenceNr;
                ApplyRecovered(new SnapshotOffer(snapshot.Metadata, current));
            }

            var highest = await Journal.ReadHighestSequenceNrAsync(PersistenceId);
            var to = Math.Min(recovery.ToSequenceNr, highest);
            var left = recovery.ReplayMax;
            // Pages keep memory bounded and the continuation hops back into the actor few.
            for (var from = LastSequenceNr + 1; from <= to && left > 0;)
            {
                var want = (int)Math.Min(ReplayPageSize, left);
                var page = await ReadPageAsync(Journal, PersistenceId, from, to, want);
                foreach (var repr in page)
                {
                    current = serializer.Deserialize(repr.Manifest, repr.Payload);
                    LastSequenceNr = repr.SequenceNr;
                    ApplyRecovered(current);
                }

                if (page.Count < want)
                {
                    break;
                }

                left -= page.Count;
                from = page[^1].SequenceNr + 1;
            }

            // Deleted or skipped events still hold their numbers: carry on after the highest ever written.
            LastSequenceNr = Math.Max(LastSequenceNr, highest);
            current = null;
            IsRecovering = false;
            ApplyRecovered(RecoveryCompleted.Instance);
        }
        catch (Exception ex)
        {
            OnRecoveryFailure(ex, current);
            pending.Clear();
            Context.Stop(Self);
            return;
        }

        await FlushAsync();
    }

    private HandlerTable Build(Action configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var table = new HandlerTable();
        var previous = building;
        building = table;
        try
        {
            configure();
        }
        finally
        {
            building = previous;
        }

        return table;
    }

    private static async Task<List<PersistentRepr>> ReadPageAsync(IJournal journal, string persistenceId, long from, long to, int max)
    {
        var page = new List<PersistentRepr>(Math.Min(max, 256));
        await foreach (var repr in journal.ReplayAsync(persistenceId, from, to, max).ConfigureAwait(false))
        {
            page.Add(repr);
        }

        return page;
    }

    private void ApplyRecovered(object message)
    {
        if (!recoverHandlers.Handle(message) && message is not RecoveryCompleted and not SnapshotOffer)
        {
            Log.Warning($"no Recover handler for {message.GetType().Name} in '{PersistenceId}'; the event was skipped");
        }
    }

    private sealed record Pending(object Value, Action<object> Handler, bool IsEvent);
}
