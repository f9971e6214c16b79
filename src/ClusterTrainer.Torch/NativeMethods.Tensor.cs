using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ClusterTrainer.Torch;

/// <summary>Op codes shared with ct_tensor_math.cpp (append only; never renumber).</summary>
internal enum UnaryOp
{
    Neg, Abs, Exp, Log, Sqrt, Rsqrt, Sign, Square, Sin, Cos, Tanh, Sigmoid, Relu, Floor, Ceil,
    Round, Log1p, Expm1, Reciprocal, LogicalNot, Log2, Log10, Tan, Trunc, Frac, Erf, BitwiseNot,
}

/// <summary>Op codes shared with ct_tensor_math.cpp (append only; never renumber).</summary>
internal enum BinaryOp
{
    Add, Sub, Mul, Div, Pow, Maximum, Minimum, Matmul, Bmm, Eq, Ne, Lt, Le, Gt, Ge, Remainder,
    LogicalAnd, LogicalOr, LogicalXor, Mm, Atan2, Fmod, Rsub, Rdiv, FloorDivide, Outer, Dot,
}

/// <summary>Op codes shared with ct_tensor_reduce.cpp (append only).</summary>
internal enum ReduceOp { Sum, Mean, Max, Min, Prod, Argmax, Argmin, Std, Var, Norm, All, Any, Logsumexp }

/// <summary>Op codes shared with ct_tensor_shape.cpp (append only).</summary>
internal enum ShapeOp { Reshape, View, Permute, Expand, Repeat, SqueezeAll, T, Flip, BroadcastTo }

internal static partial class NativeMethods
{
    // metadata: tiny, non-blocking calls, so they skip the GC transition (about 20 ns less per call)
    [LibraryImport(Lib), SuppressGCTransition] internal static partial int ct_tensor_dim(TensorHandle t);
    [LibraryImport(Lib), SuppressGCTransition] internal static partial long ct_tensor_numel(TensorHandle t);
    [LibraryImport(Lib), SuppressGCTransition] internal static partial int ct_tensor_dtype(TensorHandle t);
    [LibraryImport(Lib), SuppressGCTransition] internal static partial int ct_tensor_device_type(TensorHandle t);
    [LibraryImport(Lib), SuppressGCTransition] internal static partial int ct_tensor_device_index(TensorHandle t);
    [LibraryImport(Lib), SuppressGCTransition] internal static partial int ct_tensor_is_contiguous(TensorHandle t);
    [LibraryImport(Lib), SuppressGCTransition] internal static partial int ct_tensor_element_size(TensorHandle t);
    [LibraryImport(Lib)] internal static unsafe partial int ct_tensor_sizes(TensorHandle t, long* sizes, int n);
    [LibraryImport(Lib)] internal static unsafe partial int ct_tensor_strides(TensorHandle t, long* strides, int n);
    [LibraryImport(Lib)] internal static partial long ct_tensor_size(TensorHandle t, long dim);
    [LibraryImport(Lib), SuppressGCTransition] internal static partial IntPtr ct_tensor_data_ptr(TensorHandle t);
    [LibraryImport(Lib)] internal static partial IntPtr ct_tensor_to_string(TensorHandle t);

    // creation
    [LibraryImport(Lib)]
    internal static unsafe partial IntPtr ct_factory(int kind, long* shape, int ndim, int dtype, int devType, int devIndex, int requiresGrad);
    [LibraryImport(Lib)] internal static partial IntPtr ct_factory_like(int kind, TensorHandle t, int dtype, int requiresGrad);
    [LibraryImport(Lib)]
    internal static unsafe partial IntPtr ct_full(long* shape, int ndim, Scalar value, int dtype, int devType, int devIndex, int requiresGrad);
    [LibraryImport(Lib)]
    internal static unsafe partial IntPtr ct_from_data(void* data, long nbytes, long* shape, int ndim, int dtype, int devType, int devIndex, int requiresGrad);
    [LibraryImport(Lib)]
    internal static partial IntPtr ct_arange(Scalar start, Scalar end, Scalar step, int dtype, int devType, int devIndex, int requiresGrad);
    [LibraryImport(Lib)]
    internal static partial IntPtr ct_linspace(double start, double end, long steps, int dtype, int devType, int devIndex, int requiresGrad);
    [LibraryImport(Lib)] internal static partial IntPtr ct_eye(long n, long m, int dtype, int devType, int devIndex, int requiresGrad);
    [LibraryImport(Lib)]
    internal static unsafe partial IntPtr ct_randint(long low, long high, long* shape, int ndim, int dtype, int devType, int devIndex);

