using static ClusterTrainer.Torch.NativeMethods;

namespace ClusterTrainer.Torch;

public static partial class torch
{
    public sealed partial class Tensor
    {
        /// <summary>
        /// Python-style indexing: <c>t[0]</c>, <c>t[.., 1..3]</c>, <c>t[TensorIndex.Ellipsis, 0]</c>, <c>t[mask]</c>.
        /// Basic indexing (integers, slices) returns a view; tensor indices return a copy. The setter writes
        /// <c>value</c> (broadcast) into the indexed elements in place.
        /// </summary>
        public Tensor this[params TensorIndex[] indices]
        {
            get => index(indices);
            set => index_put_(value, indices);
        }

        public unsafe Tensor index(params TensorIndex[] indices)
        {
            var specs = indices.Length <= 16 ? stackalloc IndexSpec[indices.Length] : new IndexSpec[indices.Length];
            for (var k = 0; k < indices.Length; k++) specs[k] = indices[k].ToSpec();
            IntPtr r;
            fixed (IndexSpec* p = specs) r = ct_index(H, p, specs.Length);
            GC.KeepAlive(indices);
            return new Tensor(r);
        }

        /// <summary>Writes <paramref name="value"/> into <c>this[indices]</c> in place.</summary>
        public unsafe Tensor index_put_(Tensor value, params TensorIndex[] indices)
        {
            ArgumentNullException.ThrowIfNull(value);
            var specs = indices.Length <= 16 ? stackalloc IndexSpec[indices.Length] : new IndexSpec[indices.Length];
            for (var k = 0; k < indices.Length; k++) specs[k] = indices[k].ToSpec();
            fixed (IndexSpec* p = specs) Check(ct_index_put(H, p, specs.Length, value.H, 0));
            GC.KeepAlive(indices);
            return this;
        }

        /// <summary>Writes the scalar <paramref name="value"/> into <c>this[indices]</c> in place.</summary>
        public unsafe Tensor index_put_(Scalar value, params TensorIndex[] indices)
        {
            var specs = indices.Length <= 16 ? stackalloc IndexSpec[indices.Length] : new IndexSpec[indices.Length];
            for (var k = 0; k < indices.Length; k++) specs[k] = indices[k].ToSpec();
            fixed (IndexSpec* p = specs) Check(ct_index_put(H, p, specs.Length, TensorHandle.Null, value));
            GC.KeepAlive(indices);
            return this;
        }
    }
}
