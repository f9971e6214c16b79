// ct_tensor_reduce.cpp — reductions over all elements or over given dims, and max/min with indices.
// Op codes must match ReduceOp in NativeMethods.Tensor.cs (append only).
#include "ct_common.h"

namespace {
enum ReduceOp : int32_t { kSum, kMean, kMax, kMin, kProd, kArgmax, kArgmin, kStd, kVar, kNorm, kAll, kAny, kLogsumexp };

std::string reduce_error(int32_t op, const char* form) {
  return "reduction op code " + std::to_string(op) + " has no " + form + " form";
}

at::Tensor reduce_all(int32_t op, const at::Tensor& t, double p, int64_t correction) {
  switch (op) {
    case kSum: return t.sum();
    case kMean: return t.mean();
    case kMax: return t.max();
    case kMin: return t.min();
    case kProd: return t.prod();
    case kArgmax: return t.argmax();
    case kArgmin: return t.argmin();
    case kStd: return t.std(correction != 0);
    case kVar: return t.var(correction != 0);
    case kNorm: return t.norm(p);
    case kAll: return t.all();
    case kAny: return t.any();
    default: throw std::invalid_argument(reduce_error(op, "all-elements"));
  }
}

at::Tensor reduce_dims(int32_t op, const at::Tensor& t, at::IntArrayRef d, bool keep, double p, int64_t correction) {
  auto one = [&](const char* name) {
    if (d.size() != 1)
      throw std::invalid_argument(std::string(name) + " reduces over exactly one dim, got " + std::to_string(d.size()));
    return d[0];
  };
  switch (op) {
    case kSum: return t.sum(d, keep);
    case kMean: return t.mean(d, keep);
    case kMax: return t.amax(d, keep);
    case kMin: return t.amin(d, keep);
    case kProd: return t.prod(one("prod"), keep);
    case kArgmax: return t.argmax(one("argmax"), keep);
    case kArgmin: return t.argmin(one("argmin"), keep);
    case kStd: return t.std(d, correction != 0, keep);
    case kVar: return t.var(d, correction != 0, keep);
    case kNorm: return t.norm(p, d, keep);
    case kAll: return t.all(one("all"), keep);
    case kAny: return t.any(one("any"), keep);
    case kLogsumexp: return t.logsumexp(d, keep);
    default: throw std::invalid_argument(reduce_error(op, "per-dim"));
  }
}
}  // namespace

// ndims < 0 reduces over every element. p is the norm's order; correction 1 = unbiased std/var.
CT_EXPORT CtTensor ct_reduce(int32_t op, CtTensor t, const int64_t* dims, int32_t ndims, int32_t keepdim, double p,
                             int64_t correction) {
  CT_TRY {
    if (ndims < 0) return ct::wrap(reduce_all(op, *t, p, correction));
    return ct::wrap(reduce_dims(op, *t, ct::dims(dims, ndims), keepdim != 0, p, correction));
  }
  CT_CATCH(nullptr)
}

// max (is_min = 0) or min along one dim: values and indices.
CT_EXPORT int32_t ct_max_min_dim(CtTensor t, int64_t dim, int32_t keepdim, int32_t is_min, CtTensor* values,
                                 CtTensor* indices) {
  CT_TRY {
    auto r = is_min ? t->min(dim, keepdim != 0) : t->max(dim, keepdim != 0);
    *values = ct::wrap(std::move(std::get<0>(r)));
    *indices = ct::wrap(std::move(std::get<1>(r)));
    return 0;
  }
  CT_CATCH(-1)
}

// Scans along one dim: kind 0 cumsum, 1 cumprod, 2 softmax, 3 log_softmax.
CT_EXPORT CtTensor ct_scan(int32_t kind, CtTensor t, int64_t dim) {
  CT_TRY {
    switch (kind) {
      case 0: return ct::wrap(t->cumsum(dim));
      case 1: return ct::wrap(t->cumprod(dim));
      case 2: return ct::wrap(t->softmax(dim));
      case 3: return ct::wrap(t->log_softmax(dim));
      default: throw std::invalid_argument("unknown scan kind " + std::to_string(kind));
    }
  }
  CT_CATCH(nullptr)
}

// sort (k < 0) or topk (k >= 0) along dim: values and indices.
CT_EXPORT int32_t ct_sort_topk(CtTensor t, int64_t k, int64_t dim, int32_t descending, CtTensor* values, CtTensor* indices) {
  CT_TRY {
    auto r = k < 0 ? t->sort(dim, descending != 0) : t->topk(k, dim, descending != 0, /*sorted=*/true);
    *values = ct::wrap(std::move(std::get<0>(r)));
    *indices = ct::wrap(std::move(std::get<1>(r)));
    return 0;
  }
  CT_CATCH(-1)
}
