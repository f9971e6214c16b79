#!/usr/bin/python3
"""Golden fixtures for ClusterTrainer.Torch nn: modules, activations, losses and default init.

Run with Debian's torch:  /usr/bin/python3 tests/ClusterTrainer.Torch.Tests/Golden/make_nn_fixtures.py
Writes fixtures/nn/{modules,activations,losses,init}.json next to this script.

Each case records the inputs, the module's state_dict, the forward outputs, and, for a fixed upstream
gradient (loss = sum_i (out_i * up_i).sum()), the gradient of every float input and every parameter.
Float tensors are stored as float64 numbers holding the exact float32 values (repr round-trips; non-finite
values as the strings "Infinity", "-Infinity", "NaN"), so the
C# tests compare against exactly what PyTorch computed. Every case seeds the global generator with its
own seed right before forward, so dropout masks are reproducible in C# (same libtorch generator).
"""
import json
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures", "nn")
torch.set_num_threads(1)


def enc(t):
    if t is None:
        return None
    t = t.detach().contiguous()
    dt = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64", torch.bool: "bool"}[t.dtype]
    vals = t.reshape(-1).tolist()
    if dt == "bool":
        vals = [1 if v else 0 for v in vals]
    elif dt.startswith("float"):
        vals = [v if math.isfinite(v) else repr(v).replace("inf", "Infinity").replace("nan", "NaN") for v in vals]  # JSON has no inf/nan
    return {"shape": list(t.shape), "dtype": dt, "data": vals}


def rnd(*shape, seed=0, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(tuple(shape), generator=g) * scale).float()


def run_case(name, module, inputs, seed, train=True, grad_inputs=None, extra=None, kwargs=None, call=None):
    """Runs module(*inputs, **kwargs) (or call(module, inputs)) and records everything a C# test needs."""
    module.train(train)
    kwargs = kwargs or {}
    inputs = [x.clone() for x in inputs]
    if grad_inputs is None:
        grad_inputs = [x.is_floating_point() for x in inputs]
    for x, g in zip(inputs, grad_inputs):
        if g:
            x.requires_grad_(True)
    state_before = {k: enc(v) for k, v in module.state_dict().items()}
    torch.manual_seed(seed)
    out = call(module, inputs) if call else module(*inputs, **kwargs)
    outs = flatten_outputs(out)
    ups = [rnd(*o.shape, seed=seed + 1000 + i) for i, o in enumerate(outs)]
    total = sum((o.double() * u.double()).sum() for o, u in zip(outs, ups) if o.is_floating_point() and o.requires_grad)
    if isinstance(total, torch.Tensor):
        total.backward()
    case = {
        "name": name,
        "seed": seed,
        "train": train,
        "inputs": [enc(x) for x in inputs],
        "input_requires_grad": list(grad_inputs),
        "state": state_before,
        "state_after": {k: enc(v) for k, v in module.state_dict().items()},
        "outputs": [enc(o) for o in outs],
        "upstream": [enc(u) for u in ups],
        "input_grads": [enc(x.grad) if g else None for x, g in zip(inputs, grad_inputs)],
        "param_grads": {k: enc(p.grad) for k, p in module.named_parameters() if p.grad is not None},
    }
    if extra:
        case.update(extra)
    return case


def flatten_outputs(out):
    if isinstance(out, torch.Tensor):
        return [out]
    res = []
    for o in out:
        if o is None:
            continue
        res.extend(flatten_outputs(o))
    return res


