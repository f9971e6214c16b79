using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Torch.Tests.Golden;

/// <summary>Small tensor helpers shared by the optim tests.</summary>
public static class OptimTensors
{
    public static Tensor FromFloats(float[] data, long[] shape, bool requiresGrad = false) =>
        tensor(data, shape, requires_grad: requiresGrad);

    public static Tensor Zeros(long[] shape, bool requiresGrad = false) => zeros(shape, requires_grad: requiresGrad);

    public static float[] ToFloats(Tensor t)
    {
        using var c = t.contiguous();
        return c.ToArray<float>();
    }

    public static float[] GradFloats(Tensor p)
    {
        using var g = p.grad ?? throw new InvalidOperationException("the parameter has no gradient");
        return ToFloats(g);
    }

    /// <summary>Accumulates exactly <paramref name="g"/> into <c>p.grad</c>: d/dp sum(p * g) = g.</summary>
    public static void BackwardDot(Tensor p, Tensor g)
    {
        using var scope = NewDisposeScope();
        (p * g).sum().backward();
    }
}
