using System.Diagnostics;
using ClusterTrainer.Actors;

namespace ClusterTrainer.TestKit;

public abstract partial class TestKitBase
{
    /// <summary>
    /// Re-runs <paramref name="assertion"/> every <paramref name="interval"/> until it stops throwing, or
    /// rethrows its last exception when <paramref name="duration"/> (dilated) has passed.
    /// </summary>
    public void AwaitAssert(Action assertion, TimeSpan? duration = null, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(assertion);
        var max = RemainingOrDilated(duration);
        var pause = interval ?? Settings.DefaultPollInterval;
        var sw = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                assertion();
                return;
            }
            catch (Exception) when (sw.Elapsed + pause < max)
            {
                WaitQuietly(pause);
            }
            catch (Exception last)
            {
                throw new TestKitAssertionException($"AwaitAssert: the assertion still failed after {Ms(max)}: {last.Message}");
            }
        }
    }

    /// <summary>Async variant of <see cref="AwaitAssert"/>.</summary>
    public async Task AwaitAssertAsync(Func<Task> assertion, TimeSpan? duration = null, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(assertion);
        var max = RemainingOrDilated(duration);
        var pause = interval ?? Settings.DefaultPollInterval;
        var sw = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await assertion().ConfigureAwait(false);
                return;
            }
            catch (Exception) when (sw.Elapsed + pause < max)
            {
                await Task.Delay(pause).ConfigureAwait(false);
            }
            catch (Exception last)
            {
                throw new TestKitAssertionException($"AwaitAssert: the assertion still failed after {Ms(max)}: {last.Message}");
            }
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it is true; fails with <paramref name="message"/> after <paramref name="max"/>.</summary>
    public void AwaitCondition(Func<bool> condition, TimeSpan? max = null, TimeSpan? interval = null, string? message = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var budget = RemainingOrDilated(max);
        var pause = interval ?? Settings.DefaultPollInterval;
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.Elapsed >= budget)
                throw new TestKitAssertionException($"AwaitCondition: {message ?? "the condition"} was not met within {Ms(budget)}.");
            WaitQuietly(pause);
        }
    }

    // Polling pause: waits on an event that is never set (not a sleep used for synchronisation).
    private static readonly ManualResetEventSlim Never = new(false);
    private static void WaitQuietly(TimeSpan pause) => Never.Wait(pause);

    // ---------------- event filters (lite) ----------------

    /// <summary>
    /// Runs <paramref name="action"/> and expects exactly <paramref name="count"/> dead letters (optionally
    /// of message type <typeparamref name="TMessage"/>) to be published while and shortly after it runs.
    /// </summary>
    public IReadOnlyList<DeadLetter> ExpectDeadLetters<TMessage>(int count, Action action, TimeSpan? timeout = null) =>
        ExpectPublished<DeadLetter>("deadletter-probe", d => d.Message is TMessage, count, action, timeout,
            (seen, budget) => $"ExpectDeadLetters: expected {count} dead letters of {typeof(TMessage).Name}, saw {seen} within {Ms(budget)}.");

    /// <summary>
    /// Runs <paramref name="action"/> and expects at least <paramref name="count"/> log events of
    /// <paramref name="level"/> whose message contains <paramref name="contains"/>.
    /// </summary>
    public IReadOnlyList<LogEvent> ExpectLog(LogLevel level, string contains, int count, Action action, TimeSpan? timeout = null) =>
        ExpectPublished<LogEvent>("log-probe", e => e.Level == level && e.Message.Contains(contains, StringComparison.Ordinal), count, action, timeout,
            (seen, budget) => $"ExpectLog: expected {count} {level} entries containing '{contains}', saw {seen} within {Ms(budget)}.");

    /// <summary>
    /// Subscribes a probe to <typeparamref name="TEvent"/> on the event stream, runs <paramref name="action"/>,
    /// and collects <paramref name="count"/> events matching <paramref name="filter"/> within the budget.
    /// </summary>
    private List<TEvent> ExpectPublished<TEvent>(string probeName, Func<TEvent, bool> filter, int count, Action action,
        TimeSpan? timeout, Func<int, TimeSpan, string> failure)
    {
        var probe = new TestProbe(Sys, Settings, probeName);
        Sys.EventStream.Subscribe(probe.TestActor, typeof(TEvent));
        try
        {
            action();
            var budget = RemainingOrDilated(timeout);
            var result = new List<TEvent>();
            var deadline = DateTime.UtcNow + budget;
            while (result.Count < count)
            {
                var left = deadline - DateTime.UtcNow;
                if (left < TimeSpan.Zero || !probe.TryReceiveOne(left, out var env))
                    throw new TestKitAssertionException(failure(result.Count, budget));
                if (env.Message is TEvent e && filter(e)) result.Add(e);
            }
            return result;
        }
        finally
        {
            Sys.EventStream.Unsubscribe(probe.TestActor);
            Sys.Stop(probe.TestActor);
        }
    }
}