def module_cases():
    cases = []
    torch.manual_seed(1)
    cases.append(run_case("Linear", nn.Linear(5, 3), [rnd(4, 5, seed=1)], 11))
    cases.append(run_case("Linear_nobias_3d", nn.Linear(4, 2, bias=False), [rnd(2, 3, 4, seed=2)], 12))
    cases.append(run_case("Conv1d", nn.Conv1d(2, 4, 3, stride=2, padding=1), [rnd(2, 2, 9, seed=3)], 13))
    cases.append(run_case("Conv2d", nn.Conv2d(3, 4, 3, stride=1, padding=1, dilation=1), [rnd(2, 3, 6, 5, seed=4)], 14))
    cases.append(run_case("Conv2d_depthwise", nn.Conv2d(4, 8, 3, padding=2, dilation=2, groups=4), [rnd(1, 4, 5, 5, seed=5)], 15))
    cases.append(run_case("Conv2d_pointwise_nobias", nn.Conv2d(4, 3, 1, bias=False), [rnd(1, 4, 3, 3, seed=6)], 16))
    cases.append(run_case("Conv3d", nn.Conv3d(2, 3, (2, 3, 3), stride=(1, 2, 1), padding=(0, 1, 1), groups=1), [rnd(1, 2, 3, 5, 4, seed=7)], 17))
    cases.append(run_case("MaxPool1d", nn.MaxPool1d(3, stride=2, padding=1), [rnd(2, 3, 8, seed=8)], 18))
    cases.append(run_case("MaxPool2d", nn.MaxPool2d(2), [rnd(2, 2, 6, 6, seed=9)], 19))
    cases.append(run_case("MaxPool2d_ceil", nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True), [rnd(1, 2, 7, 6, seed=10)], 20))
    cases.append(run_case("AvgPool1d", nn.AvgPool1d(3, stride=2, padding=1), [rnd(2, 3, 8, seed=11)], 21))
    cases.append(run_case("AvgPool2d", nn.AvgPool2d(2), [rnd(2, 2, 6, 6, seed=12)], 22))
    cases.append(run_case("AvgPool2d_nopad_count", nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False), [rnd(1, 2, 7, 6, seed=13)], 23))
    cases.append(run_case("Dropout_eval", nn.Dropout(0.5), [rnd(4, 6, seed=14)], 24, train=False))
    cases.append(run_case("Dropout_train", nn.Dropout(0.3), [rnd(8, 16, seed=15)], 25, train=True))
    bn1 = nn.BatchNorm1d(3, momentum=0.2)
    with torch.no_grad():
        bn1.weight.copy_(rnd(3, seed=16)); bn1.bias.copy_(rnd(3, seed=17))
    cases.append(run_case("BatchNorm1d_train", bn1, [rnd(5, 3, seed=18)], 26))
    bn1e = nn.BatchNorm1d(3)
    with torch.no_grad():
        bn1e.running_mean.copy_(rnd(3, seed=19)); bn1e.running_var.copy_(rnd(3, seed=20).abs() + 0.5)
        bn1e.weight.copy_(rnd(3, seed=21))
    cases.append(run_case("BatchNorm1d_eval_3d", bn1e, [rnd(4, 3, 5, seed=22)], 27, train=False))
    bn2 = nn.BatchNorm2d(2)
    cases.append(run_case("BatchNorm2d_train", bn2, [rnd(3, 2, 4, 4, seed=23)], 28))
    bn2e = nn.BatchNorm2d(2)
    with torch.no_grad():
        bn2e.running_mean.copy_(rnd(2, seed=24)); bn2e.running_var.copy_(rnd(2, seed=25).abs() + 0.5)
    cases.append(run_case("BatchNorm2d_eval", bn2e, [rnd(2, 2, 3, 3, seed=26)], 29, train=False))
    ln = nn.LayerNorm([4, 5])
    with torch.no_grad():
        ln.weight.copy_(rnd(4, 5, seed=27)); ln.bias.copy_(rnd(4, 5, seed=28))
    cases.append(run_case("LayerNorm", ln, [rnd(3, 4, 5, seed=29)], 30))
    cases.append(run_case("Embedding", nn.Embedding(10, 4), [torch.tensor([[1, 2, 4, 5], [4, 3, 2, 9]])], 31))
    cases.append(run_case("Embedding_padding", nn.Embedding(6, 3, padding_idx=0), [torch.tensor([0, 2, 0, 5, 2])], 32))
    cases.append(run_case("Flatten", nn.Flatten(), [rnd(2, 3, 2, 2, seed=33)], 33))
    cases.append(run_case("Flatten_dims", nn.Flatten(0, 1), [rnd(2, 3, 4, seed=34)], 34))
    seq = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8, 3), nn.Tanh())
    cases.append(run_case("Sequential_cnn", seq, [rnd(2, 1, 6, 6, seed=35)], 35))
    cases.append(run_case("RNN_tanh", nn.RNN(3, 4), [rnd(5, 2, 3, seed=36)], 36))
    cases.append(run_case("RNN_relu_2layer_batchfirst", nn.RNN(3, 4, num_layers=2, nonlinearity="relu", batch_first=True), [rnd(2, 5, 3, seed=37)], 37))
    cases.append(run_case("LSTM", nn.LSTM(3, 4), [rnd(5, 2, 3, seed=38)], 38))
    cases.append(run_case("LSTM_2layer_bidir_batchfirst", nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True), [rnd(2, 4, 3, seed=39)], 39))
    lstm_h = nn.LSTM(3, 4)
    cases.append(run_case("LSTM_with_state", lstm_h, [rnd(4, 2, 3, seed=40), rnd(1, 2, 4, seed=41), rnd(1, 2, 4, seed=42)], 40,
                          call=lambda m, xs: m(xs[0], (xs[1], xs[2]))))
    cases.append(run_case("GRU", nn.GRU(3, 4), [rnd(5, 2, 3, seed=43)], 41))
    cases.append(run_case("GRU_2layer_bidir_nobias", nn.GRU(3, 4, num_layers=2, bidirectional=True, bias=False), [rnd(4, 2, 3, seed=44)], 42))
    cases.append(run_case("MultiheadAttention_self", nn.MultiheadAttention(8, 2), [rnd(5, 2, 8, seed=45)], 43,
                          call=lambda m, xs: m(xs[0], xs[0], xs[0])))
    mha = nn.MultiheadAttention(8, 4, batch_first=True)
    kpm = torch.tensor([[False, False, False, True], [False, True, False, False]])
    cases.append(run_case("MultiheadAttention_cross_mask_batchfirst", mha, [rnd(2, 3, 8, seed=46), rnd(2, 4, 8, seed=47), rnd(2, 4, 8, seed=48)], 44,
                          kwargs={"key_padding_mask": kpm}, extra={"key_padding_mask": enc(kpm)}))
    cases.append(run_case("TransformerEncoderLayer_relu", nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0), [rnd(5, 2, 8, seed=49)], 45))
    cases.append(run_case("TransformerEncoderLayer_gelu_normfirst_batchfirst",
                          nn.TransformerEncoderLayer(8, 4, dim_feedforward=12, dropout=0.0, activation="gelu", norm_first=True, batch_first=True),
                          [rnd(2, 5, 8, seed=50)], 46))
    causal = torch.triu(torch.full((5, 5), float("-inf")), diagonal=1)
    cases.append(run_case("TransformerEncoderLayer_causal_mask", nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0),
                          [rnd(5, 2, 8, seed=51)], 47, kwargs={"src_mask": causal}, extra={"src_mask": enc(causal)}))
    bool_mask = torch.tensor([[False, True, True], [False, False, True], [False, False, False], [True, False, False]])
    cases.append(run_case("MultiheadAttention_unbatched_boolmask", nn.MultiheadAttention(6, 3), [rnd(4, 6, seed=52), rnd(3, 6, seed=53)], 48,
                          call=lambda m, xs: m(xs[0], xs[1], xs[1], attn_mask=bool_mask, average_attn_weights=False),
                          extra={"attn_mask": enc(bool_mask)}))
    cases.append(run_case("LSTM_unbatched", nn.LSTM(3, 4, num_layers=2), [rnd(5, 3, seed=54)], 49))
    cases.append(run_case("GRU_with_state_batchfirst", nn.GRU(3, 4, batch_first=True), [rnd(2, 5, 3, seed=55), rnd(1, 2, 4, seed=56)], 50,
                          call=lambda m, xs: m(xs[0], xs[1])))
    cases.append(run_case("Conv2d_unbatched_rect", nn.Conv2d(2, 3, (2, 3), stride=(2, 1), padding=(1, 0)), [rnd(2, 5, 6, seed=57)], 51))
    cases.append(run_case("Conv1d_same_even_kernel", nn.Conv1d(2, 3, 4, padding="same"), [rnd(2, 2, 7, seed=58)], 52))
    cases.append(run_case("Conv2d_same_dilated", nn.Conv2d(2, 3, (2, 3), padding="same", dilation=(1, 2)), [rnd(1, 2, 5, 6, seed=59)], 53))
    cases.append(run_case("TransformerEncoderLayer_dropout_train", nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.2),
                          [rnd(5, 2, 8, seed=60)], 54))
    cases.append(run_case("LSTM_2layer_dropout_train", nn.LSTM(3, 4, num_layers=2, dropout=0.3), [rnd(5, 2, 3, seed=61)], 55))
    return cases


