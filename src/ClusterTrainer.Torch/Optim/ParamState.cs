namespace ClusterTrainer.Torch.Optim;

using static ClusterTrainer.Torch.torch;

/// <summary>
/// Per-parameter optimizer state: the number of updates applied to the parameter and the named state
/// tensors, under PyTorch's names (<c>momentum_buffer</c>, <c>sum</c>, <c>square_avg</c>, <c>acc_delta</c>,
/// <c>grad_avg</c>, <c>exp_avg</c>, <c>exp_avg_sq</c>, <c>max_exp_avg_sq</c>, <c>exp_inf</c>,
/// <c>mu_product</c>). The tensors are owned by whoever holds this object and are freed by
/// <see cref="Dispose"/>.
/// </summary>
public sealed class ParamState : IDisposable
{
    private readonly Dictionary<string, Tensor> _tensors = new(StringComparer.Ordinal);

    public ParamState(long step = 0) => Step = step;

    /// <summary>Updates applied so far (PyTorch <c>state['step']</c>).</summary>
    public long Step { get; internal set; }

    public IReadOnlyDictionary<string, Tensor> Tensors => _tensors;

    public Tensor this[string name] => _tensors.TryGetValue(name, out var t)
        ? t
        : throw new KeyNotFoundException($"Optimizer state has no tensor '{name}'; it holds: " +
                                         string.Join(", ", _tensors.Keys));

    internal Tensor? Find(string name) => _tensors.GetValueOrDefault(name);

    /// <summary>Adds a tensor, taking ownership of it.</summary>
    public void Set(string name, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (_tensors.Remove(name, out var old) && !ReferenceEquals(old, tensor)) old.Dispose();
        _tensors[name] = tensor;
    }

    /// <summary>A deep copy: same step count, cloned tensors (detached from any dispose scope).</summary>
    public ParamState Clone()
    {
        var copy = new ParamState(Step);
        foreach (var (name, t) in _tensors) copy._tensors[name] = OptimInterop.CloneState(t);
        return copy;
    }

    public void Dispose()
    {
        foreach (var t in _tensors.Values) t.Dispose();
        _tensors.Clear();
    }
}

/// <summary>One saved parameter group: indices of its parameters (flat, across groups) and its hyperparameters.</summary>
public sealed record ParamGroupState(IReadOnlyList<int> Params, OptimizerOptions Options, double? InitialLearningRate);

/// <summary>
/// A snapshot of an optimizer, shaped like PyTorch's <c>optimizer.state_dict()</c>: the parameter groups and
/// the state of every parameter that has been updated, keyed by its flat index (group order, then position).
/// The tensors are copies owned by this object: dispose it when saved. <see cref="NamedTensors"/> lists them as
/// <c>state.{index}.{name}</c> for checkpoint writers, and <see cref="Steps"/> the step counts.
/// </summary>
public sealed class OptimizerStateDict : IDisposable
{
    public OptimizerStateDict(IReadOnlyList<ParamGroupState> paramGroups, IReadOnlyDictionary<int, ParamState> state)
    {
        ParamGroups = paramGroups;
        State = state;
    }

    public IReadOnlyList<ParamGroupState> ParamGroups { get; }
    public IReadOnlyDictionary<int, ParamState> State { get; }

    public IEnumerable<KeyValuePair<string, Tensor>> NamedTensors() =>
        from kv in State.OrderBy(kv => kv.Key)
        from t in kv.Value.Tensors.OrderBy(t => t.Key, StringComparer.Ordinal)
        select KeyValuePair.Create($"state.{kv.Key}.{t.Key}", t.Value);

    public IReadOnlyDictionary<int, long> Steps => State.ToDictionary(kv => kv.Key, kv => kv.Value.Step);

    public void Dispose()
    {
        foreach (var s in State.Values) s.Dispose();
    }
}
