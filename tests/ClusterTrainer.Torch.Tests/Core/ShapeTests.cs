using Xunit;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Torch.Tests.Core;

public sealed class ShapeTests
{
    [Fact]
    public void Reshape_view_and_flatten_keep_row_major_order()
    {
        using var scope = NewDisposeScope();
        var a = arange(6);
        var m = a.view(2, 3);
        TensorAssert.Shape(m, 2, 3);
        TensorAssert.Shape(a.reshape(-1, 2), 3, 2);
        TensorAssert.Shape(zeros(2, 3, 4).flatten(1), 2, 12);
        TensorAssert.Shape(zeros(2, 12).unflatten(1, 3, 4), 2, 3, 4);
        m[0, 0] = tensor(100L);
        Assert.Equal(100L, a[0].item<long>()); // views share memory
    }

    [Fact]
    public void Permute_transpose_and_T_swap_axes()
    {
        using var scope = NewDisposeScope();
        var m = arange(6).view(2, 3);
        Assert.Equal(new long[] { 0, 3, 1, 4, 2, 5 }, m.T.ToArray<long>());
        Assert.Equal(new long[] { 0, 3, 1, 4, 2, 5 }, m.transpose(0, 1).ToArray<long>());
        var p = zeros(2, 3, 4).permute(2, 0, 1);
        TensorAssert.Shape(p, 4, 2, 3);
        Assert.False(p.is_contiguous());
        Assert.True(p.contiguous().is_contiguous());
    }

    [Fact]
    public void Squeeze_unsqueeze_expand()
    {
        using var scope = NewDisposeScope();
        var t = zeros(1, 3, 1);
        TensorAssert.Shape(t.squeeze(), 3);
        TensorAssert.Shape(t.squeeze(0), 3, 1);
        TensorAssert.Shape(t.unsqueeze(0), 1, 1, 3, 1);
        TensorAssert.Shape(t.unsqueeze(-1), 1, 3, 1, 1);
        var row = tensor(new float[] { 1, 2 }).unsqueeze(0);
        Assert.Equal(new float[] { 1, 2, 1, 2, 1, 2 }, row.expand(3, 2).ToArray<float>());
        Assert.Equal(new float[] { 1, 2, 1, 2 }, row.repeat(2, 1).ToArray<float>());
    }

    [Fact]
    public void Cat_stack_split_and_chunk()
    {
        using var scope = NewDisposeScope();
        var a = arange(4).view(2, 2);
        var b = arange(4, 8).view(2, 2);
        Assert.Equal(new long[] { 0, 1, 2, 3, 4, 5, 6, 7 }, cat(new[] { a, b }).ToArray<long>());
        Assert.Equal(new long[] { 0, 1, 4, 5, 2, 3, 6, 7 }, cat(new[] { a, b }, 1).ToArray<long>());
        TensorAssert.Shape(stack(new[] { a, b }, 2), 2, 2, 2);
        var pieces = arange(7).split(3);
        Assert.Equal(3, pieces.Length);
        Assert.Equal(new long[] { 6 }, pieces[2].ToArray<long>());
        var sized = arange(7).split(new long[] { 2, 5 });
        Assert.Equal(new long[] { 2, 3, 4, 5, 6 }, sized[1].ToArray<long>());
        var chunks = arange(6).chunk(3);
        Assert.Equal(new long[] { 2, 3 }, chunks[1].ToArray<long>());
        Assert.Throws<TorchException>(() => cat(new[] { a, zeros(3) }));
        Assert.Throws<ArgumentException>(() => cat(Array.Empty<Tensor>()));
    }

    [Fact]
    public void Narrow_select_index_select_gather_and_scatter()
    {
        using var scope = NewDisposeScope();
        var m = arange(12).view(3, 4);
        Assert.Equal(new long[] { 4, 5, 6, 7, 8, 9, 10, 11 }, m.narrow(0, 1, 2).ToArray<long>());
        Assert.Equal(new long[] { 2, 6, 10 }, m.select(1, 2).ToArray<long>());
        Assert.Equal(new long[] { 8, 9, 10, 11, 0, 1, 2, 3 }, m.index_select(0, tensor(new long[] { 2, 0 })).ToArray<long>());
        var idx = tensor(new long[] { 3, 0, 1 }, new long[] { 3, 1 });
        Assert.Equal(new long[] { 3, 4, 9 }, m.gather(1, idx).ToArray<long>());
        var z = zeros(new long[] { 3, 4 });
        z.scatter_(1, idx, ones(3, 1));
        Assert.Equal(new float[] { 0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0 }, z.ToArray<float>());
        z.scatter_add_(1, idx, ones(3, 1));
        Assert.Equal(2f, z[0, 3].item<float>());
    }

    [Fact]
    public void Flip_expand_as_alias_and_combined_conversion()
    {
        using var scope = NewDisposeScope();
        var m = arange(6).view(2, 3);
        Assert.Equal(new long[] { 2, 1, 0, 5, 4, 3 }, m.flip(1).ToArray<long>());
        TensorAssert.Shape(tensor(new float[] { 1, 2, 3 }).expand_as(zeros(4, 3)), 4, 3);
        var alias = m.alias();
        alias.add_(1);
        Assert.Equal(1L, m[0, 0].item<long>());
        var d = m.to(float64, CPU);
        Assert.Equal(float64, d.dtype);
        var copy = d.to(float64, copy: true);
        copy.zero_();
        Assert.Equal(1.0, d[0, 0].item<double>());
    }
}
