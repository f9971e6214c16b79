using static ClusterTrainer.Torch.NativeMethods;

namespace ClusterTrainer.Torch;

public static partial class torch
{
    private enum Factory { Zeros = 0, Ones = 1, Empty = 2, Rand = 3, Randn = 4 }

    private static unsafe Tensor Make(Factory kind, ReadOnlySpan<long> size, ScalarType? dtype, Device? device, bool requires_grad)
    {
        var d = device ?? CPU;
        d.EnsureAvailable();
        fixed (long* s = size)
            return new Tensor(ct_factory((int)kind, s, size.Length, (int)(dtype ?? ScalarType.Float32), (int)d.type, d.index, requires_grad ? 1 : 0));
    }

    private static Tensor MakeLike(Factory kind, Tensor t, ScalarType? dtype, bool requires_grad) =>
        new(ct_factory_like((int)kind, t.H, dtype is null ? -1 : (int)dtype.Value, requires_grad ? 1 : 0));

    public static Tensor zeros(params long[] size) => Make(Factory.Zeros, size, null, null, false);
    public static Tensor zeros(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => Make(Factory.Zeros, size, dtype, device, requires_grad);
    public static Tensor ones(params long[] size) => Make(Factory.Ones, size, null, null, false);
    public static Tensor ones(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => Make(Factory.Ones, size, dtype, device, requires_grad);
    /// <summary>Uninitialised memory of the given shape.</summary>
    public static Tensor empty(params long[] size) => Make(Factory.Empty, size, null, null, false);
    public static Tensor empty(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => Make(Factory.Empty, size, dtype, device, requires_grad);
    /// <summary>Uniform on [0, 1) from the global generator.</summary>
    public static Tensor rand(params long[] size) => Make(Factory.Rand, size, null, null, false);
    public static Tensor rand(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => Make(Factory.Rand, size, dtype, device, requires_grad);
    /// <summary>Standard normal from the global generator.</summary>
    public static Tensor randn(params long[] size) => Make(Factory.Randn, size, null, null, false);
    public static Tensor randn(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => Make(Factory.Randn, size, dtype, device, requires_grad);

    public static Tensor zeros_like(Tensor t, ScalarType? dtype = null, bool requires_grad = false) => MakeLike(Factory.Zeros, t, dtype, requires_grad);
    public static Tensor ones_like(Tensor t, ScalarType? dtype = null, bool requires_grad = false) => MakeLike(Factory.Ones, t, dtype, requires_grad);
    public static Tensor empty_like(Tensor t, ScalarType? dtype = null, bool requires_grad = false) => MakeLike(Factory.Empty, t, dtype, requires_grad);
    public static Tensor rand_like(Tensor t, ScalarType? dtype = null, bool requires_grad = false) => MakeLike(Factory.Rand, t, dtype, requires_grad);
    public static Tensor randn_like(Tensor t, ScalarType? dtype = null, bool requires_grad = false) => MakeLike(Factory.Randn, t, dtype, requires_grad);

    public static Tensor full_like(Tensor t, Scalar value, ScalarType? dtype = null, bool requires_grad = false) =>
        full(t.shape, value, dtype ?? t.dtype, t.device, requires_grad);

    /// <summary>A tensor filled with <paramref name="value"/>; dtype defaults to int64 for integers, bool for bools, else float32.</summary>
    public static unsafe Tensor full(long[] size, Scalar value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
    {
        var d = device ?? CPU;
        d.EnsureAvailable();
        var type = dtype ?? (value.kind == 1 ? ScalarType.Int64 : value.kind == 2 ? ScalarType.Bool : ScalarType.Float32);
        fixed (long* s = size) return new Tensor(ct_full(s, size.Length, value, (int)type, (int)d.type, d.index, requires_grad ? 1 : 0));
    }

    /// <summary>Integers uniform on [low, high) from the global generator (int64 by default).</summary>
    public static unsafe Tensor randint(long low, long high, long[] size, ScalarType? dtype = null, Device? device = null)
    {
        var d = device ?? CPU;
        d.EnsureAvailable();
        fixed (long* s = size) return new Tensor(ct_randint(low, high, s, size.Length, (int)(dtype ?? ScalarType.Int64), (int)d.type, d.index));
    }

    public static Tensor randint(long high, long[] size, ScalarType? dtype = null, Device? device = null) => randint(0, high, size, dtype, device);

    /// <summary>[start, end) in steps of <paramref name="step"/>; int64 for integer arguments, float32 otherwise (as PyTorch).</summary>
    public static Tensor arange(Scalar start, Scalar end, Scalar? step = null, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
    {
        var st = step ?? 1;
        var d = device ?? CPU;
        d.EnsureAvailable();
        var type = dtype ?? (start.IsIntegral && end.IsIntegral && st.IsIntegral ? ScalarType.Int64 : ScalarType.Float32);
        return new Tensor(ct_arange(start, end, st, (int)type, (int)d.type, d.index, requires_grad ? 1 : 0));
    }

    public static Tensor arange(Scalar end, ScalarType? dtype = null, Device? device = null) => arange(0, end, 1, dtype, device);

    /// <summary><paramref name="steps"/> evenly spaced values from start to end inclusive.</summary>
    public static Tensor linspace(double start, double end, long steps, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
    {
        var d = device ?? CPU;
        d.EnsureAvailable();
        return new Tensor(ct_linspace(start, end, steps, (int)(dtype ?? ScalarType.Float32), (int)d.type, d.index, requires_grad ? 1 : 0));
    }

    /// <summary>An n×m (default n×n) identity matrix.</summary>
    public static Tensor eye(long n, long m = -1, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
    {
        var d = device ?? CPU;
        d.EnsureAvailable();
        return new Tensor(ct_eye(n, m < 0 ? n : m, (int)(dtype ?? ScalarType.Float32), (int)d.type, d.index, requires_grad ? 1 : 0));
    }

    // ---- from host data (copied) ---------------------------------------------------------------------
    /// <summary>
    /// A tensor holding a copy of <paramref name="data"/> in the given <paramref name="shape"/> (whose product
    /// must equal data.Length). Its dtype is that of <typeparamref name="T"/>, converted to
    /// <paramref name="dtype"/> when given (e.g. float data to bfloat16).
    /// </summary>
    public static unsafe Tensor tensor<T>(ReadOnlySpan<T> data, ReadOnlySpan<long> shape, ScalarType? dtype = null, Device? device = null,
        bool requires_grad = false) where T : unmanaged
    {
        var d = device ?? CPU;
        d.EnsureAvailable();
        long count = 1;
        foreach (var s in shape)
        {
            if (s < 0) throw new ArgumentException($"shape [{string.Join(", ", shape.ToArray())}] has a negative size", nameof(shape));
            count *= s;
        }
        if (count != data.Length)
            throw new ArgumentException(
                $"shape [{string.Join(", ", shape.ToArray())}] holds {count} elements but the data has {data.Length}; " +
                "make the shape's product equal the data length", nameof(shape));
        var own = ScalarTypes.Of<T>();
        var convert = dtype is not null && dtype.Value != own;
        IntPtr native;
        fixed (T* p = data)
        fixed (long* s = shape)
            native = ct_from_data(p, (long)data.Length * sizeof(T), s, shape.Length, (int)own, (int)d.type, d.index,
                requires_grad && !convert ? 1 : 0);
        var t = new Tensor(native);
        if (!convert) return t;
        using (t)
        {
            var converted = t.to(dtype!.Value);
            if (requires_grad) converted.requires_grad = true;
            return converted;
        }
    }

    /// <summary>A 1-D tensor holding a copy of <paramref name="data"/>.</summary>
    public static Tensor tensor<T>(T[] data, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) where T : unmanaged =>
        tensor<T>(data, stackalloc long[] { data.Length }, dtype, device, requires_grad);

    public static Tensor tensor<T>(T[] data, long[] shape, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) where T : unmanaged =>
        tensor<T>((ReadOnlySpan<T>)data, shape, dtype, device, requires_grad);

    /// <summary>A 2-D tensor from a rectangular array.</summary>
    public static unsafe Tensor tensor<T>(T[,] data, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) where T : unmanaged
    {
        fixed (T* p = data)
            return tensor<T>(new ReadOnlySpan<T>(p, data.Length), stackalloc long[] { data.GetLength(0), data.GetLength(1) }, dtype, device, requires_grad);
    }

    /// <summary>A 0-dim tensor (a scalar), as PyTorch's torch.tensor(3.5).</summary>
    public static Tensor tensor(float value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        tensor<float>(new ReadOnlySpan<float>(in value), ReadOnlySpan<long>.Empty, dtype, device, requires_grad);
    public static Tensor tensor(double value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        tensor<double>(new ReadOnlySpan<double>(in value), ReadOnlySpan<long>.Empty, dtype, device, requires_grad);
    public static Tensor tensor(long value, ScalarType? dtype = null, Device? device = null) =>
        tensor<long>(new ReadOnlySpan<long>(in value), ReadOnlySpan<long>.Empty, dtype, device);
    public static Tensor tensor(int value, ScalarType? dtype = null, Device? device = null) =>
        tensor<int>(new ReadOnlySpan<int>(in value), ReadOnlySpan<long>.Empty, dtype, device);
    public static Tensor tensor(bool value, Device? device = null) =>
        tensor<bool>(new ReadOnlySpan<bool>(in value), ReadOnlySpan<long>.Empty, null, device);
}
