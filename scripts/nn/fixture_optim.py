"""Optimizer and schedule references for make_fixtures.py.

Each optimizer case applies a fixed sequence of gradients to two parameters
with torch.optim (float32) and records the parameters after every step and
the final optimizer state. Lookahead follows Zhang et al. 2019 (Algorithm 1,
the `Lookahead(optimizer, k, alpha)` wrapper Kaggle kernels used): slow
weights start as the initial parameters; after every k inner steps
slow += alpha * (fast - slow) and fast = slow.
"""
import torch


def run_optimizer(make, params0, grads, lookahead=None):
    params = [p.clone().float().requires_grad_(True) for p in params0]
    opt = make(params)
    slow = [p.detach().clone() for p in params]
    history = []
    for t, gs in enumerate(grads):
        for p, g in zip(params, gs):
            p.grad = g.clone().float()
        opt.step()
        if lookahead and (t + 1) % lookahead[0] == 0:
            with torch.no_grad():
                for p, s in zip(params, slow):
                    s.add_(p - s, alpha=lookahead[1])
                    p.copy_(s)
        history.append([p.detach().clone() for p in params])
    return params, opt, history


def optimizer_cases(rand, enc):
    params0 = [rand(3, 2), rand(4)]
    steps = 7
    grads = [[rand(3, 2, lo=-2, hi=2), rand(4, lo=-2, hi=2)] for _ in range(steps)]
    specs = [
        ("adam_lookahead", dict(name="adam", lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, k=3, alpha=0.5),
         lambda ps: torch.optim.Adam(ps, lr=0.01), (3, 0.5)),
        ("adam_l2", dict(name="adam", lr=0.005, beta1=0.8, beta2=0.99, eps=1e-6, weight_decay=0.1),
         lambda ps: torch.optim.Adam(ps, lr=0.005, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1), None),
        ("adamw", dict(name="adamw", lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.05),
         lambda ps: torch.optim.AdamW(ps, lr=0.01, weight_decay=0.05), None),
        ("sgd_nesterov", dict(name="sgd", lr=0.1, momentum=0.9, dampening=0.0, nesterov=True, weight_decay=1e-3),
         lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-3), None),
        ("sgd_momentum_dampening", dict(name="sgd", lr=0.05, momentum=0.8, dampening=0.3, nesterov=False, weight_decay=0.0),
         lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.8, dampening=0.3), None),
        ("sgd_plain", dict(name="sgd", lr=0.1, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0),
         lambda ps: torch.optim.SGD(ps, lr=0.1), None),
    ]
    out = []
    for name, params, make, la in specs:
        final, opt, history = run_optimizer(make, params0, grads, la)
        tensors = {"p0_init": enc(params0[0].float()), "p1_init": enc(params0[1].float())}
        for t in range(steps):
            tensors[f"g0_{t}"] = enc(grads[t][0].float())
            tensors[f"g1_{t}"] = enc(grads[t][1].float())
            tensors[f"p0_{t}"] = enc(history[t][0])
            tensors[f"p1_{t}"] = enc(history[t][1])
        for i, p in enumerate(final):
            for key, value in opt.state[p].items():
                if torch.is_tensor(value) and value.numel() > 1:
                    tensors[f"state{i}_{key}"] = enc(value)
        out.append({"name": name, "op": "optimizer", "params": dict(params, steps=steps), "tensors": tensors})
    grads = [rand(3, 2, lo=-2, hi=2), rand(4, lo=-2, hi=2)]
    for max_norm in (0.5, 100.0):
        ps = [torch.zeros_like(g).float().requires_grad_(True) for g in grads]
        for p, g in zip(ps, grads):
            p.grad = g.clone().float()
        total = torch.nn.utils.clip_grad_norm_(ps, max_norm)
        out.append({"name": f"clip_grad_norm_{max_norm}", "op": "clip_grad_norm", "params": dict(max_norm=max_norm, total_norm=float(total)),
                    "tensors": {"g0": enc(grads[0]), "g1": enc(grads[1]), "clipped0": enc(ps[0].grad), "clipped1": enc(ps[1].grad)}})
    return out


def schedule_cases():
    def lrs(make, steps=20, lr=0.01):
        p = torch.zeros(1, requires_grad=True)
        opt = torch.optim.SGD([p], lr=lr)
        sched = make(opt)
        values = []
        for _ in range(steps):
            values.append(opt.param_groups[0]["lr"])
            opt.step()
            sched.step()
        return values
    S = torch.optim.lr_scheduler
    specs = [
        ("step", dict(name="step", lr=0.01, step_size=3, gamma=0.5), lambda o: S.StepLR(o, 3, 0.5)),
        ("cosine", dict(name="cosine", lr=0.01, total=20, min_lr=1e-4), lambda o: S.CosineAnnealingLR(o, 20, 1e-4)),
        ("one_cycle", dict(name="one_cycle", lr=0.01, total=20, pct_start=0.3, div_factor=25.0, final_div_factor=1e4),
         lambda o: S.OneCycleLR(o, max_lr=0.01, total_steps=20, cycle_momentum=False)),
        ("linear_warmup", dict(name="warmup", lr=0.01, warmup=5, start_factor=0.1),
         lambda o: S.LinearLR(o, start_factor=0.1, total_iters=5)),
        ("constant", dict(name="constant", lr=0.01), lambda o: S.LambdaLR(o, lambda step: 1.0)),
    ]
    return [{"name": n, "op": "schedule", "params": dict(p, lrs=lrs(m)), "tensors": {}} for n, p, m in specs]


def clip_grad_value_cases(rand, enc):
    """torch.nn.utils.clip_grad_value_ on two gradients, one limit clipping some elements, one clipping none."""
    grads = [rand(3, 2, lo=-2, hi=2), rand(5, lo=-2, hi=2)]
    out = []
    for limit in (0.75, 10.0):
        ps = [torch.zeros_like(g).float().requires_grad_(True) for g in grads]
        for p, g in zip(ps, grads):
            p.grad = g.clone().float()
        torch.nn.utils.clip_grad_value_(ps, limit)
        out.append({"name": f"clip_grad_value_{limit}", "op": "clip_grad_value", "params": dict(limit=limit),
                    "tensors": {"g0": enc(grads[0]), "g1": enc(grads[1]), "clipped0": enc(ps[0].grad), "clipped1": enc(ps[1].grad)}})
    return out
