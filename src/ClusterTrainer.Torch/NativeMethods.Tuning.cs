using System.Runtime.InteropServices;

namespace ClusterTrainer.Torch;

internal static partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial int ct_version();
    [LibraryImport(Lib)] internal static partial int ct_openblas_set_num_threads(int n);
    [LibraryImport(Lib)] internal static partial int ct_openblas_get_num_threads();
    [LibraryImport(Lib)] internal static partial int ct_malloc_tuning(long mmapThreshold, long trimThreshold, int arenaMax);
    [LibraryImport(Lib)] internal static partial int ct_set_num_threads(int n);
    [LibraryImport(Lib)] internal static partial int ct_get_num_threads();
    [LibraryImport(Lib)] internal static partial int ct_set_num_interop_threads(int n);
    [LibraryImport(Lib)] internal static partial int ct_cuda_is_available();
    [LibraryImport(Lib)] internal static partial int ct_cuda_device_count();
    [LibraryImport(Lib)] internal static partial int ct_manual_seed(ulong seed);
}
