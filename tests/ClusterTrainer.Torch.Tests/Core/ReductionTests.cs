using Xunit;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Torch.Tests.Core;

public sealed class ReductionTests
{
    // [[1, 5, 3],
    //  [4, 2, 6]]
    private static Tensor M() => tensor(new float[] { 1, 5, 3, 4, 2, 6 }, new long[] { 2, 3 });

    [Fact]
    public void Sum_and_mean_over_everything_and_over_dims()
    {
        using var scope = NewDisposeScope();
        var m = M();
        Assert.Equal(21f, m.sum().item<float>());
        Assert.Equal(3.5f, m.mean().item<float>());
        Assert.Equal(new float[] { 5, 7, 9 }, m.sum(0).ToArray<float>());
        Assert.Equal(new float[] { 3, 4 }, m.mean(1).ToArray<float>());
        var kept = m.sum(1, keepdim: true);
        TensorAssert.Shape(kept, 2, 1);
        Assert.Equal(21f, m.sum(new long[] { 0, 1 }).item<float>());
        Assert.Equal(720f, m.prod().item<float>());
    }

    [Fact]
    public void Max_min_and_arg_variants()
    {
        using var scope = NewDisposeScope();
        var m = M();
        Assert.Equal(6f, m.max().item<float>());
        Assert.Equal(1f, m.min().item<float>());
        var (values, indexes) = m.max(1);
        Assert.Equal(new float[] { 5, 6 }, values.ToArray<float>());
        Assert.Equal(new long[] { 1, 2 }, indexes.ToArray<long>());
        var (minValues, minIndexes) = m.min(0, keepdim: true);
        TensorAssert.Shape(minValues, 1, 3);
        Assert.Equal(new float[] { 1, 2, 3 }, minValues.ToArray<float>());
        Assert.Equal(new long[] { 0, 1, 0 }, minIndexes.ToArray<long>());
        Assert.Equal(5L, m.argmax().item<long>());
        Assert.Equal(new long[] { 1, 0, 1 }, m.argmax(0).ToArray<long>());
        Assert.Equal(new long[] { 0, 1 }, m.argmin(1).ToArray<long>());
        Assert.Equal(new float[] { 5, 6 }, m.amax(new long[] { 1 }).ToArray<float>());
    }

    [Fact]
    public void Std_var_and_norm_use_pytorch_conventions()
    {
        using var scope = NewDisposeScope();
        var v = tensor(new float[] { 2, 4, 4, 4, 5, 5, 7, 9 });
        // mean 5, sum of squared deviations 32: unbiased var 32/7, biased var 4
        TensorAssert.Close(new[] { 32f / 7 }, v.var().reshape(1), 1e-5);
        TensorAssert.Close(new[] { 4f }, v.var(unbiased: false).reshape(1), 1e-6);
        TensorAssert.Close(new[] { 2f }, v.std(unbiased: false).reshape(1), 1e-6);
        TensorAssert.Close(new[] { MathF.Sqrt(32f / 7) }, v.std().reshape(1), 1e-5);
        var m = M();
        TensorAssert.Close(new[] { MathF.Sqrt(91) }, m.norm().reshape(1), 1e-5);
        TensorAssert.Close(new[] { 9f, 12f }, m.norm(1, p: 1), 1e-6);
        TensorAssert.Close(new[] { MathF.Sqrt(4.5f), MathF.Sqrt(4.5f), MathF.Sqrt(4.5f) }, m.std(0), 1e-5);
        TensorAssert.Close(new[] { 4f, 4f }, m.var(new long[] { 1 }), 1e-5);
    }

    [Fact]
    public void Logical_reductions()
    {
        using var scope = NewDisposeScope();
        var b = tensor(new[] { true, false, true, true }, new long[] { 2, 2 });
        Assert.False(b.all().item<bool>());
        Assert.True(b.any().item<bool>());
        Assert.Equal(new[] { false, true }, b.all(1).ToArray<bool>());
    }

    [Fact]
    public void Scans_sort_and_topk()
    {
        using var scope = NewDisposeScope();
        var m = M();
        Assert.Equal(new float[] { 1, 6, 9, 4, 6, 12 }, m.cumsum(1).ToArray<float>());
        Assert.Equal(new float[] { 1, 5, 3, 4, 10, 18 }, m.cumprod(0).ToArray<float>());
        var sm = m.softmax(1);
        TensorAssert.Close(new[] { 1f, 1f }, sm.sum(1), 1e-6);
        var e = new[] { MathF.Exp(1), MathF.Exp(5), MathF.Exp(3) };
        TensorAssert.Close(new[] { MathF.Log(e[0] / e.Sum()) }, m.log_softmax(1)[0, 0].reshape(1), 1e-5);
        var (sorted, order) = m.sort(1, descending: true);
        Assert.Equal(new float[] { 5, 3, 1, 6, 4, 2 }, sorted.ToArray<float>());
        Assert.Equal(new long[] { 1, 2, 0, 2, 0, 1 }, order.ToArray<long>());
        var (top, where) = m.flatten().topk(2);
        Assert.Equal(new float[] { 6, 5 }, top.ToArray<float>());
        Assert.Equal(new long[] { 5, 1 }, where.ToArray<long>());
        var (low, _) = m.flatten().topk(2, largest: false);
        Assert.Equal(new float[] { 1, 2 }, low.ToArray<float>());
    }

    [Fact]
    public void Triangles_and_nonzero()
    {
        using var scope = NewDisposeScope();
        var o = ones(3, 3);
        Assert.Equal(new float[] { 0, 1, 1, 0, 0, 1, 0, 0, 0 }, o.triu(1).ToArray<float>());
        Assert.Equal(new float[] { 1, 0, 0, 1, 1, 0, 1, 1, 1 }, o.tril().ToArray<float>());
        var nz = tensor(new float[] { 0, 2, 0, 3 }, new long[] { 2, 2 }).nonzero();
        TensorAssert.Shape(nz, 2, 2);
        Assert.Equal(new long[] { 0, 1, 1, 1 }, nz.ToArray<long>());
    }
}
