using ClusterTrainer.Actors.Cluster;
using Xunit;

namespace ClusterTrainer.Actors.Tests.Cluster;

public sealed class PhiAccrualFailureDetectorTests
{
    private static readonly FailureDetectorSettings Settings = new(
        Threshold: 8.0, MaxSampleSize: 1000, MinStdDeviation: TimeSpan.FromMilliseconds(100),
        AcceptableHeartbeatPause: TimeSpan.Zero, FirstHeartbeatEstimate: TimeSpan.FromSeconds(1));

    [Fact]
    public void Phi_is_zero_before_the_first_heartbeat_and_the_node_counts_as_available()
    {
        var fd = new PhiAccrualFailureDetector(Settings);
        Assert.False(fd.IsMonitoring);
        Assert.Equal(0.0, fd.Phi(123_456));
        Assert.True(fd.IsAvailable(123_456));
    }

    [Fact]
    public void Phi_grows_with_time_since_the_last_heartbeat()
    {
        var fd = new PhiAccrualFailureDetector(Settings);
        double t = 0;
        for (var i = 0; i < 10; i++, t += 1000) fd.HeartBeat(t);
        var last = t - 1000;
        var phis = new[] { 500, 1000, 1200, 1500, 3000 }.Select(d => fd.Phi(last + d)).ToArray();
        for (var i = 1; i < phis.Length; i++) Assert.True(phis[i] > phis[i - 1], $"phi must rise: {string.Join(", ", phis)}");
        Assert.True(fd.IsAvailable(last + 1000), $"on time is available (phi {fd.Phi(last + 1000)})");
        Assert.False(fd.IsAvailable(last + 3000), $"3 s late with 1 s heartbeats is a failure (phi {fd.Phi(last + 3000)})");
    }

    [Fact]
    public void Acceptable_pause_shifts_the_point_of_suspicion()
    {
        var strict = new PhiAccrualFailureDetector(Settings);
        var lenient = new PhiAccrualFailureDetector(Settings with { AcceptableHeartbeatPause = TimeSpan.FromSeconds(3) });
        for (double t = 0; t <= 10_000; t += 1000) { strict.HeartBeat(t); lenient.HeartBeat(t); }
        Assert.False(strict.IsAvailable(10_000 + 2500));
        Assert.True(lenient.IsAvailable(10_000 + 2500));
        Assert.False(lenient.IsAvailable(10_000 + 5000));
    }

    [Fact]
    public void First_heartbeat_estimate_primes_the_history()
    {
        // Only one heartbeat: the estimate (1 s, std 250 ms) decides.
        var fd = new PhiAccrualFailureDetector(Settings);
        fd.HeartBeat(0);
        Assert.True(fd.IsAvailable(1000));
        Assert.False(fd.IsAvailable(4000));
        var slow = new PhiAccrualFailureDetector(Settings with { FirstHeartbeatEstimate = TimeSpan.FromSeconds(3) });
        slow.HeartBeat(0);
        Assert.True(slow.IsAvailable(4000));
    }

    [Fact]
    public void Min_std_deviation_bounds_the_suspicion_for_perfectly_regular_heartbeats()
    {
        var narrow = new PhiAccrualFailureDetector(Settings with { MinStdDeviation = TimeSpan.FromMilliseconds(10) });
        var wide = new PhiAccrualFailureDetector(Settings with { MinStdDeviation = TimeSpan.FromMilliseconds(500) });
        for (double t = 0; t <= 100_000; t += 1000) { narrow.HeartBeat(t); wide.HeartBeat(t); }
        Assert.True(narrow.Phi(101_200) > wide.Phi(101_200));
    }

    [Fact]
    public void Max_sample_size_keeps_only_the_recent_intervals()
    {
        var fd = new PhiAccrualFailureDetector(Settings with { MaxSampleSize = 3 });
        double t = 0;
        for (var i = 0; i < 20; i++) fd.HeartBeat(t += 5000); // slow past
        for (var i = 0; i < 5; i++) fd.HeartBeat(t += 100);   // fast present fills the window
        Assert.False(fd.IsAvailable(t + 2000), "with only the fast samples kept, 2 s silence is suspicious");
    }

    [Fact]
    public void A_heartbeat_after_a_failure_is_not_taken_as_a_sample()
    {
        var fd = new PhiAccrualFailureDetector(Settings);
        for (double t = 0; t <= 10_000; t += 1000) fd.HeartBeat(t);
        fd.HeartBeat(60_000); // back after a minute: judged unavailable at that moment, so not a sample
        Assert.False(fd.IsAvailable(63_000), "the long pause must not teach the detector to wait a minute");
    }

    [Fact]
    public void Default_settings_detect_a_silent_node_within_five_seconds()
    {
        var fd = new PhiAccrualFailureDetector(FailureDetectorSettings.Default);
        double t = 0;
        for (var i = 0; i < 30; i++) fd.HeartBeat(t += 1000 + (i % 3) * 10);
        var detectedAfter = Enumerable.Range(1, 100).Select(i => i * 100.0).First(d => !fd.IsAvailable(t + d));
        Assert.InRange(detectedAfter, 2000, 5000);
    }

    [Fact]
    public void Bad_settings_are_refused_with_the_setting_named()
    {
        var ex = Assert.Throws<ArgumentException>(() => new PhiAccrualFailureDetector(Settings with { Threshold = 0 }));
        Assert.Contains("threshold", ex.Message);
        Assert.Throws<ArgumentException>(() => new PhiAccrualFailureDetector(Settings with { MaxSampleSize = 0 }));
        Assert.Throws<ArgumentException>(() => new PhiAccrualFailureDetector(Settings with { MinStdDeviation = TimeSpan.Zero }));
    }
}
