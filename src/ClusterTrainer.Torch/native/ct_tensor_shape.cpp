// ct_tensor_shape.cpp — views and shape ops, joining/splitting, gathers/scatters and Python-style indexing.
// Op codes must match ShapeOp in NativeMethods.Tensor.cs (append only).
#include "ct_common.h"

#include <ATen/TensorIndexing.h>

namespace {
// Ops taking a list of ints.
enum ShapeOp : int32_t { kReshape, kView, kPermute, kExpand, kRepeat, kSqueezeAll, kT, kFlip, kBroadcastTo };

// One Python index element. kind: 0 integer, 1 slice, 2 ellipsis, 3 None (new axis), 4 tensor, 5 bool.
// Slice bounds: has_start/has_stop = 0 means "omitted" (like a[:3] or a[2:]).
struct IndexSpec {
  int32_t kind;
  int32_t has_start;
  int32_t has_stop;
  int32_t pad;
  int64_t start;
  int64_t stop;
  int64_t step;
  CtTensor tensor;
};

std::vector<at::indexing::TensorIndex> to_indices(const IndexSpec* specs, int32_t n) {
  using namespace at::indexing;
  std::vector<TensorIndex> v;
  v.reserve(static_cast<size_t>(n));
  for (int32_t k = 0; k < n; ++k) {
    const IndexSpec& s = specs[k];
    switch (s.kind) {
      case 0: v.emplace_back(s.start); break;
      case 1:
        v.emplace_back(Slice(s.has_start ? c10::optional<int64_t>(s.start) : c10::nullopt,
                             s.has_stop ? c10::optional<int64_t>(s.stop) : c10::nullopt, s.step));
        break;
      case 2: v.emplace_back(Ellipsis); break;
      case 3: v.emplace_back(None); break;
      case 4: v.emplace_back(*s.tensor); break;
      case 5: v.emplace_back(s.start != 0); break;
      default: throw std::invalid_argument("unknown index kind " + std::to_string(s.kind));
    }
  }
  return v;
}
}  // namespace

CT_EXPORT CtTensor ct_shape_op(int32_t op, CtTensor t, const int64_t* d, int32_t n) {
  CT_TRY {
    const auto a = ct::dims(d, n);
    switch (op) {
      case kReshape: return ct::wrap(t->reshape(a));
      case kView: return ct::wrap(t->view(a));
      case kPermute: return ct::wrap(t->permute(a));
      case kExpand: return ct::wrap(t->expand(a));
      case kRepeat: return ct::wrap(t->repeat(a));
      case kSqueezeAll: return ct::wrap(t->squeeze());
      case kT: return ct::wrap(t->t());
      case kFlip: return ct::wrap(t->flip(a));
      case kBroadcastTo: return ct::wrap(t->broadcast_to(a));
      default: throw std::invalid_argument("unknown shape op code " + std::to_string(op));
    }
  }
  CT_CATCH(nullptr)
}

CT_EXPORT CtTensor ct_transpose(CtTensor t, int64_t d0, int64_t d1) { CT_TRY { return ct::wrap(t->transpose(d0, d1)); } CT_CATCH(nullptr) }
CT_EXPORT CtTensor ct_squeeze_dim(CtTensor t, int64_t dim) { CT_TRY { return ct::wrap(t->squeeze(dim)); } CT_CATCH(nullptr) }
CT_EXPORT CtTensor ct_unsqueeze(CtTensor t, int64_t dim) { CT_TRY { return ct::wrap(t->unsqueeze(dim)); } CT_CATCH(nullptr) }
CT_EXPORT CtTensor ct_flatten(CtTensor t, int64_t start, int64_t end) { CT_TRY { return ct::wrap(t->flatten(start, end)); } CT_CATCH(nullptr) }
CT_EXPORT CtTensor ct_unflatten(CtTensor t, int64_t dim, const int64_t* sizes, int32_t n) {
  CT_TRY { return ct::wrap(t->unflatten(dim, ct::dims(sizes, n))); }
  CT_CATCH(nullptr)
}
CT_EXPORT CtTensor ct_narrow(CtTensor t, int64_t dim, int64_t start, int64_t length) {
  CT_TRY { return ct::wrap(t->narrow(dim, start, length)); }
  CT_CATCH(nullptr)
}
CT_EXPORT CtTensor ct_select(CtTensor t, int64_t dim, int64_t index) { CT_TRY { return ct::wrap(t->select(dim, index)); } CT_CATCH(nullptr) }
CT_EXPORT CtTensor ct_slice(CtTensor t, int64_t dim, int64_t start, int64_t end, int64_t step) {
  CT_TRY { return ct::wrap(t->slice(dim, start, end, step)); }
  CT_CATCH(nullptr)
}
CT_EXPORT CtTensor ct_index_select(CtTensor t, int64_t dim, CtTensor index) {
  CT_TRY { return ct::wrap(t->index_select(dim, *index)); }
  CT_CATCH(nullptr)
}
CT_EXPORT CtTensor ct_gather(CtTensor t, int64_t dim, CtTensor index) { CT_TRY { return ct::wrap(t->gather(dim, *index)); } CT_CATCH(nullptr) }

