using ClusterTrainer.Torch.Optim;
using ClusterTrainer.Torch.Tests.Golden;
using Xunit;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Torch.Tests.Optim;

/// <summary>
/// Issue 4's parameter-server path end to end on one machine: a model flattened into one buffer, cut into
/// two shards off the parameter boundaries, each shard stepping its own optimizer with explicit gradient
/// slices (and clipping through <see cref="ShardedClipping"/>), trains exactly like the same model with one
/// optimizer over its parameters and clip_grad_norm_.
/// </summary>
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
        manual_seed(7);
        using var reference = nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 2));
        manual_seed(7);
        using var sharded = nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 2));
        using var flat = FlatParameters.Create(sharded);
        using var x = randn(8, 4);
        using var y = randn(8, 2);

        using var whole = OptimizerCatalog.Create(optimizer, reference.parameters().ToArray(), hyper);
        long n = flat.Count, cut = 13; // inside the first weight: shards split a parameter
        using var valuesA = flat.Values.narrow(0, 0, cut);
        using var valuesB = flat.Values.narrow(0, cut, n - cut);
        using var gradsA = flat.Gradients.narrow(0, 0, cut);
        using var gradsB = flat.Gradients.narrow(0, cut, n - cut);
        using var shardA = OptimizerCatalog.Create(optimizer, [valuesA], hyper);
        using var shardB = OptimizerCatalog.Create(optimizer, [valuesB], hyper);

        for (int step = 0; step < 10; step++)
        {
            using (var scope = NewDisposeScope())
            {
                whole.zero_grad();
                (reference.call(x) - y).square().mean().backward();
                nn.utils.clip_grad_norm_(reference.parameters(), max_norm: 0.5);
                whole.step();
            }
            using (var scope = NewDisposeScope())
            {
                sharded.zero_grad();
                (sharded.call(x) - y).square().mean().backward();
                double total = ShardedClipping.TotalNorm(
                    [ShardedClipping.NormPart([gradsA]), ShardedClipping.NormPart([gradsB])]);
                double coef = ShardedClipping.Coefficient(total, max_norm: 0.5);
                ShardedClipping.Scale_([gradsA], coef);
                ShardedClipping.Scale_([gradsB], coef);
                shardA.step([gradsA]);
                shardB.step([gradsB]);
            }
        }
        var expected = reference.parameters().SelectMany(OptimTensors.ToFloats).ToArray();
        OptimTolerance.AssertClose(expected, flat.ValuesSpan.ToArray(), $"{optimizer}: flat shards vs per-parameter");
        Assert.Equal(10, shardA.StateAt(0)!.Step);
    }
}
