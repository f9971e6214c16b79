namespace ClusterTrainer.Actors;

/// <summary>Implement on an actor to get keyed timers that are cancelled when it stops or restarts.</summary>
public interface IWithTimers
{
    ITimerScheduler Timers { get; set; }
}

/// <summary>
/// Keyed timers owned by one actor. Starting a timer with a key that is active replaces it; a message
/// of a cancelled or replaced timer that is already in the mailbox is discarded, never delivered.
/// </summary>
public interface ITimerScheduler
{
    void StartSingleTimer(object key, object message, TimeSpan delay);
    void StartPeriodicTimer(object key, object message, TimeSpan interval);
    void StartPeriodicTimer(object key, object message, TimeSpan initialDelay, TimeSpan interval);
    bool IsTimerActive(object key);
    void Cancel(object key);
    void CancelAll();
}

/// <summary>Envelope of a timer's message; the cell unwraps it if the timer generation is still current.</summary>
internal sealed record TimerMessage(object Key, int Generation, object Message);

internal sealed class ActorTimers(ActorCell cell) : ITimerScheduler
{
    private readonly Dictionary<object, (int Generation, bool Periodic, ICancelable Task)> _timers = new();
    private int _generation;

    public void StartSingleTimer(object key, object message, TimeSpan delay) => Start(key, message, delay, null);

    public void StartPeriodicTimer(object key, object message, TimeSpan interval) => Start(key, message, interval, interval);

    public void StartPeriodicTimer(object key, object message, TimeSpan initialDelay, TimeSpan interval) =>
        Start(key, message, initialDelay, interval);

    private void Start(object key, object message, TimeSpan delay, TimeSpan? interval)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(message);
        Cancel(key);
        var generation = ++_generation;
        var wrapped = new TimerMessage(key, generation, message);
        var task = interval is { } i
            ? cell.System.Scheduler.ScheduleTellRepeatedly(delay, i, cell.Self, wrapped, cell.Self)
            : cell.System.Scheduler.ScheduleTellOnce(delay, cell.Self, wrapped, cell.Self);
        _timers[key] = (generation, interval is not null, task);
    }

    public bool IsTimerActive(object key) => _timers.ContainsKey(key);

    public void Cancel(object key)
    {
        if (_timers.Remove(key, out var t)) t.Task.Cancel();
    }

    public void CancelAll()
    {
        foreach (var t in _timers.Values) t.Task.Cancel();
        _timers.Clear();
    }

    /// <summary>True (and the inner message) when the timer that sent it is still the current one.</summary>
    internal bool Accept(TimerMessage message, out object inner)
    {
        inner = message.Message;
        if (!_timers.TryGetValue(message.Key, out var t) || t.Generation != message.Generation) return false;
        if (!t.Periodic) _timers.Remove(message.Key);
        return true;
    }
}

internal sealed partial class ActorCell
{
    private ActorTimers? _timers;

    internal ITimerScheduler Timers => _timers ??= new ActorTimers(this);

    private bool AcceptTimerMessage(TimerMessage message, out object inner)
    {
        inner = message.Message;
        return _timers is not null && _timers.Accept(message, out inner);
    }
}
