namespace ClusterTrainer.Actors.Cluster;

/// <summary>Settings of a <see cref="PhiAccrualFailureDetector"/>; see there for what each one does.</summary>
public sealed record FailureDetectorSettings(
    double Threshold,
    int MaxSampleSize,
    TimeSpan MinStdDeviation,
    TimeSpan AcceptableHeartbeatPause,
    TimeSpan FirstHeartbeatEstimate)
{
    /// <summary>
    /// Defaults for a 1 s heartbeat: with steady heartbeats phi crosses 8 about 3.5 s after the last
    /// one arrived, so a killed node (last heartbeat 0-1 s before the kill) is unreachable within
    /// about 2.5-4 s plus one reaper tick (the product needs at most 5 s).
    /// </summary>
    public static FailureDetectorSettings Default { get; } =
        new(8.0, 1000, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1));

    public void Validate()
    {
        if (!(Threshold > 0)) throw new ArgumentException($"Failure detector threshold must be > 0 (was {Threshold}); 8 is a sensible default, lower detects faster with more false positives.");
        if (MaxSampleSize < 1) throw new ArgumentException($"Failure detector max sample size must be >= 1 (was {MaxSampleSize}); try 1000.");
        if (MinStdDeviation <= TimeSpan.Zero) throw new ArgumentException($"Failure detector min std deviation must be > 0 (was {MinStdDeviation}); try 100 ms.");
        if (AcceptableHeartbeatPause < TimeSpan.Zero) throw new ArgumentException($"Acceptable heartbeat pause must be >= 0 (was {AcceptableHeartbeatPause}).");
        if (FirstHeartbeatEstimate <= TimeSpan.Zero) throw new ArgumentException($"First heartbeat estimate must be > 0 (was {FirstHeartbeatEstimate}); use the heartbeat interval.");
    }
}

/// <summary>
/// The phi accrual failure detector (Hayashibara et al.), after Akka's PhiAccrualFailureDetector.
/// It keeps a bounded window of heartbeat inter-arrival times and reports
/// phi = -log10(P(a heartbeat arrives later than now)), assuming a normal distribution whose mean is
/// the observed mean plus the acceptable pause and whose deviation is at least the minimum. A node is
/// available while phi is below the threshold. The history is primed with the first-heartbeat
/// estimate so that one missing heartbeat right after start is judged sensibly.
/// Not thread-safe: owned by one actor. Time is milliseconds from a clock the caller passes in.
/// </summary>
public sealed class PhiAccrualFailureDetector
{
    private readonly FailureDetectorSettings _settings;
    private readonly Queue<double> _intervals = new();
    private double _sum, _squaredSum;
    private double? _lastTimestampMs;

    public PhiAccrualFailureDetector(FailureDetectorSettings settings)
    {
        settings.Validate();
        _settings = settings;
    }

    public bool IsMonitoring => _lastTimestampMs is not null;

    /// <summary>Records a heartbeat arriving at <paramref name="nowMs"/>.</summary>
    public void HeartBeat(double nowMs)
    {
        if (_lastTimestampMs is not { } last)
        {
            var mean = _settings.FirstHeartbeatEstimate.TotalMilliseconds;
            var std = mean / 4;
            Add(mean - std);
            Add(mean + std);
        }
        else
        {
            var interval = nowMs - last;
            // A heartbeat after the node was judged unavailable is not a sample: a long pause would
            // skew the statistics and make the next failure slow to detect.
            if (IsAvailable(nowMs)) Add(interval);
        }
        _lastTimestampMs = nowMs;
    }

    private void Add(double interval)
    {
        if (_intervals.Count >= _settings.MaxSampleSize)
        {
            var dropped = _intervals.Dequeue();
            _sum -= dropped;
            _squaredSum -= dropped * dropped;
        }
        _intervals.Enqueue(interval);
        _sum += interval;
        _squaredSum += interval * interval;
    }

    public bool IsAvailable(double nowMs) => Phi(nowMs) < _settings.Threshold;

    /// <summary>Suspicion level at <paramref name="nowMs"/>; 0 before the first heartbeat.</summary>
    public double Phi(double nowMs)
    {
        if (_lastTimestampMs is not { } last) return 0.0;
        var n = _intervals.Count;
        var mean = _sum / n;
        var variance = Math.Max(0, _squaredSum / n - mean * mean);
        var std = Math.Max(Math.Sqrt(variance), _settings.MinStdDeviation.TotalMilliseconds);
        return Phi(nowMs - last, mean + _settings.AcceptableHeartbeatPause.TotalMilliseconds, std);
    }

    /// <summary>Logistic approximation of the normal CDF, as in Akka (error below 0.01 %).</summary>
    internal static double Phi(double timeDiff, double mean, double std)
    {
        var y = (timeDiff - mean) / std;
        var e = Math.Exp(-y * (1.5976 + 0.070566 * y * y));
        return timeDiff > mean ? -Math.Log10(e / (1.0 + e)) : -Math.Log10(1.0 - 1.0 / (1.0 + e));
    }
}
