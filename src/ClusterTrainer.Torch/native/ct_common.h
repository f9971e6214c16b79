// ct_common.h — shared by every native file of the ClusterTrainer.Torch shim.
//
// Rules every export follows:
//   * It is declared CT_EXPORT (extern "C", default visibility; the library is built -fvisibility=hidden).
//   * Its body sits in CT_TRY { ... } CT_CATCH(sentinel): no C++ exception ever crosses extern "C".
//     A caught exception's message is stored in a thread-local string and the sentinel is returned;
//     managed code then calls ct_last_error(), which hands the message over and clears it.
//   * Sentinels: nullptr for functions returning a tensor, -1 for functions returning a status int
//     (0 = success), and an out-parameter for values.
//   * Tensors cross the boundary as CtTensor (a heap-allocated at::Tensor) created ONLY by ct_wrap and
//     destroyed ONLY by ct_tensor_free, so the live-tensor counter is exact.
//
// This header is the target's precompiled header: it holds the heavy includes (ATen + autograd), so
// each .cpp file compiles in about a second. Avoid <torch/torch.h> (about 12 s per file) unless a file
// really needs the C++ frontend.
#pragma once

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/GradMode.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/variable.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#define CT_EXPORT extern "C" __attribute__((visibility("default")))

using CtTensor = at::Tensor*;

namespace ct {

// Set by CT_CATCH; taken (and cleared) by ct_last_error.
void set_error(const char* message) noexcept;

// Count of CtTensor wrappers alive (created by wrap, not yet freed). Exposed as ct_live_tensors().
extern std::atomic<int64_t> live_tensors;

inline CtTensor wrap(at::Tensor&& t) {
  auto* p = new at::Tensor(std::move(t));
  live_tensors.fetch_add(1, std::memory_order_relaxed);
  return p;
}
inline CtTensor wrap(const at::Tensor& t) { return wrap(at::Tensor(t)); }

// A scalar passed by value from managed code: kind 0 = double, 1 = int64, 2 = bool.
struct Scalar {
  double d;
  int64_t i;
  int32_t kind;
};

inline at::Scalar to_scalar(Scalar s) {
  switch (s.kind) {
    case 1: return at::Scalar(s.i);
    case 2: return at::Scalar(s.i != 0);
    default: return at::Scalar(s.d);
  }
}

inline at::IntArrayRef dims(const int64_t* p, int32_t n) { return at::IntArrayRef(p, static_cast<size_t>(n)); }

// Tensor options from the managed (dtype, device type, device index, requires_grad) quadruple.
inline at::TensorOptions options(int32_t dtype, int32_t device_type, int32_t device_index) {
  return at::TensorOptions()
      .dtype(static_cast<at::ScalarType>(dtype))
      .device(at::Device(static_cast<at::DeviceType>(device_type), static_cast<c10::DeviceIndex>(device_index)));
}

// Collects a managed array of tensor handles into a vector (for cat, stack, ...).
inline std::vector<at::Tensor> tensor_list(const CtTensor* ts, int32_t n) {
  std::vector<at::Tensor> v;
  v.reserve(static_cast<size_t>(n));
  for (int32_t k = 0; k < n; ++k) v.push_back(*ts[k]);
  return v;
}

// Writes a list of tensors into a caller-provided array of n_max slots; returns the count.
inline int32_t write_list(std::vector<at::Tensor>&& v, CtTensor* out, int32_t n_max) {
  if (static_cast<int32_t>(v.size()) > n_max)
    throw std::runtime_error("result has " + std::to_string(v.size()) + " tensors but the caller provided " +
                             std::to_string(n_max) + " slots");
  for (size_t k = 0; k < v.size(); ++k) out[k] = wrap(std::move(v[k]));
  return static_cast<int32_t>(v.size());
}

}  // namespace ct

// c10::Error::what() carries a long C++ backtrace; what_without_backtrace() is the useful part.
#define CT_TRY try
#define CT_CATCH(sentinel)                              \
  catch (const c10::Error& e) {                         \
    ct::set_error(e.what_without_backtrace());          \
    return sentinel;                                    \
  }                                                     \
  catch (const std::exception& e) {                     \
    ct::set_error(e.what());                            \
    return sentinel;                                    \
  }                                                     \
  catch (...) {                                         \
    ct::set_error("unknown native exception");          \
    return sentinel;                                    \
  }
