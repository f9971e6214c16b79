using static ClusterTrainer.Torch.NativeMethods;

namespace ClusterTrainer.Torch;

public static partial class torch
{
    public sealed partial class Tensor
    {
        private unsafe Tensor ReduceAll(ReduceOp op, double p = 2, bool unbiased = true) =>
            new(ct_reduce(op, H, null, -1, 0, p, unbiased ? 1 : 0));

        private unsafe Tensor Reduce(ReduceOp op, ReadOnlySpan<long> dims, bool keepdim, double p = 2, bool unbiased = true)
        {
            fixed (long* d = dims) return new Tensor(ct_reduce(op, H, d, dims.Length, keepdim ? 1 : 0, p, unbiased ? 1 : 0));
        }

        private unsafe Tensor Reduce(ReduceOp op, long dim, bool keepdim, double p = 2, bool unbiased = true) =>
            new(ct_reduce(op, H, &dim, 1, keepdim ? 1 : 0, p, unbiased ? 1 : 0));

        /// <summary>Sum of all elements (a 0-dim tensor; int64 for integer and bool tensors, as in PyTorch).
        /// There is deliberately no sum(ScalarType) overload: C# converts a literal 0 to any enum, so it would
        /// capture <c>t.sum(0)</c>. Convert first instead: <c>t.to(float64).sum()</c>.</summary>
        public Tensor sum() => ReduceAll(ReduceOp.Sum);
        public Tensor sum(long dim, bool keepdim = false) => Reduce(ReduceOp.Sum, dim, keepdim);
        public Tensor sum(long[] dims, bool keepdim = false) => Reduce(ReduceOp.Sum, dims, keepdim);
        public Tensor mean() => ReduceAll(ReduceOp.Mean);
        public Tensor mean(long dim, bool keepdim = false) => Reduce(ReduceOp.Mean, dim, keepdim);
        public Tensor mean(long[] dims, bool keepdim = false) => Reduce(ReduceOp.Mean, dims, keepdim);
        public Tensor prod() => ReduceAll(ReduceOp.Prod);
        public Tensor prod(long dim, bool keepdim = false) => Reduce(ReduceOp.Prod, dim, keepdim);

        /// <summary>Largest element (a 0-dim tensor).</summary>
        public Tensor max() => ReduceAll(ReduceOp.Max);
        /// <summary>Largest elements along <paramref name="dim"/> and where they are (PyTorch's max(dim)).</summary>
        public (Tensor values, Tensor indexes) max(long dim, bool keepdim = false) => MaxMin(dim, keepdim, isMin: false);
        public Tensor amax(long[] dims, bool keepdim = false) => Reduce(ReduceOp.Max, dims, keepdim);
        public Tensor min() => ReduceAll(ReduceOp.Min);
        public (Tensor values, Tensor indexes) min(long dim, bool keepdim = false) => MaxMin(dim, keepdim, isMin: true);
        public Tensor amin(long[] dims, bool keepdim = false) => Reduce(ReduceOp.Min, dims, keepdim);
        public Tensor argmax() => ReduceAll(ReduceOp.Argmax);
        public Tensor argmax(long dim, bool keepdim = false) => Reduce(ReduceOp.Argmax, dim, keepdim);
        public Tensor argmin() => ReduceAll(ReduceOp.Argmin);
        public Tensor argmin(long dim, bool keepdim = false) => Reduce(ReduceOp.Argmin, dim, keepdim);

        /// <summary>Standard deviation; <paramref name="unbiased"/> divides by n - 1 as PyTorch does by default.</summary>
        public Tensor std(bool unbiased = true) => ReduceAll(ReduceOp.Std, unbiased: unbiased);
        public Tensor std(long dim, bool unbiased = true, bool keepdim = false) => Reduce(ReduceOp.Std, dim, keepdim, unbiased: unbiased);
        public Tensor std(long[] dims, bool unbiased = true, bool keepdim = false) => Reduce(ReduceOp.Std, dims, keepdim, unbiased: unbiased);
        public Tensor var(bool unbiased = true) => ReduceAll(ReduceOp.Var, unbiased: unbiased);
        public Tensor var(long dim, bool unbiased = true, bool keepdim = false) => Reduce(ReduceOp.Var, dim, keepdim, unbiased: unbiased);
        public Tensor var(long[] dims, bool unbiased = true, bool keepdim = false) => Reduce(ReduceOp.Var, dims, keepdim, unbiased: unbiased);

        /// <summary>The p-norm of all elements (default: Euclidean).</summary>
        public Tensor norm(double p = 2) => ReduceAll(ReduceOp.Norm, p);
        /// <summary>The p-norm along <paramref name="dim"/> (TorchSharp's order: <c>t.norm(1)</c> is over dim 1; write <c>t.norm(p: 1)</c> for the 1-norm).</summary>
        public Tensor norm(long dim, bool keepdim = false, double p = 2) => Reduce(ReduceOp.Norm, dim, keepdim, p);
        public Tensor norm(long[] dims, bool keepdim = false, double p = 2) => Reduce(ReduceOp.Norm, dims, keepdim, p);
        public Tensor logsumexp(long dim, bool keepdim = false) => Reduce(ReduceOp.Logsumexp, dim, keepdim);

        public Tensor all() => ReduceAll(ReduceOp.All);
        public Tensor all(long dim, bool keepdim = false) => Reduce(ReduceOp.All, dim, keepdim);
        public Tensor any() => ReduceAll(ReduceOp.Any);
        public Tensor any(long dim, bool keepdim = false) => Reduce(ReduceOp.Any, dim, keepdim);

        public Tensor cumsum(long dim) => new(ct_scan(0, H, dim));
        public Tensor cumprod(long dim) => new(ct_scan(1, H, dim));
        public Tensor softmax(long dim) => new(ct_scan(2, H, dim));
        public Tensor log_softmax(long dim) => new(ct_scan(3, H, dim));

        /// <summary>Sorted values along <paramref name="dim"/> and their original positions.</summary>
        public (Tensor values, Tensor indices) sort(long dim = -1, bool descending = false)
        {
            Check(ct_sort_topk(H, -1, dim, descending ? 1 : 0, out var values, out var indices));
            return (new Tensor(values), new Tensor(indices));
        }

        /// <summary>The <paramref name="k"/> largest (or smallest) values along <paramref name="dim"/>, sorted, with positions.</summary>
        public (Tensor values, Tensor indices) topk(long k, long dim = -1, bool largest = true)
        {
            if (k < 0) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be non-negative");
            Check(ct_sort_topk(H, k, dim, largest ? 1 : 0, out var values, out var indices));
            return (new Tensor(values), new Tensor(indices));
        }

        private (Tensor, Tensor) MaxMin(long dim, bool keepdim, bool isMin)
        {
            Check(ct_max_min_dim(H, dim, keepdim ? 1 : 0, isMin ? 1 : 0, out var values, out var indexes));
            return (new Tensor(values), new Tensor(indexes));
        }
    }
}
