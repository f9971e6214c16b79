using ClusterTrainer.Torch.Optim;
using Xunit;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Torch.Tests.Golden;

/// <summary>
/// Every optimizer and option combination against torch.optim 1.13 (fixtures/optim/optimizers.json): the
/// params after each of 4 steps and the final state, within 1e-5 relative.
/// </summary>
[Trait("Category", "Golden")]
public sealed class OptimOptimizerGoldenTests
{
    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (var c in OptimFixtures.Optimizers.Value) data.Add(c.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Explicit_gradients_match_torch(string name)
    {
        var c = OptimFixtures.Case(name);
        var parameters = c.Params.Select(p => p.ToTensor()).ToArray();
        try
        {
            using var opt = OptimFixtures.BuildOptimizer(c, parameters);
            for (int step = 0; step < c.Grads.Count; step++)
            {
                // Optimizer order is flat over groups; the fixture lists gradients by parameter number.
                var grads = FlatOrder(c).Select(i => c.Grads[step][i]?.ToTensor()).ToArray();
                opt.step(grads);
                foreach (var g in grads) g?.Dispose();
                AssertParams(c, parameters, step);
            }
            AssertState(c, opt);
        }
        finally
        {
            foreach (var p in parameters) p.Dispose();
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Autograd_gradients_match_torch(string name)
    {
        // d/dp sum(p * g) = g exactly, so backward() leaves the fixture's gradient in p.grad.
        var c = OptimFixtures.Case(name);
        var parameters = c.Params.Select(p => p.ToTensor(requiresGrad: true)).ToArray();
        try
        {
            using var opt = OptimFixtures.BuildOptimizer(c, parameters);
            for (int step = 0; step < c.Grads.Count; step++)
            {
                opt.zero_grad(set_to_none: true);
                for (int i = 0; i < parameters.Length; i++)
                {
                    if (c.Grads[step][i] is not { } fg) continue;
                    using var g = fg.ToTensor();
                    OptimTensors.BackwardDot(parameters[i], g);
                }
                opt.step();
                AssertParams(c, parameters, step);
            }
            AssertState(c, opt);
        }
        finally
        {
            foreach (var p in parameters) p.Dispose();
        }
    }

    internal static void AssertParams(OptimizerCase c, IReadOnlyList<Tensor> parameters, int step)
    {
        for (int i = 0; i < parameters.Count; i++)
            OptimTolerance.AssertClose(c.After[step][i].Data, OptimTensors.ToFloats(parameters[i]),
                $"{c.Name}: param {i} after step {step + 1}");
    }

    /// <summary>Parameter numbers in the optimizer's flat order (group by group).</summary>
    internal static int[] FlatOrder(OptimizerCase c) => c.Groups.SelectMany(g => g.Params).ToArray();

    internal static void AssertState(OptimizerCase c, Optimizer opt)
    {
        var order = FlatOrder(c);
        for (int flat = 0; flat < opt.ParameterCount; flat++)
        {
            int i = order[flat];
            var actual = opt.StateAt(flat);
            if (!c.State.TryGetValue(i, out var expected))
            {
                Assert.True(actual is null || actual.Tensors.Count == 0 || opt is Adagrad,
                    $"{c.Name}: param {i} has state but torch has none");
                continue;
            }
            Assert.NotNull(actual);
            if (expected.Step is { } s) Assert.Equal(s, actual!.Step);
            Assert.Equal(expected.Tensors.Keys.OrderBy(k => k, StringComparer.Ordinal),
                actual!.Tensors.Keys.OrderBy(k => k, StringComparer.Ordinal));
            foreach (var (key, t) in expected.Tensors)
                OptimTolerance.AssertClose(t.Data, OptimTensors.ToFloats(actual[key]), $"{c.Name}: state {i}.{key}");
        }
    }
}
