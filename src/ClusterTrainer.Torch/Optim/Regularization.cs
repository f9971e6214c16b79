namespace ClusterTrainer.Torch.Optim;

using static ClusterTrainer.Torch.torch;

/// <summary>
/// Explicit L1 and L2 penalties to add to a loss (differentiable: <c>backward()</c> sends their gradient
/// into the parameters).
///
/// Versus <c>weight_decay</c>: <see cref="L2Penalty"/> is defined as <c>lambda / 2 * sum(p^2)</c>, so its
/// gradient <c>lambda * p</c> is exactly what SGD/Adam/... add with <c>weight_decay = lambda</c>; use the
/// option (cheaper: no extra graph) unless you need the penalty in the reported loss or on a subset of the
/// parameters. AdamW's decoupled weight decay is not an L2 penalty at all (it bypasses the adaptive scaling).
/// There is no optimizer option for L1: <see cref="L1Penalty"/> (<c>lambda * sum|p|</c>, gradient
/// <c>lambda * sign(p)</c>) is the way to get sparse weights.
/// </summary>
public static class Regularization
{
    public static Tensor L1Penalty(IEnumerable<Tensor> parameters, double lambda) => Penalty(parameters, lambda, 1);

    public static Tensor L2Penalty(IEnumerable<Tensor> parameters, double lambda) => Penalty(parameters, lambda, 2);

    private static unsafe Tensor Penalty(IEnumerable<Tensor> parameters, double lambda, int kind)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(lambda >= 0) || double.IsInfinity(lambda))
            throw new ArgumentException($"Invalid penalty lambda: {lambda}. It must be a finite value >= 0.", nameof(lambda));
        var list = parameters.ToArray();
        var handles = OptimInterop.RawHandles(list);
        IntPtr result;
        fixed (IntPtr* p = handles) result = NativeMethods.ct_optim_penalty(p, handles.Length, lambda, kind);
        GC.KeepAlive(list);
        return OptimInterop.Wrap(result);
    }
}
