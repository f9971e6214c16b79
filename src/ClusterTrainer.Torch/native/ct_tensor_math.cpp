// ct_tensor_math.cpp — element-wise math, matrix products, comparisons and the optimizer helpers.
// Operations are dispatched by small op codes (one export per family) so that the managed side has few
// entry points and no strings on the hot path. The codes must match UnaryOp/BinaryOp in
// NativeMethods.Tensor.cs (append only; never renumber).
#include "ct_common.h"

namespace {
enum UnaryOp : int32_t {
  kNeg, kAbs, kExp, kLog, kSqrt, kRsqrt, kSign, kSquare, kSin, kCos, kTanh, kSigmoid, kRelu, kFloor, kCeil,
  kRound, kLog1p, kExpm1, kReciprocal, kLogicalNot, kLog2, kLog10, kTan, kTrunc, kFrac, kErf, kBitwiseNot
};

enum BinaryOp : int32_t {
  kAdd, kSub, kMul, kDiv, kPow, kMaximum, kMinimum, kMatmul, kBmm, kEq, kNe, kLt, kLe, kGt, kGe, kRemainder,
  kLogicalAnd, kLogicalOr, kLogicalXor, kMm, kAtan2, kFmod, kRsub, kRdiv, kFloorDivide, kOuter, kDot
};

std::string op_error(const char* family, int32_t op) { return std::string("unsupported ") + family + " op code " + std::to_string(op); }

at::Tensor unary(int32_t op, const at::Tensor& t) {
  switch (op) {
    case kNeg: return t.neg();
    case kAbs: return t.abs();
    case kExp: return t.exp();
    case kLog: return t.log();
    case kSqrt: return t.sqrt();
    case kRsqrt: return t.rsqrt();
    case kSign: return t.sign();
    case kSquare: return t.square();
    case kSin: return t.sin();
    case kCos: return t.cos();
    case kTanh: return t.tanh();
    case kSigmoid: return t.sigmoid();
    case kRelu: return t.relu();
    case kFloor: return t.floor();
    case kCeil: return t.ceil();
    case kRound: return t.round();
    case kLog1p: return t.log1p();
    case kExpm1: return t.expm1();
    case kReciprocal: return t.reciprocal();
    case kLogicalNot: return t.logical_not();
    case kLog2: return t.log2();
    case kLog10: return t.log10();
    case kTan: return t.tan();
    case kTrunc: return t.trunc();
    case kFrac: return t.frac();
    case kErf: return t.erf();
    case kBitwiseNot: return t.bitwise_not();
    default: throw std::invalid_argument(op_error("unary", op));
  }
}

void unary_(int32_t op, at::Tensor& t) {
  switch (op) {
    case kNeg: t.neg_(); return;
    case kAbs: t.abs_(); return;
    case kExp: t.exp_(); return;
    case kLog: t.log_(); return;
    case kSqrt: t.sqrt_(); return;
    case kRsqrt: t.rsqrt_(); return;
    case kSign: t.sign_(); return;
    case kSquare: t.square_(); return;
    case kSin: t.sin_(); return;
    case kCos: t.cos_(); return;
    case kTanh: t.tanh_(); return;
    case kSigmoid: t.sigmoid_(); return;
    case kRelu: t.relu_(); return;
    case kFloor: t.floor_(); return;
    case kCeil: t.ceil_(); return;
    case kRound: t.round_(); return;
    case kLog1p: t.log1p_(); return;
    case kExpm1: t.expm1_(); return;
    case kReciprocal: t.reciprocal_(); return;
    case kLogicalNot: t.logical_not_(); return;
    case kLog2: t.log2_(); return;
    case kLog10: t.log10_(); return;
    case kTan: t.tan_(); return;
    case kTrunc: t.trunc_(); return;
    case kFrac: t.frac_(); return;
    case kErf: t.erf_(); return;
    case kBitwiseNot: t.bitwise_not_(); return;
    default: throw std::invalid_argument(op_error("in-place unary", op));
  }
}

at::Tensor binary(int32_t op, const at::Tensor& a, const at::Tensor& b) {
  switch (op) {
    case kAdd: return a.add(b);
    case kSub: return a.sub(b);
    case kMul: return a.mul(b);
    case kDiv: return a.div(b);
    case kPow: return a.pow(b);
    case kMaximum: return a.maximum(b);
    case kMinimum: return a.minimum(b);
    case kMatmul: return a.matmul(b);
    case kBmm: return a.bmm(b);
    case kEq: return a.eq(b);
    case kNe: return a.ne(b);
    case kLt: return a.lt(b);
    case kLe: return a.le(b);
    case kGt: return a.gt(b);
    case kGe: return a.ge(b);
    case kRemainder: return a.remainder(b);
    case kLogicalAnd: return a.logical_and(b);
    case kLogicalOr: return a.logical_or(b);
    case kLogicalXor: return a.logical_xor(b);
    case kMm: return a.mm(b);
    case kAtan2: return a.atan2(b);
    case kFmod: return a.fmod(b);
    case kRsub: return b.sub(a);
    case kRdiv: return b.div(a);
    case kFloorDivide: return a.div(b, "floor");
    case kOuter: return a.outer(b);
    case kDot: return a.dot(b);
    default: throw std::invalid_argument(op_error("binary", op));
  }
}

void binary_(int32_t op, at::Tensor& a, const at::Tensor& b) {
  switch (op) {
    case kAdd: a.add_(b); return;
    case kSub: a.sub_(b); return;
    case kMul: a.mul_(b); return;
    case kDiv: a.div_(b); return;
    case kPow: a.pow_(b); return;
    case kRemainder: a.remainder_(b); return;
    case kEq: a.eq_(b); return;
    case kNe: a.ne_(b); return;
    case kLt: a.lt_(b); return;
    case kLe: a.le_(b); return;
    case kGt: a.gt_(b); return;
    case kGe: a.ge_(b); return;
    case kLogicalAnd: a.logical_and_(b); return;
    case kLogicalOr: a.logical_or_(b); return;
    case kFmod: a.fmod_(b); return;
    case kAtan2: a.atan2_(b); return;
    case kMaximum: at::maximum_out(a, a, b); return;
    case kMinimum: at::minimum_out(a, a, b); return;
    case kFloorDivide: a.div_(b, "floor"); return;
    default: throw std::invalid_argument(op_error("in-place binary", op));
  }
}

at::Tensor binary_scalar(int32_t op, const at::Tensor& a, const at::Scalar& s) {
  switch (op) {
    case kAdd: return a.add(s);
    case kSub: return a.sub(s);
    case kMul: return a.mul(s);
    case kDiv: return a.div(s);
    case kPow: return a.pow(s);
    case kEq: return a.eq(s);
    case kNe: return a.ne(s);
    case kLt: return a.lt(s);
    case kLe: return a.le(s);
    case kGt: return a.gt(s);
    case kGe: return a.ge(s);
    case kRemainder: return a.remainder(s);
    case kFmod: return a.fmod(s);
    case kRsub: return at::rsub(a, s);
    case kRdiv: return a.reciprocal().mul(s);
    case kFloorDivide: return a.div(s, "floor");
    case kMaximum: return a.clamp_min(s);
    case kMinimum: return a.clamp_max(s);
    default: throw std::invalid_argument(op_error("tensor-scalar", op));
  }
}

void binary_scalar_(int32_t op, at::Tensor& a, const at::Scalar& s) {
  switch (op) {
    case kAdd: a.add_(s); return;
    case kSub: a.sub_(s); return;
    case kMul: a.mul_(s); return;
    case kDiv: a.div_(s); return;
    case kPow: a.pow_(s); return;
    case kEq: a.eq_(s); return;
    case kNe: a.ne_(s); return;
    case kLt: a.lt_(s); return;
    case kLe: a.le_(s); return;
    case kGt: a.gt_(s); return;
    case kGe: a.ge_(s); return;
    case kRemainder: a.remainder_(s); return;
    case kFmod: a.fmod_(s); return;
    case kFloorDivide: a.div_(s, "floor"); return;
    case kMaximum: a.clamp_min_(s); return;
    case kMinimum: a.clamp_max_(s); return;
    default: throw std::invalid_argument(op_error("in-place tensor-scalar", op));
  }
}
}  // namespace

