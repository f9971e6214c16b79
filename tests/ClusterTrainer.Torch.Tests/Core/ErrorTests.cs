using Xunit;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Torch.Tests.Core;

public sealed class ErrorTests
{
    [Fact]
    public void A_matmul_shape_mismatch_throws_a_TorchException_naming_the_shapes_and_the_process_carries_on()
    {
        using var a = ones(2, 3);
        using var b = ones(4, 5);
        var ex = Assert.Throws<TorchException>(() => a.matmul(b));
        Assert.Contains("2x3", ex.Message);
        Assert.Contains("4x5", ex.Message);
        Assert.DoesNotContain("frame #", ex.Message); // the C++ backtrace is not part of the message

        // The library still works, and the error was consumed (not reported again by the next call).
        using var c = ones(3, 4);
        using var product = a.matmul(c);
        Assert.Equal(new long[] { 2, 4 }, product.shape);
        Assert.Null(NativeMethods.TakeLastError());
    }

    [Fact]
    public void Errors_on_other_threads_stay_on_their_thread()
    {
        using var a = ones(2, 3);
        var messages = new string[4];
        Parallel.For(0, messages.Length, k =>
        {
            using var b = ones(k + 5, 7);
            messages[k] = Assert.Throws<TorchException>(() => a.matmul(b)).Message;
        });
        for (var k = 0; k < messages.Length; k++) Assert.Contains($"{k + 5}x7", messages[k]);
    }

    [Fact]
    public void Bad_arguments_get_clear_messages()
    {
        var shape = Assert.Throws<ArgumentException>(() => tensor(new float[] { 1, 2, 3 }, new long[] { 2, 2 }));
        Assert.Contains("holds 4 elements but the data has 3", shape.Message);

        using var t = ones(2, 2);
        var item = Assert.Throws<TorchException>(() => t.item<float>());
        Assert.Contains("exactly one element", item.Message);

        var type = Assert.Throws<TorchException>(() => t.data<double>());
        Assert.Contains("float32", type.Message);

        var view = Assert.Throws<TorchException>(() => t.view(3));
        Assert.Contains("shape '[3]' is invalid", view.Message);

        using var noGrad = ones(1);
        var backward = Assert.Throws<TorchException>(() => noGrad.backward());
        Assert.Contains("does not require grad", backward.Message);
    }

    [Fact]
    public void Cuda_on_a_cpu_only_libtorch_is_refused_with_a_clear_message()
    {
        if (cuda.is_available()) return; // on a CUDA build there is nothing to refuse
        var ex = Assert.Throws<TorchException>(() => zeros(new long[] { 2 }, device: CUDA));
        Assert.Contains("no CUDA support", ex.Message);
        using var t = ones(2);
        Assert.Throws<TorchException>(() => t.to(device("cuda:0")));
    }
}
