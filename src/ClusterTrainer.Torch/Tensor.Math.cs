using static ClusterTrainer.Torch.NativeMethods;

namespace ClusterTrainer.Torch;

public static partial class torch
{
    public sealed partial class Tensor
    {
        private Tensor Unary(UnaryOp op) => new(ct_unary(op, H));
        private Tensor Unary_(UnaryOp op) { Check(ct_unary_(op, H)); return this; }
        private Tensor Binary(BinaryOp op, Tensor other) => new(ct_binary(op, H, other.H));
        private Tensor Binary_(BinaryOp op, Tensor other) { Check(ct_binary_(op, H, other.H)); return this; }
        private Tensor Binary(BinaryOp op, Scalar other) => new(ct_binary_scalar(op, H, other));
        private Tensor Binary_(BinaryOp op, Scalar other) { Check(ct_binary_scalar_(op, H, other)); return this; }

        // ---- element-wise unary ----------------------------------------------------------------------
        public Tensor neg() => Unary(UnaryOp.Neg);
        public Tensor neg_() => Unary_(UnaryOp.Neg);
        public Tensor abs() => Unary(UnaryOp.Abs);
        public Tensor abs_() => Unary_(UnaryOp.Abs);
        public Tensor exp() => Unary(UnaryOp.Exp);
        public Tensor exp_() => Unary_(UnaryOp.Exp);
        public Tensor log() => Unary(UnaryOp.Log);
        public Tensor log_() => Unary_(UnaryOp.Log);
        public Tensor log2() => Unary(UnaryOp.Log2);
        public Tensor log10() => Unary(UnaryOp.Log10);
        public Tensor log1p() => Unary(UnaryOp.Log1p);
        public Tensor expm1() => Unary(UnaryOp.Expm1);
        public Tensor sqrt() => Unary(UnaryOp.Sqrt);
        public Tensor sqrt_() => Unary_(UnaryOp.Sqrt);
        public Tensor rsqrt() => Unary(UnaryOp.Rsqrt);
        public Tensor rsqrt_() => Unary_(UnaryOp.Rsqrt);
        public Tensor sign() => Unary(UnaryOp.Sign);
        public Tensor sign_() => Unary_(UnaryOp.Sign);
        public Tensor square() => Unary(UnaryOp.Square);
        public Tensor square_() => Unary_(UnaryOp.Square);
        public Tensor sin() => Unary(UnaryOp.Sin);
        public Tensor cos() => Unary(UnaryOp.Cos);
        public Tensor tan() => Unary(UnaryOp.Tan);
        public Tensor tanh() => Unary(UnaryOp.Tanh);
        public Tensor tanh_() => Unary_(UnaryOp.Tanh);
        public Tensor sigmoid() => Unary(UnaryOp.Sigmoid);
        public Tensor sigmoid_() => Unary_(UnaryOp.Sigmoid);
        public Tensor relu() => Unary(UnaryOp.Relu);
        public Tensor relu_() => Unary_(UnaryOp.Relu);
        public Tensor floor() => Unary(UnaryOp.Floor);
        public Tensor ceil() => Unary(UnaryOp.Ceil);
        public Tensor round() => Unary(UnaryOp.Round);
        public Tensor trunc() => Unary(UnaryOp.Trunc);
        public Tensor frac() => Unary(UnaryOp.Frac);
        public Tensor erf() => Unary(UnaryOp.Erf);
        public Tensor reciprocal() => Unary(UnaryOp.Reciprocal);
        public Tensor reciprocal_() => Unary_(UnaryOp.Reciprocal);
        public Tensor logical_not() => Unary(UnaryOp.LogicalNot);
        public Tensor bitwise_not() => Unary(UnaryOp.BitwiseNot);

