using ClusterTrainer.Torch.Optim;
using ClusterTrainer.Torch.Tests.Golden;
using Xunit;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Torch.Tests.Optim;

/// <summary>
/// Issue 4's parameter-server path end to end on one machine: a model flattened into one buffer, cut into
/// two shards off the parameter boundaries, each shard stepping its own optimizer with explicit gradient
/// slices and clipping through <see cref="ShardedClipping"/>, trains exactly like the same model with one
/// optimizer over its parameters.
/// </summary>
[Collection(ClusterTrainer.Torch.Tests.Golden.GlobalGeneratorCollection.Name)]
public sealed class FlatShardTrainingTests
{
    [Theory]
    [InlineData("sgd")]
    [InlineData("adam")]
    [InlineData("nadam")]
    [InlineData("rmsprop")]
    public void Sharded_flat_training_equals_per_parameter_training(string optimizer)
    {
        var hyper = new Dictionary<string, object> { ["lr"] = 0.05 };
        if (optimizer == "sgd") hyper["momentum"] = 0.9;
        using var reference = nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 2));
        using var sharded = nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 2));
        using var refFlat = FlatParameters.Create(reference);
        using var flat = FlatParameters.Create(sharded);
        // Deterministic start and data, without the global generator (other tests draw from it in parallel).
        for (int i = 0; i < flat.Count; i++) flat.ValuesSpan[i] = refFlat.ValuesSpan[i] = 0.6f * MathF.Sin(0.7f * i + 0.3f);
        using var x = OptimTensors.FromFloats(Enumerable.Range(0, 32).Select(i => MathF.Cos(0.37f * i)).ToArray(), [8, 4]);
        using var y = OptimTensors.FromFloats(Enumerable.Range(0, 16).Select(i => MathF.Sin(1.3f * i)).ToArray(), [8, 2]);

        var referenceParams = reference.parameters().ToArray();
        using var whole = OptimizerCatalog.Create(optimizer, referenceParams, hyper);
        long n = flat.Count, cut = 13; // inside the first weight: shards split a parameter
        using var valuesA = flat.Values.narrow(0, 0, cut);
        using var valuesB = flat.Values.narrow(0, cut, n - cut);
        using var gradsA = flat.Gradients.narrow(0, 0, cut);
        using var gradsB = flat.Gradients.narrow(0, cut, n - cut);
        using var shardA = OptimizerCatalog.Create(optimizer, [valuesA], hyper);
        using var shardB = OptimizerCatalog.Create(optimizer, [valuesB], hyper);

        for (int step = 0; step < 10; step++)
        {
            using var scope = NewDisposeScope();
            whole.zero_grad();
            (reference.call(x) - y).square().mean().backward();
            sharded.zero_grad();
            (sharded.call(x) - y).square().mean().backward();

            // The shards' combined norm is torch's total norm (to float rounding); one coefficient for both.
            double total = ShardedClipping.TotalNorm([ShardedClipping.NormPart([gradsA]), ShardedClipping.NormPart([gradsB])]);
            var torchTotal = nn.utils.clip_grad_norm_(referenceParams, max_norm: 1e30); // measures, scales by 1
            OptimTolerance.AssertClose(torchTotal.item<float>(), total, $"{optimizer}: total norm at step {step}");
            double coef = ShardedClipping.Coefficient(total, max_norm: 0.5);
            ShardedClipping.Scale_([gradsA], coef);
            ShardedClipping.Scale_([gradsB], coef);
            var referenceGrads = referenceParams.Select(p => p.grad!).ToArray();
            ShardedClipping.Scale_(referenceGrads, coef);

            whole.step();
            shardA.step([gradsA]);
            shardB.step([gradsB]);
            Assert.Equal(refFlat.ValuesSpan.ToArray(), flat.ValuesSpan.ToArray());
        }
        Assert.Equal(10, shardA.StateAt(0)!.Step);
    }
}
