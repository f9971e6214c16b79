using Xunit;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Torch.Tests.Core;

public sealed class ArithmeticTests
{
    [Fact]
    public void Operators_broadcast_like_pytorch()
    {
        using var scope = NewDisposeScope();
        var m = tensor(new float[] { 1, 2, 3, 4, 5, 6 }, new long[] { 2, 3 });
        var row = tensor(new float[] { 10, 20, 30 });
        var col = tensor(new float[] { 1, 2 }, new long[] { 2, 1 });
        Assert.Equal(new float[] { 11, 22, 33, 14, 25, 36 }, (m + row).ToArray<float>());
        Assert.Equal(new float[] { 0, 1, 2, 2, 3, 4 }, (m - col).ToArray<float>());
        Assert.Equal(new float[] { 1, 2, 3, 8, 10, 12 }, (m * col).ToArray<float>());
        Assert.Equal(new float[] { 0.1f, 0.1f, 0.1f, 0.4f, 0.25f, 0.2f }, (m / row).ToArray<float>());
        TensorAssert.Shape(col + row, 2, 3);
    }

    [Fact]
    public void Scalar_operands_on_either_side()
    {
        using var scope = NewDisposeScope();
        var t = tensor(new float[] { 1, 2, 4 });
        Assert.Equal(new float[] { 3, 4, 6 }, (t + 2).ToArray<float>());
        Assert.Equal(new float[] { 3, 4, 6 }, (2 + t).ToArray<float>());
        Assert.Equal(new float[] { 9, 8, 6 }, (10 - t).ToArray<float>());
        Assert.Equal(new float[] { -9, -8, -6 }, (t - 10).ToArray<float>());
        Assert.Equal(new float[] { 0.5f, 1, 2 }, (t * 0.5).ToArray<float>());
        Assert.Equal(new float[] { 4, 2, 1 }, (4 / t).ToArray<float>());
        Assert.Equal(new float[] { -1, -2, -4 }, (-t).ToArray<float>());
        Assert.Equal(new float[] { 1, 4, 16 }, t.pow(2).ToArray<float>());
    }

    [Fact]
    public void Integer_tensors_stay_integer_with_integer_scalars_and_promote_with_floats()
    {
        using var scope = NewDisposeScope();
        var i = tensor(new long[] { 1, 2, 3 });
        Assert.Equal(int64, (i + 1).dtype);
        Assert.Equal(new long[] { 2, 3, 4 }, (i + 1).ToArray<long>());
        Assert.Equal(float32, (i * 0.5).dtype);
        Assert.Equal(float32, (i / 2).dtype); // true division, as in PyTorch
        Assert.Equal(new long[] { 0, 1, 1 }, i.floor_divide(2).ToArray<long>());
    }

    [Fact]
    public void In_place_variants_modify_the_receiver_and_return_it()
    {
        using var scope = NewDisposeScope();
        var t = ones(3);
        var other = tensor(new float[] { 1, 2, 3 });
        Assert.Same(t, t.add_(other));
        t.mul_(2).sub_(1).div_(other);
        Assert.Equal(new float[] { 3, 2.5f, 7f / 3 }, t.ToArray<float>());
        t.add_(other, alpha: -1);
        TensorAssert.Close(new float[] { 2, 0.5f, 7f / 3 - 3 }, t);
    }