        // ---- element-wise binary (broadcasting) ------------------------------------------------------
        public Tensor add(Tensor other) => Binary(BinaryOp.Add, other);
        public Tensor add(Scalar other) => Binary(BinaryOp.Add, other);
        /// <summary>this + alpha * other.</summary>
        public Tensor add(Tensor other, Scalar alpha) => AddScaled(other, alpha, subtract: false);
        public Tensor add_(Tensor other) => Binary_(BinaryOp.Add, other);
        public Tensor add_(Scalar other) => Binary_(BinaryOp.Add, other);
        /// <summary>this += alpha * other (the SGD update: <c>p.add_(g, alpha: -lr)</c>).</summary>
        public Tensor add_(Tensor other, Scalar alpha) => AddScaled_(other, alpha, subtract: false);
        public Tensor sub(Tensor other) => Binary(BinaryOp.Sub, other);
        public Tensor sub(Scalar other) => Binary(BinaryOp.Sub, other);
        public Tensor sub(Tensor other, Scalar alpha) => AddScaled(other, alpha, subtract: true);
        public Tensor sub_(Tensor other) => Binary_(BinaryOp.Sub, other);
        public Tensor sub_(Scalar other) => Binary_(BinaryOp.Sub, other);
        public Tensor sub_(Tensor other, Scalar alpha) => AddScaled_(other, alpha, subtract: true);
        public Tensor mul(Tensor other) => Binary(BinaryOp.Mul, other);
        public Tensor mul(Scalar other) => Binary(BinaryOp.Mul, other);
        public Tensor mul_(Tensor other) => Binary_(BinaryOp.Mul, other);
        public Tensor mul_(Scalar other) => Binary_(BinaryOp.Mul, other);
        public Tensor div(Tensor other) => Binary(BinaryOp.Div, other);
        public Tensor div(Scalar other) => Binary(BinaryOp.Div, other);
        public Tensor div_(Tensor other) => Binary_(BinaryOp.Div, other);
        public Tensor div_(Scalar other) => Binary_(BinaryOp.Div, other);
        public Tensor floor_divide(Tensor other) => Binary(BinaryOp.FloorDivide, other);
        public Tensor floor_divide(Scalar other) => Binary(BinaryOp.FloorDivide, other);
        public Tensor remainder(Tensor other) => Binary(BinaryOp.Remainder, other);
        public Tensor remainder(Scalar other) => Binary(BinaryOp.Remainder, other);
        public Tensor fmod(Scalar other) => Binary(BinaryOp.Fmod, other);
        public Tensor pow(Tensor exponent) => Binary(BinaryOp.Pow, exponent);
        public Tensor pow(Scalar exponent) => Binary(BinaryOp.Pow, exponent);
        public Tensor pow_(Tensor exponent) => Binary_(BinaryOp.Pow, exponent);
        public Tensor pow_(Scalar exponent) => Binary_(BinaryOp.Pow, exponent);
        public Tensor maximum(Tensor other) => Binary(BinaryOp.Maximum, other);
        public Tensor maximum_(Tensor other) => Binary_(BinaryOp.Maximum, other);
        public Tensor minimum(Tensor other) => Binary(BinaryOp.Minimum, other);
        public Tensor minimum_(Tensor other) => Binary_(BinaryOp.Minimum, other);
        public Tensor atan2(Tensor other) => Binary(BinaryOp.Atan2, other);
        public Tensor logical_and(Tensor other) => Binary(BinaryOp.LogicalAnd, other);
        public Tensor logical_or(Tensor other) => Binary(BinaryOp.LogicalOr, other);
        public Tensor logical_xor(Tensor other) => Binary(BinaryOp.LogicalXor, other);

        // ---- matrix products -------------------------------------------------------------------------
        /// <summary>PyTorch's matmul: dot, matrix-vector, matrix-matrix or batched, with broadcasting.</summary>
        public Tensor matmul(Tensor other) => Binary(BinaryOp.Matmul, other);
        public Tensor mm(Tensor other) => Binary(BinaryOp.Mm, other);
        /// <summary>Batched matrix product of (b, n, m) and (b, m, p) tensors.</summary>
        public Tensor bmm(Tensor other) => Binary(BinaryOp.Bmm, other);
        public Tensor dot(Tensor other) => Binary(BinaryOp.Dot, other);
        public Tensor outer(Tensor other) => Binary(BinaryOp.Outer, other);

        // ---- comparisons (bool tensors) --------------------------------------------------------------
        public Tensor eq(Tensor other) => Binary(BinaryOp.Eq, other);
        public Tensor eq(Scalar other) => Binary(BinaryOp.Eq, other);
        public Tensor ne(Tensor other) => Binary(BinaryOp.Ne, other);
        public Tensor ne(Scalar other) => Binary(BinaryOp.Ne, other);
        public Tensor lt(Tensor other) => Binary(BinaryOp.Lt, other);
        public Tensor lt(Scalar other) => Binary(BinaryOp.Lt, other);
        public Tensor le(Tensor other) => Binary(BinaryOp.Le, other);
        public Tensor le(Scalar other) => Binary(BinaryOp.Le, other);
        public Tensor gt(Tensor other) => Binary(BinaryOp.Gt, other);
        public Tensor gt(Scalar other) => Binary(BinaryOp.Gt, other);
        public Tensor ge(Tensor other) => Binary(BinaryOp.Ge, other);
        public Tensor ge(Scalar other) => Binary(BinaryOp.Ge, other);

        // ---- fused helpers (optimizers use these) ---------------------------------------------------
        private unsafe Tensor AddScaled(Tensor other, Scalar alpha, bool subtract)
        {
            IntPtr r;
            Check(ct_add_scaled(H, other.H, alpha, subtract ? 1 : 0, &r));
            return new Tensor(r);
        }

        private unsafe Tensor AddScaled_(Tensor other, Scalar alpha, bool subtract)
        {
            Check(ct_add_scaled(H, other.H, alpha, subtract ? 1 : 0, null));
            return this;
        }

