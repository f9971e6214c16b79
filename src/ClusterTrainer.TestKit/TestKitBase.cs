using System.Collections.Concurrent;
using System.Diagnostics;
using ClusterTrainer.Actors;

namespace ClusterTrainer.TestKit;

/// <summary>
/// The expectation API shared by <see cref="TestKit"/> and <see cref="TestProbe"/>: a TestActor whose
/// received messages are consumed in order by ExpectMsg, ExpectNoMsg, FishForMessage, ReceiveN, ...
/// All waits respect an enclosing <see cref="Within(TimeSpan, Action)"/> budget.
/// </summary>
public abstract partial class TestKitBase
{
    private static int _testActorCounter;
    private readonly TestActorQueue _state = new();
    private readonly BlockingCollection<Envelope> _queue;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan? _end; // deadline of the innermost Within, on _clock
    private Envelope _last;
    private bool _hasLast;
    private Envelope? _pushedBack; // a message ReceiveWhile looked at but did not take

    protected TestKitBase(ActorSystem system, TestKitSettings settings, string testActorName)
    {
        Sys = system;
        Settings = settings;
        _queue = _state.Messages;
        TestActor = system.SystemActorOf(Props.CreateBy(() => new TestActor(_state)),
            $"{testActorName}-{Interlocked.Increment(ref _testActorCounter)}");
    }

    public ActorSystem Sys { get; }
    public TestKitSettings Settings { get; }

    /// <summary>The actor whose messages this kit inspects; also the implicit sender of test code.</summary>
    public IActorRef TestActor { get; }

    /// <summary>Sender of the last received message.</summary>
    public IActorRef LastSender => _hasLast ? _last.Sender ?? Sys.DeadLetters : Sys.DeadLetters;

    public object? LastMessage => _hasLast ? _last.Message : null;

    /// <summary>Messages waiting to be expected.</summary>
    public int QueuedMessageCount => _queue.Count + (_pushedBack is null ? 0 : 1);

    /// <summary>Returns a message to the front so that the next expectation sees it again.</summary>
    private protected void PushBack(Envelope envelope) => _pushedBack = envelope;

    private protected bool TryTakeRaw(TimeSpan max, out Envelope envelope)
    {
        if (_pushedBack is { } back) { _pushedBack = null; envelope = back; return true; }
        return _queue.TryTake(out envelope, max);
    }

    public TimeSpan Dilated(TimeSpan duration) => Settings.Dilated(duration);

    /// <summary>Time left in the innermost Within block, or the dilated default timeout outside one.</summary>
    public TimeSpan RemainingOrDefault => _end is { } end ? Clamp(end - _clock.Elapsed) : Dilated(Settings.DefaultTimeout);

    /// <summary>Time left in the innermost Within block; throws outside one.</summary>
    public TimeSpan Remaining => _end is { } end ? Clamp(end - _clock.Elapsed)
        : throw new InvalidOperationException("Remaining is only defined inside a Within block; use RemainingOrDefault.");

    private static TimeSpan Clamp(TimeSpan t) => t < TimeSpan.Zero ? TimeSpan.Zero : t;

    /// <summary>An explicit timeout, dilated and capped by the enclosing Within; else <see cref="RemainingOrDefault"/>.</summary>
    protected TimeSpan RemainingOrDilated(TimeSpan? timeout)
    {
        if (timeout is null) return RemainingOrDefault;
        var dilated = Dilated(timeout.Value);
        return _end is { } end && dilated > Clamp(end - _clock.Elapsed) ? Clamp(end - _clock.Elapsed) : dilated;
    }

    /// <summary>A new probe in this kit's system.</summary>
    public TestProbe CreateTestProbe(string name = "probe") => new(Sys, Settings, name);

    /// <summary>A new probe in another actor system (multi-node specs), with this kit's time settings.</summary>
    public TestProbe CreateTestProbe(ActorSystem system, string name = "probe") => new(system, Settings, name);

    /// <summary>
    /// From now on the TestActor drops messages for which <paramref name="shouldIgnore"/> is true (e.g.
    /// periodic noise such as heartbeats); they never reach ExpectMsg. <see cref="IgnoreNoMessages"/> undoes it.
    /// </summary>
    public void IgnoreMessages(Func<object, bool> shouldIgnore) =>
        _state.Ignore = shouldIgnore ?? throw new ArgumentNullException(nameof(shouldIgnore));

    public void IgnoreMessages<T>(Func<T, bool>? shouldIgnore = null) =>
        _state.Ignore = m => m is T t && (shouldIgnore is null || shouldIgnore(t));

