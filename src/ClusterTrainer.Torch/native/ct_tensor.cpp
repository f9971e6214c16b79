// ct_tensor.cpp — errors, the live-tensor counter, tensor lifetime, metadata, creation, raw data access,
// conversions and the in-place fills/initialisers (with the global generator, like PyTorch's init).
#include "ct_common.h"

#include <cstring>
#include <sstream>

namespace ct {
std::atomic<int64_t> live_tensors{0};

namespace {
thread_local std::string pending_error;
thread_local bool has_pending_error = false;
thread_local std::string handed_error;   // what ct_last_error returned; valid until its next call
thread_local std::string handed_string;  // what ct_tensor_to_string returned; valid until its next call
}  // namespace

void set_error(const char* message) noexcept {
  try {
    pending_error.assign(message ? message : "unknown native error");
  } catch (...) {
    pending_error.clear();  // out of memory while storing the message: keep the flag, drop the text
  }
  has_pending_error = true;
}

const char* take_error() noexcept {
  if (!has_pending_error) return nullptr;
  has_pending_error = false;
  handed_error.swap(pending_error);
  pending_error.clear();
  return handed_error.c_str();
}

const char* hand_string(std::string&& s) noexcept {
  handed_string = std::move(s);
  return handed_string.c_str();
}
}  // namespace ct

namespace {
enum Factory : int32_t { kZeros = 0, kOnes = 1, kEmpty = 2, kRand = 3, kRandn = 4 };

at::Tensor make(int32_t kind, at::IntArrayRef shape, const at::TensorOptions& o) {
  switch (kind) {
    case kZeros: return at::zeros(shape, o);
    case kOnes: return at::ones(shape, o);
    case kEmpty: return at::empty(shape, o);
    case kRand: return at::rand(shape, o);
    case kRandn: return at::randn(shape, o);
    default: throw std::invalid_argument("unknown factory kind " + std::to_string(kind));
  }
}

at::Tensor make_like(int32_t kind, const at::Tensor& t, const at::TensorOptions& o) {
  switch (kind) {
    case kZeros: return at::zeros_like(t, o);
    case kOnes: return at::ones_like(t, o);
    case kEmpty: return at::empty_like(t, o);
    case kRand: return at::rand_like(t, o);
    case kRandn: return at::randn_like(t, o);
    default: throw std::invalid_argument("unknown factory kind " + std::to_string(kind));
  }
}

CtTensor finish(at::Tensor&& t, int32_t requires_grad) {
  if (requires_grad) t.set_requires_grad(true);
  return ct::wrap(std::move(t));
}

void check_bytes(const at::Tensor& t, int64_t nbytes, const char* what) {
  const int64_t need = t.numel() * static_cast<int64_t>(t.element_size());
  if (need != nbytes)
    throw std::invalid_argument(std::string(what) + ": the tensor holds " + std::to_string(need) +
                                " bytes (" + std::to_string(t.numel()) + " elements of " + c10::toString(t.scalar_type()) +
                                ") but the buffer has " + std::to_string(nbytes) + " bytes");
}
}  // namespace

CT_EXPORT const char* ct_last_error() { return ct::take_error(); }
CT_EXPORT int64_t ct_live_tensors() { return ct::live_tensors.load(std::memory_order_relaxed); }
CT_EXPORT int32_t ct_version() { return 1; }

CT_EXPORT void ct_tensor_free(CtTensor t) {
  if (!t) return;
  delete t;
  ct::live_tensors.fetch_sub(1, std::memory_order_relaxed);
}

// ---- metadata ------------------------------------------------------------------------------------
CT_EXPORT int32_t ct_tensor_dim(CtTensor t) { CT_TRY { return static_cast<int32_t>(t->dim()); } CT_CATCH(-1) }
CT_EXPORT int64_t ct_tensor_numel(CtTensor t) { CT_TRY { return t->numel(); } CT_CATCH(-1) }
CT_EXPORT int32_t ct_tensor_dtype(CtTensor t) { CT_TRY { return static_cast<int32_t>(t->scalar_type()); } CT_CATCH(-1) }
CT_EXPORT int32_t ct_tensor_device_type(CtTensor t) { CT_TRY { return static_cast<int32_t>(t->device().type()); } CT_CATCH(-1) }
CT_EXPORT int32_t ct_tensor_device_index(CtTensor t) { CT_TRY { return t->device().index(); } CT_CATCH(-2) }
CT_EXPORT int32_t ct_tensor_is_contiguous(CtTensor t) { CT_TRY { return t->is_contiguous() ? 1 : 0; } CT_CATCH(-1) }
CT_EXPORT int32_t ct_tensor_element_size(CtTensor t) { CT_TRY { return static_cast<int32_t>(t->element_size()); } CT_CATCH(-1) }

