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
                    OptimTolerance.AssertClose(c.GetProperty("total_norm").GetDouble(), OptimTensors.ToFloats(total)[0],
                        what + ": total norm");
                }
                else
                {
                    nn.utils.clip_grad_value_(ps, limit);
                }
                for (int i = 0; i < ps.Length; i++)
                    OptimTolerance.AssertClose(clipped[i].Data, OptimTensors.GradFloats(ps[i]), $"{what}: grad {i}");
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
    public void Sharded_clipping_over_slices_of_a_flat_gradient_matches_torch()
    {
        int n = 0;
        foreach (var c in OptimFixtures.Clip.EnumerateArray())
        {
            if (c.GetProperty("kind").GetString() != "norm") continue;
            var nt = c.GetProperty("norm_type");
            double normType = nt.ValueKind == System.Text.Json.JsonValueKind.String ? double.PositiveInfinity : nt.GetDouble();
            double limit = c.GetProperty("limit").GetDouble();
            var data = c.GetProperty("grads").EnumerateArray().SelectMany(g => OptimFixtureTensor.Read(g).Data).ToArray();
            var clipped = c.GetProperty("clipped").EnumerateArray().SelectMany(g => OptimFixtureTensor.Read(g).Data).ToArray();
            using var flat = OptimTensors.FromFloats(data, [data.Length]);
            int[] cuts = [0, 5, 17, data.Length]; // three shards, off the parameter boundaries
            var shards = Enumerable.Range(0, cuts.Length - 1).Select(i => flat.narrow(0, cuts[i], cuts[i + 1] - cuts[i])).ToArray();
            try
            {
                var parts = shards.Select(s => ShardedClipping.NormPart([s], normType)).ToArray();
                double total = ShardedClipping.TotalNorm(parts, normType);
                OptimTolerance.AssertClose(c.GetProperty("total_norm").GetDouble(), total, $"sharded total norm p={normType}");
                double coef = ShardedClipping.Coefficient(total, limit);
                foreach (var s in shards) ShardedClipping.Scale_([s], coef);
                OptimTolerance.AssertClose(clipped, OptimTensors.ToFloats(flat), $"sharded clip p={normType} limit={limit}");
            }
            finally
            {
                foreach (var s in shards) s.Dispose();
            }
            n++;
        }
        Assert.Equal(5, n);
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
                OptimTolerance.AssertClose(c.GetProperty("value").GetDouble(), OptimTensors.ToFloats(value)[0], $"{kind} penalty value");
                value.backward();
                for (int i = 0; i < ps.Length; i++)
                    OptimTolerance.AssertClose(grads[i].Data, OptimTensors.GradFloats(ps[i]), $"{kind} penalty grad {i}");
            }
            finally
            {
                foreach (var p in ps) p.Dispose();
            }
        }
    }
}
