// ct_autograd.cpp — requires_grad, backward, grad (get and set), detach, retain_grad and grad mode.
// Grad mode is thread-local in libtorch, exactly as in PyTorch: a no_grad scope affects only the
// thread that opened it.
#include "ct_common.h"

CT_EXPORT int32_t ct_requires_grad(CtTensor t) { CT_TRY { return t->requires_grad() ? 1 : 0; } CT_CATCH(-1) }

CT_EXPORT int32_t ct_set_requires_grad(CtTensor t, int32_t flag) {
  CT_TRY {
    t->requires_grad_(flag != 0);
    return 0;
  }
  CT_CATCH(-1)
}

CT_EXPORT int32_t ct_is_leaf(CtTensor t) { CT_TRY { return t->is_leaf() ? 1 : 0; } CT_CATCH(-1) }

// grad may be null (allowed only for a one-element output, as in PyTorch).
CT_EXPORT int32_t ct_backward(CtTensor t, CtTensor grad, int32_t retain_graph, int32_t create_graph) {
  CT_TRY {
    if (!t->requires_grad())
      throw std::invalid_argument(
          "backward() on a tensor that does not require grad: no input of the expression had requires_grad=true, "
          "or it was computed inside a no_grad scope");
    const at::Tensor g = grad ? *grad : at::Tensor();
    c10::optional<bool> retain = retain_graph < 0 ? c10::nullopt : c10::optional<bool>(retain_graph != 0);
    t->backward(g, retain, create_graph != 0);
    return 0;
  }
  CT_CATCH(-1)
}

// Writes the gradient (or null when there is none) into *out.
CT_EXPORT int32_t ct_grad(CtTensor t, CtTensor* out) {
  CT_TRY {
    const at::Tensor& g = t->grad();
    *out = g.defined() ? ct::wrap(g) : nullptr;
    return 0;
  }
  CT_CATCH(-1)
}

// Sets (grad != null) or clears (grad == null) the gradient. The tensor is stored as is, not copied,
// so a view into a flat gradient buffer stays a view: backward accumulates into the buffer.
CT_EXPORT int32_t ct_set_grad(CtTensor t, CtTensor grad) {
  CT_TRY {
    if (grad) {
      if (grad->sizes() != t->sizes())
        throw std::invalid_argument("grad shape " + c10::str(grad->sizes()) + " does not match the tensor's shape " +
                                    c10::str(t->sizes()));
      if (grad->scalar_type() != t->scalar_type())
        throw std::invalid_argument(std::string("grad dtype ") + c10::toString(grad->scalar_type()) +
                                    " does not match the tensor's dtype " + c10::toString(t->scalar_type()));
      t->mutable_grad() = *grad;
    } else {
      t->mutable_grad() = at::Tensor();
    }
    return 0;
  }
  CT_CATCH(-1)
}

CT_EXPORT CtTensor ct_detach(CtTensor t) { CT_TRY { return ct::wrap(t->detach()); } CT_CATCH(nullptr) }
CT_EXPORT int32_t ct_detach_(CtTensor t) { CT_TRY { t->detach_(); return 0; } CT_CATCH(-1) }
CT_EXPORT int32_t ct_retain_grad(CtTensor t) { CT_TRY { t->retain_grad(); return 0; } CT_CATCH(-1) }

CT_EXPORT int32_t ct_grad_enabled() { return c10::GradMode::is_enabled() ? 1 : 0; }

// Sets grad mode for this thread; returns the previous mode.
CT_EXPORT int32_t ct_set_grad_enabled(int32_t enabled) {
  const bool prev = c10::GradMode::is_enabled();
  c10::GradMode::set_enabled(enabled != 0);
  return prev ? 1 : 0;
}

// torch.autograd.grad(outputs=[t], inputs=xs, grad_outputs=[g]): writes one gradient per input into out
// (null for an input the output does not depend on, when allow_unused).
CT_EXPORT int32_t ct_autograd_grad(CtTensor t, CtTensor grad, const CtTensor* inputs, int32_t n, CtTensor* out,
                                   int32_t retain_graph, int32_t create_graph, int32_t allow_unused) {
  CT_TRY {
    std::vector<at::Tensor> outs{*t};
    std::vector<at::Tensor> gos;
    if (grad) gos.push_back(*grad);
    c10::optional<bool> retain = retain_graph < 0 ? c10::nullopt : c10::optional<bool>(retain_graph != 0);
    auto gs = torch::autograd::grad(outs, ct::tensor_list(inputs, n), gos, retain, create_graph != 0, allow_unused != 0);
    for (int32_t k = 0; k < n; ++k) out[k] = gs[k].defined() ? ct::wrap(std::move(gs[k])) : nullptr;
    return 0;
  }
  CT_CATCH(-1)
}