// Writes up to n sizes (or strides) into out; returns the tensor's dim.
CT_EXPORT int32_t ct_tensor_sizes(CtTensor t, int64_t* out, int32_t n) {
  CT_TRY {
    const auto s = t->sizes();
    for (int32_t k = 0; k < n && k < static_cast<int32_t>(s.size()); ++k) out[k] = s[k];
    return static_cast<int32_t>(s.size());
  }
  CT_CATCH(-1)
}
CT_EXPORT int32_t ct_tensor_strides(CtTensor t, int64_t* out, int32_t n) {
  CT_TRY {
    const auto s = t->strides();
    for (int32_t k = 0; k < n && k < static_cast<int32_t>(s.size()); ++k) out[k] = s[k];
    return static_cast<int32_t>(s.size());
  }
  CT_CATCH(-1)
}
CT_EXPORT int64_t ct_tensor_size(CtTensor t, int64_t dim) { CT_TRY { return t->size(dim); } CT_CATCH(-1) }

CT_EXPORT void* ct_tensor_data_ptr(CtTensor t) { CT_TRY { return t->data_ptr(); } CT_CATCH(nullptr) }

// ---- creation ------------------------------------------------------------------------------------
CT_EXPORT CtTensor ct_factory(int32_t kind, const int64_t* shape, int32_t ndim, int32_t dtype, int32_t dev_type,
                              int32_t dev_index, int32_t requires_grad) {
  CT_TRY { return finish(make(kind, ct::dims(shape, ndim), ct::options(dtype, dev_type, dev_index)), requires_grad); }
  CT_CATCH(nullptr)
}

CT_EXPORT CtTensor ct_factory_like(int32_t kind, CtTensor t, int32_t dtype, int32_t requires_grad) {
  CT_TRY {
    auto o = at::TensorOptions().dtype(dtype < 0 ? t->scalar_type() : static_cast<at::ScalarType>(dtype)).device(t->device());
    return finish(make_like(kind, *t, o), requires_grad);
  }
  CT_CATCH(nullptr)
}

CT_EXPORT CtTensor ct_full(const int64_t* shape, int32_t ndim, ct::Scalar value, int32_t dtype, int32_t dev_type,
                           int32_t dev_index, int32_t requires_grad) {
  CT_TRY {
    return finish(at::full(ct::dims(shape, ndim), ct::to_scalar(value), ct::options(dtype, dev_type, dev_index)),
                  requires_grad);
  }
  CT_CATCH(nullptr)
}

// Copies nbytes of host memory into a new CPU tensor of the given shape, then moves it to the device.
CT_EXPORT CtTensor ct_from_data(const void* data, int64_t nbytes, const int64_t* shape, int32_t ndim, int32_t dtype,
                                int32_t dev_type, int32_t dev_index, int32_t requires_grad) {
  CT_TRY {
    auto t = at::empty(ct::dims(shape, ndim), at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype)));
    check_bytes(t, nbytes, "tensor from data");
    if (nbytes > 0) std::memcpy(t.data_ptr(), data, static_cast<size_t>(nbytes));
    const at::Device dev(static_cast<at::DeviceType>(dev_type), static_cast<c10::DeviceIndex>(dev_index));
    if (dev != t.device()) t = t.to(dev);
    return finish(std::move(t), requires_grad);
  }
  CT_CATCH(nullptr)
}

CT_EXPORT CtTensor ct_arange(ct::Scalar start, ct::Scalar end, ct::Scalar step, int32_t dtype, int32_t dev_type,
                             int32_t dev_index, int32_t requires_grad) {
  CT_TRY {
    return finish(at::arange(ct::to_scalar(start), ct::to_scalar(end), ct::to_scalar(step),
                             ct::options(dtype, dev_type, dev_index)),
                  requires_grad);
  }
  CT_CATCH(nullptr)
}

CT_EXPORT CtTensor ct_linspace(double start, double end, int64_t steps, int32_t dtype, int32_t dev_type,
                               int32_t dev_index, int32_t requires_grad) {
  CT_TRY {
    return finish(at::linspace(start, end, steps, ct::options(dtype, dev_type, dev_index)), requires_grad);
  }
  CT_CATCH(nullptr)
}

CT_EXPORT CtTensor ct_eye(int64_t n, int64_t m, int32_t dtype, int32_t dev_type, int32_t dev_index,
                          int32_t requires_grad) {
  CT_TRY { return finish(at::eye(n, m, ct::options(dtype, dev_type, dev_index)), requires_grad); }
  CT_CATCH(nullptr)
}

CT_EXPORT CtTensor ct_randint(int64_t low, int64_t high, const int64_t* shape, int32_t ndim, int32_t dtype,
                              int32_t dev_type, int32_t dev_index) {
  CT_TRY {
    if (high <= low)
      throw std::invalid_argument("randint needs low < high, got low=" + std::to_string(low) +
                                  " high=" + std::to_string(high));
    return ct::wrap(at::randint(low, high, ct::dims(shape, ndim), ct::options(dtype, dev_type, dev_index)));
  }
  CT_CATCH(nullptr)
}

