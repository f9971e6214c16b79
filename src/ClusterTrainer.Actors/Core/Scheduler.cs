using System.Collections.Concurrent;

namespace ClusterTrainer.Actors;

/// <summary>A handle to cancel a scheduled action.</summary>
public interface ICancelable
{
    bool IsCancellationRequested { get; }
    void Cancel();
}

/// <summary>Timed delivery of messages and actions. All methods are thread-safe.</summary>
public interface IScheduler
{
    DateTimeOffset Now { get; }
    ICancelable ScheduleTellOnce(TimeSpan delay, IActorRef receiver, object message, IActorRef? sender);
    ICancelable ScheduleTellRepeatedly(TimeSpan initialDelay, TimeSpan interval, IActorRef receiver, object message, IActorRef? sender);
    ICancelable ScheduleOnce(TimeSpan delay, Action action);
    ICancelable ScheduleRepeatedly(TimeSpan initialDelay, TimeSpan interval, Action action);
}

/// <summary>
/// Scheduler on <see cref="System.Threading.Timer"/> (the runtime's timer queue). Every pending item is
/// tracked so that terminating the actor system cancels them all. A repeated action never runs
/// concurrently with itself: the next run is armed after the previous one returns.
/// </summary>
internal sealed class TimerScheduler(ILoggingAdapter log) : IScheduler, IDisposable
{
    private readonly ConcurrentDictionary<Item, byte> _pending = new();
    private readonly ILoggingAdapter _log = log;
    private volatile bool _disposed;

    public DateTimeOffset Now => DateTimeOffset.UtcNow;

    public ICancelable ScheduleTellOnce(TimeSpan delay, IActorRef receiver, object message, IActorRef? sender) =>
        Schedule(delay, null, () => receiver.Tell(message, sender));

    public ICancelable ScheduleTellRepeatedly(TimeSpan initialDelay, TimeSpan interval, IActorRef receiver, object message, IActorRef? sender) =>
        Schedule(initialDelay, CheckInterval(interval), () => receiver.Tell(message, sender));

    public ICancelable ScheduleOnce(TimeSpan delay, Action action) => Schedule(delay, null, action);

    public ICancelable ScheduleRepeatedly(TimeSpan initialDelay, TimeSpan interval, Action action) =>
        Schedule(initialDelay, CheckInterval(interval), action);

    private static TimeSpan CheckInterval(TimeSpan interval) =>
        interval > TimeSpan.Zero ? interval
            : throw new ArgumentOutOfRangeException(nameof(interval), interval, "A repeat interval must be positive.");

    private Item Schedule(TimeSpan delay, TimeSpan? interval, Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (delay < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(delay), delay, "A schedule delay must not be negative.");
        if (_disposed)
            throw new InvalidOperationException("The scheduler is shut down because its actor system terminated.");
        var item = new Item(this, action, interval);
        _pending[item] = 0;
        item.Arm(delay);
        return item;
    }

    public void Dispose()
    {
        _disposed = true;
        foreach (var item in _pending.Keys) item.Cancel();
    }

    private sealed class Item : ICancelable
    {
        private readonly TimerScheduler _owner;
        private readonly Action _action;
        private readonly TimeSpan? _interval;
        private readonly Timer _timer;
        private int _cancelled;

        public Item(TimerScheduler owner, Action action, TimeSpan? interval)
        {
            _owner = owner;
            _action = action;
            _interval = interval;
            _timer = new Timer(static s => ((Item)s!).Fire(), this, Timeout.Infinite, Timeout.Infinite);
        }

        public bool IsCancellationRequested => Volatile.Read(ref _cancelled) != 0;

        public void Arm(TimeSpan delay)
        {
            try { _timer.Change(delay, Timeout.InfiniteTimeSpan); }
            catch (ObjectDisposedException) { /* cancelled concurrently */ }
        }

        private void Fire()
        {
            if (IsCancellationRequested) return;
            try { _action(); }
            catch (Exception e) { _owner._log.Error(e, "A scheduled action threw; it was not retried."); }
            if (_interval is { } i && !IsCancellationRequested) Arm(i);
            else Cancel();
        }

        public void Cancel()
        {
            if (Interlocked.Exchange(ref _cancelled, 1) != 0) return;
            _timer.Dispose();
            _owner._pending.TryRemove(this, out _);
        }
    }
}
