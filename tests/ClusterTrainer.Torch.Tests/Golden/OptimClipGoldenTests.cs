using ClusterTrainer.Torch.Optim;
using Xunit;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Torch.Tests.Golden;

/// <summary>clip_grad_norm_ (p = 2, 1, 3, inf; clipping and not), clip_grad_value_ and the L1/L2 penalties against torch 1.13.</summary>
[Trait("Category", "Golden")]
public sealed class OptimClipGoldenTests
{
    [Fact]
    public void Clipping_matches_torch()
    {
        int n = 0;
        foreach (var c in OptimFixtures.Clip.EnumerateArray())
        {
            var grads = c.GetProperty("grads").EnumerateArray().Select(OptimFixtureTensor.Read).ToArray();
            var clipped = c.GetProperty("clipped").EnumerateArray().Select(OptimFixtureTensor.Read).ToArray();
            var kind = c.GetProperty("kind").GetString();
            double limit = c.GetProperty("limit").GetDouble();
            var nt = c.GetProperty("norm_type");
            string what = $"clip {kind} norm_type={nt} limit={limit}";
            var ps = grads.Select(g => OptimTensors.Zeros(g.Shape, requiresGrad: true)).ToArray();
            try
            {
                for (int i = 0; i < ps.Length; i++)
                {
                    using var g = grads[i].ToTensor();
                    OptimTensors.BackwardDot(ps[i], g);
                }
                if (kind == "norm")
                {
                    double normType = nt.ValueKind == System.Text.Json.JsonValueKind.String
                        ? double.PositiveInfinity
                        : nt.GetDouble();
                    using var total = nn.utils.clip_grad_norm_(ps, limit, normType);
                    Tolerance.AssertClose(c.GetProperty("total_norm").GetDouble(), OptimTensors.ToFloats(total)[0],
                        what + ": total norm");
                }
                else
                {
                    nn.utils.clip_grad_value_(ps, limit);
                }
                for (int i = 0; i < ps.Length; i++)
                    Tolerance.AssertClose(clipped[i].Data, OptimTensors.GradFloats(ps[i]), $"{what}: grad {i}");
            }
            finally
            {
                foreach (var p in ps) p.Dispose();
            }
            n++;
        }
        Assert.Equal(6, n);
    }

    [Fact]
    public void Penalties_and_their_gradients_match_torch()
    {
        foreach (var c in OptimFixtures.Penalties.EnumerateArray())
        {
            var kind = c.GetProperty("kind").GetString();
            double lambda = c.GetProperty("lambda").GetDouble();
            var ps = c.GetProperty("params").EnumerateArray().Select(t => OptimFixtureTensor.Read(t).ToTensor(requiresGrad: true)).ToArray();
            var grads = c.GetProperty("grads").EnumerateArray().Select(OptimFixtureTensor.Read).ToArray();
            try
            {
                using var value = kind == "l1" ? Regularization.L1Penalty(ps, lambda) : Regularization.L2Penalty(ps, lambda);
                Tolerance.AssertClose(c.GetProperty("value").GetDouble(), OptimTensors.ToFloats(value)[0], $"{kind} penalty value");
                value.backward();
                for (int i = 0; i < ps.Length; i++)
                    Tolerance.AssertClose(grads[i].Data, OptimTensors.GradFloats(ps[i]), $"{kind} penalty grad {i}");
            }
            finally
            {
                foreach (var p in ps) p.Dispose();
            }
        }
    }
}