    // raw data
    [LibraryImport(Lib)] internal static unsafe partial int ct_copy_to_host(TensorHandle t, void* dst, long nbytes);
    [LibraryImport(Lib)] internal static unsafe partial int ct_copy_from_host(TensorHandle t, void* src, long nbytes);
    [LibraryImport(Lib)] internal static unsafe partial int ct_item(TensorHandle t, int dtype, void* dst);

    // conversions and in-place fills
    [LibraryImport(Lib)] internal static partial IntPtr ct_to(TensorHandle t, int dtype, int devType, int devIndex, int copy);
    [LibraryImport(Lib)] internal static partial IntPtr ct_contiguous(TensorHandle t);
    [LibraryImport(Lib)] internal static partial IntPtr ct_clone(TensorHandle t);
    [LibraryImport(Lib)] internal static partial IntPtr ct_alias(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int ct_copy_(TensorHandle dst, TensorHandle src);
    [LibraryImport(Lib)] internal static partial int ct_fill_(TensorHandle t, Scalar v);
    [LibraryImport(Lib)] internal static partial int ct_zero_(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int ct_set_(TensorHandle t, TensorHandle src);
    [LibraryImport(Lib)] internal static partial int ct_uniform_(TensorHandle t, double from, double to);
    [LibraryImport(Lib)] internal static partial int ct_normal_(TensorHandle t, double mean, double std);
    [LibraryImport(Lib)] internal static partial int ct_bernoulli_(TensorHandle t, double p);

    // math
    [LibraryImport(Lib)] internal static partial IntPtr ct_unary(UnaryOp op, TensorHandle t);
    [LibraryImport(Lib)] internal static partial int ct_unary_(UnaryOp op, TensorHandle t);
    [LibraryImport(Lib)] internal static partial IntPtr ct_binary(BinaryOp op, TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial int ct_binary_(BinaryOp op, TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial IntPtr ct_binary_scalar(BinaryOp op, TensorHandle a, Scalar s);
    [LibraryImport(Lib)] internal static partial int ct_binary_scalar_(BinaryOp op, TensorHandle a, Scalar s);
    [LibraryImport(Lib)] internal static unsafe partial int ct_add_scaled(TensorHandle a, TensorHandle b, Scalar alpha, int subtract, IntPtr* result);
    [LibraryImport(Lib)] internal static unsafe partial int ct_addc(TensorHandle t, TensorHandle t1, TensorHandle t2, Scalar value, int divide, IntPtr* result);
    [LibraryImport(Lib)] internal static unsafe partial int ct_lerp(TensorHandle t, TensorHandle end, Scalar weight, TensorHandle weightT, IntPtr* result);
    [LibraryImport(Lib)] internal static unsafe partial int ct_clamp(TensorHandle t, Scalar min, int hasMin, Scalar max, int hasMax, IntPtr* result);
    [LibraryImport(Lib)] internal static unsafe partial int ct_masked_fill(TensorHandle t, TensorHandle mask, Scalar value, IntPtr* result);
    [LibraryImport(Lib)] internal static partial IntPtr ct_where(TensorHandle cond, TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial IntPtr ct_pow_scalar_base(Scalar b, TensorHandle exponent);
    [LibraryImport(Lib)] internal static partial int ct_allclose(TensorHandle a, TensorHandle b, double rtol, double atol, int equalNan);
    [LibraryImport(Lib)] internal static partial int ct_equal(TensorHandle a, TensorHandle b);

    // reductions
    [LibraryImport(Lib)]
    internal static unsafe partial IntPtr ct_reduce(ReduceOp op, TensorHandle t, long* dims, int ndims, int keepdim, double p, long correction);
    [LibraryImport(Lib)]
    internal static partial int ct_max_min_dim(TensorHandle t, long dim, int keepdim, int isMin, out IntPtr values, out IntPtr indices);

    [LibraryImport(Lib)] internal static partial IntPtr ct_scan(int kind, TensorHandle t, long dim);
    [LibraryImport(Lib)]
    internal static partial int ct_sort_topk(TensorHandle t, long k, long dim, int descending, out IntPtr values, out IntPtr indices);

    // shapes and indexing
    [LibraryImport(Lib)] internal static partial IntPtr ct_triangle(TensorHandle t, long diagonal, int upper);
    [LibraryImport(Lib)] internal static partial IntPtr ct_nonzero(TensorHandle t);
    [LibraryImport(Lib)] internal static unsafe partial IntPtr ct_shape_op(ShapeOp op, TensorHandle t, long* dims, int n);
    [LibraryImport(Lib)] internal static partial IntPtr ct_transpose(TensorHandle t, long d0, long d1);
    [LibraryImport(Lib)] internal static partial IntPtr ct_squeeze_dim(TensorHandle t, long dim);
    [LibraryImport(Lib)] internal static partial IntPtr ct_unsqueeze(TensorHandle t, long dim);
    [LibraryImport(Lib)] internal static partial IntPtr ct_flatten(TensorHandle t, long start, long end);
    [LibraryImport(Lib)] internal static unsafe partial IntPtr ct_unflatten(TensorHandle t, long dim, long* sizes, int n);
    [LibraryImport(Lib)] internal static partial IntPtr ct_narrow(TensorHandle t, long dim, long start, long length);
    [LibraryImport(Lib)] internal static partial IntPtr ct_select(TensorHandle t, long dim, long index);
    [LibraryImport(Lib)] internal static partial IntPtr ct_slice(TensorHandle t, long dim, long start, long end, long step);
    [LibraryImport(Lib)] internal static partial IntPtr ct_index_select(TensorHandle t, long dim, TensorHandle index);
    [LibraryImport(Lib)] internal static partial IntPtr ct_gather(TensorHandle t, long dim, TensorHandle index);
    [LibraryImport(Lib)] internal static unsafe partial int ct_scatter(TensorHandle t, long dim, TensorHandle index, TensorHandle src, int add, IntPtr* result);
    [LibraryImport(Lib)] internal static unsafe partial IntPtr ct_cat(IntPtr* tensors, int n, long dim);
    [LibraryImport(Lib)] internal static unsafe partial IntPtr ct_stack(IntPtr* tensors, int n, long dim);
    [LibraryImport(Lib)]
    internal static unsafe partial int ct_split(TensorHandle t, long splitSize, long* sizes, int nSizes, long dim, IntPtr* outs, int nMax);
    [LibraryImport(Lib)] internal static unsafe partial int ct_chunk(TensorHandle t, long chunks, long dim, IntPtr* outs, int nMax);
    [LibraryImport(Lib)] internal static unsafe partial IntPtr ct_index(TensorHandle t, IndexSpec* specs, int n);
    [LibraryImport(Lib)] internal static unsafe partial int ct_index_put(TensorHandle t, IndexSpec* specs, int n, TensorHandle value, Scalar scalar);
}

/// <summary>One element of a Python-style index, laid out as IndexSpec in ct_tensor_shape.cpp.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IndexSpec
{
    internal int Kind;      // 0 integer, 1 slice, 2 ellipsis, 3 None (new axis), 4 tensor, 5 bool
    internal int HasStart;
    internal int HasStop;
    internal int Pad;
    internal long Start;
    internal long Stop;
    internal long Step;
    internal IntPtr Tensor;
}
