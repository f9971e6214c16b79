using static ClusterTrainer.Torch.NativeMethods;

namespace ClusterTrainer.Torch;

public static partial class torch
{
    public sealed partial class Tensor
    {
        /// <summary>
        /// A zero-copy span over the elements of a contiguous CPU tensor whose dtype matches
        /// <typeparamref name="T"/>. Writes go straight into the tensor (no autograd tracking). The span is
        /// valid only while this tensor (and its storage) lives and is not resized or <c>set_</c> elsewhere.
        /// </summary>
        public unsafe Span<T> data<T>() where T : unmanaged
        {
            var h = H;
            CheckElementType<T>("data<T>()");
            if (Check(ct_tensor_device_type(h)) != (int)DeviceType.CPU)
                throw new TorchException($"data<T>() needs a CPU tensor but this one is on {device}; call .cpu() first");
            if (Check(ct_tensor_is_contiguous(h)) != 1)
                throw new TorchException("data<T>() needs a contiguous tensor (this one is a strided view); call .contiguous() first, or use CopyTo");
            var n = Check(ct_tensor_numel(h));
            if (n > int.MaxValue) throw new TorchException($"the tensor has {n} elements, more than a Span can address; use narrow() to take parts");
            if (n == 0) return Span<T>.Empty;
            var p = ct_tensor_data_ptr(h);
            if (p == IntPtr.Zero) throw TorchException.FromNative();
            return new Span<T>((void*)p, (int)n);
        }

        /// <summary>The address of the first element (storage pointer plus offset).</summary>
        public IntPtr data_ptr()
        {
            var p = ct_tensor_data_ptr(H);
            return p != IntPtr.Zero || numel() == 0 ? p : throw TorchException.FromNative();
        }

        /// <summary>Copies every element, in row-major order, into <paramref name="destination"/> (any layout or device).</summary>
        public unsafe void CopyTo<T>(Span<T> destination) where T : unmanaged
        {
            CheckElementType<T>("CopyTo");
            fixed (T* p = destination) Check(ct_copy_to_host(H, p, (long)destination.Length * sizeof(T)));
        }

        /// <summary>Overwrites every element, in row-major order, from <paramref name="source"/> (views included).</summary>
        public unsafe void CopyFrom<T>(ReadOnlySpan<T> source) where T : unmanaged
        {
            CheckElementType<T>("CopyFrom");
            fixed (T* p = source) Check(ct_copy_from_host(H, p, (long)source.Length * sizeof(T)));
        }

        /// <summary>The elements in row-major order as a new array.</summary>
        public T[] ToArray<T>() where T : unmanaged
        {
            var n = numel();
            if (n > Array.MaxLength) throw new TorchException($"the tensor has {n} elements, too many for one array");
            var a = new T[n];
            CopyTo<T>(a);
            return a;
        }

        /// <summary>The value of a one-element tensor, converted to <typeparamref name="T"/> as PyTorch's .item() would.</summary>
        public unsafe T item<T>() where T : unmanaged
        {
            T v;
            Check(ct_item(H, (int)ScalarTypes.Of<T>(), &v));
            return v;
        }

        private void CheckElementType<T>(string what) where T : unmanaged
        {
            var want = ScalarTypes.Of<T>();
            var have = dtype;
            if (want != have)
                throw new TorchException(
                    $"{what} with {typeof(T).Name} elements needs a {want.Name()} tensor but this one is {have.Name()}; " +
                    $"use the matching element type or convert with .to(ScalarType.{want})");
        }
    }
}
