#!/usr/bin/python3
"""Golden fixtures for ClusterTrainer.Torch optim: optimizers, LR schedulers, gradient clipping, penalties.

Run with Debian's torch 1.13:  /usr/bin/python3 tests/ClusterTrainer.Torch.Tests/Golden/make_optim_fixtures.py
Writes JSON files next to this script under fixtures/optim/. Every tensor element is a float32 written
with 9 significant digits, so the C# side (reading it as float32) gets bit-identical inputs.

Each optimizer case: initial params (3 tensors of different shapes), a sequence of gradients (a grad may
be null: that param is skipped that step, as in torch.optim), the params after every step and the final
per-param state (step count and state tensors). foreach=False everywhere: the single-tensor code path is
the reference the fused native steps reproduce.
"""
import json
import math
import os

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "optim")
SHAPES = [(3, 4), (5,), (2, 3, 2)]
STEPS = 4


def t2j(t):
    t = t.detach().to(torch.float32).contiguous()
    # '%.9g' round-trips any float32 exactly when read back as float32 (C#: JsonElement.GetSingle).
    return {"shape": list(t.shape), "data": [float("%.9g" % x) for x in t.reshape(-1).tolist()]}


def make_params(seed):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(s, generator=g) for s in SHAPES]


def make_grads(seed, missing=None):
    """STEPS lists of grads; `missing` is a set of (step, param) pairs given no gradient."""
    g = torch.Generator().manual_seed(seed + 1000)
    out = []
    for k in range(STEPS):
        step = []
        for i, s in enumerate(SHAPES):
            grad = torch.randn(s, generator=g) * (0.5 + k)
            step.append(None if missing and (k, i) in missing else grad)
        out.append(step)
    return out


def state_to_json(opt, params):
    state = {}
    for i, p in enumerate(params):
        st = opt.state.get(p, {})
        if not st:
            continue
        entry = {"tensors": {}}
        for k, v in st.items():
            if k == "step":
                entry["step"] = int(v.item()) if torch.is_tensor(v) else int(v)
            elif torch.is_tensor(v):
                entry["tensors"][k] = t2j(v)
        state[str(i)] = entry
    return state


def run_case(name, cls, options, seed, groups=None, missing=None):
    params = [p.clone().requires_grad_(True) for p in make_params(seed)]
    initial = [t2j(p) for p in params]
    grads = make_grads(seed, missing)
    if groups is None:
        group_spec = [{"params": list(range(len(params)))}]
    else:
        group_spec = groups
    torch_groups = [dict({k: v for k, v in g.items() if k != "params"},
                         params=[params[i] for i in g["params"]]) for g in group_spec]
    opt = cls(torch_groups, foreach=False, **options)
    after = []
    for step in grads:
        for p, g in zip(params, step):
            p.grad = None if g is None else g.clone()
        opt.step()
        after.append([t2j(p) for p in params])
    return {
        "name": name,
        "optimizer": cls.__name__,
        "options": options,
        "groups": group_spec,
        "params": initial,
        "grads": [[None if g is None else t2j(g) for g in step] for step in grads],
        "after": after,
        "state": state_to_json(opt, params),
    }