CT_EXPORT CtTensor ct_unary(int32_t op, CtTensor t) { CT_TRY { return ct::wrap(unary(op, *t)); } CT_CATCH(nullptr) }
CT_EXPORT int32_t ct_unary_(int32_t op, CtTensor t) { CT_TRY { unary_(op, *t); return 0; } CT_CATCH(-1) }

CT_EXPORT CtTensor ct_binary(int32_t op, CtTensor a, CtTensor b) { CT_TRY { return ct::wrap(binary(op, *a, *b)); } CT_CATCH(nullptr) }
CT_EXPORT int32_t ct_binary_(int32_t op, CtTensor a, CtTensor b) { CT_TRY { binary_(op, *a, *b); return 0; } CT_CATCH(-1) }

CT_EXPORT CtTensor ct_binary_scalar(int32_t op, CtTensor a, ct::Scalar s) {
  CT_TRY { return ct::wrap(binary_scalar(op, *a, ct::to_scalar(s))); }
  CT_CATCH(nullptr)
}
CT_EXPORT int32_t ct_binary_scalar_(int32_t op, CtTensor a, ct::Scalar s) {
  CT_TRY { binary_scalar_(op, *a, ct::to_scalar(s)); return 0; }
  CT_CATCH(-1)
}

// The functions below take `out`: null = in place on the first tensor, else *out receives the result.
// They return 0 on success, -1 on error.

