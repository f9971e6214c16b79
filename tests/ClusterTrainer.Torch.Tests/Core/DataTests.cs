using Xunit;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Torch.Tests.Core;

public sealed class DataTests
{
    [Fact]
    public void Spans_round_trip_for_every_plain_element_type()
    {
        RoundTrip(new float[] { 1.5f, -2f, 3.25f, 0f });
        RoundTrip(new double[] { 1e300, -2.5, 0.1, 7 });
        RoundTrip(new long[] { long.MaxValue, long.MinValue, 0, 42 });
        RoundTrip(new int[] { int.MaxValue, -7, 0, 1 });
        RoundTrip(new byte[] { 0, 255, 128, 1 });
        RoundTrip(new bool[] { true, false, false, true });

        static void RoundTrip<T>(T[] values) where T : unmanaged
        {
            using var t = tensor<T>(values, new long[] { 2, 2 });
            Assert.Equal(ScalarTypes.Of<T>(), t.dtype);
            Assert.Equal(values, t.ToArray<T>());
            var back = new T[values.Length];
            t.CopyTo<T>(back);
            Assert.Equal(values, back);
        }
    }

    [Fact]
    public void Data_span_is_zero_copy_in_both_directions()
    {
        using var t = zeros(2, 3);
        var span = t.data<float>();
        span[4] = 7f;
        Assert.Equal(7f, t.ToArray<float>()[4]);
        t.add_(1);
        Assert.Equal(8f, span[4]);
        Assert.Equal(1f, span[0]);
        unsafe { Assert.Equal(t.data_ptr(), (IntPtr)System.Runtime.CompilerServices.Unsafe.AsPointer(ref span[0])); }
    }

    [Fact]
    public void CopyFrom_writes_through_a_strided_view()
    {
        using var scope = NewDisposeScope();
        var m = zeros(3, 3);
        var column = m.select(1, 1); // a non-contiguous view
        Assert.False(column.is_contiguous());
        column.CopyFrom<float>(new float[] { 1, 2, 3 });
        Assert.Equal(new float[] { 0, 1, 0, 0, 2, 0, 0, 3, 0 }, m.ToArray<float>());
        Assert.Equal(new float[] { 1, 2, 3 }, column.ToArray<float>());
        Assert.Throws<TorchException>(() => column.data<float>());
    }

    [Fact]
    public void Set_makes_a_tensor_a_view_of_a_flat_buffer()
    {
        using var scope = NewDisposeScope();
        var flat = arange(0, 10, dtype: float32);
        var p = zeros(new long[] { 2, 3 }, requires_grad: true);
        p.set_(flat.narrow(0, 2, 6).view(2, 3));
        Assert.Equal(new long[] { 2, 3 }, p.shape);
        Assert.Equal(new float[] { 2, 3, 4, 5, 6, 7 }, p.ToArray<float>());
        flat.data<float>()[2] = 100f;
        Assert.Equal(100f, p.ToArray<float>()[0]);
        Assert.True(p.requires_grad);
    }

    [Fact]
    public void Grad_setter_stores_a_view_so_backward_accumulates_into_the_flat_buffer()
    {
        using var scope = NewDisposeScope();
        var flatGrad = zeros(5);
        var w = ones(new long[] { 2, 2 }, requires_grad: true);
        var b = ones(new long[] { 1 }, requires_grad: true);
        w.grad = flatGrad.narrow(0, 0, 4).view(2, 2);
        b.grad = flatGrad.narrow(0, 4, 1);
        ((w * 3).sum() + b * 2).sum().backward();
        Assert.Equal(new float[] { 3, 3, 3, 3, 2 }, flatGrad.ToArray<float>());
        flatGrad.zero_();
        Assert.Equal(new float[] { 0, 0, 0, 0 }, w.grad!.ToArray<float>());
        Assert.Throws<TorchException>(() => w.grad = zeros(3));
    }

    [Fact]
    public void Item_converts_like_pytorch()
    {
        using var scope = NewDisposeScope();
        Assert.Equal(2.5f, tensor(2.5f).item<float>());
        Assert.Equal(3L, tensor(3.9).to(int64).item<long>());
        Assert.Equal(9007199254740993L, tensor(9007199254740993L).item<long>());
        Assert.True(tensor(true).item<bool>());
        Assert.Equal(7.0, tensor(new long[] { 7 }).item<double>());
    }

    [Fact]
    public void ToString_prints_values_and_type()
    {
        using var t = tensor(new float[] { 1.5f, 2f });
        var s = t.ToString();
        Assert.Contains("1.5", s);
        Assert.Contains("CPUFloatType", s);
        using var big = zeros(100, 100);
        Assert.Equal("Tensor(shape=[100, 100], dtype=float32, device=cpu)", big.ToString());
        t.Dispose();
        Assert.Equal("Tensor(disposed)", t.ToString());
    }
}
