// ct_tuning.cpp — the two traps that halve libtorch's speed on these machines, and device queries.
//  1. Thread oversubscription: libtorch's OpenMP pool and OpenBLAS's own pool both spin up a thread per
//     core. OpenBLAS's count is set through dlsym("openblas_set_num_threads") (absent when the BLAS
//     alternative is not OpenBLAS; then it is a no-op that reports 0).
//  2. glibc malloc returning large blocks to the OS after every step (mmap/munmap and trimming page
//     faults on every activation buffer): raise M_MMAP_THRESHOLD and M_TRIM_THRESHOLD.
#include "ct_common.h"

#include <dlfcn.h>
#include <malloc.h>

namespace {
using openblas_set_fn = void (*)(int);
using openblas_get_fn = int (*)();
}  // namespace

// Returns 1 when OpenBLAS was found and set, 0 when the loaded BLAS is not OpenBLAS.
CT_EXPORT int32_t ct_openblas_set_num_threads(int32_t n) {
  auto fn = reinterpret_cast<openblas_set_fn>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  if (!fn) return 0;
  fn(n);
  return 1;
}

// Returns OpenBLAS's thread count, or -1 when the loaded BLAS is not OpenBLAS.
CT_EXPORT int32_t ct_openblas_get_num_threads() {
  auto fn = reinterpret_cast<openblas_get_fn>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  return fn ? fn() : -1;
}

// Raises glibc's mmap and trim thresholds (bytes) and optionally caps the arena count (<= 0 leaves it).
// Returns 0 when every mallopt call succeeded.
CT_EXPORT int32_t ct_malloc_tuning(int64_t mmap_threshold, int64_t trim_threshold, int32_t arena_max) {
  int ok = 1;
  ok &= mallopt(M_MMAP_THRESHOLD, static_cast<int>(mmap_threshold));
  ok &= mallopt(M_TRIM_THRESHOLD, static_cast<int>(trim_threshold));
  if (arena_max > 0) ok &= mallopt(M_ARENA_MAX, arena_max);
  return ok ? 0 : -1;
}

CT_EXPORT int32_t ct_set_num_threads(int32_t n) {
  CT_TRY {
    if (n < 1) throw std::invalid_argument("the thread count must be at least 1, got " + std::to_string(n));
    at::set_num_threads(n);
    return 0;
  }
  CT_CATCH(-1)
}
CT_EXPORT int32_t ct_get_num_threads() { CT_TRY { return at::get_num_threads(); } CT_CATCH(-1) }

CT_EXPORT int32_t ct_set_num_interop_threads(int32_t n) {
  CT_TRY {
    at::set_num_interop_threads(n);
    return 0;
  }
  CT_CATCH(-1)
}

CT_EXPORT int32_t ct_cuda_is_available() { CT_TRY { return at::hasCUDA() ? 1 : 0; } CT_CATCH(0) }
CT_EXPORT int32_t ct_cuda_device_count() {
  CT_TRY { return at::hasCUDA() ? static_cast<int32_t>(at::detail::getCUDAHooks().getNumGPUs()) : 0; }
  CT_CATCH(0)
}