    public void IgnoreNoMessages() => _state.Ignore = null;

    /// <summary>Sends from this kit's TestActor.</summary>
    public void Send(IActorRef target, object message) => target.Tell(message, TestActor);

    /// <summary>Replies to the sender of the last received message.</summary>
    public void Reply(object message)
    {
        if (!_hasLast) throw new InvalidOperationException("Reply needs a received message first; call ExpectMsg before Reply.");
        LastSender.Tell(message, TestActor);
    }

    /// <summary>Forwards the last received message to <paramref name="target"/>, keeping its original sender.</summary>
    public void Forward(IActorRef target)
    {
        if (!_hasLast) throw new InvalidOperationException("Forward needs a received message first; call ExpectMsg before Forward.");
        target.Tell(_last.Message, _last.Sender);
    }

    /// <summary>Takes the next message within <paramref name="max"/>; false when none arrived.</summary>
    protected bool TryReceiveOne(TimeSpan max, out Envelope envelope)
    {
        if (_pushedBack is { } back)
        {
            _pushedBack = null;
            envelope = back;
            _last = back;
            _hasLast = true;
            return true;
        }
        var ok = max == Timeout.InfiniteTimeSpan
            ? _queue.TryTake(out envelope, Timeout.Infinite)
            : _queue.TryTake(out envelope, max);
        if (ok)
        {
            _last = envelope;
            _hasLast = true;
        }
        return ok;
    }

    // ---------------- Within ----------------

    /// <summary>Runs <paramref name="action"/> and asserts it finished within <paramref name="max"/> (dilated).</summary>
    public void Within(TimeSpan max, Action action) => Within(TimeSpan.Zero, max, action);

    /// <summary>
    /// Runs <paramref name="action"/> with a time budget: expectations inside use the remaining time as
    /// their default. Nested blocks get at most what their parent has left. Fails when the block took
    /// less than <paramref name="min"/> or more than <paramref name="max"/>.
    /// </summary>
    public void Within(TimeSpan min, TimeSpan max, Action action)
    {
        _ = Within<object?>(min, max, () => { action(); return null; });
    }

    public T Within<T>(TimeSpan max, Func<T> function) => Within(TimeSpan.Zero, max, function);

    public T Within<T>(TimeSpan min, TimeSpan max, Func<T> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        if (min < TimeSpan.Zero || max < min)
            throw new ArgumentOutOfRangeException(nameof(max), $"Within needs 0 <= min <= max; got min {min}, max {max}.");
        var dilatedMax = Dilated(max);
        var start = _clock.Elapsed;
        var outer = _end;
        var rem = outer is { } o ? Clamp(o - start) : Timeout.InfiniteTimeSpan;
        var budget = rem == Timeout.InfiniteTimeSpan || dilatedMax < rem ? dilatedMax : rem;
        _end = start + budget;
        T result;
        try { result = function(); }
        finally { _end = outer; }
        var took = _clock.Elapsed - start;
        if (took < min)
            throw new TestKitAssertionException($"Within: the block finished after {Ms(took)}, earlier than the minimum {Ms(min)}.");
        if (took > budget + Dilated(Settings.WithinGrace))
            throw new TestKitAssertionException($"Within: the block took {Ms(took)}, more than its budget of {Ms(budget)} (max {Ms(max)} x time factor {Settings.TimeFactor}).");
        return result;
    }

    /// <summary>Async version of Within for blocks that await.</summary>
    public async Task WithinAsync(TimeSpan min, TimeSpan max, Func<Task> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        var budget = Dilated(max);
        var start = _clock.Elapsed;
        var outer = _end;
        if (outer is { } o && Clamp(o - start) < budget) budget = Clamp(o - start);
        _end = start + budget;
        try { await action().ConfigureAwait(false); }
        finally { _end = outer; }
        var took = _clock.Elapsed - start;
        if (took < min)
            throw new TestKitAssertionException($"Within: the block finished after {Ms(took)}, earlier than the minimum {Ms(min)}.");
        if (took > budget + Dilated(Settings.WithinGrace))
            throw new TestKitAssertionException($"Within: the block took {Ms(took)}, more than its budget of {Ms(budget)}.");
    }

    protected static string Ms(TimeSpan t) => t == Timeout.InfiniteTimeSpan ? "infinite" : $"{t.TotalMilliseconds:0} ms";

    protected static string Describe(object? message) =>
        message is null ? "null" : $"{message.GetType().Name} {{{message}}}";

    internal void StopReceiving() => _queue.CompleteAdding();
}
