using ClusterTrainer.Torch;
using ClusterTrainer.Training.Distributed.ParameterServer;
using ClusterTrainer.Training.Distributed.Worker;
using Xunit;
using static ClusterTrainer.Torch.torch;
using static ClusterTrainer.Training.Tests.Distributed.DistributedFixtures;

namespace ClusterTrainer.Training.Tests.Distributed;

[Collection(TorchRngCollection.Name)]
public sealed class WorkerStepTests
{
    [Fact]
    public void Loaded_slices_drive_the_model_and_gradient_slices_are_the_parameters_grads()
    {
        var data = Data(16, 3);
        manual_seed(5);
        using var reference = Mlp();
        using var refFlat = FlatParameters.Create(reference);
        float[] values = refFlat.ValuesSpan.ToArray();

        manual_seed(99); // a different init: the worker must take the pulled values
        using var step = new WorkerStep(Mlp(), CrossEntropy);
        var layout = new ShardLayout(step.Flat.Count, 64);
        foreach (var shard in layout.Shards) step.Load(shard, values.AsSpan((int)shard.Offset, (int)shard.Length));
        float loss = step.Run(data.Inputs, data.Targets);

        reference.zero_grad();
        using (var scope = NewDisposeScope())
        {
            var refLoss = CrossEntropy(reference.call(data.Inputs), data.Targets);
            refLoss.backward();
            Assert.Equal(refLoss.item<float>(), loss, 6);
        }
        var expected = refFlat.GradientsSpan.ToArray();
        var got = new float[expected.Length];
        foreach (var shard in layout.Shards) step.GradientOf(shard).CopyTo(got.AsSpan((int)shard.Offset));
        Assert.Equal(expected, got);
        Assert.NotEqual(0f, got.Select(Math.Abs).Max());
    }

    [Fact]
    public void A_layout_for_another_model_is_refused()
    {
        manual_seed(1);
        using var step = new WorkerStep(Mlp(), CrossEntropy);
        var tooFar = new ShardSpec(0, step.Flat.Count - 2, 10);
        Assert.Contains("another model", Assert.Throws<ArgumentException>(() => step.GradientOf(tooFar)).Message);
        Assert.Contains("values arrived", Assert.Throws<ArgumentException>(() => step.Load(new ShardSpec(0, 0, 4), [1f])).Message);
    }
}
