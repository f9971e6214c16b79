namespace ClusterTrainer.Training.Local;

/// <summary>
/// Stops training when the validation metric (higher is better, e.g. accuracy) has not improved by more
/// than <see cref="MinDelta"/> for <see cref="Patience"/> consecutive epochs.
/// <code>
///   Improving --(no gain)--> Waiting(1) --(no gain)--> ... Waiting(patience) --> Stop
///       ^                        |
///       +------(gain)------------+
/// </code>
/// </summary>
public sealed class EarlyStopping(int patience, double minDelta = 0)
{
    public int Patience { get; } = patience >= 0 ? patience : throw new ArgumentOutOfRangeException(nameof(patience), patience, "must be >= 0");
    public double MinDelta { get; } = minDelta;
    public double Best { get; private set; } = double.NegativeInfinity;
    public int BestEpoch { get; private set; } = -1;
    public int EpochsWithoutImprovement { get; private set; }

    /// <summary>Records one epoch's metric; returns true when it is a new best.</summary>
    public bool Observe(int epoch, double metric)
    {
        if (metric > Best + MinDelta)
        {
            Best = metric;
            BestEpoch = epoch;
            EpochsWithoutImprovement = 0;
            return true;
        }
        EpochsWithoutImprovement++;
        return false;
    }

    /// <summary>True once <see cref="Patience"/> epochs in a row brought no gain; patience 0 disables stopping.</summary>
    public bool ShouldStop => Patience > 0 && EpochsWithoutImprovement >= Patience;
}
