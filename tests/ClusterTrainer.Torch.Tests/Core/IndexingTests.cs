using Xunit;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Torch.Tests.Core;

public sealed class IndexingTests
{
    // [[ 0,  1,  2,  3],
    //  [ 4,  5,  6,  7],
    //  [ 8,  9, 10, 11]]
    private static Tensor M() => arange(12).view(3, 4);

    [Fact]
    public void Integers_and_from_end_indices_select()
    {
        using var scope = NewDisposeScope();
        var m = M();
        Assert.Equal(new long[] { 4, 5, 6, 7 }, m[1].ToArray<long>());
        Assert.Equal(6L, m[1, 2].item<long>());
        Assert.Equal(new long[] { 8, 9, 10, 11 }, m[^1].ToArray<long>());
        Assert.Equal(11L, m[-1, -1].item<long>());
        Assert.Throws<TorchException>(() => m[3]);
    }

    [Fact]
    public void Ranges_slice_like_python()
    {
        using var scope = NewDisposeScope();
        var m = M();
        Assert.Equal(new long[] { 1, 2, 5, 6, 9, 10 }, m[.., 1..3].ToArray<long>());
        Assert.Equal(new long[] { 4, 5, 6, 7, 8, 9, 10, 11 }, m[1..].ToArray<long>());
        Assert.Equal(new long[] { 0, 1, 2, 4, 5, 6, 8, 9, 10 }, m[.., ..^1].ToArray<long>());
        Assert.Equal(new long[] { 3, 7, 11 }, m[.., ^1..].ToArray<long>());
        Assert.Equal(0, m[^0..].numel());
        Assert.Equal(new long[] { 0, 2, 8, 10 }, m[TensorIndex.Slice(step: 2), TensorIndex.Slice(0, null, 2)].ToArray<long>());
        TensorAssert.Shape(m[1..2], 1, 4);
    }

    [Fact]
    public void Ellipsis_none_and_tensor_indices()
    {
        using var scope = NewDisposeScope();
        var m = M();
        Assert.Equal(new long[] { 3, 7, 11 }, m[TensorIndex.Ellipsis, 3].ToArray<long>());
        TensorAssert.Shape(m[TensorIndex.None], 1, 3, 4);
        TensorAssert.Shape(m[.., TensorIndex.None, ..], 3, 1, 4);
        Assert.Equal(new long[] { 8, 9, 10, 11, 0, 1, 2, 3 }, m[tensor(new long[] { 2, 0 })].ToArray<long>());
        Assert.Equal(new long[] { 6, 7, 8, 9, 10, 11 }, m[m.gt(5)].ToArray<long>());
    }

    [Fact]
    public void Indexed_assignment_writes_in_place()
    {
        using var scope = NewDisposeScope();
        var m = zeros(3, 4);
        m[1] = ones(4);
        m[.., 0] = tensor(new float[] { 7, 8, 9 });
        m.index_put_(-1, 2, 1..3);
        Assert.Equal(new float[] { 7, 0, 0, 0, 8, 1, 1, 1, 9, -1, -1, 0 }, m.ToArray<float>());
        m[m.lt(0)] = tensor(5f);
        Assert.Equal(5f, m[2, 1].item<float>());
        var basic = m[0, 1..]; // basic indexing gives a view
        basic.fill_(3);
        Assert.Equal(new float[] { 7, 3, 3, 3 }, m[0].ToArray<float>());
    }
}
