using ClusterTrainer.Actors;

namespace ClusterTrainer.TestKit;

public abstract partial class TestKitBase
{
    /// <summary>Expects the next message to be a <typeparamref name="T"/> and returns it.</summary>
    public T ExpectMsg<T>(TimeSpan? timeout = null, string? hint = null) =>
        ExpectMsgCore<T>(timeout, null, $"a {typeof(T).Name}", hint);

    /// <summary>Expects the next message to be a <typeparamref name="T"/> that satisfies <paramref name="predicate"/>.</summary>
    public T ExpectMsg<T>(Predicate<T> predicate, TimeSpan? timeout = null, string? hint = null)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return ExpectMsgCore(timeout, predicate, $"a {typeof(T).Name} matching the predicate", hint);
    }

    /// <summary>Expects the next message to equal <paramref name="expected"/>.</summary>
    public T ExpectMsg<T>(T expected, TimeSpan? timeout = null, string? hint = null) where T : notnull =>
        ExpectMsgCore<T>(timeout, m => Equals(m, expected), Describe(expected), hint);

    /// <summary>Expects a <typeparamref name="T"/> sent by <paramref name="sender"/>.</summary>
    public T ExpectMsgFrom<T>(IActorRef sender, TimeSpan? timeout = null, string? hint = null)
    {
        var msg = ExpectMsg<T>(timeout, hint);
        if (!LastSender.Equals(sender))
            throw new TestKitAssertionException($"ExpectMsgFrom: expected {typeof(T).Name} from {sender.Path} but it came from {LastSender.Path}.");
        return msg;
    }

    private T ExpectMsgCore<T>(TimeSpan? timeout, Predicate<T>? predicate, string what, string? hint)
    {
        var max = RemainingOrDilated(timeout);
        var suffix = hint is null ? "" : $" ({hint})";
        if (!TryReceiveOne(max, out var envelope))
            throw new TestKitAssertionException($"Timeout ({Ms(max)}) while waiting for {what}{suffix}: no message arrived.");
        if (envelope.Message is not T typed)
            throw new TestKitAssertionException($"Expected {what}{suffix}, but received {Describe(envelope.Message)} from {envelope.Sender?.Path.ToString() ?? "no sender"}.");
        if (predicate is not null && !predicate(typed))
            throw new TestKitAssertionException($"Expected {what}{suffix}, but received {Describe(envelope.Message)}, which does not match.");
        return typed;
    }

    /// <summary>Asserts that no message arrives for <paramref name="duration"/> (dilated; default 300 ms).</summary>
    public void ExpectNoMsg(TimeSpan? duration = null, string? hint = null)
    {
        var max = duration is null ? RemainingOrDilated(Settings.DefaultNoMessageDuration) : RemainingOrDilated(duration);
        if (TryReceiveOne(max, out var envelope))
            throw new TestKitAssertionException(
                $"Expected no message for {Ms(max)}{(hint is null ? "" : $" ({hint})")}, but received {Describe(envelope.Message)} from {envelope.Sender?.Path.ToString() ?? "no sender"}.");
    }

    /// <summary>Expects the next message to equal one of <paramref name="candidates"/>; returns it.</summary>
    public T ExpectMsgAnyOf<T>(params T[] candidates)
    {
        if (candidates.Length == 0) throw new ArgumentException("ExpectMsgAnyOf needs at least one candidate.", nameof(candidates));
        var max = RemainingOrDefault;
        var list = string.Join(", ", candidates.Select(c => Describe(c)));
        if (!TryReceiveOne(max, out var envelope))
            throw new TestKitAssertionException($"Timeout ({Ms(max)}) while waiting for any of [{list}]: no message arrived.");
        if (envelope.Message is T t && candidates.Any(c => Equals(c, t))) return t;
        throw new TestKitAssertionException($"Expected any of [{list}], but received {Describe(envelope.Message)}.");
    }

    /// <summary>Expects exactly these messages next, in any order.</summary>
    public IReadOnlyList<T> ExpectMsgAllOf<T>(params T[] expected)
    {
        var max = RemainingOrDefault;
        var deadline = DateTime.UtcNow + max;
        var missing = expected.ToList();
        var got = new List<T>();
        while (missing.Count > 0)
        {
            var left = deadline - DateTime.UtcNow;
            if (left < TimeSpan.Zero || !TryReceiveOne(left < TimeSpan.Zero ? TimeSpan.Zero : left, out var envelope))
                throw new TestKitAssertionException(
                    $"Timeout ({Ms(max)}) in ExpectMsgAllOf: still missing [{string.Join(", ", missing.Select(m => Describe(m)))}]; received [{string.Join(", ", got.Select(g => Describe(g)))}].");
            var index = envelope.Message is T t ? missing.FindIndex(m => Equals(m, t)) : -1;
            if (index < 0)
                throw new TestKitAssertionException(
                    $"ExpectMsgAllOf: received unexpected {Describe(envelope.Message)}; still missing [{string.Join(", ", missing.Select(m => Describe(m)))}].");
            got.Add((T)envelope.Message);
            missing.RemoveAt(index);
        }
        return got;
    }

    /// <summary>Receives exactly <paramref name="count"/> messages within the time budget.</summary>
    public IReadOnlyList<object> ReceiveN(int count, TimeSpan? max = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var budget = RemainingOrDilated(max);
        var deadline = DateTime.UtcNow + budget;
        var result = new List<object>(count);
        while (result.Count < count)
        {
            var left = deadline - DateTime.UtcNow;
            if (left < TimeSpan.Zero || !TryReceiveOne(left, out var envelope))
                throw new TestKitAssertionException($"ReceiveN: timeout ({Ms(budget)}) after {result.Count} of {count} messages.");
            result.Add(envelope.Message);
        }
        return result;
    }

    /// <summary>
    /// Skips messages until one satisfies <paramref name="isTheOne"/> and returns it; fails when the budget
    /// runs out first (the message lists what was skipped).
    /// </summary>
    public object FishForMessage(Predicate<object> isTheOne, TimeSpan? max = null, string? hint = null) =>
        FishForMessage<object>(isTheOne, max, hint);

    public T FishForMessage<T>(Predicate<T> isTheOne, TimeSpan? max = null, string? hint = null)
    {
        ArgumentNullException.ThrowIfNull(isTheOne);
        var budget = RemainingOrDilated(max);
        var deadline = DateTime.UtcNow + budget;
        var skipped = new List<string>();
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left < TimeSpan.Zero || !TryReceiveOne(left, out var envelope))
                throw new TestKitAssertionException(
                    $"FishForMessage{(hint is null ? "" : $" ({hint})")}: no matching {typeof(T).Name} within {Ms(budget)}; skipped [{string.Join(", ", skipped)}].");
            if (envelope.Message is T t && isTheOne(t)) return t;
            skipped.Add(Describe(envelope.Message));
        }
    }

    /// <summary>
    /// Receives messages while they are <typeparamref name="T"/>s satisfying <paramref name="keepGoing"/>; stops
    /// at the first other message (left for the next expectation), when none arrives for <paramref name="idle"/>,
    /// when the budget runs out, or after <paramref name="maxMessages"/>.
    /// </summary>
    public IReadOnlyList<T> ReceiveWhile<T>(Predicate<T> keepGoing, TimeSpan? max = null, TimeSpan? idle = null, int maxMessages = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(keepGoing);
        var budget = RemainingOrDilated(max);
        var deadline = DateTime.UtcNow + budget;
        var idleWait = idle is null ? Timeout.InfiniteTimeSpan : Dilated(idle.Value);
        var result = new List<T>();
        while (result.Count < maxMessages)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) break;
            var wait = idleWait != Timeout.InfiniteTimeSpan && idleWait < left ? idleWait : left;
            if (!TryTakeRaw(wait, out var envelope)) break;
            if (envelope.Message is not T t || !keepGoing(t))
            {
                PushBack(envelope);
                break;
            }
            _last = envelope;
            _hasLast = true;
            result.Add(t);
        }
        return result;
    }

    // ---------------- death watch ----------------

    /// <summary>Makes this kit's TestActor watch <paramref name="subject"/> (effective when this returns).</summary>
    public IActorRef Watch(IActorRef subject)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        TestActor.Tell(new TestActorCommands.WatchIt(subject, done), ActorRefs.NoSender);
        if (!done.Task.Wait(RemainingOrDefault))
            throw new TestKitAssertionException($"Watch({subject.Path}): the TestActor did not start watching within {Ms(RemainingOrDefault)}.");
        return subject;
    }

    public IActorRef Unwatch(IActorRef subject)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        TestActor.Tell(new TestActorCommands.UnwatchIt(subject, done), ActorRefs.NoSender);
        if (!done.Task.Wait(RemainingOrDefault))
            throw new TestKitAssertionException($"Unwatch({subject.Path}): the TestActor did not respond within {Ms(RemainingOrDefault)}.");
        return subject;
    }

    /// <summary>Expects <see cref="Terminated"/> for <paramref name="target"/> (which must be watched).</summary>
    public Terminated ExpectTerminated(IActorRef target, TimeSpan? timeout = null) =>
        ExpectMsgCore<Terminated>(timeout, t => t.ActorRef.Equals(target), $"Terminated for {target.Path}", null);
}
