using System.Diagnostics;

namespace ClusterTrainer.TestKit.MultiNode;

/// <summary>Polling assertions with a deadline for multi-node specs; never a fixed sleep.</summary>
public static class Await
{
    /// <summary>Dilates every budget by the env var CLUSTERTRAINER_TESTKIT_TIMEOUT_FACTOR (default 1) for slow CI.</summary>
    public static TimeSpan Dilated(TimeSpan t)
    {
        var f = double.TryParse(Environment.GetEnvironmentVariable("CLUSTERTRAINER_TESTKIT_TIMEOUT_FACTOR"),
            System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) && v > 0 ? v : 1.0;
        return TimeSpan.FromTicks((long)(t.Ticks * f));
    }

    /// <summary>Retries <paramref name="assertion"/> until it passes or <paramref name="max"/> runs out; then rethrows its last failure.</summary>
    public static async Task AssertAsync(Action assertion, TimeSpan max, TimeSpan? interval = null)
    {
        var deadline = Stopwatch.StartNew();
        var budget = Dilated(max);
        var step = interval ?? TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                assertion();
                return;
            }
            catch (Exception) when (deadline.Elapsed < budget)
            {
                await Task.Delay(step).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                throw new TimeoutException($"Assertion still failing after {budget.TotalSeconds:0.#} s: {e.Message}", e);
            }
        }
    }

    /// <summary>As <see cref="AssertAsync(Action, TimeSpan, TimeSpan?)"/> for an assertion that awaits (an ask, a query).</summary>
    public static async Task AssertAsync(Func<Task> assertion, TimeSpan max, TimeSpan? interval = null)
    {
        var deadline = Stopwatch.StartNew();
        var budget = Dilated(max);
        var step = interval ?? TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                await assertion().ConfigureAwait(false);
                return;
            }
            catch (Exception) when (deadline.Elapsed < budget)
            {
                await Task.Delay(step).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                throw new TimeoutException($"Assertion still failing after {budget.TotalSeconds:0.#} s: {e.Message}", e);
            }
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds; <paramref name="what"/> names it in the timeout message.</summary>
    public static Task ConditionAsync(Func<bool> condition, TimeSpan max, string what) =>
        AssertAsync(() => { if (!condition()) throw new InvalidOperationException($"not yet: {what}"); }, max);

    /// <summary>Runs <paramref name="block"/> and fails if it takes longer than <paramref name="max"/> (dilated).</summary>
    public static async Task WithinAsync(TimeSpan max, Func<Task> block, string? what = null)
    {
        var budget = Dilated(max);
        var task = block();
        if (await Task.WhenAny(task, Task.Delay(budget)).ConfigureAwait(false) != task)
            throw new TimeoutException($"{what ?? "block"} did not finish within {budget.TotalSeconds:0.#} s");
        await task.ConfigureAwait(false);
    }
}