// scatter (add = 0) or scatter_add (add = 1) of src along dim; out null = in place.
CT_EXPORT int32_t ct_scatter(CtTensor t, int64_t dim, CtTensor index, CtTensor src, int32_t add, CtTensor* out) {
  CT_TRY {
    if (!out) add ? t->scatter_add_(dim, *index, *src) : t->scatter_(dim, *index, *src);
    else *out = ct::wrap(add ? t->scatter_add(dim, *index, *src) : t->scatter(dim, *index, *src));
    return 0;
  }
  CT_CATCH(-1)
}

CT_EXPORT CtTensor ct_cat(const CtTensor* ts, int32_t n, int64_t dim) { CT_TRY { return ct::wrap(at::cat(ct::tensor_list(ts, n), dim)); } CT_CATCH(nullptr) }
CT_EXPORT CtTensor ct_stack(const CtTensor* ts, int32_t n, int64_t dim) { CT_TRY { return ct::wrap(at::stack(ct::tensor_list(ts, n), dim)); } CT_CATCH(nullptr) }

// split into pieces of split_size (or of the given sizes when n_sizes > 0), or chunk into `chunks`;
// writes at most n_max handles into out and returns the count.
CT_EXPORT int32_t ct_split(CtTensor t, int64_t split_size, const int64_t* sizes, int32_t n_sizes, int64_t dim, CtTensor* out,
                           int32_t n_max) {
  CT_TRY {
    if (n_sizes > 0) return ct::write_list(t->split_with_sizes(ct::dims(sizes, n_sizes), dim), out, n_max);
    return ct::write_list(t->split(split_size, dim), out, n_max);
  }
  CT_CATCH(-1)
}
CT_EXPORT int32_t ct_chunk(CtTensor t, int64_t chunks, int64_t dim, CtTensor* out, int32_t n_max) {
  CT_TRY { return ct::write_list(t->chunk(chunks, dim), out, n_max); }
  CT_CATCH(-1)
}

CT_EXPORT CtTensor ct_index(CtTensor t, const IndexSpec* specs, int32_t n) {
  CT_TRY { return ct::wrap(t->index(to_indices(specs, n))); }
  CT_CATCH(nullptr)
}

// t[specs] = value (value tensor) or t[specs] = scalar (value == null).
CT_EXPORT int32_t ct_index_put(CtTensor t, const IndexSpec* specs, int32_t n, CtTensor value, ct::Scalar scalar) {
  CT_TRY {
    if (value) t->index_put_(to_indices(specs, n), *value);
    else t->index_put_(to_indices(specs, n), ct::to_scalar(scalar));
    return 0;
  }
  CT_CATCH(-1)
}

// Lower (upper = 0) or upper (upper = 1) triangle relative to the given diagonal.
CT_EXPORT CtTensor ct_triangle(CtTensor t, int64_t diagonal, int32_t upper) {
  CT_TRY { return ct::wrap(upper ? t->triu(diagonal) : t->tril(diagonal)); }
  CT_CATCH(nullptr)
}

// Indices of non-zero elements as an (n, dim) int64 tensor.
CT_EXPORT CtTensor ct_nonzero(CtTensor t) { CT_TRY { return ct::wrap(t->nonzero()); } CT_CATCH(nullptr) }