def activation_cases():
    x = rnd(3, 7, seed=60, scale=3.0)
    mods = [
        ("Sigmoid", nn.Sigmoid()), ("Tanh", nn.Tanh()), ("ReLU", nn.ReLU()), ("LeakyReLU", nn.LeakyReLU(0.1)),
        ("ELU", nn.ELU(0.7)), ("Softsign", nn.Softsign()), ("Softplus", nn.Softplus(beta=2.0, threshold=5.0)),
        ("Softmax", nn.Softmax(dim=1)), ("Softmax_dim0", nn.Softmax(dim=0)), ("LogSoftmax", nn.LogSoftmax(dim=1)),
        ("GELU", nn.GELU()), ("GELU_tanh", nn.GELU(approximate="tanh")),
    ]
    return [run_case(n, m, [x], 70 + i) for i, (n, m) in enumerate(mods)]


def loss_cases():
    cases = []
    pred = rnd(4, 5, seed=80)
    tgt = rnd(4, 5, seed=81)
    for red in ("mean", "sum", "none"):
        cases.append(run_case(f"MSELoss_{red}", nn.MSELoss(reduction=red), [pred, tgt], 90, grad_inputs=[True, True]))
        cases.append(run_case(f"L1Loss_{red}", nn.L1Loss(reduction=red), [pred, tgt], 91, grad_inputs=[True, False]))
    cases.append(run_case("HuberLoss", nn.HuberLoss(delta=0.5), [pred, tgt], 92, grad_inputs=[True, False]))
    cases.append(run_case("SmoothL1Loss", nn.SmoothL1Loss(beta=0.7, reduction="sum"), [pred, tgt], 93, grad_inputs=[True, False]))
    logits = rnd(6, 5, seed=82, scale=2.0)
    cls = torch.tensor([0, 3, 4, 1, 1, 2])
    w = rnd(5, seed=83).abs() + 0.2
    cases.append(run_case("CrossEntropyLoss", nn.CrossEntropyLoss(), [logits, cls], 94))
    cases.append(run_case("CrossEntropyLoss_weight_smooth_ignore", nn.CrossEntropyLoss(weight=w, label_smoothing=0.1, ignore_index=1),
                          [logits, cls], 95, extra={"weight": enc(w)}))
    cases.append(run_case("CrossEntropyLoss_sum_none", nn.CrossEntropyLoss(reduction="none"), [logits, cls], 96))
    probs = F.softmax(rnd(6, 5, seed=84), dim=1)
    cases.append(run_case("CrossEntropyLoss_probs", nn.CrossEntropyLoss(), [logits, probs], 97, grad_inputs=[True, False]))
    logp = F.log_softmax(logits, dim=1)
    cases.append(run_case("NLLLoss", nn.NLLLoss(), [logp, cls], 98))
    cases.append(run_case("NLLLoss_weight_ignore_sum", nn.NLLLoss(weight=w, ignore_index=3, reduction="sum"), [logp, cls], 99, extra={"weight": enc(w)}))
    p = torch.sigmoid(rnd(4, 3, seed=85))
    y = (rnd(4, 3, seed=86) > 0).float()
    bw = rnd(4, 3, seed=87).abs()
    cases.append(run_case("BCELoss", nn.BCELoss(), [p, y], 100, grad_inputs=[True, False]))
    cases.append(run_case("BCELoss_weight_sum", nn.BCELoss(weight=bw, reduction="sum"), [p, y], 101, grad_inputs=[True, False], extra={"weight": enc(bw)}))
    z = rnd(4, 3, seed=88, scale=2.0)
    pw = rnd(3, seed=89).abs() + 0.5
    cases.append(run_case("BCEWithLogitsLoss", nn.BCEWithLogitsLoss(), [z, y], 102, grad_inputs=[True, False]))
    cases.append(run_case("BCEWithLogitsLoss_posweight", nn.BCEWithLogitsLoss(pos_weight=pw), [z, y], 103, grad_inputs=[True, False], extra={"pos_weight": enc(pw)}))
    lq = F.log_softmax(rnd(4, 5, seed=90), dim=1)
    tp = F.softmax(rnd(4, 5, seed=91), dim=1)
    cases.append(run_case("KLDivLoss_batchmean", nn.KLDivLoss(reduction="batchmean"), [lq, tp], 104, grad_inputs=[True, False]))
    cases.append(run_case("KLDivLoss_logtarget_sum", nn.KLDivLoss(reduction="sum", log_target=True), [lq, tp.log()], 105, grad_inputs=[True, False]))
    cases.append(run_case("KLDivLoss_none", nn.KLDivLoss(reduction="none"), [lq, tp], 106, grad_inputs=[True, False]))
    hy = torch.where(rnd(4, 5, seed=92) > 0, 1.0, -1.0)
    cases.append(run_case("HingeEmbeddingLoss", nn.HingeEmbeddingLoss(margin=0.8), [pred, hy], 107, grad_inputs=[True, False]))
    cases.append(run_case("MultiMarginLoss", nn.MultiMarginLoss(), [logits, cls], 108))
    cases.append(run_case("MultiMarginLoss_p2_weight", nn.MultiMarginLoss(p=2, margin=0.5, weight=w), [logits, cls], 109, extra={"weight": enc(w)}))
    return cases