        /// <summary>this + value * t1 * t2.</summary>
        public unsafe Tensor addcmul(Tensor t1, Tensor t2, Scalar? value = null) { IntPtr r; Check(ct_addc(H, t1.H, t2.H, value ?? 1, 0, &r)); return new Tensor(r); }
        public unsafe Tensor addcmul_(Tensor t1, Tensor t2, Scalar? value = null) { Check(ct_addc(H, t1.H, t2.H, value ?? 1, 0, null)); return this; }
        /// <summary>this + value * t1 / t2.</summary>
        public unsafe Tensor addcdiv(Tensor t1, Tensor t2, Scalar? value = null) { IntPtr r; Check(ct_addc(H, t1.H, t2.H, value ?? 1, 1, &r)); return new Tensor(r); }
        public unsafe Tensor addcdiv_(Tensor t1, Tensor t2, Scalar? value = null) { Check(ct_addc(H, t1.H, t2.H, value ?? 1, 1, null)); return this; }

        /// <summary>this + weight * (end - this).</summary>
        public unsafe Tensor lerp(Tensor end, Scalar weight) { IntPtr r; Check(ct_lerp(H, end.H, weight, TensorHandle.Null, &r)); return new Tensor(r); }
        public unsafe Tensor lerp(Tensor end, Tensor weight) { IntPtr r; Check(ct_lerp(H, end.H, 0, weight.H, &r)); return new Tensor(r); }
        public unsafe Tensor lerp_(Tensor end, Scalar weight) { Check(ct_lerp(H, end.H, weight, TensorHandle.Null, null)); return this; }
        public unsafe Tensor lerp_(Tensor end, Tensor weight) { Check(ct_lerp(H, end.H, 0, weight.H, null)); return this; }

        /// <summary>Limits every element to [min, max]; either bound may be omitted (null), not both.</summary>
        public unsafe Tensor clamp(Scalar? min = null, Scalar? max = null)
        {
            IntPtr r;
            Check(ct_clamp(H, min ?? 0, min.HasValue ? 1 : 0, max ?? 0, max.HasValue ? 1 : 0, &r));
            return new Tensor(r);
        }

        public unsafe Tensor clamp_(Scalar? min = null, Scalar? max = null)
        {
            Check(ct_clamp(H, min ?? 0, min.HasValue ? 1 : 0, max ?? 0, max.HasValue ? 1 : 0, null));
            return this;
        }

        public Tensor clamp_min(Scalar min) => clamp(min, null);
        public Tensor clamp_max(Scalar max) => clamp(null, max);

        /// <summary>Elements of this where <paramref name="mask"/> is false, <paramref name="value"/> where true.</summary>
        public unsafe Tensor masked_fill(Tensor mask, Scalar value) { IntPtr r; Check(ct_masked_fill(H, mask.H, value, &r)); return new Tensor(r); }
        public unsafe Tensor masked_fill_(Tensor mask, Scalar value) { Check(ct_masked_fill(H, mask.H, value, null)); return this; }

        /// <summary>True when |this - other| &lt;= atol + rtol * |other| for every element (PyTorch's allclose).</summary>
        public bool allclose(Tensor other, double rtol = 1e-5, double atol = 1e-8, bool equal_nan = false) =>
            Check(ct_allclose(H, other.H, rtol, atol, equal_nan ? 1 : 0)) == 1;

        /// <summary>True when both tensors have the same shape and elements.</summary>
        public bool equal(Tensor other) => Check(ct_equal(H, other.H)) == 1;

        /// <summary>base ** exponent with a scalar base.</summary>
        public static Tensor pow(Scalar @base, Tensor exponent) => new(ct_pow_scalar_base(@base, exponent.H));

        // ---- operators ---------------------------------------------------------------------------------
        public static Tensor operator +(Tensor a, Tensor b) => a.add(b);
        public static Tensor operator +(Tensor a, Scalar b) => a.add(b);
        public static Tensor operator +(Scalar a, Tensor b) => b.add(a);
        public static Tensor operator -(Tensor a, Tensor b) => a.sub(b);
        public static Tensor operator -(Tensor a, Scalar b) => a.sub(b);
        public static Tensor operator -(Scalar a, Tensor b) => b.Binary(BinaryOp.Rsub, a);
        public static Tensor operator *(Tensor a, Tensor b) => a.mul(b);
        public static Tensor operator *(Tensor a, Scalar b) => a.mul(b);
        public static Tensor operator *(Scalar a, Tensor b) => b.mul(a);
        public static Tensor operator /(Tensor a, Tensor b) => a.div(b);
        public static Tensor operator /(Tensor a, Scalar b) => a.div(b);
        public static Tensor operator /(Scalar a, Tensor b) => b.Binary(BinaryOp.Rdiv, a);
        public static Tensor operator %(Tensor a, Tensor b) => a.remainder(b);
        public static Tensor operator %(Tensor a, Scalar b) => a.remainder(b);
        public static Tensor operator -(Tensor a) => a.neg();
        public static Tensor operator &(Tensor a, Tensor b) => a.logical_and(b);
        public static Tensor operator |(Tensor a, Tensor b) => a.logical_or(b);
        public static Tensor operator ^(Tensor a, Tensor b) => a.logical_xor(b);
        public static Tensor operator !(Tensor a) => a.logical_not();
    }
}
