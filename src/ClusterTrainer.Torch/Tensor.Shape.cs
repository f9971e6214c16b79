using static ClusterTrainer.Torch.NativeMethods;

namespace ClusterTrainer.Torch;

public static partial class torch
{
    public sealed partial class Tensor
    {
        private unsafe Tensor Shape(ShapeOp op, ReadOnlySpan<long> dims)
        {
            fixed (long* d = dims) return new Tensor(ct_shape_op(op, H, d, dims.Length));
        }

        /// <summary>Same data with a new shape (a view when possible, else a copy); one size may be -1.</summary>
        public Tensor reshape(params long[] shape) => Shape(ShapeOp.Reshape, shape);
        /// <summary>A view with a new shape; fails for incompatible strides (use reshape or contiguous first).</summary>
        public Tensor view(params long[] shape) => Shape(ShapeOp.View, shape);
        public Tensor view_as(Tensor other) => view(other.shape);
        public Tensor reshape_as(Tensor other) => reshape(other.shape);
        public Tensor permute(params long[] dims) => Shape(ShapeOp.Permute, dims);
        public Tensor expand(params long[] sizes) => Shape(ShapeOp.Expand, sizes);
        public Tensor expand_as(Tensor other) => expand(other.shape);
        public Tensor broadcast_to(params long[] sizes) => Shape(ShapeOp.BroadcastTo, sizes);
        public Tensor repeat(params long[] repeats) => Shape(ShapeOp.Repeat, repeats);
        public Tensor flip(params long[] dims) => Shape(ShapeOp.Flip, dims);
        /// <summary>Removes every dim of size 1.</summary>
        public Tensor squeeze() => Shape(ShapeOp.SqueezeAll, default);
        public Tensor squeeze(long dim) => new(ct_squeeze_dim(H, dim));
        public Tensor unsqueeze(long dim) => new(ct_unsqueeze(H, dim));
        public Tensor transpose(long dim0, long dim1) => new(ct_transpose(H, dim0, dim1));
        /// <summary>Transpose of a tensor with at most 2 dims.</summary>
        public Tensor t() => Shape(ShapeOp.T, default);
        /// <summary>Transpose of a tensor with at most 2 dims (PyTorch's <c>.T</c> for matrices).</summary>
        public Tensor T => t();
        public Tensor flatten(long start_dim = 0, long end_dim = -1) => new(ct_flatten(H, start_dim, end_dim));
        public unsafe Tensor unflatten(long dim, params long[] sizes)
        {
            fixed (long* s = sizes) return new Tensor(ct_unflatten(H, dim, s, sizes.Length));
        }

        /// <summary>A view of <paramref name="length"/> elements along <paramref name="dim"/> from <paramref name="start"/>.</summary>
        public Tensor narrow(long dim, long start, long length) => new(ct_narrow(H, dim, start, length));
        /// <summary>The slice at <paramref name="index"/> along <paramref name="dim"/>, with that dim removed.</summary>
        public Tensor select(long dim, long index) => new(ct_select(H, dim, index));
        public Tensor slice(long dim, long start, long end, long step = 1) => new(ct_slice(H, dim, start, end, step));
        public Tensor index_select(long dim, Tensor index) => new(ct_index_select(H, dim, index.H));
        public Tensor gather(long dim, Tensor index) => new(ct_gather(H, dim, index.H));

        public unsafe Tensor scatter(long dim, Tensor index, Tensor src) { IntPtr r; Check(ct_scatter(H, dim, index.H, src.H, 0, &r)); return new Tensor(r); }
        public unsafe Tensor scatter_(long dim, Tensor index, Tensor src) { Check(ct_scatter(H, dim, index.H, src.H, 0, null)); return this; }
        public unsafe Tensor scatter_add(long dim, Tensor index, Tensor src) { IntPtr r; Check(ct_scatter(H, dim, index.H, src.H, 1, &r)); return new Tensor(r); }
        public unsafe Tensor scatter_add_(long dim, Tensor index, Tensor src) { Check(ct_scatter(H, dim, index.H, src.H, 1, null)); return this; }

