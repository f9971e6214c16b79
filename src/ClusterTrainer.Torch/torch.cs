using static ClusterTrainer.Torch.NativeMethods;

namespace ClusterTrainer.Torch;

/// <summary>
/// The entry point, named and shaped after PyTorch/TorchSharp: <c>using static ClusterTrainer.Torch.torch;</c>
/// then <c>zeros(2, 3)</c>, <c>tensor(data, shape)</c>, <c>no_grad()</c>, <c>NewDisposeScope()</c>.
/// The default dtype is float32 and the default device is the CPU.
/// </summary>
public static partial class torch
{
    public const ScalarType uint8 = ScalarType.Byte;
    public const ScalarType int8 = ScalarType.Int8;
    public const ScalarType int16 = ScalarType.Int16;
    public const ScalarType int32 = ScalarType.Int32;
    public const ScalarType int64 = ScalarType.Int64;
    public const ScalarType float16 = ScalarType.Float16;
    public const ScalarType half = ScalarType.Float16;
    public const ScalarType bfloat16 = ScalarType.BFloat16;
    public const ScalarType float32 = ScalarType.Float32;
    public const ScalarType float64 = ScalarType.Float64;
    public const ScalarType @bool = ScalarType.Bool;

    public static readonly Device CPU = new(DeviceType.CPU);
    public static readonly Device CUDA = new(DeviceType.CUDA);

    /// <summary>Parses "cpu", "cuda" or "cuda:N".</summary>
    public static Device device(string spec) => Device.Parse(spec);

    /// <summary>CUDA queries. Debian's libtorch is CPU-only, so is_available() is false there.</summary>
    public static class cuda
    {
        public static bool is_available() => ct_cuda_is_available() == 1;
        public static int device_count() => ct_cuda_device_count();
    }

    /// <summary>Seeds the global generator used by rand, randn, randint, dropout and the in-place initialisers.</summary>
    public static void manual_seed(long seed) => Check(ct_manual_seed(unchecked((ulong)seed)));

    /// <summary>libtorch's intra-op thread count (see <see cref="TorchSettings.Threads"/>).</summary>
    public static void set_num_threads(int threads) => TorchSettings.Threads = threads;
    public static int get_num_threads() => TorchSettings.Threads;

    /// <summary>Native tensor wrappers alive in the process (created and not yet freed). Zero when nothing leaks.</summary>
    public static long LiveNativeTensors => ct_live_tensors();

    /// <summary>Opens a dispose scope on this thread; every tensor created until it is disposed belongs to it.</summary>
    public static DisposeScope NewDisposeScope() => DisposeScopeManager.Open();

    // ---- grad mode ---------------------------------------------------------------------------------
    /// <summary>Disables gradient recording on this thread until the returned scope is disposed.</summary>
    public static GradModeScope no_grad() => new(false);

    /// <summary>Enables gradient recording on this thread until the returned scope is disposed.</summary>
    public static GradModeScope enable_grad() => new(true);

    public static GradModeScope set_grad_enabled(bool enabled) => new(enabled);

    public static bool is_grad_enabled() => ct_grad_enabled() == 1;

    /// <summary>Sets this thread's grad mode and restores the previous one on dispose (use with <c>using</c>).</summary>
    public sealed class GradModeScope : IDisposable
    {
        private readonly bool previous;
        private bool disposed;

        internal GradModeScope(bool enabled) => previous = ct_set_grad_enabled(enabled ? 1 : 0) == 1;

        public void Dispose()
        {
            if (disposed) return;
            disposed = true;
            ct_set_grad_enabled(previous ? 1 : 0);
        }
    }
}
