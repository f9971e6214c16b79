// ct_optim.cpp — fused optimizer steps, gradient clipping and penalties.
//
// Each ct_optim_*_step export performs one parameter's whole update with ATen ops, in the same order and
// with the same scalar arithmetic (double on the host) as torch/optim/*.py `_single_tensor_*` in
// PyTorch 1.13, so results are bit-identical to torch.optim with foreach=False. One interop call per
// parameter per step. The parameter, gradient and state tensors may be any same-shaped float tensors,
// including 1-D views into a larger flat buffer (parameter-server shards): every update is in place.
//
// `grad` may be null: the parameter's own .grad is used. Every step returns 0, or -1 with the error set.
// Optional state tensors (momentum buffers, amsgrad maxima, centered averages) are null when unused.
#include "ct_common.h"

#include <cmath>
#include <limits>

namespace {

const at::Tensor& grad_of(CtTensor param, CtTensor grad) {
  if (grad != nullptr) return *grad;
  const at::Tensor& g = param->grad();
  if (!g.defined())
    throw std::runtime_error("parameter has no gradient: call backward() first, or skip parameters whose grad is null");
  return g;
}

void check_same(const at::Tensor& a, const at::Tensor& b, const char* what) {
  if (!a.sizes().equals(b.sizes()))
    throw std::runtime_error(std::string(what) + " has shape " + c10::str(b.sizes()) +
                             " but the parameter has shape " + c10::str(a.sizes()));
}

// The preamble every *_step shares, in torch's order: the parameter detached for in-place update, and the
// gradient to apply (negated when maximizing, plus weight_decay * p when weight_decay != 0). Call it under
// the step's NoGradGuard.
struct StepInput {
  at::Tensor p;
  at::Tensor g;
};

StepInput step_input(CtTensor param, CtTensor grad, bool maximize, double weight_decay) {
  at::Tensor p = param->detach();
  const at::Tensor& g0 = grad_of(param, grad);
  check_same(p, g0, "gradient");
  at::Tensor g = maximize ? g0.neg() : g0;
  if (weight_decay != 0) g = g.add(p, weight_decay);
  return {std::move(p), std::move(g)};
}

}  // namespace

// 1 when the parameter currently has a gradient, 0 when not, -1 on error.
CT_EXPORT int32_t ct_optim_has_grad(CtTensor param) {
  CT_TRY { return param->grad().defined() ? 1 : 0; }
  CT_CATCH(-1)
}

// A fresh state tensor shaped like `param` (same dtype/device/layout), filled with `fill`, no autograd.
CT_EXPORT CtTensor ct_optim_state_like(CtTensor param, double fill) {
  CT_TRY {
    at::NoGradGuard no_grad;
    return ct::wrap(at::full_like(param->detach(), fill, at::MemoryFormat::Preserve));
  }
  CT_CATCH(nullptr)
}

// Clears the gradients of n parameters: drops them (set_to_none) or zeroes them in place.
CT_EXPORT int32_t ct_optim_zero_grad(const CtTensor* params, int32_t n, int32_t set_to_none) {
  CT_TRY {
    for (int32_t k = 0; k < n; ++k) {
      at::Tensor& g = params[k]->mutable_grad();
      if (!g.defined()) continue;
      if (set_to_none) {
        g.reset();
      } else {
        if (g.grad_fn()) g = g.detach();
        else g.requires_grad_(false);
        g.zero_();
      }
    }
    return 0;
  }
  CT_CATCH(-1)
}

CT_EXPORT int32_t ct_optim_sgd_step(CtTensor param, CtTensor grad, CtTensor momentum_buffer, int32_t buffer_fresh,
                                    double lr, double momentum, double dampening, double weight_decay,
                                    int32_t nesterov, int32_t maximize) {
  CT_TRY {
    at::NoGradGuard no_grad;
    auto [p, d_p] = step_input(param, grad, maximize != 0, weight_decay);
    if (momentum != 0) {
      at::Tensor& buf = *momentum_buffer;
      if (buffer_fresh) buf.copy_(d_p);
      else buf.mul_(momentum).add_(d_p, 1 - dampening);
      d_p = nesterov ? d_p.add(buf, momentum) : buf;
    }
    p.add_(d_p, -lr);
    return 0;
  }
  CT_CATCH(-1)
}

