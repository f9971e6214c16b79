namespace ClusterTrainer.Torch.Optim;

using static ClusterTrainer.Torch.torch;

/// <summary>
/// Base of every optimizer, after <c>torch.optim.Optimizer</c> (PyTorch 1.13): parameter groups with
/// per-group hyperparameters, lazily created per-parameter state, <see cref="step()"/>,
/// <see cref="zero_grad"/>, <see cref="state_dict"/> and <see cref="load_state_dict"/>.
///
/// Parameters are indexed flat across groups (group order, then position), as PyTorch's state_dict does.
/// A parameter may be any float tensor, including a 1-D view into a flat buffer: the update is in place.
/// <see cref="step(IReadOnlyList{Tensor?})"/> takes the gradients explicitly (a parameter-server shard owns
/// a parameter slice and a gradient slice that are not linked by autograd).
/// Not thread-safe: one owner (a training loop, a shard actor) calls it at a time.
/// </summary>
public abstract class Optimizer : IDisposable
{
    private readonly List<ParamGroup> _groups = new();
    private readonly List<ParamState?> _state = new();
    private readonly OptimizerOptions _defaults;
    private bool _disposed;

    protected Optimizer(IEnumerable<ParamGroup> groups, OptimizerOptions defaults)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(defaults);
        ValidateOptions(defaults);
        _defaults = defaults;
        foreach (var g in groups) add_param_group(g);
        if (_groups.Count == 0)
            throw new ArgumentException("The optimizer got an empty parameter list; pass the model's parameters().");
    }

    public IReadOnlyList<ParamGroup> param_groups => _groups;

    /// <summary>The defaults a group without options takes.</summary>
    public OptimizerOptions defaults => _defaults;

    /// <summary>Number of parameters over all groups.</summary>
    public int ParameterCount => _state.Count;

    /// <summary>State of the parameter at a flat index, or null when it has not been updated yet.</summary>
    public ParamState? StateAt(int flatIndex) => _state[flatIndex];

    public void add_param_group(ParamGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        if (group.Parameters.Distinct(ReferenceEqualityComparer.Instance).Count() != group.Parameters.Count)
            throw new ArgumentException("A parameter group lists the same parameter twice; it would be updated twice per step.");
        foreach (var p in group.Parameters)
            foreach (var other in _groups)
                if (other.Parameters.Any(q => ReferenceEquals(q, p)))
                    throw new ArgumentException("Some parameters appear in more than one parameter group.");
        group.Adopt(_defaults, ValidateOptions);
        _groups.Add(group);
        foreach (var p in group.Parameters) _state.Add(EagerState ? CreateState(group.Options, p) : null);
    }

    /// <summary>Applies one update to every parameter that has a gradient (<c>.grad</c>); others are skipped.</summary>
    public void step() => StepCore(null);

    /// <summary>
    /// Applies one update with explicit gradients, one per parameter in flat order; a null gradient skips its
    /// parameter (its step count does not advance), exactly like a parameter whose <c>.grad</c> is None.
    /// </summary>
    public void step(IReadOnlyList<Tensor?> grads)
    {
        ArgumentNullException.ThrowIfNull(grads);
        if (grads.Count != _state.Count)
            throw new ArgumentException(
                $"step got {grads.Count} gradients but the optimizer has {_state.Count} parameters; pass one " +
                "gradient (or null to skip) per parameter, in parameter-group order.", nameof(grads));
        StepCore(grads);
    }

    private void StepCore(IReadOnlyList<Tensor?>? grads)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int flat = 0;
        foreach (var group in _groups)
        {
            var options = group.Options;
            foreach (var p in group.Parameters)
            {
                int index = flat++;
                TensorHandle grad;
                if (grads is null)
                {
                    if (!OptimInterop.HasGrad(p)) continue;
                    grad = TensorHandle.Null;
                }
                else
                {
                    var g = grads[index];
                    if (g is null) continue;
                    grad = OptimInterop.Handle(g);
                }
                var state = _state[index] ??= CreateState(options, p);
                state.Step++;
                Update(options, p, grad, state);
            }
        }
    }

    /// <summary>
    /// Clears the gradients: drops them when <paramref name="set_to_none"/> (PyTorch 1.13's default is false:
    /// zero them in place). Keep the default with <see cref="FlatParameters"/>: dropping a gradient that is a
    /// view of the flat gradient buffer detaches the parameter from it.
    /// </summary>
    public void zero_grad(bool set_to_none = false)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        foreach (var group in _groups) OptimInterop.ZeroGrad(group.Parameters, set_to_none);
    }

    /// <summary>A snapshot (deep copy) of groups and state; the caller owns and disposes it.</summary>
    public OptimizerStateDict state_dict()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var groups = new List<ParamGroupState>();
        int flat = 0;
        foreach (var g in _groups)
        {
            groups.Add(new ParamGroupState(Enumerable.Range(flat, g.Parameters.Count).ToArray(), g.Options,
                g.InitialLearningRate));
            flat += g.Parameters.Count;
        }
        var state = new Dictionary<int, ParamState>();
        for (int i = 0; i < _state.Count; i++)
            if (_state[i] is { } s) state[i] = s.Clone();
        return new OptimizerStateDict(groups, state);
    }

    /// <summary>
    /// Restores groups' hyperparameters and every parameter's state from a snapshot (copied: the snapshot
    /// stays the caller's). The snapshot must come from an optimizer of the same kind over parameters of the
    /// same shapes in the same groups.
    /// </summary>
    public void load_state_dict(OptimizerStateDict stateDict)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(stateDict);
        if (stateDict.ParamGroups.Count != _groups.Count)
            throw new ArgumentException($"The saved state has {stateDict.ParamGroups.Count} parameter groups but " +
                                        $"this optimizer has {_groups.Count}; build the optimizer the same way.");
        for (int i = 0; i < _groups.Count; i++)
        {
            var saved = stateDict.ParamGroups[i];
            if (saved.Params.Count != _groups[i].Parameters.Count)
                throw new ArgumentException($"Saved parameter group {i} has {saved.Params.Count} parameters but " +
                                            $"this optimizer's has {_groups[i].Parameters.Count}.");
            ValidateOptions(saved.Options);
        }
        var restored = new ParamState?[_state.Count];
        foreach (var (index, s) in stateDict.State)
        {
            if (index < 0 || index >= _state.Count)
                throw new ArgumentException($"Saved state for parameter {index}, but this optimizer has {_state.Count}.");
            var param = ParamAt(index);
            foreach (var (name, t) in s.Tensors)
                if (name != "mu_product" && !OptimInterop.SameShape(t, param))
                    throw new ArgumentException($"Saved state '{name}' of parameter {index} has shape " +
                                                $"[{string.Join(", ", t.shape)}] but the parameter has " +
                                                $"[{string.Join(", ", param.shape)}].");
        }
        foreach (var (index, s) in stateDict.State) restored[index] = s.Clone();
        for (int i = 0; i < _groups.Count; i++)
        {
            _groups[i].Options = stateDict.ParamGroups[i].Options;
            _groups[i].InitialLearningRate = stateDict.ParamGroups[i].InitialLearningRate;
        }
        for (int i = 0; i < _state.Count; i++)
        {
            _state[i]?.Dispose();
            _state[i] = restored[i];
        }
    }

    private Tensor ParamAt(int flatIndex)
    {
        foreach (var g in _groups)
        {
            if (flatIndex < g.Parameters.Count) return g.Parameters[flatIndex];
            flatIndex -= g.Parameters.Count;
        }
        throw new ArgumentOutOfRangeException(nameof(flatIndex));
    }

    /// <summary>True when state is created for every parameter up front (Adagrad), not at its first update.</summary>
    protected virtual bool EagerState => false;

    /// <summary>Checks the options are of this optimizer's kind and in range.</summary>
    protected abstract void ValidateOptions(OptimizerOptions options);

    /// <summary>Fresh state for a parameter, as PyTorch creates it before the first update.</summary>
    protected abstract ParamState CreateState(OptimizerOptions options, Tensor param);

    /// <summary>
    /// One update of one parameter. <paramref name="grad"/> is the gradient's native handle, or <see cref="TensorHandle.Null"/> for the
    /// parameter's own <c>.grad</c>. <paramref name="state"/>.Step already counts this update.
    /// </summary>
    private protected abstract void Update(OptimizerOptions options, Tensor param, TensorHandle grad, ParamState state);

    protected static TOptions Expect<TOptions>(OptimizerOptions options, string optimizer) where TOptions : OptimizerOptions =>
        options as TOptions ?? throw new ArgumentException(
            $"{optimizer} needs {OptionsName(typeof(TOptions))} but a parameter group has {OptionsName(options.GetType())}; " +
            $"build the group's options as {OptionsName(typeof(TOptions))}.");

    private static string OptionsName(Type t) => t.DeclaringType is { } d ? $"{d.Name}.{t.Name}" : t.Name;

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var s in _state) s?.Dispose();
        _state.Clear();
        GC.SuppressFinalize(this);
    }
}
