using ClusterTrainer.Torch.Optim;
using Xunit;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Torch.Tests.Golden;

/// <summary>
/// Checkpoint and shard behaviour against the same torch fixtures: an optimizer restored from a mid-run
/// state_dict continues exactly as the original, and optimizers over 1-D slices of one flat buffer (how a
/// parameter-server shard holds its part) give what torch gives on the separate tensors.
/// </summary>
[Trait("Category", "Golden")]
public sealed class OptimStateGoldenTests
{
    public static TheoryData<string> CaseNames() => OptimOptimizerGoldenTests.CaseNames();

    public static TheoryData<string> SingleGroupCompleteCases()
    {
        var data = new TheoryData<string>();
        foreach (var c in OptimFixtures.Optimizers.Value)
            if (c.Groups.Count == 1 && c.Grads.All(step => step.All(g => g is not null)))
                data.Add(c.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Restored_state_dict_continues_identically(string name)
    {
        var c = OptimFixtures.Case(name);
        var order = OptimOptimizerGoldenTests.FlatOrder(c);
        var original = c.Params.Select(p => p.ToTensor()).ToArray();
        var restored = new Tensor[original.Length];
        try
        {
            using var a = OptimFixtures.BuildOptimizer(c, original);
            const int half = 2;
            for (int step = 0; step < half; step++) Step(a, c, order, step);

            for (int i = 0; i < original.Length; i++) restored[i] = original[i].clone();
            using var b = OptimFixtures.BuildOptimizer(c, restored);
            using (var saved = a.state_dict())
            {
                Assert.All(saved.NamedTensors(), kv => Assert.StartsWith("state.", kv.Key));
                b.load_state_dict(saved);
            }
            for (int step = half; step < c.Grads.Count; step++)
            {
                Step(a, c, order, step);
                Step(b, c, order, step);
                OptimOptimizerGoldenTests.AssertParams(c, restored, step);
                for (int i = 0; i < original.Length; i++)
                    Assert.Equal(OptimTensors.ToFloats(original[i]), OptimTensors.ToFloats(restored[i]));
            }
            OptimOptimizerGoldenTests.AssertState(c, b);
        }
        finally
        {
            foreach (var t in original.Concat(restored)) t?.Dispose();
        }
    }

    [Theory]
    [MemberData(nameof(SingleGroupCompleteCases))]
    public void Shards_over_slices_of_a_flat_buffer_match_torch_on_separate_tensors(string name)
    {
        var c = OptimFixtures.Case(name);
        int total = c.Params.Sum(p => p.Data.Length);
        int cut = total / 2 + 3; // deliberately not on a parameter boundary
        using var flat = OptimTensors.FromFloats(c.Params.SelectMany(p => p.Data).ToArray(), [total]);
        using var gradFlat = OptimTensors.Zeros([total]);
        using var paramA = flat.narrow(0, 0, cut);
        using var paramB = flat.narrow(0, cut, total - cut);
        using var gradA = gradFlat.narrow(0, 0, cut);
        using var gradB = gradFlat.narrow(0, cut, total - cut);
        var options = OptimFixtures.BuildOptions(c.Optimizer, c.Options);
        using var shardA = OptimFixtures.Create(c.Optimizer, [new ParamGroup([paramA])], options);
        using var shardB = OptimFixtures.Create(c.Optimizer, [new ParamGroup([paramB])], options);
        for (int step = 0; step < c.Grads.Count; step++)
        {
            gradFlat.CopyFrom<float>(c.Grads[step].SelectMany(g => g!.Data).ToArray());
            shardA.step([gradA]);
            shardB.step([gradB]);
            OptimTolerance.AssertClose(c.After[step].SelectMany(p => p.Data).ToArray(), OptimTensors.ToFloats(flat),
                $"{name}: flat buffer after step {step + 1}");
        }
        Assert.Equal(c.Grads.Count, shardA.StateAt(0)!.Step);
    }

    private static void Step(Optimizer opt, OptimizerCase c, int[] order, int step)
    {
        var grads = order.Select(i => c.Grads[step][i]?.ToTensor()).ToArray();
        try
        {
            opt.step(grads);
        }
        finally
        {
            foreach (var g in grads) g?.Dispose();
        }
    }
}
