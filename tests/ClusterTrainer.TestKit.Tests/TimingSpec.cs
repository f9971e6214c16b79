using System.Diagnostics;
using ClusterTrainer.Actors;
using ClusterTrainer.TestKit;
using Xunit;

namespace ClusterTrainer.TestKit.Tests;

public sealed class TimingSpec : TestKit
{
    [Fact]
    public void Within_gives_expectations_the_remaining_budget()
    {
        var sw = Stopwatch.StartNew();
        var e = Assert.Throws<TestKitAssertionException>(() => Within(TimeSpan.FromMilliseconds(300), () =>
        {
            Assert.True(Remaining <= TimeSpan.FromMilliseconds(300 * Settings.TimeFactor));
            ExpectMsg<string>(); // default timeout (3 s) is capped by the 300 ms block
        }));
        Assert.Contains("Timeout", e.Message);
        Assert.True(sw.Elapsed < Dilated(TimeSpan.FromSeconds(3)), $"took {sw.Elapsed}");
    }

    [Fact]
    public void Nested_within_gets_at_most_what_the_outer_block_has_left()
    {
        Within(TimeSpan.FromSeconds(2), () =>
        {
            Within(TimeSpan.FromSeconds(30), () =>
                Assert.True(Remaining <= Dilated(TimeSpan.FromSeconds(2)), $"inner remaining {Remaining}"));
        });
    }

    [Fact]
    public void Within_fails_when_the_block_is_too_fast()
    {
        var e = Assert.Throws<TestKitAssertionException>(() => Within(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), () => { }));
        Assert.Contains("earlier than the minimum", e.Message);
    }

    [Fact]
    public void Within_fails_when_the_block_overruns()
    {
        // The block simulates slow code under test: 1.5 s against a 50 ms budget (+ the grace).
        using var neverSet = new ManualResetEventSlim(false);
        var e = Assert.Throws<TestKitAssertionException>(() => Within(TimeSpan.FromMilliseconds(50), () => neverSet.Wait(1500)));
        Assert.Contains("more than its budget", e.Message);
    }

    [Fact]
    public void Remaining_outside_within_is_an_error_but_RemainingOrDefault_works()
    {
        Assert.Throws<InvalidOperationException>(() => Remaining);
        Assert.Equal(Dilated(Settings.DefaultTimeout), RemainingOrDefault);
    }

    [Fact]
    public void AwaitAssert_retries_until_the_assertion_holds()
    {
        var attempts = 0;
        AwaitAssert(() => Assert.True(++attempts >= 3), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(10));
        Assert.Equal(3, attempts);
    }

    [Fact]
    public void AwaitAssert_fails_with_the_last_assertion_message()
    {
        var e = Assert.Throws<TestKitAssertionException>(() =>
            AwaitAssert(() => Assert.Equal(1, 2), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(20)));
        Assert.Contains("still failed after", e.Message);
        Assert.Contains("Assert.Equal", e.Message);
    }

    [Fact]
    public async Task AwaitAssertAsync_retries()
    {
        var attempts = 0;
        await AwaitAssertAsync(async () => { await Task.Yield(); Assert.True(++attempts >= 2); }, TimeSpan.FromSeconds(5));
        Assert.True(attempts >= 2);
    }

    [Fact]
    public void AwaitCondition_fails_with_the_given_description()
    {
        var e = Assert.Throws<TestKitAssertionException>(() =>
            AwaitCondition(() => false, TimeSpan.FromMilliseconds(100), message: "the cluster converged"));
        Assert.Contains("the cluster converged was not met", e.Message);
    }

    [Fact]
    public void Time_factor_dilates_budgets()
    {
        var settings = new TestKitSettings { TimeFactor = 3 };
        Assert.Equal(TimeSpan.FromSeconds(3), settings.Dilated(TimeSpan.FromSeconds(1)));
        using var kit = new TestKit(settings: settings);
        Assert.Equal(TimeSpan.FromSeconds(9), kit.RemainingOrDefault);
    }

    [Fact]
    public void ExpectDeadLetters_and_ExpectLog_count_events()
    {
        var probe = CreateTestProbe();
        Watch(probe.Ref);
        Sys.Stop(probe.Ref);
        ExpectTerminated(probe.Ref);
        var letters = ExpectDeadLetters<string>(2, () =>
        {
            probe.Ref.Tell("a", ActorRefs.NoSender);
            probe.Ref.Tell("b", ActorRefs.NoSender);
        });
        Assert.Equal(["a", "b"], letters.Select(d => (string)d.Message));
        var log = Sys.GetLogger("spec");
        var entries = ExpectLog(LogLevel.Warning, "disk", 1, () => log.Warning("disk almost full"));
        Assert.Equal("spec", entries[0].Source);
        Assert.Throws<TestKitAssertionException>(() => ExpectLog(LogLevel.Error, "never", 1, () => { }, TimeSpan.FromMilliseconds(100)));
    }
}
