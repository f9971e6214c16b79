using ClusterTrainer.TestKit.MultiNode;
using Xunit;

namespace ClusterTrainer.MultiNode.Tests;

/// <summary>The harness's own building blocks behave as specs rely on.</summary>
public sealed class HarnessTests
{
    [Fact]
    public async Task A_barrier_opens_only_when_every_role_has_entered()
    {
        var barriers = new BarrierCoordinator(["a", "b", "c"]);
        var a = barriers.EnterAsync("start", "a", TimeSpan.FromSeconds(30));
        var b = barriers.EnterAsync("start", "b", TimeSpan.FromSeconds(30));
        Assert.False(a.IsCompleted || b.IsCompleted);
        await barriers.EnterAsync("start", "c", TimeSpan.FromSeconds(30));
        await Task.WhenAll(a, b);
    }

    [Fact]
    public async Task A_barrier_that_times_out_names_the_missing_roles()
    {
        var barriers = new BarrierCoordinator(["first", "second", "third"]);
        var late = barriers.EnterAsync("never", "first", TimeSpan.FromMilliseconds(200));
        var ex = await Assert.ThrowsAsync<TimeoutException>(() => late);
        Assert.Contains("second, third", ex.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => barriers.EnterAsync("x", "nobody", TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task Await_assert_retries_until_the_condition_holds_and_reports_the_last_failure()
    {
        var n = 0;
        await Await.AssertAsync(() => Assert.True(++n >= 3), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(1));
        Assert.Equal(3, n);
        var ex = await Assert.ThrowsAsync<TimeoutException>(() =>
            Await.AssertAsync(() => Assert.Equal(1, 2), TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(10)));
        Assert.Contains("Assertion still failing", ex.Message);
    }
}
