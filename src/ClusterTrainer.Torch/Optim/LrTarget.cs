namespace ClusterTrainer.Torch.Optim;

/// <summary>
/// The learning rates a scheduler drives: an optimizer's parameter groups (an <see cref="Optimizer"/>
/// converts implicitly), or a standalone list of rates for a process that has no optimizer of its own —
/// a coordinator that computes the schedule and sends each epoch's lr to the parameter-server shards.
/// </summary>
public sealed class LrTarget
{
    private readonly Optimizer? _optimizer;
    private readonly double[]? _lrs;
    private readonly double?[]? _initial;

    private LrTarget(Optimizer? optimizer, double[]? lrs)
    {
        _optimizer = optimizer;
        _lrs = lrs;
        _initial = lrs is null ? null : new double?[lrs.Length];
    }

    public static implicit operator LrTarget(Optimizer optimizer) =>
        new(optimizer ?? throw new ArgumentNullException(nameof(optimizer)), null);

    /// <summary>A schedule over these starting learning rates (one per group), not tied to an optimizer.</summary>
    public static LrTarget Standalone(params double[] lrs)
    {
        ArgumentNullException.ThrowIfNull(lrs);
        if (lrs.Length == 0) throw new ArgumentException("A standalone schedule needs at least one learning rate.");
        foreach (var lr in lrs)
            if (!(lr >= 0)) throw new ArgumentException($"Invalid learning rate: {lr}. It must be >= 0.");
        return new(null, lrs.ToArray());
    }

    /// <summary>The optimizer driven, or null for a standalone schedule.</summary>
    public Optimizer? Optimizer => _optimizer;

    public int Count => _optimizer?.param_groups.Count ?? _lrs!.Length;

    public double this[int group]
    {
        get => _optimizer is { } o ? o.param_groups[group].LearningRate : _lrs![group];
        set
        {
            if (_optimizer is { } o) o.param_groups[group].LearningRate = value;
            else _lrs![group] = value;
        }
    }

    internal double? InitialLearningRate(int group) =>
        _optimizer is { } o ? o.param_groups[group].InitialLearningRate : _initial![group];

    internal void SetInitialLearningRate(int group, double value)
    {
        if (_optimizer is { } o) o.param_groups[group].InitialLearningRate = value;
        else _initial![group] = value;
    }

    internal double[] Snapshot()
    {
        var lrs = new double[Count];
        for (int i = 0; i < lrs.Length; i++) lrs[i] = this[i];
        return lrs;
    }
}
