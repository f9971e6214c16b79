using ClusterTrainer.Torch;
using ClusterTrainer.Torch.Optim;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Training.Distributed.ParameterServer;

/// <summary>One named float32 array of optimizer state (PyTorch's names: exp_avg, momentum_buffer, ...).</summary>
public sealed record StateArray(string Name, long[] Shape, float[] Data);

/// <summary>
/// Everything a checkpoint needs to bring a shard back: which slice, at which version, its values, and its
/// optimizer's step count and state arrays. Plain managed data, owned by whoever holds it.
/// </summary>
public sealed record ShardState(int ShardIndex, long Offset, long Length, long Version, float[] Values,
    long OptimizerStep, IReadOnlyList<StateArray> OptimizerState);

internal static class ShardStateCodec
{
    public static ShardState Export(ParameterShard shard, Tensor values, Optimizer optimizer)
    {
        using var dict = optimizer.state_dict();
        long step = 0;
        var arrays = new List<StateArray>();
        if (dict.State.TryGetValue(0, out var s))
        {
            step = s.Step;
            foreach (var (name, t) in s.Tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                if (t.dtype != ScalarType.Float32)
                    throw new InvalidOperationException($"Optimizer state '{name}' is {t.dtype}; shard checkpoints hold float32 state only.");
                arrays.Add(new StateArray(name, t.shape, t.ToArray<float>()));
            }
        }
        var spec = shard.Spec;
        return new ShardState(spec.Index, spec.Offset, spec.Length, shard.Version, values.ToArray<float>(), step, arrays);
    }

    public static void Import(ParameterShard shard, ShardState state, Tensor values, Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(state);
        var spec = shard.Spec;
        if (state.ShardIndex != spec.Index || state.Offset != spec.Offset || state.Length != spec.Length)
            throw new ArgumentException($"The state is for shard {state.ShardIndex} [{state.Offset}, +{state.Length}) but this " +
                                        $"is shard {spec.Index} [{spec.Offset}, +{spec.Length}); restore with the same shard layout.", nameof(state));
        if (state.Values.Length != spec.Length)
            throw new ArgumentException($"The state holds {state.Values.Length} values for a shard of {spec.Length}; the checkpoint part is damaged.", nameof(state));
        if (state.Version < 0 || state.OptimizerStep < 0)
            throw new ArgumentException($"The state has a negative version ({state.Version}) or optimizer step ({state.OptimizerStep}).", nameof(state));
        var groups = optimizer.state_dict();
        var param = new ParamState(state.OptimizerStep);
        try
        {
            foreach (var a in state.OptimizerState)
            {
                long n = a.Shape.Aggregate(1L, (x, y) => x * y);
                if (n != a.Data.Length)
                    throw new ArgumentException($"Optimizer state '{a.Name}' has shape [{string.Join(",", a.Shape)}] but {a.Data.Length} values.", nameof(state));
                var t = tensor(a.Data, a.Shape);
                t.DetachFromDisposeScope();
                param.Set(a.Name, t);
            }
            var saved = new Dictionary<int, ParamState>();
            if (state.OptimizerState.Count > 0 || state.OptimizerStep > 0) saved[0] = param;
            using var dict = new OptimizerStateDict(groups.ParamGroups, saved);
            optimizer.load_state_dict(dict);
        }
        finally
        {
            param.Dispose();
            groups.Dispose();
        }
        state.Values.AsSpan().CopyTo(values.data<float>());
    }
}