def optimizer_cases():
    O = torch.optim
    c = []
    c.append(run_case("sgd_plain", O.SGD, {"lr": 0.1}, 1))
    c.append(run_case("sgd_momentum", O.SGD, {"lr": 0.05, "momentum": 0.9}, 2))
    c.append(run_case("sgd_momentum_dampening_wd", O.SGD,
                      {"lr": 0.05, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.01}, 3))
    c.append(run_case("sgd_nesterov", O.SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-3}, 4))
    c.append(run_case("sgd_maximize", O.SGD, {"lr": 0.02, "momentum": 0.5, "maximize": True}, 5))
    c.append(run_case("sgd_two_groups", O.SGD, {"lr": 0.1, "momentum": 0.9}, 6,
                      groups=[{"params": [0, 2]}, {"params": [1], "lr": 0.01, "momentum": 0.5, "weight_decay": 0.1}]))
    c.append(run_case("adagrad_default", O.Adagrad, {"lr": 0.1}, 11))
    c.append(run_case("adagrad_decay_init_wd", O.Adagrad,
                      {"lr": 0.05, "lr_decay": 0.1, "initial_accumulator_value": 0.2, "eps": 1e-6,
                       "weight_decay": 0.01}, 12))
    c.append(run_case("adagrad_maximize", O.Adagrad, {"lr": 0.1, "maximize": True}, 13))
    c.append(run_case("adadelta_default", O.Adadelta, {}, 21))
    c.append(run_case("adadelta_rho_eps_lr_wd", O.Adadelta,
                      {"lr": 0.5, "rho": 0.8, "eps": 1e-4, "weight_decay": 0.02}, 22))
    c.append(run_case("adadelta_maximize", O.Adadelta, {"lr": 1.0, "maximize": True}, 23))
    c.append(run_case("rmsprop_default", O.RMSprop, {"lr": 0.01}, 31))
    c.append(run_case("rmsprop_momentum", O.RMSprop, {"lr": 0.01, "alpha": 0.9, "momentum": 0.8, "eps": 1e-6}, 32))
    c.append(run_case("rmsprop_centered", O.RMSprop, {"lr": 0.01, "centered": True, "weight_decay": 0.01}, 33))
    c.append(run_case("rmsprop_centered_momentum_maximize", O.RMSprop,
                      {"lr": 0.005, "centered": True, "momentum": 0.5, "maximize": True}, 34))
    c.append(run_case("adam_default", O.Adam, {"lr": 1e-3}, 41))
    c.append(run_case("adam_betas_wd", O.Adam, {"lr": 0.01, "betas": [0.8, 0.95], "eps": 1e-6, "weight_decay": 0.05}, 42))
    c.append(run_case("adam_amsgrad", O.Adam, {"lr": 0.01, "amsgrad": True}, 43))
    c.append(run_case("adam_maximize", O.Adam, {"lr": 0.01, "maximize": True}, 44))
    c.append(run_case("adam_missing_grad", O.Adam, {"lr": 0.01}, 45, missing={(1, 1), (2, 2), (0, 0)}))
    c.append(run_case("adamw_default", O.AdamW, {"lr": 0.01}, 51))
    c.append(run_case("adamw_amsgrad_wd", O.AdamW, {"lr": 0.01, "betas": [0.85, 0.99], "weight_decay": 0.1, "amsgrad": True}, 52))
    c.append(run_case("adamw_maximize", O.AdamW, {"lr": 0.01, "maximize": True}, 53))
    c.append(run_case("adamax_default", O.Adamax, {"lr": 0.002}, 61))
    c.append(run_case("adamax_betas_eps_wd", O.Adamax, {"lr": 0.01, "betas": [0.7, 0.9], "eps": 1e-4, "weight_decay": 0.03}, 62))
    c.append(run_case("adamax_maximize", O.Adamax, {"lr": 0.01, "maximize": True}, 63))
    c.append(run_case("nadam_default", O.NAdam, {"lr": 0.002}, 71))
    c.append(run_case("nadam_momentum_decay_wd", O.NAdam,
                      {"lr": 0.01, "betas": [0.85, 0.98], "momentum_decay": 0.01, "weight_decay": 0.02, "eps": 1e-6}, 72))
    return c