CT_EXPORT int32_t ct_manual_seed(uint64_t seed) {
  CT_TRY {
    at::manual_seed(seed);
    return 0;
  }
  CT_CATCH(-1)
}

// ---- raw data ------------------------------------------------------------------------------------
// Copies the tensor's elements (in row-major order, whatever its strides or device) to host memory.
CT_EXPORT int32_t ct_copy_to_host(CtTensor t, void* dst, int64_t nbytes) {
  CT_TRY {
    check_bytes(*t, nbytes, "copy to host");
    if (nbytes == 0) return 0;
    auto src = t->device().is_cpu() ? *t : t->to(at::kCPU);
    src = src.contiguous();
    std::memcpy(dst, src.data_ptr(), static_cast<size_t>(nbytes));
    return 0;
  }
  CT_CATCH(-1)
}

// Overwrites the tensor's elements (row-major order) from host memory; works for views too.
CT_EXPORT int32_t ct_copy_from_host(CtTensor t, const void* src, int64_t nbytes) {
  CT_TRY {
    check_bytes(*t, nbytes, "copy from host");
    if (nbytes == 0) return 0;
    if (t->device().is_cpu() && t->is_contiguous()) {
      std::memcpy(t->data_ptr(), src, static_cast<size_t>(nbytes));
    } else {
      auto blob = at::from_blob(const_cast<void*>(src), t->sizes(), at::TensorOptions().dtype(t->scalar_type()));
      at::NoGradGuard no_grad;
      t->copy_(blob);
    }
    return 0;
  }
  CT_CATCH(-1)
}

// Reads a one-element tensor as the given dtype into out (which must hold one element of that dtype).
CT_EXPORT int32_t ct_item(CtTensor t, int32_t dtype, void* out) {
  CT_TRY {
    if (t->numel() != 1)
      throw std::invalid_argument("item() needs a tensor with exactly one element, this one has " +
                                  std::to_string(t->numel()) + " (shape " + c10::str(t->sizes()) + ")");
    auto v = t->detach().to(at::kCPU, static_cast<at::ScalarType>(dtype)).contiguous();
    std::memcpy(out, v.data_ptr(), v.element_size());
    return 0;
  }
  CT_CATCH(-1)
}

CT_EXPORT const char* ct_tensor_to_string(CtTensor t) {
  CT_TRY {
    std::ostringstream os;
    os << *t;
    return ct::hand_string(os.str());
  }
  CT_CATCH(nullptr)
}

// ---- conversions ---------------------------------------------------------------------------------
CT_EXPORT CtTensor ct_to(CtTensor t, int32_t dtype, int32_t dev_type, int32_t dev_index, int32_t copy) {
  CT_TRY {
    return ct::wrap(t->to(ct::options(dtype, dev_type, dev_index), /*non_blocking=*/false, copy != 0));
  }
  CT_CATCH(nullptr)
}
CT_EXPORT CtTensor ct_contiguous(CtTensor t) { CT_TRY { return ct::wrap(t->contiguous()); } CT_CATCH(nullptr) }
CT_EXPORT CtTensor ct_clone(CtTensor t) { CT_TRY { return ct::wrap(t->clone()); } CT_CATCH(nullptr) }
CT_EXPORT CtTensor ct_alias(CtTensor t) { CT_TRY { return ct::wrap(*t); } CT_CATCH(nullptr) }

// ---- in-place fills, copies and initialisers -----------------------------------------------------
CT_EXPORT int32_t ct_copy_(CtTensor dst, CtTensor src) { CT_TRY { dst->copy_(*src); return 0; } CT_CATCH(-1) }
CT_EXPORT int32_t ct_fill_(CtTensor t, ct::Scalar v) { CT_TRY { t->fill_(ct::to_scalar(v)); return 0; } CT_CATCH(-1) }
CT_EXPORT int32_t ct_zero_(CtTensor t) { CT_TRY { t->zero_(); return 0; } CT_CATCH(-1) }

// Makes t share src's storage, offset, sizes and strides (PyTorch's Tensor.set_): after this, writes
// through either are visible through both. Used to turn parameters into views of one flat buffer.
CT_EXPORT int32_t ct_set_(CtTensor t, CtTensor src) {
  CT_TRY {
    at::NoGradGuard no_grad;
    t->set_(*src);
    return 0;
  }
  CT_CATCH(-1)
}

CT_EXPORT int32_t ct_uniform_(CtTensor t, double from, double to) { CT_TRY { t->uniform_(from, to); return 0; } CT_CATCH(-1) }
CT_EXPORT int32_t ct_normal_(CtTensor t, double mean, double std) { CT_TRY { t->normal_(mean, std); return 0; } CT_CATCH(-1) }
CT_EXPORT int32_t ct_bernoulli_(CtTensor t, double p) { CT_TRY { t->bernoulli_(p); return 0; } CT_CATCH(-1) }
