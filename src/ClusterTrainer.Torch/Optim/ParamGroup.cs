namespace ClusterTrainer.Torch.Optim;

using static ClusterTrainer.Torch.torch;

/// <summary>
/// A set of parameters updated with the same hyperparameters, like one entry of PyTorch's
/// <c>optimizer.param_groups</c>. Created without options, it takes the optimizer's defaults.
/// </summary>
public sealed class ParamGroup
{
    private OptimizerOptions? _options;
    private Action<OptimizerOptions>? _validate;

    public ParamGroup(IEnumerable<Tensor> parameters, OptimizerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = parameters.ToArray();
        if (Parameters.Count == 0)
            throw new ArgumentException("A parameter group needs at least one parameter; drop the empty group.",
                nameof(parameters));
        for (int i = 0; i < Parameters.Count; i++)
            if (Parameters[i] is null)
                throw new ArgumentException($"Parameter {i} of the group is null.", nameof(parameters));
        _options = options;
    }

    public IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>The group's hyperparameters. Setting validates them against the owning optimizer.</summary>
    public OptimizerOptions Options
    {
        get => _options ?? throw new InvalidOperationException(
            "This parameter group has no options yet: it takes them from the optimizer it is given to.");
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            _validate?.Invoke(value);
            _options = value;
        }
    }

    /// <summary>The group's current learning rate (PyTorch <c>group['lr']</c>); schedulers set it.</summary>
    public double LearningRate
    {
        get => Options.LearningRate;
        set => Options = Options with { LearningRate = value };
    }

    /// <summary>The learning rate a scheduler started from (PyTorch <c>group['initial_lr']</c>).</summary>
    public double? InitialLearningRate { get; set; }

    internal bool HasOptions => _options is not null;

    internal void Adopt(OptimizerOptions defaults, Action<OptimizerOptions> validate)
    {
        if (_validate is not null)
            throw new ArgumentException("This parameter group already belongs to an optimizer; create a new group.");
        var options = _options ?? defaults;
        validate(options);
        _options = options;
        _validate = validate;
    }
}