CT_EXPORT int32_t ct_optim_adagrad_step(CtTensor param, CtTensor grad, CtTensor state_sum, int64_t step, double lr,
                                        double lr_decay, double weight_decay, double eps, int32_t maximize) {
  CT_TRY {
    at::NoGradGuard no_grad;
    auto [p, g] = step_input(param, grad, maximize != 0, weight_decay);
    const double clr = lr / (1 + (static_cast<double>(step) - 1) * lr_decay);
    state_sum->addcmul_(g, g, 1);
    at::Tensor std = state_sum->sqrt().add_(eps);
    p.addcdiv_(g, std, -clr);
    return 0;
  }
  CT_CATCH(-1)
}

CT_EXPORT int32_t ct_optim_adadelta_step(CtTensor param, CtTensor grad, CtTensor square_avg, CtTensor acc_delta,
                                         double lr, double rho, double eps, double weight_decay, int32_t maximize) {
  CT_TRY {
    at::NoGradGuard no_grad;
    auto [p, g] = step_input(param, grad, maximize != 0, weight_decay);
    square_avg->mul_(rho).addcmul_(g, g, 1 - rho);
    at::Tensor std = square_avg->add(eps).sqrt_();
    at::Tensor delta = acc_delta->add(eps).sqrt_().div_(std).mul_(g);
    acc_delta->mul_(rho).addcmul_(delta, delta, 1 - rho);
    p.add_(delta, -lr);
    return 0;
  }
  CT_CATCH(-1)
}

CT_EXPORT int32_t ct_optim_rmsprop_step(CtTensor param, CtTensor grad, CtTensor square_avg, CtTensor grad_avg,
                                        CtTensor momentum_buffer, double lr, double alpha, double eps,
                                        double weight_decay, double momentum, int32_t centered, int32_t maximize) {
  CT_TRY {
    at::NoGradGuard no_grad;
    auto [p, g] = step_input(param, grad, maximize != 0, weight_decay);
    square_avg->mul_(alpha).addcmul_(g, g, 1 - alpha);
    at::Tensor avg;
    if (centered) {
      grad_avg->mul_(alpha).add_(g, 1 - alpha);
      avg = square_avg->addcmul(*grad_avg, *grad_avg, -1).sqrt_();
    } else {
      avg = square_avg->sqrt();
    }
    avg = avg.add_(eps);
    if (momentum > 0) {
      momentum_buffer->mul_(momentum).addcdiv_(g, avg);
      p.add_(*momentum_buffer, -lr);
    } else {
      p.addcdiv_(g, avg, -lr);
    }
    return 0;
  }
  CT_CATCH(-1)
}

// Adam (decoupled = 0) and AdamW (decoupled = 1). `step` is the step count after this update (1-based).
CT_EXPORT int32_t ct_optim_adam_step(CtTensor param, CtTensor grad, CtTensor exp_avg, CtTensor exp_avg_sq,
                                     CtTensor max_exp_avg_sq, int64_t step, double lr, double beta1, double beta2,
                                     double eps, double weight_decay, int32_t amsgrad, int32_t maximize,
                                     int32_t decoupled) {
  CT_TRY {
    at::NoGradGuard no_grad;
    // AdamW decays the parameter itself (decoupled) instead of adding weight_decay * p to the gradient.
    auto [p, g] = step_input(param, grad, maximize != 0, decoupled ? 0.0 : weight_decay);
    if (decoupled) p.mul_(1 - lr * weight_decay);
    exp_avg->mul_(beta1).add_(g, 1 - beta1);
    exp_avg_sq->mul_(beta2).addcmul_(g, g, 1 - beta2);
    const double s = static_cast<double>(step);
    const double bias_correction1 = 1 - std::pow(beta1, s);
    const double bias_correction2 = 1 - std::pow(beta2, s);
    const double step_size = lr / bias_correction1;
    const double bias_correction2_sqrt = std::sqrt(bias_correction2);
    at::Tensor denom;
    if (amsgrad) {
      at::maximum_out(*max_exp_avg_sq, *max_exp_avg_sq, *exp_avg_sq);
      denom = (max_exp_avg_sq->sqrt() / bias_correction2_sqrt).add_(eps);
    } else {
      denom = (exp_avg_sq->sqrt() / bias_correction2_sqrt).add_(eps);
    }
    p.addcdiv_(*exp_avg, denom, -step_size);
    return 0;
  }
  CT_CATCH(-1)
}

