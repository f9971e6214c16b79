using System.Runtime.InteropServices;

namespace ClusterTrainer.Torch;

/// <summary>Owns one native tensor wrapper (an at::Tensor* made by the shim); releasing it frees the wrapper.</summary>
internal sealed class TensorHandle : SafeHandle
{
    /// <summary>A null handle for optional tensor arguments (never released).</summary>
    internal static readonly TensorHandle Null = new(IntPtr.Zero, ownsHandle: false);

    internal TensorHandle(IntPtr handle, bool ownsHandle = true) : base(IntPtr.Zero, ownsHandle) => SetHandle(handle);

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMethods.ct_tensor_free(handle);
        return true;
    }
}
