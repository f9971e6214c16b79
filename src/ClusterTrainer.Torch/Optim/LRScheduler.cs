namespace ClusterTrainer.Torch.Optim;

/// <summary>
/// Base of the epoch-based learning-rate schedulers, after PyTorch 1.13's <c>_LRScheduler</c>: on
/// construction every group's <see cref="ParamGroup.InitialLearningRate"/> is set (if not yet) to its
/// current lr, <c>base_lrs</c> are taken from it, and one initial <see cref="step"/> sets epoch 0.
/// Call <see cref="step"/> once per epoch after <c>optimizer.step()</c>. A scheduler can also drive a
/// standalone list of rates (<see cref="LrTarget.Standalone"/>), e.g. on a coordinator that sends each
/// epoch's lr to the parameter-server shards. The schedules use PyTorch's
/// recursive ("chainable") forms, so the lr sequences match PyTorch's to the last bit.
/// </summary>
public abstract class LRScheduler : ILrSchedule
{
    private double[] _lastLr = [];

    protected LRScheduler(LrTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        this.target = target;
        var baseLrs = new double[target.Count];
        for (int i = 0; i < baseLrs.Length; i++)
        {
            if (target.InitialLearningRate(i) is null) target.SetInitialLearningRate(i, target[i]);
            baseLrs[i] = target.InitialLearningRate(i)!.Value;
        }
        base_lrs = baseLrs;
        last_epoch = -1;
    }

    /// <summary>The learning rates driven: an optimizer's groups or a standalone list.</summary>
    public LrTarget target { get; }

    /// <summary>The optimizer driven, or null for a standalone schedule.</summary>
    public Optimizer? optimizer => target.Optimizer;

    /// <summary>Each group's starting learning rate (its <c>initial_lr</c>).</summary>
    public IReadOnlyList<double> base_lrs { get; }

    /// <summary>The epoch the current learning rates belong to (0 after construction).</summary>
    public int last_epoch { get; private set; }

    /// <summary>Calls of <see cref="step"/> so far, the initial one included.</summary>
    protected int step_count { get; private set; }

    /// <summary>Learning rates of every group as last set by this scheduler.</summary>
    public IReadOnlyList<double> get_last_lr() => _lastLr;

    /// <summary>Derived constructors call this last, once their own fields are set (PyTorch's _initial_step).</summary>
    protected void InitialStep() => step();

    public void step()
    {
        step_count++;
        last_epoch++;
        var values = get_lr();
        for (int i = 0; i < values.Length; i++) target[i] = values[i];
        _lastLr = target.Snapshot();
    }

    void ILrSchedule.EpochEnd(double? metric) => step();

    /// <summary>The learning rates for <see cref="last_epoch"/>, from the groups' current ones.</summary>
    protected abstract double[] get_lr();

    protected double[] CurrentLrs() => target.Snapshot();

    /// <summary>
    /// Counters and the last rates, to save with a checkpoint. Loading restores the rates into a standalone
    /// target too (an optimizer's rates come back with its own state_dict).
    /// </summary>
    public SchedulerState state_dict() => new(last_epoch, step_count, _lastLr.ToArray());

    public void load_state_dict(SchedulerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.LastLr.Count != target.Count)
            throw new ArgumentException($"The saved scheduler state has {state.LastLr.Count} learning rates but this " +
                                        $"scheduler drives {target.Count}.");
        last_epoch = state.LastEpoch;
        step_count = state.StepCount;
        _lastLr = state.LastLr.ToArray();
        if (target.Optimizer is null)
            for (int i = 0; i < _lastLr.Length; i++) target[i] = _lastLr[i];
    }
}

/// <summary>Saved counters of an epoch scheduler.</summary>
public sealed record SchedulerState(int LastEpoch, int StepCount, IReadOnlyList<double> LastLr);

/// <summary>Multiplies the lr by <c>gamma</c> every <c>step_size</c> epochs.</summary>
public sealed class StepLR : LRScheduler
{
    private readonly int _stepSize;
    private readonly double _gamma;