CT_EXPORT int32_t ct_optim_adamax_step(CtTensor param, CtTensor grad, CtTensor exp_avg, CtTensor exp_inf,
                                       int64_t step, double lr, double beta1, double beta2, double eps,
                                       double weight_decay, int32_t maximize) {
  CT_TRY {
    at::NoGradGuard no_grad;
    auto [p, g] = step_input(param, grad, maximize != 0, weight_decay);
    exp_avg->mul_(beta1).add_(g, 1 - beta1);
    at::Tensor norm_buf = at::cat({exp_inf->mul_(beta2).unsqueeze(0), g.abs().add_(eps).unsqueeze_(0)}, 0);
    at::amax_out(*exp_inf, norm_buf, {0}, false);
    const double clr = lr / (1 - std::pow(beta1, static_cast<double>(step)));
    p.addcdiv_(*exp_avg, *exp_inf, -clr);
    return 0;
  }
  CT_CATCH(-1)
}

// mu_product is the 0-dim float32 running product of PyTorch's NAdam state (kept as a tensor so its
// float32 rounding matches torch exactly).
CT_EXPORT int32_t ct_optim_nadam_step(CtTensor param, CtTensor grad, CtTensor exp_avg, CtTensor exp_avg_sq,
                                      CtTensor mu_product, int64_t step, double lr, double beta1, double beta2,
                                      double eps, double weight_decay, double momentum_decay) {
  CT_TRY {
    at::NoGradGuard no_grad;
    auto [p, g] = step_input(param, grad, /*maximize=*/false, weight_decay);
    const double s = static_cast<double>(step);
    const double bias_correction2 = 1 - std::pow(beta2, s);
    const double mu = beta1 * (1. - 0.5 * std::pow(0.96, s * momentum_decay));
    const double mu_next = beta1 * (1. - 0.5 * std::pow(0.96, (s + 1) * momentum_decay));
    mu_product->mul_(mu);
    at::Tensor mu_product_next = (*mu_product) * mu * mu_next;
    exp_avg->mul_(beta1).add_(g, 1 - beta1);
    exp_avg_sq->mul_(beta2).addcmul_(g, g, 1 - beta2);
    at::Tensor denom = exp_avg_sq->div(bias_correction2).sqrt().add_(eps);
    p.addcdiv_(g, denom, -lr * (1. - mu) / (1. - mu_product->item<double>()));
    p.addcdiv_(*exp_avg, denom, -lr * mu_next / (1. - mu_product_next.item<double>()));
    return 0;
  }
  CT_CATCH(-1)
}

// torch.nn.utils.clip_grad_norm_: total norm over all existing gradients (as if concatenated), then every
// gradient scaled by min(1, max_norm / (total + 1e-6)). Returns the total norm as a 0-dim tensor.
CT_EXPORT CtTensor ct_optim_clip_grad_norm(const CtTensor* params, int32_t n, double max_norm, double norm_type,
                                           int32_t error_if_nonfinite) {
  CT_TRY {
    at::NoGradGuard no_grad;
    std::vector<at::Tensor> grads;
    for (int32_t k = 0; k < n; ++k) {
      const at::Tensor& g = params[k]->grad();
      if (g.defined()) grads.push_back(g.detach());
    }
    if (grads.empty()) return ct::wrap(at::zeros({}, at::kFloat));
    const auto device = grads[0].device();
    at::Tensor total;
    if (std::isinf(norm_type) && norm_type > 0) {
      std::vector<at::Tensor> norms;
      for (auto& g : grads) norms.push_back(g.abs().max().to(device));
      total = norms.size() == 1 ? norms[0] : at::max(at::stack(norms));
    } else {
      std::vector<at::Tensor> norms;
      for (auto& g : grads) norms.push_back(at::norm(g, norm_type).to(device));
      total = at::norm(at::stack(norms), norm_type);
    }
    if (error_if_nonfinite && at::logical_or(total.isnan(), total.isinf()).item<bool>())
      throw std::runtime_error("the total norm of order " + std::to_string(norm_type) +
                               " of the gradients is non-finite, so it cannot be clipped; pass "
                               "error_if_nonfinite: false to scale by the non-finite norm anyway");
    // Python's `max_norm / tensor` is Tensor.__rtruediv__ = reciprocal() * max_norm; same rounding here.
    at::Tensor coef = at::clamp((total + 1e-6).reciprocal() * max_norm, c10::nullopt, 1.0);
    for (auto& g : grads) g.mul_(coef.to(g.device()));
    return ct::wrap(std::move(total));
  }
  CT_CATCH(nullptr)
}