// a + alpha * b (subtract: a - alpha * b).
CT_EXPORT int32_t ct_add_scaled(CtTensor a, CtTensor b, ct::Scalar alpha, int32_t subtract, CtTensor* out) {
  CT_TRY {
    const auto al = ct::to_scalar(alpha);
    if (!out) subtract ? a->sub_(*b, al) : a->add_(*b, al);
    else *out = ct::wrap(subtract ? a->sub(*b, al) : a->add(*b, al));
    return 0;
  }
  CT_CATCH(-1)
}

// t + value * t1 * t2 (addcmul) or t + value * t1 / t2 (divide: addcdiv).
CT_EXPORT int32_t ct_addc(CtTensor t, CtTensor t1, CtTensor t2, ct::Scalar value, int32_t divide, CtTensor* out) {
  CT_TRY {
    const auto v = ct::to_scalar(value);
    if (!out) divide ? t->addcdiv_(*t1, *t2, v) : t->addcmul_(*t1, *t2, v);
    else *out = ct::wrap(divide ? t->addcdiv(*t1, *t2, v) : t->addcmul(*t1, *t2, v));
    return 0;
  }
  CT_CATCH(-1)
}

// lerp towards end with a scalar weight (weight_t == null) or a tensor weight.
CT_EXPORT int32_t ct_lerp(CtTensor t, CtTensor end, ct::Scalar weight, CtTensor weight_t, CtTensor* out) {
  CT_TRY {
    if (!out) weight_t ? t->lerp_(*end, *weight_t) : t->lerp_(*end, ct::to_scalar(weight));
    else *out = ct::wrap(weight_t ? t->lerp(*end, *weight_t) : t->lerp(*end, ct::to_scalar(weight)));
    return 0;
  }
  CT_CATCH(-1)
}

// clamp to [min, max]; has_min/has_max say which bounds are present.
CT_EXPORT int32_t ct_clamp(CtTensor t, ct::Scalar min, int32_t has_min, ct::Scalar max, int32_t has_max, CtTensor* out) {
  CT_TRY {
    if (!has_min && !has_max) throw std::invalid_argument("clamp needs at least one of min and max");
    c10::optional<at::Scalar> lo = has_min ? c10::optional<at::Scalar>(ct::to_scalar(min)) : c10::nullopt;
    c10::optional<at::Scalar> hi = has_max ? c10::optional<at::Scalar>(ct::to_scalar(max)) : c10::nullopt;
    if (!out) t->clamp_(lo, hi);
    else *out = ct::wrap(t->clamp(lo, hi));
    return 0;
  }
  CT_CATCH(-1)
}

CT_EXPORT int32_t ct_masked_fill(CtTensor t, CtTensor mask, ct::Scalar value, CtTensor* out) {
  CT_TRY {
    if (!out) t->masked_fill_(*mask, ct::to_scalar(value));
    else *out = ct::wrap(t->masked_fill(*mask, ct::to_scalar(value)));
    return 0;
  }
  CT_CATCH(-1)
}

CT_EXPORT CtTensor ct_where(CtTensor cond, CtTensor a, CtTensor b) { CT_TRY { return ct::wrap(at::where(*cond, *a, *b)); } CT_CATCH(nullptr) }

CT_EXPORT CtTensor ct_pow_scalar_base(ct::Scalar base, CtTensor exponent) {
  CT_TRY { return ct::wrap(at::pow(ct::to_scalar(base), *exponent)); }
  CT_CATCH(nullptr)
}

// 1 when |a - b| <= atol + rtol * |b| everywhere (same shape after broadcasting), 0 when not, -1 on error.
CT_EXPORT int32_t ct_allclose(CtTensor a, CtTensor b, double rtol, double atol, int32_t equal_nan) {
  CT_TRY { return a->allclose(*b, rtol, atol, equal_nan != 0) ? 1 : 0; }
  CT_CATCH(-1)
}

// 1 when a and b have the same shape and elements, 0 when not, -1 on error.
CT_EXPORT int32_t ct_equal(CtTensor a, CtTensor b) { CT_TRY { return a->equal(*b) ? 1 : 0; } CT_CATCH(-1) }
