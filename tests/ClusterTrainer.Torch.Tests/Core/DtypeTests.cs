using Xunit;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Torch.Tests.Core;

public sealed class DtypeTests
{
    [Theory]
    [InlineData(ScalarType.Float32, 4)]
    [InlineData(ScalarType.Float64, 8)]
    [InlineData(ScalarType.Int64, 8)]
    [InlineData(ScalarType.Int32, 4)]
    [InlineData(ScalarType.Byte, 1)]
    [InlineData(ScalarType.Bool, 1)]
    [InlineData(ScalarType.Float16, 2)]
    [InlineData(ScalarType.BFloat16, 2)]
    public void Every_dtype_can_be_created_and_reports_its_element_size(ScalarType type, int bytes)
    {
        using var t = zeros(new long[] { 3 }, dtype: type);
        Assert.Equal(type, t.dtype);
        Assert.Equal(bytes, t.element_size());
        Assert.Equal(bytes, type.ElementSize());
    }

    [Fact]
    public void Float16_and_bfloat16_round_to_their_precision()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { 1.0f, 1.0009765625f, 3.14159f, 65504f, 1e-8f });
        var h = x.to(float16).to(float32).ToArray<float>();
        Assert.Equal(new[] { 1.0f, 1.0009765625f, 3.140625f, 65504f, 0f }, h);
        var b = x.bfloat16().@float().ToArray<float>();
        Assert.Equal(1.0f, b[0]);
        Assert.Equal(1.0f, b[1]); // bfloat16 keeps 8 bits of mantissa: 1 + 2^-10 rounds to 1
        Assert.Equal(3.140625f, b[2]);
        var halves = x.half().ToArray<Half>();
        Assert.Equal((Half)3.140625f, halves[2]);
        Assert.Equal(float16, tensor(new Half[] { (Half)1.5f }).dtype);
    }

    [Fact]
    public void Conversions_between_integer_float_and_bool()
    {
        using var scope = NewDisposeScope();
        var f = tensor(new float[] { -1.7f, 0f, 2.9f });
        Assert.Equal(new long[] { -1, 0, 2 }, f.@long().ToArray<long>());
        Assert.Equal(new[] { true, false, true }, f.@bool().ToArray<bool>());
        Assert.Equal(new double[] { 1, 0, 1 }, f.@bool().@double().ToArray<double>());
        Assert.Equal(2L, f.@bool().sum().item<long>()); // bool sums count, as int64
        Assert.Equal("float32", float32.Name());
        Assert.Equal("bfloat16", ScalarType.BFloat16.Name());
    }

    [Fact]
    public void Device_parsing_and_cpu_moves()
    {
        Assert.Equal(CPU, device("cpu"));
        Assert.Equal(new Device(DeviceType.CUDA, 1), device("cuda:1"));
        Assert.Equal("cuda:1", device("cuda:1").ToString());
        Assert.Throws<ArgumentException>(() => device("tpu"));
        Assert.Throws<ArgumentException>(() => device("cuda:x"));
        using var t = ones(2);
        using var moved = t.to(CPU);
        Assert.Equal(CPU, moved.device);
    }
}
