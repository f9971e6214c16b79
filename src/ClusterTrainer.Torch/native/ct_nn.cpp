// ct_nn.cpp: the torch.nn area of the shim. Functional ops (linear, convolutions, pooling, dropout,
// normalisation, embedding, recurrent layers, multi-head attention, activations, losses), default
// initialisation helpers and the flat-parameter re-pointing. Every op is the same ATen call PyTorch's
// Python layer makes, so results match torch bit-for-bit where the kernels are deterministic.
// Every export sits in core's CT_TRY { } CT_CATCH: no C++ exception crosses the boundary.
#include "ct_common.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/generated/variable_factories.h>
#include <torch/csrc/autograd/grad_mode.h>
#include <cmath>
#include <cstring>
#include <vector>

namespace {

using at::Tensor;

// Handles are core's CtTensor (a heap at::Tensor*), created only through ct::wrap (ct_common.h).
inline Tensor& ct_unwrap(CtTensor h) { return *h; }
inline CtTensor ct_wrap(Tensor t) { return ct::wrap(std::move(t)); }

inline c10::optional<Tensor> opt(CtTensor h) {
  return h ? c10::optional<Tensor>(ct_unwrap(h)) : c10::nullopt;
}

inline at::IntArrayRef ints(const int64_t* p, int64_t n) { return at::IntArrayRef(p, static_cast<size_t>(n)); }

std::vector<Tensor> tensors(CtTensor const* hs, int64_t n) {
  std::vector<Tensor> v;
  v.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v.push_back(ct_unwrap(hs[i]));
  return v;
}

// Activation kinds; keep in sync with NativeMethods.NN.cs (Activation enum).
enum Act : int32_t { Sigmoid = 0, Tanh, Relu, LeakyRelu, Elu, Softsign, Softplus, Softmax, LogSoftmax, Gelu };

// Loss kinds; keep in sync with NativeMethods.NN.cs (LossKind enum).
enum Loss : int32_t { Mse = 0, L1, Huber, SmoothL1, CrossEntropy, Nll, Bce, BceLogits, KlDiv, HingeEmbedding, MultiMargin };

// Multi-head attention as in torch.nn.functional.multi_head_attention_forward (1.13, slow path,
// packed in-projection, no bias_k/bias_v, no zero attention). Inputs are (L, N, E) or (L, E).
std::tuple<Tensor, Tensor> mha(Tensor q_in, Tensor k_in, Tensor v_in, int64_t heads, const Tensor& w_in,
                               const c10::optional<Tensor>& b_in, const Tensor& w_out, const c10::optional<Tensor>& b_out,
                               double dropout_p, bool training, const c10::optional<Tensor>& key_padding_mask,
                               const c10::optional<Tensor>& attn_mask_in, bool need_weights, bool average, bool batch_first) {
  bool same_qkv = q_in.is_same(k_in) && k_in.is_same(v_in);
  bool same_kv = k_in.is_same(v_in);
  if (batch_first && q_in.dim() == 3) {
    q_in = q_in.transpose(1, 0);
    k_in = same_qkv ? q_in : k_in.transpose(1, 0);
    v_in = same_kv ? k_in : v_in.transpose(1, 0);
  }
  bool batched = q_in.dim() == 3;
  TORCH_CHECK(batched || q_in.dim() == 2, "MultiheadAttention: query must be 2-D (L, E) or 3-D, got ", q_in.sizes());
  if (!batched) {
    q_in = q_in.unsqueeze(1);
    k_in = same_qkv ? q_in : k_in.unsqueeze(1);
    v_in = same_kv ? k_in : v_in.unsqueeze(1);
  }
  const int64_t tgt_len = q_in.size(0), bsz = q_in.size(1), embed = q_in.size(2);
  TORCH_CHECK(embed % heads == 0, "MultiheadAttention: embed_dim ", embed, " is not divisible by num_heads ", heads);
  const int64_t head_dim = embed / heads;
  Tensor q, k, v;
  if (same_qkv) {
    auto proj = at::linear(q_in, w_in, b_in).chunk(3, -1);
    q = proj[0]; k = proj[1]; v = proj[2];
  } else {
    auto w = w_in.chunk(3);
    std::vector<c10::optional<Tensor>> b(3);
    if (b_in) { auto bc = b_in->chunk(3); for (int i = 0; i < 3; ++i) b[i] = bc[i]; }
    q = at::linear(q_in, w[0], b[0]);
    if (same_kv) {
      auto kv = at::linear(k_in, at::cat({w[1], w[2]}), b_in ? c10::optional<Tensor>(at::cat({*b[1], *b[2]})) : c10::nullopt).chunk(2, -1);
      k = kv[0]; v = kv[1];
    } else {
      k = at::linear(k_in, w[1], b[1]);
      v = at::linear(v_in, w[2], b[2]);
    }
  }
  q = q.contiguous().view({tgt_len, bsz * heads, head_dim}).transpose(0, 1);
  k = k.contiguous().view({k.size(0), bsz * heads, head_dim}).transpose(0, 1);
  v = v.contiguous().view({v.size(0), bsz * heads, head_dim}).transpose(0, 1);
  const int64_t src_len = k.size(1);

  c10::optional<Tensor> mask;
  if (attn_mask_in) {
    Tensor m = *attn_mask_in;
    if (m.dim() == 2) m = m.unsqueeze(0);
    if (m.scalar_type() == at::kBool) m = at::zeros_like(m, q.options()).masked_fill_(m, -std::numeric_limits<double>::infinity());
    mask = m;
  }
  if (key_padding_mask) {
    TORCH_CHECK(key_padding_mask->sizes() == at::IntArrayRef({bsz, src_len}), "MultiheadAttention: key_padding_mask must have shape (",
                bsz, ", ", src_len, "), got ", key_padding_mask->sizes());
    Tensor kpm = key_padding_mask->view({bsz, 1, 1, src_len}).expand({-1, heads, -1, -1}).reshape({bsz * heads, 1, src_len});
    if (kpm.scalar_type() == at::kBool) kpm = at::zeros_like(kpm, q.options()).masked_fill_(kpm, -std::numeric_limits<double>::infinity());
    mask = mask ? *mask + kpm : kpm;
  }
  if (!training) dropout_p = 0.0;
  Tensor q_scaled = q / std::sqrt(static_cast<double>(head_dim));
  Tensor weights = mask ? at::baddbmm(*mask, q_scaled, k.transpose(-2, -1)) : at::bmm(q_scaled, k.transpose(-2, -1));
  weights = at::softmax(weights, -1);
  if (dropout_p > 0.0) weights = at::dropout(weights, dropout_p, true);
  Tensor out = at::bmm(weights, v);
  out = out.transpose(0, 1).contiguous().view({tgt_len * bsz, embed});
  out = at::linear(out, w_out, b_out).view({tgt_len, bsz, embed});
  if (!batched) out = out.squeeze(1);
  else if (batch_first) out = out.transpose(1, 0);
  Tensor w;
  if (need_weights) {
    w = weights.view({bsz, heads, tgt_len, src_len});
    if (average) w = w.mean(1);
    if (!batched) w = w.squeeze(0);
  }
  return {out, w};
}

}  // namespace

