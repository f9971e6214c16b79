using Xunit;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Torch.Tests.Core;

[Collection(ClusterTrainer.Torch.Tests.Golden.GlobalGeneratorCollection.Name)]
public sealed class CreationTests
{
    [Fact]
    public void Constant_factories_have_the_requested_shape_dtype_and_values()
    {
        using var scope = NewDisposeScope();
        var z = zeros(2, 3);
        TensorAssert.Shape(z, 2, 3);
        Assert.Equal(float32, z.dtype);
        Assert.Equal(CPU, z.device);
        Assert.All(z.ToArray<float>(), v => Assert.Equal(0f, v));
        Assert.All(ones(new long[] { 4 }, dtype: int32).ToArray<int>(), v => Assert.Equal(1, v));
        var f = full(new long[] { 2, 2 }, 7);
        Assert.Equal(int64, f.dtype);
        Assert.Equal(new long[] { 7, 7, 7, 7 }, f.ToArray<long>());
        Assert.Equal(new double[] { 0.5, 0.5 }, full(new long[] { 2 }, 0.5, float64).ToArray<double>());
        Assert.Equal(2, z.dim());
        Assert.Equal(6, z.numel());
        Assert.Equal(3, z.size(-1));
        Assert.Equal(new long[] { 3, 1 }, z.stride());
        TensorAssert.Shape(empty(0, 5), 0, 5);
    }

    [Fact]
    public void Ranges_and_identity()
    {
        using var scope = NewDisposeScope();
        var a = arange(5);
        Assert.Equal(int64, a.dtype);
        Assert.Equal(new long[] { 0, 1, 2, 3, 4 }, a.ToArray<long>());
        Assert.Equal(new float[] { 1, 1.5f, 2, 2.5f }, arange(1.0, 3.0, 0.5).ToArray<float>());
        Assert.Equal(new float[] { 0, 0.25f, 0.5f, 0.75f, 1 }, linspace(0, 1, 5).ToArray<float>());
        Assert.Equal(new float[] { 1, 0, 0, 0, 1, 0 }, eye(2, 3).ToArray<float>());
        Assert.Equal(new float[] { 1, 0, 0, 1 }, eye(2).ToArray<float>());
    }

    [Fact]
    public void Random_factories_are_reproducible_under_manual_seed_and_respect_their_ranges()
    {
        using var scope = NewDisposeScope();
        manual_seed(123);
        var r1 = rand(1000).ToArray<float>();
        var n1 = randn(1000).ToArray<float>();
        manual_seed(123);
        Assert.Equal(r1, rand(1000).ToArray<float>());
        Assert.Equal(n1, randn(1000).ToArray<float>());
        Assert.All(r1, v => Assert.InRange(v, 0f, 1f));
        var mean = n1.Average();
        Assert.InRange(mean, -0.2f, 0.2f);
        var ints = randint(3, 7, new long[] { 500 });
        Assert.Equal(int64, ints.dtype);
        var values = ints.ToArray<long>();
        Assert.All(values, v => Assert.InRange(v, 3L, 6L));
        Assert.Equal(4, values.Distinct().Count());
        Assert.Throws<TorchException>(() => randint(5, 5, new long[] { 1 }));
    }

    [Fact]
    public void Seeded_randn_matches_pytorch_for_the_same_seed()
    {
        // torch.manual_seed(0); torch.randn(4) in PyTorch 1.13 gives these values.
        using var scope = NewDisposeScope();
        manual_seed(0);
        TensorAssert.Close(new[] { 1.5409961f, -0.2934289f, -2.1787894f, 0.5684313f }, randn(4), 1e-6);
        manual_seed(0);
        TensorAssert.Close(new[] { 0.4962566f, 0.7682218f, 0.0884774f, 0.1320305f }, rand(4), 1e-6);
    }

    [Fact]
    public void In_place_initialisers_draw_the_same_sequence_as_pytorch()
    {
        // Python: torch.manual_seed(42); empty(4).uniform_(-1, 1); empty(3).normal_(0.5, 2); empty(6).bernoulli_(0.5)
        using var scope = NewDisposeScope();
        manual_seed(42);
        TensorAssert.Close(new[] { 0.7645385f, 0.8300079f, -0.2342725f, 0.9186113f }, empty(4).uniform_(-1, 1), 1e-6);
        TensorAssert.Close(new[] { 0.9689247f, 0.9606661f, -1.7457128f }, empty(3).normal_(0.5, 2), 1e-6);
        Assert.Equal(new float[] { 0, 0, 1, 1, 1, 1 }, empty(6).bernoulli_(0.5).ToArray<float>());

        // nn.init.kaiming_uniform_(w, a=sqrt(5)) on a 2x3 weight is uniform_(-1/sqrt(3), 1/sqrt(3)).
        manual_seed(42);
        var bound = 1 / Math.Sqrt(3);
        TensorAssert.Close(new[] { 0.4414065f, 0.4792053f, -0.1352573f, 0.5303605f, -0.1264995f, 0.1165039f },
            empty(2, 3).uniform_(-bound, bound), 1e-6);
    }

    [Fact]
    public void Like_factories_copy_shape_and_dtype_unless_told_otherwise()
    {
        using var scope = NewDisposeScope();
        var t = ones(new long[] { 3, 2 }, dtype: float64);
        var z = zeros_like(t);
        TensorAssert.Shape(z, 3, 2);
        Assert.Equal(float64, z.dtype);
        Assert.Equal(int32, ones_like(t, int32).dtype);
        Assert.Equal(float64, rand_like(t).dtype);
        Assert.Equal(new double[] { 4, 4, 4, 4, 4, 4 }, full_like(t, 4).ToArray<double>());
        Assert.True(zeros_like(t, requires_grad: true).requires_grad);
    }

    [Fact]
    public void Tensors_from_arrays_scalars_and_2d_arrays()
    {
        using var scope = NewDisposeScope();
        var m = tensor(new float[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        TensorAssert.Shape(m, 2, 3);
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, m.ToArray<float>());
        var s = tensor(3.5);
        Assert.Equal(0, s.dim());
        Assert.Equal(float64, s.dtype);
        Assert.Equal(3.5, s.item<double>());
        var converted = tensor(new float[] { 1, 2 }, dtype: float64, requires_grad: true);
        Assert.Equal(float64, converted.dtype);
        Assert.True(converted.requires_grad);
        Assert.True(converted.is_leaf);
        ReadOnlySpan<int> span = stackalloc int[] { 1, 2, 3, 4 };
        Assert.Equal(new long[] { 2, 2 }, tensor<int>(span, stackalloc long[] { 2, 2 }).shape);
    }
}
