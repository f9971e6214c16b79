using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ClusterTrainer.Torch;

internal static partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial int ct_requires_grad(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int ct_set_requires_grad(TensorHandle t, int flag);
    [LibraryImport(Lib)] internal static partial int ct_is_leaf(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int ct_backward(TensorHandle t, TensorHandle grad, int retainGraph, int createGraph);
    [LibraryImport(Lib)] internal static partial int ct_grad(TensorHandle t, out IntPtr grad);
    [LibraryImport(Lib)] internal static partial int ct_set_grad(TensorHandle t, TensorHandle grad);
    [LibraryImport(Lib)] internal static partial IntPtr ct_detach(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int ct_detach_(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int ct_retain_grad(TensorHandle t);
    [LibraryImport(Lib), SuppressGCTransition] internal static partial int ct_grad_enabled();
    [LibraryImport(Lib)] internal static partial int ct_set_grad_enabled(int enabled);

    [LibraryImport(Lib)]
    internal static unsafe partial int ct_autograd_grad(TensorHandle t, TensorHandle grad, IntPtr* inputs, int n, IntPtr* outs,
        int retainGraph, int createGraph, int allowUnused);
}