class _InitProbe(nn.Module):
    """One (4, 3, 2) parameter initialised by an nn.init function."""

    def __init__(self, fn):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(4, 3, 2))
        fn(self.weight)


def init_cases():
    """Default initialisation: construct each module right after torch.manual_seed(seed)."""
    ctors = [
        ("Linear", lambda: nn.Linear(7, 5)),
        ("Linear_nobias", lambda: nn.Linear(3, 4, bias=False)),
        ("Conv1d", lambda: nn.Conv1d(2, 3, 4)),
        ("Conv2d", lambda: nn.Conv2d(3, 4, 3)),
        ("Conv2d_groups", lambda: nn.Conv2d(4, 8, 3, groups=4)),
        ("Conv3d", lambda: nn.Conv3d(2, 2, 2)),
        ("BatchNorm1d", lambda: nn.BatchNorm1d(3)),
        ("BatchNorm2d", lambda: nn.BatchNorm2d(3)),
        ("LayerNorm", lambda: nn.LayerNorm(4)),
        ("Embedding", lambda: nn.Embedding(5, 3)),
        ("Embedding_padding", lambda: nn.Embedding(5, 3, padding_idx=2)),
        ("RNN", lambda: nn.RNN(3, 4, num_layers=2)),
        ("LSTM", lambda: nn.LSTM(3, 4, bidirectional=True)),
        ("GRU", lambda: nn.GRU(3, 4)),
        ("MultiheadAttention", lambda: nn.MultiheadAttention(8, 2)),
        ("TransformerEncoderLayer", lambda: nn.TransformerEncoderLayer(8, 2, dim_feedforward=16)),
        ("Sequential_cnn", lambda: nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8, 3))),
    ]
    fns = [
        ("init.uniform_", lambda t: nn.init.uniform_(t, -0.3, 0.7)),
        ("init.normal_", lambda t: nn.init.normal_(t, 0.5, 2.0)),
        ("init.kaiming_uniform_relu_fan_out", lambda t: nn.init.kaiming_uniform_(t, mode="fan_out", nonlinearity="relu")),
        ("init.kaiming_normal_", lambda t: nn.init.kaiming_normal_(t)),
        ("init.xavier_uniform_tanh_gain", lambda t: nn.init.xavier_uniform_(t, gain=nn.init.calculate_gain("tanh"))),
        ("init.xavier_normal_", lambda t: nn.init.xavier_normal_(t)),
    ]
    ctors += [(name, (lambda f: lambda: _InitProbe(f))(f)) for name, f in fns]
    cases = []
    for i, (name, ctor) in enumerate(ctors):
        seed = 500 + i
        torch.manual_seed(seed)
        m = ctor()
        after = torch.rand(3)  # generator state after construction: proves the number of draws matches
        cases.append({"name": name, "seed": seed, "state": {k: enc(v) for k, v in m.state_dict().items()},
                      "rand_after": enc(after)})
    return cases


def main():
    os.makedirs(OUT, exist_ok=True)
    groups = {"modules": module_cases(), "activations": activation_cases(), "losses": loss_cases(), "init": init_cases()}
    for g, cases in groups.items():
        path = os.path.join(OUT, g + ".json")
        with open(path, "w") as f:
            json.dump({"torch_version": torch.__version__, "cases": cases}, f, separators=(",", ":"))
        print(f"{path}: {len(cases)} cases, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
