using System.Runtime.InteropServices;

namespace ClusterTrainer.Torch;

/// <summary>
/// Threading and allocator tuning, applied when the native shim loads (the first torch call) and
/// changeable at any time after. Two traps each halve libtorch's speed on a plain Linux box:
/// <list type="number">
/// <item>OpenBLAS's own thread pool spinning against libtorch's OpenMP pool. OpenBLAS is set to
/// <see cref="OpenBlasThreads"/> threads (default 1; libtorch parallelises around BLAS calls itself).
/// Env var <c>CLUSTERTRAINER_OPENBLAS_THREADS</c>. A no-op when the BLAS in use is not OpenBLAS.</item>
/// <item>glibc malloc unmapping and trimming big activation buffers after every step, which costs page
/// faults on the next. With <see cref="MallocTuning"/> on (default) <c>M_MMAP_THRESHOLD</c> is raised to
/// 32 MiB and <c>M_TRIM_THRESHOLD</c> to 1 GiB. Env var <c>CLUSTERTRAINER_MALLOC_TUNING=0</c> turns it off.</item>
/// </list>
/// libtorch's intra-op thread count is <see cref="Threads"/> (default: the number of cores; env var
/// <c>CLUSTERTRAINER_THREADS</c>). An invalid env value makes the first torch call fail with a TorchException naming it.
/// </summary>
public static class TorchSettings
{
    /// <summary>glibc's mmap threshold with tuning on: blocks below this come from the heap and are reused.</summary>
    public const long MmapThresholdBytes = 32L << 20;

    /// <summary>glibc's trim threshold with tuning on: free heap above this is returned to the OS.</summary>
    public const long TrimThresholdBytes = 1L << 30;

    private static readonly object Gate = new();
    private static bool loaded;
    private static string? configError;
    private static int threads = ReadInt("CLUSTERTRAINER_THREADS", Environment.ProcessorCount);
    private static int openBlasThreads = ReadInt("CLUSTERTRAINER_OPENBLAS_THREADS", 1);
    private static bool mallocTuning = Environment.GetEnvironmentVariable("CLUSTERTRAINER_MALLOC_TUNING") != "0";
    private static int mallocArenaMax = ReadInt("CLUSTERTRAINER_MALLOC_ARENA_MAX", 0, allowZero: true);

    /// <summary>
    /// libtorch intra-op threads (<c>torch.set_num_threads</c>). Default: the core count. The value set before
    /// the library loads (or through the env var) applies to every thread. Debian's libtorch uses OpenMP,
    /// whose thread count is per calling thread: a change made later reaches the calling thread and threads
    /// that have not yet run a parallel op, not threads that already have.
    /// </summary>
    public static int Threads
    {
        get { lock (Gate) return loaded ? NativeMethods.ct_get_num_threads() : threads; }
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), value, "the thread count must be at least 1");
            lock (Gate)
            {
                threads = value;
                if (loaded) NativeMethods.Check(NativeMethods.ct_set_num_threads(value));
            }
        }
    }

    /// <summary>OpenBLAS threads. Default 1. Has no effect when the loaded BLAS is not OpenBLAS.</summary>
    public static int OpenBlasThreads
    {
        get { lock (Gate) return openBlasThreads; }
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), value, "the thread count must be at least 1");
            lock (Gate)
            {
                openBlasThreads = value;
                if (loaded) OpenBlasFound = NativeMethods.ct_openblas_set_num_threads(value) == 1;
            }
        }
    }

    /// <summary>
    /// glibc malloc tuning (see the class remarks). Turning it on after load applies it then; turning it off
    /// after load restores glibc's default thresholds (128 KiB mmap, 128 KiB trim).
    /// </summary>
    public static bool MallocTuning
    {
        get { lock (Gate) return mallocTuning; }
        set
        {
            lock (Gate)
            {
                mallocTuning = value;
                if (!loaded) return;
                var rc = value
                    ? NativeMethods.ct_malloc_tuning(MmapThresholdBytes, TrimThresholdBytes, 0)
                    : NativeMethods.ct_malloc_tuning(128 << 10, 128 << 10, 0);
                if (rc != 0) throw new TorchException("mallopt refused the malloc tuning thresholds");
            }
        }
    }

    /// <summary>True when the process's BLAS is OpenBLAS and its thread count was set.</summary>
    public static bool OpenBlasFound { get; private set; }

    /// <summary>
    /// glibc's arena cap (<c>M_ARENA_MAX</c>) applied with the malloc tuning; 0 (default) leaves glibc's choice
    /// (8 per core). A small cap (2-4) trims RSS in processes with many threads allocating tensors.
    /// Env var <c>CLUSTERTRAINER_MALLOC_ARENA_MAX</c>. Takes effect only before the library loads.
    /// </summary>
    public static int MallocArenaMax
    {
        get { lock (Gate) return mallocArenaMax; }
        set
        {
            if (value < 0) throw new ArgumentOutOfRangeException(nameof(value), value, "the arena cap must be 0 (glibc default) or positive");
            lock (Gate)
            {
                if (loaded) throw new InvalidOperationException("MallocArenaMax must be set before the first torch call (glibc fixes its arenas early)");
                mallocArenaMax = value;
            }
        }
    }

    private static int ReadInt(string name, int fallback, bool allowZero = false)
    {
        var raw = Environment.GetEnvironmentVariable(name);
        if (string.IsNullOrWhiteSpace(raw)) return fallback;
        if (int.TryParse(raw, out var v) && (v >= 1 || (allowZero && v == 0))) return v;
        configError = $"{name}='{raw}' is not a {(allowZero ? "non-negative" : "positive")} integer; set it to a count such as {(allowZero ? "0 or " : "1 or ")}{Environment.ProcessorCount}, or unset it";
        return fallback;
    }

    /// <summary>Called by the loader, inside the DllImport resolver, so it calls exports through pointers.</summary>
    internal static unsafe void ApplyAtLoad(IntPtr library)
    {
        lock (Gate)
        {
            if (configError is not null) throw new TorchException(configError);
            var setThreads = (delegate* unmanaged<int, int>)NativeLibrary.GetExport(library, "ct_set_num_threads");
            var setBlas = (delegate* unmanaged<int, int>)NativeLibrary.GetExport(library, "ct_openblas_set_num_threads");
            var malloc = (delegate* unmanaged<long, long, int, int>)NativeLibrary.GetExport(library, "ct_malloc_tuning");
            if (mallocTuning) malloc(MmapThresholdBytes, TrimThresholdBytes, mallocArenaMax);
            OpenBlasFound = setBlas(openBlasThreads) == 1;
            setThreads(threads);
            loaded = true;
        }
    }
}
