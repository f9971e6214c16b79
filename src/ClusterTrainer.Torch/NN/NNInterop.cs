using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Torch;

/// <summary>The only place the nn area touches the core binding's internals: raw handles in, tensors out,
/// native errors to exceptions, and keeping module state out of dispose scopes.</summary>
internal static class NNInterop
{
    /// <summary>Raw native handle of a tensor, or null for an absent optional tensor.</summary>
    internal static IntPtr H(Tensor? t) => t is null ? IntPtr.Zero : t.DangerousHandle;

    /// <summary>Wraps a handle the shim returned (owned by the new tensor); throws the native error on null.</summary>
    internal static Tensor W(IntPtr handle) => new(handle); // Tensor's constructor throws the native error on null

    /// <summary>Wraps a handle that may legitimately be null (an optional output).</summary>
    internal static Tensor? WOpt(IntPtr handle) => handle == IntPtr.Zero ? null : new Tensor(handle);

    internal static void Check(int rc) => NativeMethods.Check(rc);

    /// <summary>A new parameter of the given shape (uninitialised values; the layer's reset_parameters fills them).</summary>
    internal static Tensor NewParameter(params long[] shape)
    {
        using var data = torch.empty(shape);
        return nn.Parameter(data);
    }

    internal static Tensor Zeros(long[] shape, ScalarType? dtype = null) => torch.zeros(shape, dtype: dtype);

    internal static Tensor Ones(long[] shape) => torch.ones(shape);

    /// <summary>Module parameters and buffers live as long as their module, not as long as the dispose
    /// scope that happened to be current when the module was built.</summary>
    internal static void Persist(Tensor t) => t.OwningScope?.Forget(t);
}