extern "C" {

CT_EXPORT CtTensor ct_nn_linear(CtTensor x, CtTensor w, CtTensor b) {
  CT_TRY {
  return ct_wrap(at::linear(ct_unwrap(x), ct_unwrap(w), opt(b)));
  } CT_CATCH(nullptr)
}

// dims = 1, 2 or 3; stride/padding/dilation each hold dims values.
CT_EXPORT CtTensor ct_nn_conv(CtTensor x, CtTensor w, CtTensor b, int32_t dims, const int64_t* stride, const int64_t* padding,
                              const int64_t* dilation, int64_t groups) {
  CT_TRY {
  const Tensor& in = ct_unwrap(x);
  TORCH_CHECK(in.dim() == dims + 1 || in.dim() == dims + 2, "Conv", dims, "d expects a ", dims + 1, "-D (unbatched) or ", dims + 2,
              "-D (batched) input, got shape ", in.sizes());
  auto s = ints(stride, dims), p = ints(padding, dims), d = ints(dilation, dims);
  switch (dims) {
    case 1: return ct_wrap(at::conv1d(in, ct_unwrap(w), opt(b), s, p, d, groups));
    case 2: return ct_wrap(at::conv2d(in, ct_unwrap(w), opt(b), s, p, d, groups));
    default: return ct_wrap(at::conv3d(in, ct_unwrap(w), opt(b), s, p, d, groups));
  }
  } CT_CATCH(nullptr)
}

// padding given as a mode: 0 "valid", 1 "same" (PyTorch's string padding; "same" needs stride 1).
CT_EXPORT CtTensor ct_nn_conv_padmode(CtTensor x, CtTensor w, CtTensor b, int32_t dims, const int64_t* stride, int32_t mode,
                                      const int64_t* dilation, int64_t groups) {
  CT_TRY {
  const Tensor& in = ct_unwrap(x);
  TORCH_CHECK(in.dim() == dims + 1 || in.dim() == dims + 2, "Conv", dims, "d expects a ", dims + 1, "-D (unbatched) or ", dims + 2,
              "-D (batched) input, got shape ", in.sizes());
  auto s = ints(stride, dims), d = ints(dilation, dims);
  c10::string_view pad = mode == 1 ? "same" : "valid";
  switch (dims) {
    case 1: return ct_wrap(at::conv1d(in, ct_unwrap(w), opt(b), s, pad, d, groups));
    case 2: return ct_wrap(at::conv2d(in, ct_unwrap(w), opt(b), s, pad, d, groups));
    default: return ct_wrap(at::conv3d(in, ct_unwrap(w), opt(b), s, pad, d, groups));
  }
  } CT_CATCH(nullptr)
}

CT_EXPORT CtTensor ct_nn_max_pool(CtTensor x, int32_t dims, const int64_t* kernel, const int64_t* stride, const int64_t* padding,
                                  const int64_t* dilation, int32_t ceil_mode) {
  CT_TRY {
  auto k = ints(kernel, dims), s = ints(stride, dims), p = ints(padding, dims), d = ints(dilation, dims);
  if (dims == 1) return ct_wrap(at::max_pool1d(ct_unwrap(x), k, s, p, d, ceil_mode != 0));
  return ct_wrap(at::max_pool2d(ct_unwrap(x), k, s, p, d, ceil_mode != 0));
  } CT_CATCH(nullptr)
}

CT_EXPORT CtTensor ct_nn_avg_pool(CtTensor x, int32_t dims, const int64_t* kernel, const int64_t* stride, const int64_t* padding,
                                  int32_t ceil_mode, int32_t count_include_pad) {
  CT_TRY {
  auto k = ints(kernel, dims), s = ints(stride, dims), p = ints(padding, dims);
  if (dims == 1) return ct_wrap(at::avg_pool1d(ct_unwrap(x), k, s, p, ceil_mode != 0, count_include_pad != 0));
  return ct_wrap(at::avg_pool2d(ct_unwrap(x), k, s, p, ceil_mode != 0, count_include_pad != 0));
  } CT_CATCH(nullptr)
}

CT_EXPORT CtTensor ct_nn_dropout(CtTensor x, double p, int32_t train) {
  CT_TRY {
  return ct_wrap(at::dropout(ct_unwrap(x), p, train != 0));
  } CT_CATCH(nullptr)
}

CT_EXPORT CtTensor ct_nn_batch_norm(CtTensor x, CtTensor w, CtTensor b, CtTensor running_mean, CtTensor running_var, int32_t training,
                                    double momentum, double eps) {
  CT_TRY {
  return ct_wrap(at::batch_norm(ct_unwrap(x), opt(w), opt(b), opt(running_mean), opt(running_var), training != 0, momentum, eps,
                                at::globalContext().userEnabledCuDNN()));
  } CT_CATCH(nullptr)
}

CT_EXPORT CtTensor ct_nn_layer_norm(CtTensor x, const int64_t* shape, int32_t ndim, CtTensor w, CtTensor b, double eps) {
  CT_TRY {
  return ct_wrap(at::layer_norm(ct_unwrap(x), ints(shape, ndim), opt(w), opt(b), eps, at::globalContext().userEnabledCuDNN()));
  } CT_CATCH(nullptr)
}

CT_EXPORT CtTensor ct_nn_embedding(CtTensor weight, CtTensor indices, int64_t padding_idx) {
  CT_TRY {
  const Tensor& idx = ct_unwrap(indices);
  TORCH_CHECK(idx.scalar_type() == at::kLong || idx.scalar_type() == at::kInt,
              "Embedding expects int64 (or int32) indices, got ", idx.scalar_type(), "; convert with .to(torch.int64)");
  return ct_wrap(at::embedding(ct_unwrap(weight), idx, padding_idx, false, false));
  } CT_CATCH(nullptr)
}

CT_EXPORT CtTensor ct_nn_flatten(CtTensor x, int64_t start_dim, int64_t end_dim) {
  CT_TRY {
  return ct_wrap(ct_unwrap(x).flatten(start_dim, end_dim));
  } CT_CATCH(nullptr)
}

CT_EXPORT CtTensor ct_nn_activation(CtTensor x, int32_t kind, double a, double b) {
  CT_TRY {
  const Tensor& t = ct_unwrap(x);
  switch (kind) {
    case Sigmoid: return ct_wrap(at::sigmoid(t));
    case Tanh: return ct_wrap(at::tanh(t));
    case Relu: return ct_wrap(at::relu(t));
    case LeakyRelu: return ct_wrap(at::leaky_relu(t, a));
    case Elu: return ct_wrap(at::elu(t, a));
    case Softsign: return ct_wrap(t / (t.abs() + 1));
    case Softplus: return ct_wrap(at::softplus(t, a, b));
    case Softmax: return ct_wrap(at::softmax(t, static_cast<int64_t>(a)));
    case LogSoftmax: return ct_wrap(at::log_softmax(t, static_cast<int64_t>(a)));
    case Gelu: return ct_wrap(at::gelu(t, a != 0.0 ? "tanh" : "none"));
    default: TORCH_CHECK(false, "unknown activation kind ", kind);
  }
  } CT_CATCH(nullptr)
}

// reduction: 0 none, 1 mean, 2 sum (at::Reduction). a/b/i are per-loss scalars (see NativeMethods.NN.cs).
CT_EXPORT CtTensor ct_nn_loss(int32_t kind, CtTensor input, CtTensor target, CtTensor weight, CtTensor extra, int64_t reduction,
                              double a, int64_t i) {
  CT_TRY {
  const Tensor& x = ct_unwrap(input);
  const Tensor& y = ct_unwrap(target);
  switch (kind) {
    case Mse: return ct_wrap(at::mse_loss(x, y, reduction));
    case L1: return ct_wrap(at::l1_loss(x, y, reduction));
    case Huber: return ct_wrap(at::huber_loss(x, y, reduction, a));
    case SmoothL1: return ct_wrap(at::smooth_l1_loss(x, y, reduction, a));
    case CrossEntropy: return ct_wrap(at::cross_entropy_loss(x, y, opt(weight), reduction, i, a));
    case Nll: return ct_wrap(at::nll_loss_nd(x, y, opt(weight), reduction, i));
    case Bce: {
      c10::optional<Tensor> w = opt(weight);
      if (w) w = w->expand(at::infer_size(y.sizes(), w->sizes()));
      return ct_wrap(at::binary_cross_entropy(x, y, w, reduction));
    }
    case BceLogits: return ct_wrap(at::binary_cross_entropy_with_logits(x, y, opt(weight), opt(extra), reduction));
    case KlDiv: return ct_wrap(at::kl_div(x, y, reduction, i != 0));
    case HingeEmbedding: return ct_wrap(at::hinge_embedding_loss(x, y, a, reduction));
    case MultiMargin: return ct_wrap(at::multi_margin_loss(x, y, i, a, opt(weight), reduction));
    default: TORCH_CHECK(false, "unknown loss kind ", kind);
  }
  } CT_CATCH(nullptr)
}

// mode: 0 RNN tanh, 1 RNN relu, 2 LSTM, 3 GRU. params in PyTorch's _flat_weights order. cx only for LSTM.
// Returns 0 on success, -1 on error (message in core's thread-local error slot).
CT_EXPORT int32_t ct_nn_rnn(int32_t mode, CtTensor input, CtTensor hx, CtTensor cx, CtTensor const* params, int64_t nparams,
                            int32_t has_biases, int64_t num_layers, double dropout, int32_t train, int32_t bidirectional,
                            int32_t batch_first, CtTensor* out_output, CtTensor* out_h, CtTensor* out_c) {
  CT_TRY {
  auto ps = tensors(params, nparams);
  const Tensor& x = ct_unwrap(input);
  const Tensor& h = ct_unwrap(hx);
  if (mode == 2) {
    auto r = at::lstm(x, {h, ct_unwrap(cx)}, ps, has_biases != 0, num_layers, dropout, train != 0, bidirectional != 0, batch_first != 0);
    *out_output = ct_wrap(std::get<0>(r));
    *out_h = ct_wrap(std::get<1>(r));
    *out_c = ct_wrap(std::get<2>(r));
    return 0;
  }
  std::tuple<Tensor, Tensor> r = mode == 3 ? at::gru(x, h, ps, has_biases != 0, num_layers, dropout, train != 0, bidirectional != 0, batch_first != 0)
                                 : mode == 1 ? at::rnn_relu(x, h, ps, has_biases != 0, num_layers, dropout, train != 0, bidirectional != 0, batch_first != 0)
                                             : at::rnn_tanh(x, h, ps, has_biases != 0, num_layers, dropout, train != 0, bidirectional != 0, batch_first != 0);
  *out_output = ct_wrap(std::get<0>(r));
  *out_h = ct_wrap(std::get<1>(r));
  *out_c = nullptr;
  return 0;
  } CT_CATCH(-1)
}

CT_EXPORT int32_t ct_nn_mha(CtTensor q, CtTensor k, CtTensor v, int64_t heads, CtTensor w_in, CtTensor b_in, CtTensor w_out, CtTensor b_out,
                            double dropout_p, int32_t training, CtTensor key_padding_mask, CtTensor attn_mask, int32_t need_weights,
                            int32_t average, int32_t batch_first, CtTensor* out, CtTensor* out_weights) {
  CT_TRY {
  auto r = mha(ct_unwrap(q), ct_unwrap(k), ct_unwrap(v), heads, ct_unwrap(w_in), opt(b_in), ct_unwrap(w_out), opt(b_out), dropout_p,
               training != 0, opt(key_padding_mask), opt(attn_mask), need_weights != 0, average != 0, batch_first != 0);
  *out = ct_wrap(std::get<0>(r));
  *out_weights = std::get<1>(r).defined() ? ct_wrap(std::get<1>(r)) : nullptr;
  return 0;
  } CT_CATCH(-1)
}

// In-place initialisers with the global generator, under no_grad (torch.nn.init). kind: 0 uniform(a, b),
// 1 normal(mean a, std b), 2 constant(a), 3 fill row a (along dim 0) with b.
CT_EXPORT int32_t ct_nn_init_(CtTensor t, int32_t kind, double a, double b) {
  CT_TRY {
  at::NoGradGuard guard;
  Tensor& x = ct_unwrap(t);
  if (kind == 0) x.uniform_(a, b);
  else if (kind == 1) x.normal_(a, b);
  else if (kind == 2) x.fill_(a);
  else x.select(0, static_cast<int64_t>(a)).fill_(b);
  return 0;
  } CT_CATCH(-1)
}

// nn.Parameter(data): a leaf sharing data's storage, with requires_grad set.
CT_EXPORT CtTensor ct_nn_parameter(CtTensor data, int32_t requires_grad) {
  CT_TRY {
  return ct_wrap(ct_unwrap(data).detach().requires_grad_(requires_grad != 0));
  } CT_CATCH(nullptr)
}

// param.data = data (keeps the parameter object and its handle; used by Module.to(device/dtype)).
CT_EXPORT int32_t ct_nn_set_data(CtTensor param, CtTensor data) {
  CT_TRY {
  ct_unwrap(param).set_data(ct_unwrap(data));
  return 0;
  } CT_CATCH(-1)
}

// dst.copy_(src) under no_grad (load_state_dict): keeps dst's storage, so flat-parameter views survive.
CT_EXPORT int32_t ct_nn_copy_(CtTensor dst, CtTensor src) {
  CT_TRY {
  at::NoGradGuard guard;
  ct_unwrap(dst).copy_(ct_unwrap(src));
  return 0;
  } CT_CATCH(-1)
}

// Module.zero_grad(set_to_none=False) for one parameter: zero .grad in place (keeps flat-gradient views).
CT_EXPORT int32_t ct_nn_zero_grad(CtTensor param) {
  CT_TRY {
  Tensor& p = ct_unwrap(param);
  Tensor& g = p.mutable_grad();
  if (g.defined()) {
    if (g.grad_fn()) g = g.detach();
    else g.requires_grad_(false);
    g.zero_();
  }
  return 0;
  } CT_CATCH(-1)
}

// Flat parameters: allocates one contiguous float32 buffer for all params and one for all grads,
// copies each param's values in, re-points every param at a view of the flat buffer (set_) and sets
// every param's .grad to a view of the flat gradient buffer. Offsets are in elements, in params order.
CT_EXPORT int32_t ct_nn_flatten_parameters(CtTensor const* params, int64_t n, int64_t* offsets, CtTensor* out_flat, CtTensor* out_grad) {
  CT_TRY {
  auto ps = tensors(params, n);
  int64_t total = 0;
  for (int64_t i = 0; i < n; ++i) {
    const Tensor& p = ps[static_cast<size_t>(i)];
    TORCH_CHECK(p.device().is_cpu(), "flat parameters live in CPU memory; parameter ", i, " is on ", p.device());
    TORCH_CHECK(p.scalar_type() == at::kFloat, "flat parameters are float32; parameter ", i, " is ", p.scalar_type(),
                "; convert the module with .to(torch.float32) first");
    offsets[i] = total;
    total += p.numel();
  }
  auto opts = at::TensorOptions().dtype(at::kFloat);
  Tensor flat = at::empty({total}, opts);
  Tensor grad = at::zeros({total}, opts);
  at::NoGradGuard guard;
  for (int64_t i = 0; i < n; ++i) {
    Tensor& p = ps[static_cast<size_t>(i)];
    Tensor view = flat.narrow(0, offsets[i], p.numel()).view(p.sizes());
    view.copy_(p);
    p.set_data(view);  // same TensorImpl (and handle) now points into the flat storage
    p.mutable_grad() = grad.narrow(0, offsets[i], p.numel()).view(p.sizes());
  }
  *out_flat = ct_wrap(flat);
  *out_grad = ct_wrap(grad);
  return 0;
  } CT_CATCH(-1)
}

// Checkpoint support. Export: a detached, contiguous CPU copy (or alias) of t whose bytes the caller reads
// at *data (*nbytes long); *dtype is the c10::ScalarType code. The returned handle keeps the bytes alive.
CT_EXPORT CtTensor ct_nn_export(CtTensor t, void** data, int64_t* nbytes, int32_t* dtype) {
  CT_TRY {
  Tensor c = ct_unwrap(t).detach().to(at::kCPU).contiguous();
  *data = c.data_ptr();
  *nbytes = static_cast<int64_t>(c.numel()) * static_cast<int64_t>(c.element_size());
  *dtype = static_cast<int32_t>(c.scalar_type());
  return ct_wrap(c);
  } CT_CATCH(nullptr)
}

// Import: a new tensor of the given c10::ScalarType code, size, stride and storage offset (in elements) over a
// copy of the storage bytes. Bounds are checked so a corrupt header cannot read past the storage.
CT_EXPORT CtTensor ct_nn_import(const void* storage, int64_t nbytes, int32_t dtype, const int64_t* size, const int64_t* stride, int32_t ndim,
                                int64_t offset) {
  CT_TRY {
  auto type = static_cast<at::ScalarType>(dtype);
  const int64_t esize = static_cast<int64_t>(c10::elementSize(type));
  TORCH_CHECK(nbytes % esize == 0, "storage of ", nbytes, " bytes is not a whole number of ", type, " elements");
  const int64_t numel_storage = nbytes / esize;
  int64_t extent = 1;  // one past the furthest element the view touches
  bool empty = false;
  for (int32_t i = 0; i < ndim; ++i) {
    TORCH_CHECK(size[i] >= 0 && stride[i] >= 0, "negative size or stride in tensor header");
    if (size[i] == 0) empty = true;
    extent += (size[i] - 1) * stride[i];
  }
  TORCH_CHECK(offset >= 0 && (empty || offset + extent <= numel_storage), "tensor view (offset ", offset, ", extent ", extent,
              ") runs past its storage of ", numel_storage, " elements");
  auto opts = at::TensorOptions().dtype(type);
  Tensor store = at::empty({numel_storage}, opts);
  if (nbytes > 0) std::memcpy(store.data_ptr(), storage, static_cast<size_t>(nbytes));
  return ct_wrap(store.as_strided(ints(size, ndim), ints(stride, ndim), offset).clone(at::MemoryFormat::Contiguous));
  } CT_CATCH(nullptr)
}

}  // extern "C"