CT_EXPORT int32_t ct_optim_clip_grad_value(const CtTensor* params, int32_t n, double clip_value) {
  CT_TRY {
    at::NoGradGuard no_grad;
    for (int32_t k = 0; k < n; ++k) {
      const at::Tensor& g = params[k]->grad();
      if (g.defined()) g.detach().clamp_(-clip_value, clip_value);
    }
    return 0;
  }
  CT_CATCH(-1)
}

// Differentiable penalty to add to a loss: kind 1 = lambda * sum|p|, kind 2 = lambda / 2 * sum p^2.
CT_EXPORT CtTensor ct_optim_penalty(const CtTensor* params, int32_t n, double lambda, int32_t kind) {
  CT_TRY {
    if (n == 0) return ct::wrap(at::zeros({}, at::kFloat));
    at::Tensor total;
    for (int32_t k = 0; k < n; ++k) {
      const at::Tensor& p = *params[k];
      at::Tensor term = kind == 1 ? p.abs().sum() : p.pow(2).sum();
      total = total.defined() ? total + term : term;
    }
    return ct::wrap(kind == 1 ? total * lambda : total * (0.5 * lambda));
  }
  CT_CATCH(nullptr)
}

// A 0-dim float32 state scalar (NAdam's mu_product), as PyTorch's torch.tensor(value).
CT_EXPORT CtTensor ct_optim_scalar_state(double value) {
  CT_TRY { return ct::wrap(at::scalar_tensor(value, at::kFloat)); }
  CT_CATCH(nullptr)
}

// 1 when both tensors have the same sizes, 0 when not, -1 on error.
CT_EXPORT int32_t ct_optim_same_shape(CtTensor a, CtTensor b) {
  CT_TRY { return a->sizes().equals(b->sizes()) ? 1 : 0; }
  CT_CATCH(-1)
}

// An independent copy of a state tensor (detached, same layout), for state_dict snapshots.
CT_EXPORT CtTensor ct_optim_clone_state(CtTensor t) {
  CT_TRY {
    at::NoGradGuard no_grad;
    return ct::wrap(t->detach().clone());
  }
  CT_CATCH(nullptr)
}

// Sharded clipping, part 1: this process's share of the total gradient norm over explicit gradient
// tensors (e.g. a shard's slice): sum of |g|^p in float64 for finite p, max |g| for p = inf.
CT_EXPORT int32_t ct_optim_grad_norm_part(const CtTensor* grads, int32_t n, double norm_type, double* out) {
  CT_TRY {
    at::NoGradGuard no_grad;
    const bool inf = std::isinf(norm_type) && norm_type > 0;
    double acc = 0;
    for (int32_t k = 0; k < n; ++k) {
      at::Tensor g = grads[k]->detach().to(at::kDouble).abs();
      if (g.numel() == 0) continue;
      if (inf) acc = std::max(acc, g.max().item<double>());
      else acc += g.pow(norm_type).sum().item<double>();
    }
    *out = acc;
    return 0;
  }
  CT_CATCH(-1)
}

// Sharded clipping, part 2: multiplies every gradient in place by `coef`.
CT_EXPORT int32_t ct_optim_scale_grads(const CtTensor* grads, int32_t n, double coef) {
  CT_TRY {
    at::NoGradGuard no_grad;
    for (int32_t k = 0; k < n; ++k) grads[k]->detach().mul_(coef);
    return 0;
  }
  CT_CATCH(-1)
}