def scheduler_cases():
    S = torch.optim.lr_scheduler
    epochs = 15

    def run(name, factory, args, metrics=None):
        p = torch.zeros(1, requires_grad=True)
        q = torch.zeros(1, requires_grad=True)
        opt = torch.optim.SGD([{"params": [p]}, {"params": [q], "lr": 0.05}], lr=0.1)
        sched = factory(opt)
        lrs = [[g["lr"] for g in opt.param_groups]]
        for e in range(epochs):
            opt.step()
            if metrics is None:
                sched.step()
            else:
                sched.step(metrics[e])
            lrs.append([g["lr"] for g in opt.param_groups])
        return {"name": name, "scheduler": type(sched).__name__, "args": args,
                "base_lrs": [0.1, 0.05], "metrics": metrics, "lrs": lrs}

    out = [
        run("step", lambda o: S.StepLR(o, step_size=4, gamma=0.5), {"step_size": 4, "gamma": 0.5}),
        run("multistep", lambda o: S.MultiStepLR(o, milestones=[2, 5, 5, 11], gamma=0.3),
            {"milestones": [2, 5, 5, 11], "gamma": 0.3}),
        run("exponential", lambda o: S.ExponentialLR(o, gamma=0.9), {"gamma": 0.9}),
        run("cosine", lambda o: S.CosineAnnealingLR(o, T_max=6, eta_min=0.001), {"T_max": 6, "eta_min": 0.001}),
        run("cosine_zero_min", lambda o: S.CosineAnnealingLR(o, T_max=10), {"T_max": 10, "eta_min": 0.0}),
        run("lambda_inverse", lambda o: S.LambdaLR(o, lr_lambda=lambda e: 1.0 / (1.0 + e)), {"lambda": "1/(1+epoch)"}),
    ]
    series_min = [1.0, 0.9, 0.9, 0.9, 0.9, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85, 0.84999, 0.7, 0.7, 0.7]
    series_max = [0.1, 0.2, 0.2, 0.2, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.4, 0.4, 0.4, 0.4, 0.4]
    pl = [
        ("plateau_min_rel", "min", dict(factor=0.5, patience=2, threshold=1e-4, threshold_mode="rel", cooldown=0, min_lr=0.0), series_min),
        ("plateau_min_abs_cooldown", "min", dict(factor=0.5, patience=1, threshold=0.01, threshold_mode="abs", cooldown=2, min_lr=[0.01, 0.02]), series_min),
        ("plateau_max_rel_minlr", "max", dict(factor=0.1, patience=1, threshold=0.1, threshold_mode="rel", cooldown=1, min_lr=0.004), series_max),
        ("plateau_max_abs", "max", dict(factor=0.7, patience=0, threshold=0.05, threshold_mode="abs", cooldown=0, min_lr=0.0), series_max),
    ]
    for name, mode, kw, series in pl:
        args = dict(kw, mode=mode)
        out.append(run(name, lambda o, kw=kw, mode=mode: S.ReduceLROnPlateau(o, mode=mode, **kw), args, series))
    return out


def clip_cases():
    out = []
    g = torch.Generator().manual_seed(99)
    grads = [torch.randn(s, generator=g) * 2 for s in SHAPES]
    for kind, norm_type, limit in [("norm", 2.0, 1.0), ("norm", 2.0, 100.0), ("norm", 1.0, 3.0),
                                   ("norm", float("inf"), 0.5), ("norm", 3.0, 2.0), ("value", None, 0.5)]:
        ps = [torch.zeros(s, requires_grad=True) for s in SHAPES]
        for p, gr in zip(ps, grads):
            p.grad = gr.clone()
        total = None
        if kind == "norm":
            total = float(torch.nn.utils.clip_grad_norm_(ps, limit, norm_type).item())
        else:
            torch.nn.utils.clip_grad_value_(ps, limit)
        out.append({"kind": kind, "norm_type": "inf" if norm_type == float("inf") else norm_type,
                    "limit": limit, "grads": [t2j(x) for x in grads], "total_norm": total,
                    "clipped": [t2j(p.grad) for p in ps]})
    return out


def penalty_cases():
    ps = [p.clone().requires_grad_(True) for p in make_params(7)]
    out = []
    for kind, lam in [("l1", 0.01), ("l2", 0.05)]:
        for p in ps:
            p.grad = None
        if kind == "l1":
            value = lam * sum(p.abs().sum() for p in ps)
        else:
            value = 0.5 * lam * sum(p.pow(2).sum() for p in ps)
        value.backward()
        out.append({"kind": kind, "lambda": lam, "params": [t2j(p) for p in ps],
                    "value": float(value.item()), "grads": [t2j(p.grad) for p in ps]})
    return out


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    files = {
        "optimizers.json": {"torch": torch.__version__, "cases": optimizer_cases()},
        "schedulers.json": {"torch": torch.__version__, "cases": scheduler_cases()},
        "clip.json": {"torch": torch.__version__, "cases": clip_cases()},
        "penalties.json": {"torch": torch.__version__, "cases": penalty_cases()},
    }
    for fname, content in files.items():
        with open(os.path.join(OUT, fname), "w") as f:
            json.dump(content, f, separators=(",", ":"))
            f.write("\n")
        print(fname, os.path.getsize(os.path.join(OUT, fname)), "bytes")


if __name__ == "__main__":
    main()
