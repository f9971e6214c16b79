namespace ClusterTrainer.Torch.Optim;

using static ClusterTrainer.Torch.torch;

/// <summary>
/// The optimizers' small bridge to the tensor core: handles, wrapping native results, error checks.
/// State tensors are kept out of any dispose scope: they live as long as the optimizer that owns them.
/// </summary>
internal static class OptimInterop
{
    internal static TensorHandle Handle(Tensor t) => t.H;

    internal static void Check(int rc) => NativeMethods.Check(rc);

    /// <summary>Wraps a native result (throwing the stored native error when it is null).</summary>
    internal static Tensor Wrap(IntPtr handle) => new(handle);

    internal static bool HasGrad(Tensor p)
    {
        int rc = NativeMethods.ct_optim_has_grad(Handle(p));
        if (rc < 0) throw TorchException.FromNative();
        return rc == 1;
    }

    internal static bool SameShape(Tensor a, Tensor b)
    {
        int rc = NativeMethods.ct_optim_same_shape(Handle(a), Handle(b));
        if (rc < 0) throw TorchException.FromNative();
        return rc == 1;
    }

    /// <summary>A state tensor like <paramref name="param"/> filled with <paramref name="fill"/>, owned by the optimizer.</summary>
    internal static Tensor StateLike(Tensor param, double fill) =>
        Unscoped(Wrap(NativeMethods.ct_optim_state_like(Handle(param), fill)));

    internal static Tensor ScalarState(double value) =>
        Unscoped(Wrap(NativeMethods.ct_optim_scalar_state(value)));

    internal static Tensor CloneState(Tensor t) =>
        Unscoped(Wrap(NativeMethods.ct_optim_clone_state(Handle(t))));

    /// <summary>Takes a tensor out of the dispose scope it was created in: its owner disposes it.</summary>
    private static Tensor Unscoped(Tensor t) => t.OwningScope is { } scope ? scope.Detach(t) : t;

    internal static Tensor Ensure(ParamState state, string name, Tensor param)
    {
        var t = state.Find(name);
        if (t is null) state.Set(name, t = StateLike(param, 0.0));
        return t;
    }

    /// <summary>Runs every training step: no managed allocation for groups of up to 64 parameters.</summary>
    internal static unsafe void ZeroGrad(IReadOnlyList<Tensor> parameters, bool setToNone)
    {
        int n = parameters.Count;
        Span<IntPtr> handles = n <= 64 ? stackalloc IntPtr[n] : new IntPtr[n];
        for (int i = 0; i < n; i++) handles[i] = Handle(parameters[i]).DangerousGetHandle();
        int rc;
        fixed (IntPtr* p = handles) rc = NativeMethods.ct_optim_zero_grad(p, n, setToNone ? 1 : 0);
        GC.KeepAlive(parameters);
        Check(rc);
    }

    /// <summary>
    /// Raw native pointers of a tensor list for array arguments. The caller keeps <paramref name="tensors"/>
    /// alive (GC.KeepAlive) until the native call returns; a disposed tensor throws here.
    /// </summary>
    internal static IntPtr[] RawHandles(IReadOnlyList<Tensor> tensors)
    {
        var handles = new IntPtr[tensors.Count];
        for (int i = 0; i < handles.Length; i++)
        {
            var h = Handle(tensors[i] ?? throw new ArgumentException($"Parameter {i} of the list is null."));
            handles[i] = h.DangerousGetHandle();
        }
        return handles;
    }
}
