using System.Runtime.InteropServices;
using static ClusterTrainer.Torch.NativeMethods;

namespace ClusterTrainer.Torch;

public static partial class torch
{
    /// <summary>
    /// A libtorch tensor. It owns one native tensor wrapper through a <see cref="SafeHandle"/>: call
    /// <see cref="Dispose"/> (or create it inside a <see cref="DisposeScope"/>) to free it promptly; the GC's
    /// finalizer frees forgotten ones eventually. Views share memory with their base, as in PyTorch.
    /// A Tensor is not thread-safe to dispose while another thread uses it.
    /// </summary>
    public sealed partial class Tensor : IDisposable
    {
        private readonly TensorHandle handle;

        /// <summary>The dispose scope that will dispose this tensor, if any.</summary>
        internal DisposeScope? OwningScope;

        internal Tensor(IntPtr native)
        {
            handle = new TensorHandle(Check(native));
            DisposeScopeManager.Current?.Attach(this);
        }

        /// <summary>Takes this tensor out of its dispose scope: the caller (or the GC) now frees it.</summary>
        public Tensor DetachFromDisposeScope()
        {
            OwningScope?.Forget(this);
            return this;
        }

        /// <summary>Hands this tensor from its dispose scope to the enclosing one (or to none at the outermost).</summary>
        public Tensor MoveToOuterDisposeScope() => OwningScope is { } scope ? scope.MoveToOuter(this) : this;

        /// <summary>The handle for native calls; throws if this tensor was disposed.</summary>
        internal TensorHandle H => handle.IsClosed ? throw Disposed() : handle;

        /// <summary>True once <see cref="Dispose"/> ran (directly or through a scope).</summary>
        public bool IsDisposed => handle.IsClosed;

        public void Dispose()
        {
            if (handle.IsClosed) return;
            OwningScope?.Forget(this);
            handle.Dispose();
        }

        private ObjectDisposedException Disposed() =>
            new(nameof(Tensor), "this tensor was disposed (directly or by the DisposeScope that owned it); " +
                "keep it alive with scope.MoveToOuter(t) or scope.Detach(t), or clone it before the scope ends");

        /// <summary>The raw at::Tensor* (for other parts of the binding that pass tensors to native code).</summary>
        internal IntPtr DangerousHandle => H.DangerousGetHandle();

        // ---- metadata ------------------------------------------------------------------------------
        public int dim() => Check(ct_tensor_dim(H));
        public int ndim => dim();
        public long numel() => Check(ct_tensor_numel(H));
        public ScalarType dtype => (ScalarType)Check(ct_tensor_dtype(H));
        public Device device => new((DeviceType)Check(ct_tensor_device_type(H)), ct_tensor_device_index(H));
        public DeviceType device_type => (DeviceType)Check(ct_tensor_device_type(H));
        public bool is_contiguous() => Check(ct_tensor_is_contiguous(H)) == 1;
        public int element_size() => Check(ct_tensor_element_size(H));

        /// <summary>The sizes of every dim (a new array).</summary>
        public unsafe long[] shape
        {
            get
            {
                var h = H;
                var n = Check(ct_tensor_dim(h));
                var s = new long[n];
                fixed (long* p = s) Check(ct_tensor_sizes(h, p, n));
                return s;
            }
        }

        public long[] size() => shape;

        /// <summary>The size of one dim (negative counts from the end).</summary>
        public long size(long dim) => Check(ct_tensor_size(H, dim));

        public unsafe long[] stride()
        {
            var h = H;
            var n = Check(ct_tensor_dim(h));
            var s = new long[n];
            fixed (long* p = s) Check(ct_tensor_strides(h, p, n));
            return s;
        }

        /// <summary>Tensors with more elements than this print as a one-line summary.</summary>
        public const long ToStringMaxElements = 1000;

        /// <summary>PyTorch's printout of the values, dtype and shape (a summary line for big tensors).</summary>
        public override string ToString()
        {
            if (handle.IsClosed) return "Tensor(disposed)";
            var n = ct_tensor_numel(handle);
            if (n > ToStringMaxElements)
                return $"Tensor(shape=[{string.Join(", ", shape)}], dtype={dtype.Name()}, device={device})";
            var p = ct_tensor_to_string(handle);
            return p == IntPtr.Zero ? throw TorchException.FromNative() : Marshal.PtrToStringUTF8(p)!;
        }

        // ---- conversions ---------------------------------------------------------------------------
        /// <summary>Converts the elements to <paramref name="type"/> (returns a handle to the same data when already so).</summary>
        public Tensor to(ScalarType type, bool copy = false)
        {
            var d = device;
            return new Tensor(ct_to(H, (int)type, (int)d.type, d.index, copy ? 1 : 0));
        }

        /// <summary>Moves to <paramref name="target"/>; CUDA without CUDA support throws a <see cref="TorchException"/>.</summary>
        public Tensor to(Device target, bool copy = false)
        {
            target.EnsureAvailable();
            return new Tensor(ct_to(H, (int)dtype, (int)target.type, target.index, copy ? 1 : 0));
        }

        public Tensor to(ScalarType type, Device target, bool copy = false)
        {
            target.EnsureAvailable();
            return new Tensor(ct_to(H, (int)type, (int)target.type, target.index, copy ? 1 : 0));
        }

        public Tensor cpu() => to(torch.CPU);
        public Tensor cuda() => to(torch.CUDA);
        public Tensor @float() => to(ScalarType.Float32);
        public Tensor @double() => to(ScalarType.Float64);
        public Tensor @long() => to(ScalarType.Int64);
        public Tensor @int() => to(ScalarType.Int32);
        public Tensor @bool() => to(ScalarType.Bool);
        public Tensor half() => to(ScalarType.Float16);
        public Tensor bfloat16() => to(ScalarType.BFloat16);

        public Tensor contiguous() => new(ct_contiguous(H));
        public Tensor clone() => new(ct_clone(H));

        /// <summary>A second Tensor object for the same native tensor (shares data and autograd identity).</summary>
        public Tensor alias() => new(ct_alias(H));

        // ---- in-place fills and initialisers (global generator, so seeded runs match PyTorch) --------
        public Tensor copy_(Tensor src) { Check(ct_copy_(H, src.H)); return this; }
        public Tensor fill_(Scalar value) { Check(ct_fill_(H, value)); return this; }
        public Tensor zero_() { Check(ct_zero_(H)); return this; }

        /// <summary>
        /// Makes this tensor share <paramref name="source"/>'s storage, offset, shape and strides (PyTorch's
        /// <c>set_</c>): writes through either are seen by both. Used to make parameters views of one flat buffer.
        /// </summary>
        public Tensor set_(Tensor source) { Check(ct_set_(H, source.H)); return this; }

        public Tensor uniform_(double from = 0, double to = 1) { Check(ct_uniform_(H, from, to)); return this; }
        public Tensor normal_(double mean = 0, double std = 1) { Check(ct_normal_(H, mean, std)); return this; }
        public Tensor bernoulli_(double p = 0.5) { Check(ct_bernoulli_(H, p)); return this; }
    }
}