    public StepLR(LrTarget target, int step_size, double gamma = 0.1) : base(target)
    {
        if (step_size < 1)
            throw new ArgumentException($"Invalid step_size: {step_size}. It must be >= 1 (epochs between decays).");
        _stepSize = step_size;
        _gamma = gamma;
        InitialStep();
    }

    protected override double[] get_lr()
    {
        var lrs = CurrentLrs();
        if (last_epoch == 0 || last_epoch % _stepSize != 0) return lrs;
        return lrs.Select(lr => lr * _gamma).ToArray();
    }
}

/// <summary>Multiplies the lr by <c>gamma</c> at each milestone epoch (a repeated milestone applies gamma again).</summary>
public sealed class MultiStepLR : LRScheduler
{
    private readonly Dictionary<int, int> _milestones;
    private readonly double _gamma;

    public MultiStepLR(LrTarget target, IEnumerable<int> milestones, double gamma = 0.1) : base(target)
    {
        ArgumentNullException.ThrowIfNull(milestones);
        _milestones = milestones.GroupBy(m => m).ToDictionary(g => g.Key, g => g.Count());
        _gamma = gamma;
        InitialStep();
    }

    protected override double[] get_lr()
    {
        var lrs = CurrentLrs();
        if (!_milestones.TryGetValue(last_epoch, out int count)) return lrs;
        return lrs.Select(lr => lr * Math.Pow(_gamma, count)).ToArray();
    }
}

/// <summary>Multiplies the lr by <c>gamma</c> every epoch.</summary>
public sealed class ExponentialLR : LRScheduler
{
    private readonly double _gamma;

    public ExponentialLR(LrTarget target, double gamma) : base(target)
    {
        _gamma = gamma;
        InitialStep();
    }

    protected override double[] get_lr()
    {
        var lrs = CurrentLrs();
        return last_epoch == 0 ? lrs : lrs.Select(lr => lr * _gamma).ToArray();
    }
}

/// <summary>
/// Cosine annealing from the base lr to <c>eta_min</c> over <c>T_max</c> epochs, then back up (SGDR without
/// restarts), in PyTorch's recursive form.
/// </summary>
public sealed class CosineAnnealingLR : LRScheduler
{
    private readonly int _tMax;
    private readonly double _etaMin;

    public CosineAnnealingLR(LrTarget target, int T_max, double eta_min = 0) : base(target)
    {
        if (T_max < 1) throw new ArgumentException($"Invalid T_max: {T_max}. It must be >= 1 (epochs per half cycle).");
        _tMax = T_max;
        _etaMin = eta_min;
        InitialStep();
    }

    protected override double[] get_lr()
    {
        var lrs = CurrentLrs();
        if (last_epoch == 0) return lrs;
        var result = new double[lrs.Length];
        for (int i = 0; i < lrs.Length; i++)
        {
            double baseLr = base_lrs[i];
            if (step_count == 1 && last_epoch > 0)
                result[i] = _etaMin + (baseLr - _etaMin) * (1 + Math.Cos(last_epoch * Math.PI / _tMax)) / 2;
            else if ((last_epoch - 1 - _tMax) % (2 * _tMax) == 0)
                result[i] = lrs[i] + (baseLr - _etaMin) * (1 - Math.Cos(Math.PI / _tMax)) / 2;
            else
                result[i] = (1 + Math.Cos(Math.PI * last_epoch / _tMax)) /
                            (1 + Math.Cos(Math.PI * (last_epoch - 1) / _tMax)) * (lrs[i] - _etaMin) + _etaMin;
        }
        return result;
    }
}

/// <summary>Sets each group's lr to its base lr times <c>lr_lambda(epoch)</c>.</summary>
public sealed class LambdaLR : LRScheduler
{
    private readonly Func<int, double> _lambda;

    public LambdaLR(LrTarget target, Func<int, double> lr_lambda) : base(target)
    {
        _lambda = lr_lambda ?? throw new ArgumentNullException(nameof(lr_lambda));
        InitialStep();
    }

    protected override double[] get_lr() => base_lrs.Select(b => b * _lambda(last_epoch)).ToArray();
}
