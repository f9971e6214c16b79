using ClusterTrainer.Torch;
using ClusterTrainer.Training.Distributed.ParameterServer;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Training.Distributed.Worker;

/// <summary>Samples held in memory: inputs and targets whose first dimension indexes the samples.</summary>
public sealed record TrainingData(Tensor Inputs, Tensor Targets)
{
    public int Count => checked((int)Inputs.shape[0]);

    /// <summary>The rows <paramref name="indices"/> of inputs and targets (new tensors; the caller disposes them).</summary>
    public (Tensor Inputs, Tensor Targets) Batch(ReadOnlySpan<int> indices)
    {
        var idx = new long[indices.Length];
        for (int i = 0; i < idx.Length; i++) idx[i] = indices[i];
        using var index = tensor(idx);
        return (Inputs.index_select(0, index), Targets.index_select(0, index));
    }

    public void Validate()
    {
        if (Inputs.shape.Length == 0 || Targets.shape.Length == 0 || Inputs.shape[0] != Targets.shape[0] || Inputs.shape[0] == 0)
            throw new ArgumentException($"Training data needs inputs and targets with the same, non-zero first dimension; got " +
                                        $"[{string.Join(",", Inputs.shape)}] and [{string.Join(",", Targets.shape)}].");
    }
}

/// <summary>
/// One worker's compute for one step: write the pulled parameter slices into the model's flat parameter buffer,
/// zero the gradients, forward, loss, backward. The gradient slices are then read straight from the flat
/// gradient buffer (<see cref="GradientOf"/>); nothing is copied per parameter. The loss must be a mean over
/// the batch (the shards weight each worker's gradient by its sample count). Owns the model: disposing the step
/// disposes it.
/// </summary>
public sealed class WorkerStep : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly Func<Tensor, Tensor, Tensor> _loss;

    public WorkerStep(nn.Module<Tensor, Tensor> model, Func<Tensor, Tensor, Tensor> loss)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _loss = loss ?? throw new ArgumentNullException(nameof(loss));
        Flat = FlatParameters.Create(model);
    }

    public FlatParameters Flat { get; }

    /// <summary>Copies one shard's pulled values into the flat parameter buffer.</summary>
    public void Load(ShardSpec shard, ReadOnlySpan<float> values)
    {
        CheckShard(shard);
        if (values.Length != shard.Length)
            throw new ArgumentException($"Shard {shard.Index} has {shard.Length} elements but {values.Length} values arrived.", nameof(values));
        values.CopyTo(Flat.ValuesSpan.Slice((int)shard.Offset, (int)shard.Length));
    }

    /// <summary>Forward and backward on one batch; returns the loss. An empty batch leaves zero gradients.</summary>
    public float Run(Tensor inputs, Tensor targets)
    {
        _model.zero_grad();
        if (inputs.shape[0] == 0) return float.NaN;
        using var scope = NewDisposeScope();
        var loss = _loss(_model.call(inputs), targets);
        loss.backward();
        return loss.item<float>();
    }

    /// <summary>The shard's slice of the flat gradient buffer (valid until the next <see cref="Run"/>).</summary>
    public ReadOnlySpan<float> GradientOf(ShardSpec shard)
    {
        CheckShard(shard);
        return Flat.GradientsSpan.Slice((int)shard.Offset, (int)shard.Length);
    }

    private void CheckShard(ShardSpec shard)
    {
        if (shard.Offset < 0 || shard.End > Flat.Count)
            throw new ArgumentException($"Shard {shard.Index} [{shard.Offset}, {shard.End}) lies outside this model's {Flat.Count} parameters; " +
                                        "the layout was made for another model.", nameof(shard));
    }

    public void Dispose()
    {
        Flat.Dispose();
        _model.Dispose();
    }
}
