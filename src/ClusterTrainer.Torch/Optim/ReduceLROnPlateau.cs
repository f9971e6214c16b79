namespace ClusterTrainer.Torch.Optim;

/// <summary>
/// Reduces every group's lr by <c>factor</c> when a metric stops improving for more than <c>patience</c>
/// epochs, then waits <c>cooldown</c> epochs before counting again — PyTorch 1.13 <c>ReduceLROnPlateau</c>.
/// Call <see cref="step"/> once per epoch with the validation metric.
/// <code>
///   improving ──(metric not better)──▶ bad_epochs += 1 ──(bad_epochs &gt; patience)──▶ reduce lr
///       ▲                                                                          │
///       └──────────── cooldown epochs pass (bad epochs ignored) ◀──────────────────┘
/// </code>
/// "Better" is <c>a &lt; best * (1 - threshold)</c> (min, rel), <c>a &lt; best - threshold</c> (min, abs),
/// <c>a &gt; best * (1 + threshold)</c> (max, rel) or <c>a &gt; best + threshold</c> (max, abs). A reduction
/// smaller than <c>eps</c> is skipped; the lr never goes below the group's <c>min_lr</c>.
/// </summary>
public sealed class ReduceLROnPlateau : ILrSchedule
{
    private readonly double[] _minLrs;
    private readonly bool _maxMode;
    private readonly bool _relative;
    private double[] _lastLr;

    public ReduceLROnPlateau(LrTarget target, string mode = "min", double factor = 0.1, int patience = 10,
        double threshold = 1e-4, string threshold_mode = "rel", int cooldown = 0, double min_lr = 0, double eps = 1e-8)
        : this(target, mode, factor, patience, threshold, threshold_mode, cooldown,
            Enumerable.Repeat(min_lr, target?.Count ?? 0).ToArray(), eps) { }

    public ReduceLROnPlateau(LrTarget target, string mode, double factor, int patience, double threshold,
        string threshold_mode, int cooldown, IReadOnlyList<double> min_lrs, double eps = 1e-8)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(min_lrs);
        if (!(factor < 1.0)) throw new ArgumentException($"Invalid factor: {factor}. It must be < 1.0 (the lr is multiplied by it).");
        if (mode is not ("min" or "max")) throw new ArgumentException($"Invalid mode '{mode}': use \"min\" or \"max\".");
        if (threshold_mode is not ("rel" or "abs"))
            throw new ArgumentException($"Invalid threshold_mode '{threshold_mode}': use \"rel\" or \"abs\".");
        if (patience < 0) throw new ArgumentException($"Invalid patience: {patience}. It must be >= 0.");
        if (cooldown < 0) throw new ArgumentException($"Invalid cooldown: {cooldown}. It must be >= 0.");
        if (min_lrs.Count != target.Count)
            throw new ArgumentException($"expected {target.Count} min_lrs (one per parameter group), got {min_lrs.Count}.");
        this.target = target;
        this.factor = factor;
        this.patience = patience;
        this.threshold = threshold;
        this.cooldown = cooldown;
        this.eps = eps;
        _minLrs = min_lrs.ToArray();
        _maxMode = mode == "max";
        _relative = threshold_mode == "rel";
        _lastLr = target.Snapshot();
        best = _maxMode ? double.NegativeInfinity : double.PositiveInfinity;
    }

    /// <summary>The learning rates driven: an optimizer's groups or a standalone list.</summary>
    public LrTarget target { get; }

    /// <summary>The optimizer driven, or null for a standalone schedule.</summary>
    public Optimizer? optimizer => target.Optimizer;
    public double factor { get; }
    public int patience { get; }
    public double threshold { get; }
    public int cooldown { get; }
    public double eps { get; }

    public double best { get; private set; }
    public int num_bad_epochs { get; private set; }
    public int cooldown_counter { get; private set; }
    public int last_epoch { get; private set; }

    public bool in_cooldown => cooldown_counter > 0;

    public IReadOnlyList<double> get_last_lr() => _lastLr;

    void ILrSchedule.EpochEnd(double? metric) => step(metric ?? throw new ArgumentException(
        "ReduceLROnPlateau needs the epoch's validation metric; pass it to EpochEnd(metric).", nameof(metric)));

    public void step(double metric)
    {
        last_epoch++;
        if (IsBetter(metric, best))
        {
            best = metric;
            num_bad_epochs = 0;
        }
        else
        {
            num_bad_epochs++;
        }
        if (in_cooldown)
        {
            cooldown_counter--;
            num_bad_epochs = 0;
        }
        if (num_bad_epochs > patience)
        {
            ReduceLr();
            cooldown_counter = cooldown;
            num_bad_epochs = 0;
        }
        _lastLr = target.Snapshot();
    }

    private void ReduceLr()
    {
        for (int i = 0; i < target.Count; i++)
        {
            double oldLr = target[i];
            double newLr = Math.Max(oldLr * factor, _minLrs[i]);
            if (oldLr - newLr > eps) target[i] = newLr;
        }
    }

    private bool IsBetter(double a, double best) => (_maxMode, _relative) switch
    {
        (false, true) => a < best * (1.0 - threshold),
        (false, false) => a < best - threshold,
        (true, true) => a > best * (threshold + 1.0),
        (true, false) => a > best + threshold,
    };

    /// <summary>Counters and the last rates, to save with a checkpoint.</summary>
    public PlateauState state_dict() => new(best, num_bad_epochs, cooldown_counter, last_epoch, _lastLr.ToArray());

    /// <summary>Restores the counters; a standalone target also gets its rates back (an optimizer's come with its state_dict).</summary>

    public void load_state_dict(PlateauState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.LastLr.Count != target.Count)
            throw new ArgumentException($"The saved scheduler state has {state.LastLr.Count} learning rates but this " +
                                        $"scheduler drives {target.Count}.");
        if (target.Optimizer is null)
            for (int i = 0; i < target.Count; i++) target[i] = state.LastLr[i];
        best = state.Best;
        num_bad_epochs = state.NumBadEpochs;
        cooldown_counter = state.CooldownCounter;
        last_epoch = state.LastEpoch;
        _lastLr = target.Snapshot();
    }
}

/// <summary>Saved counters of a <see cref="ReduceLROnPlateau"/>.</summary>
public sealed record PlateauState(double Best, int NumBadEpochs, int CooldownCounter, int LastEpoch,
    IReadOnlyList<double> LastLr);
