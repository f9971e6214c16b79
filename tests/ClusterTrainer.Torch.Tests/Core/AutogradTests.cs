using Xunit;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Torch.Tests.Core;

public sealed class AutogradTests
{
    [Fact]
    public void Gradient_of_a_small_expression_matches_the_hand_computed_one()
    {
        // f(x, w) = sum(w * x^2 + exp(x) / 2); df/dx = 2wx + exp(x)/2, df/dw = x^2
        using var scope = NewDisposeScope();
        var xs = new float[] { -1f, 0.5f, 2f };
        var ws = new float[] { 3f, -2f, 0.25f };
        var x = tensor(xs, requires_grad: true);
        var w = tensor(ws, requires_grad: true);
        var f = (w * x.pow(2) + x.exp() / 2).sum();
        f.backward();

        var dx = xs.Select((v, k) => 2 * ws[k] * v + MathF.Exp(v) / 2).ToArray();
        var dw = xs.Select(v => v * v).ToArray();
        TensorAssert.Close(dx, x.grad!, 1e-6);
        TensorAssert.Close(dw, w.grad!, 1e-6);
        Assert.True(x.is_leaf);
        Assert.False(f.is_leaf);
    }

    [Fact]
    public void Gradients_accumulate_across_backward_calls_until_cleared()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { 1f, 2f }, requires_grad: true);
        (x * 3).sum().backward();
        (x * 3).sum().backward();
        TensorAssert.Close(new[] { 6f, 6f }, x.grad!);
        x.grad = null;
        Assert.Null(x.grad);
    }

    [Fact]
    public void Matmul_backward_gives_the_textbook_gradients()
    {
        // L = sum(A @ B): dL/dA = 1 @ B^T, dL/dB = A^T @ 1
        using var scope = NewDisposeScope();
        var a = tensor(new float[] { 1, 2, 3, 4, 5, 6 }, new long[] { 2, 3 }, requires_grad: true);
        var b = tensor(new float[] { 1, -1, 0, 2, 3, 1 }, new long[] { 3, 2 }, requires_grad: true);
        a.matmul(b).sum().backward();
        TensorAssert.Close(new float[] { 0, 2, 4, 0, 2, 4 }, a.grad!);
        TensorAssert.Close(new float[] { 5, 5, 7, 7, 9, 9 }, b.grad!);
    }

    [Fact]
    public void No_grad_stops_recording_and_restores_the_previous_mode()
    {
        using var scope = NewDisposeScope();
        var x = ones(new long[] { 2 }, requires_grad: true);
        Assert.True(is_grad_enabled());
        using (no_grad())
        {
            Assert.False(is_grad_enabled());
            var y = x * 2;
            Assert.False(y.requires_grad);
            using (enable_grad()) Assert.True((x * 2).requires_grad);
            Assert.False(is_grad_enabled());
        }
        Assert.True(is_grad_enabled());
        Assert.True((x * 2).requires_grad);
    }

    [Fact]
    public void Detach_cuts_the_graph_but_shares_data()
    {
        using var scope = NewDisposeScope();
        var x = ones(new long[] { 3 }, requires_grad: true);
        var d = x.detach();
        Assert.False(d.requires_grad);
        using (no_grad()) x.add_(1);
        Assert.Equal(new[] { 2f, 2f, 2f }, d.ToArray<float>());
    }

    [Fact]
    public void Retain_grad_keeps_the_gradient_of_an_intermediate()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { 1f, 2f }, requires_grad: true);
        var h = (x * x).retain_grad();
        (h * 5).sum().backward();
        TensorAssert.Close(new[] { 5f, 5f }, h.grad!);
        TensorAssert.Close(new[] { 10f, 20f }, x.grad!);
    }

    [Fact]
    public void Backward_with_an_explicit_gradient_for_a_non_scalar_output()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { 1f, 2f, 3f }, requires_grad: true);
        var y = x * x;
        Assert.Throws<TorchException>(() => y.backward());
        y.backward(tensor(new float[] { 1f, 0.5f, 0f }));
        TensorAssert.Close(new[] { 2f, 2f, 0f }, x.grad!);
    }
}
