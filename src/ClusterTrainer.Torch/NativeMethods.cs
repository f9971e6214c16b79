using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ClusterTrainer.Torch;

/// <summary>
/// P/Invoke declarations of the native shim, one partial file per native area. Every export reports
/// failure by a sentinel (null tensor, negative status); <see cref="Check(IntPtr)"/> turns it into a
/// <see cref="TorchException"/> carrying libtorch's message.
/// Adding an area (nn, optim, ...): put its exports in native/ct_AREA.cpp (include ct_common.h, wrap every body in
/// CT_TRY/CT_CATCH, return tensors only through ct::wrap so the live counter stays exact) and its imports in
/// NativeMethods.AREA.cs; wrap returned handles with <c>new torch.Tensor(ptr)</c>, which throws the native error
/// on null. SuppressGCTransition is only for calls that cannot block or run long.
/// </summary>
internal static partial class NativeMethods
{
    private const string Lib = NativeLibraryLoader.LibraryName;

    [LibraryImport(Lib)]
    internal static partial IntPtr ct_last_error();

    [LibraryImport(Lib), SuppressGCTransition]
    internal static partial long ct_live_tensors();

    [LibraryImport(Lib)]
    internal static partial void ct_tensor_free(IntPtr t);

    /// <summary>Takes the pending native error message (copied into managed memory) and clears it.</summary>
    internal static string? TakeLastError()
    {
        var p = ct_last_error();
        return p == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(p);
    }

    internal static IntPtr Check(IntPtr tensor) => tensor != IntPtr.Zero ? tensor : throw TorchException.FromNative();

    internal static int Check(int status) => status >= 0 ? status : throw TorchException.FromNative();

    internal static long Check(long value) => value >= 0 ? value : throw TorchException.FromNative();
}