    [Fact]
    public void Matmul_and_bmm_compute_matrix_products()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new float[] { 1, 2, 3, 4, 5, 6 }, new long[] { 2, 3 });
        var b = tensor(new float[] { 7, 8, 9, 10, 11, 12 }, new long[] { 3, 2 });
        Assert.Equal(new float[] { 58, 64, 139, 154 }, a.matmul(b).ToArray<float>());
        var v = tensor(new float[] { 1, 0, -1 });
        Assert.Equal(new float[] { -2, -2 }, a.matmul(v).ToArray<float>());
        var ba = stack(new[] { a, a * 2 });
        var bb = stack(new[] { b, b });
        var r = ba.bmm(bb);
        TensorAssert.Shape(r, 2, 2, 2);
        Assert.Equal(new float[] { 58, 64, 139, 154, 116, 128, 278, 308 }, r.ToArray<float>());
    }

    [Fact]
    public void Optimizer_helpers_match_their_formulas()
    {
        using var scope = NewDisposeScope();
        var t = tensor(new float[] { 1, 1 });
        var a = tensor(new float[] { 2, 3 });
        var b = tensor(new float[] { 4, 6 });
        Assert.Equal(new float[] { 5, 10 }, t.addcmul(a, b, 0.5).ToArray<float>());
        Assert.Equal(new float[] { 2, 2 }, t.addcdiv(a, b, 2).ToArray<float>());
        Assert.Equal(new float[] { 1.5f, 2 }, t.lerp(a, 0.5).ToArray<float>());
        t.addcmul_(a, a).addcdiv_(b, a, -1);
        Assert.Equal(new float[] { 3, 8 }, t.ToArray<float>());
    }

    [Fact]
    public void Element_wise_functions()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { -4, -0.5f, 0, 2.25f, 9 });
        Assert.Equal(new float[] { 4, 0.5f, 0, 2.25f, 9 }, x.abs().ToArray<float>());
        Assert.Equal(new float[] { -1, -1, 0, 1, 1 }, x.sign().ToArray<float>());
        Assert.Equal(new float[] { 16, 0.25f, 0, 5.0625f, 81 }, x.square().ToArray<float>());
        Assert.Equal(new float[] { -1, -0.5f, 0, 1, 1 }, x.clamp(-1, 1).ToArray<float>());
        Assert.Equal(new float[] { 0, 0, 0, 2.25f, 9 }, x.clamp(min: 0).ToArray<float>());
        var pos = tensor(new float[] { 1, 4, 0.25f });
        TensorAssert.Close(new float[] { 1, 2, 0.5f }, pos.sqrt());
        TensorAssert.Close(new float[] { 1, 0.5f, 2 }, pos.rsqrt());
        TensorAssert.Close(new[] { 0f, MathF.Log(4), MathF.Log(0.25f) }, pos.log());
        TensorAssert.Close(new[] { MathF.E, MathF.Exp(4), MathF.Exp(0.25f) }, pos.exp(), 1e-5);
        var other = tensor(new float[] { 2, 2, 2 });
        Assert.Equal(new float[] { 2, 4, 2 }, pos.maximum(other).ToArray<float>());
        Assert.Equal(new float[] { 1, 2, 0.25f }, pos.minimum(other).ToArray<float>());
    }

    [Fact]
    public void Comparisons_give_bool_tensors_and_where_selects()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new float[] { 1, 2, 3 });
        var b = tensor(new float[] { 3, 2, 1 });
        Assert.Equal(@bool, a.lt(b).dtype);
        Assert.Equal(new[] { true, false, false }, a.lt(b).ToArray<bool>());
        Assert.Equal(new[] { true, true, false }, a.le(b).ToArray<bool>());
        Assert.Equal(new[] { false, false, true }, a.gt(b).ToArray<bool>());
        Assert.Equal(new[] { false, true, true }, a.ge(b).ToArray<bool>());
        Assert.Equal(new[] { false, true, false }, a.eq(b).ToArray<bool>());
        Assert.Equal(new[] { true, false, true }, a.ne(b).ToArray<bool>());
        Assert.Equal(new[] { false, false, true }, a.gt(2).ToArray<bool>());
        Assert.Equal(new float[] { 3, 2, 3 }, where(a.gt(b), a, b).ToArray<float>());
        Assert.Equal(new float[] { 1, -1, -1 }, a.masked_fill(a.ge(2), -1).ToArray<float>());
    
    }

    [Fact]
    public void Allclose_and_equal()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new float[] { 1, 2, 3 });
        Assert.True(a.allclose(a + 1e-7));
        Assert.False(a.allclose(a + 1e-3));
        Assert.True(a.allclose(a + 1e-3, atol: 1e-2));
        Assert.True(a.equal(tensor(new float[] { 1, 2, 3 })));
        Assert.False(a.equal(tensor(new float[] { 1, 2 })));
        Assert.Equal(new float[] { 2, 4, 8 }, Tensor.pow(2, a).ToArray<float>());
    }
}