        /// <summary>Pieces of <paramref name="split_size"/> along <paramref name="dim"/> (the last may be smaller).</summary>
        public unsafe Tensor[] split(long split_size, long dim = 0)
        {
            if (split_size <= 0) throw new ArgumentOutOfRangeException(nameof(split_size), split_size, "split size must be positive");
            var len = size(dim);
            var n = (int)Math.Max(1, (len + split_size - 1) / split_size);
            var outs = new IntPtr[n];
            int got;
            fixed (IntPtr* o = outs) got = Check(ct_split(H, split_size, null, 0, dim, o, n));
            return Wrap(outs, got);
        }

        /// <summary>Pieces with the given sizes along <paramref name="dim"/> (they must add up to its size).</summary>
        public unsafe Tensor[] split(long[] split_sizes, long dim = 0)
        {
            var outs = new IntPtr[split_sizes.Length];
            int got;
            fixed (long* s = split_sizes)
            fixed (IntPtr* o = outs) got = Check(ct_split(H, 0, s, split_sizes.Length, dim, o, outs.Length));
            return Wrap(outs, got);
        }

        /// <summary>At most <paramref name="chunks"/> pieces of equal size (the last may be smaller).</summary>
        public unsafe Tensor[] chunk(long chunks, long dim = 0)
        {
            if (chunks <= 0) throw new ArgumentOutOfRangeException(nameof(chunks), chunks, "chunks must be positive");
            var outs = new IntPtr[chunks];
            int got;
            fixed (IntPtr* o = outs) got = Check(ct_chunk(H, chunks, dim, o, outs.Length));
            return Wrap(outs, got);
        }

        /// <summary>Zeroes the elements above the <paramref name="diagonal"/> (0 = main; positive = above it).</summary>
        public Tensor tril(long diagonal = 0) => new(ct_triangle(H, diagonal, 0));
        /// <summary>Zeroes the elements below the <paramref name="diagonal"/> (attention masks use triu(1)).</summary>
        public Tensor triu(long diagonal = 0) => new(ct_triangle(H, diagonal, 1));
        /// <summary>Positions of the non-zero elements, one row of indices each (an int64 (n, dim) tensor).</summary>
        public Tensor nonzero() => new(ct_nonzero(H));

        private static Tensor[] Wrap(IntPtr[] handles, int count)
        {
            var result = new Tensor[count];
            for (var k = 0; k < count; k++) result[k] = new Tensor(handles[k]);
            return result;
        }
    }

    /// <summary>Concatenates tensors along an existing dim.</summary>
    public static Tensor cat(IReadOnlyList<Tensor> tensors, long dim = 0) => Join(tensors, dim, stack: false);

    /// <summary>Stacks same-shaped tensors along a new dim.</summary>
    public static Tensor stack(IReadOnlyList<Tensor> tensors, long dim = 0) => Join(tensors, dim, stack: true);

    public static Tensor where(Tensor condition, Tensor x, Tensor y) => new(NativeMethods.ct_where(condition.H, x.H, y.H));

    private static unsafe Tensor Join(IReadOnlyList<Tensor> tensors, long dim, bool stack)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0) throw new ArgumentException($"{(stack ? "stack" : "cat")} needs at least one tensor", nameof(tensors));
        var handles = tensors.Count <= 64 ? stackalloc IntPtr[tensors.Count] : new IntPtr[tensors.Count];
        for (var k = 0; k < handles.Length; k++) handles[k] = tensors[k].DangerousHandle;
        IntPtr r;
        fixed (IntPtr* p = handles) r = stack ? NativeMethods.ct_stack(p, handles.Length, dim) : NativeMethods.ct_cat(p, handles.Length, dim);
        GC.KeepAlive(tensors);
        return new Tensor(r);
    }
}
