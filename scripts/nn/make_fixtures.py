#!/usr/bin/env python3
"""Writes the PyTorch reference fixtures NeuralNetTests read (scripts/nn/fixtures/*.json).

Run once, commit the output:  python3 scripts/nn/make_fixtures.py
Needs torch (2.x, CPU). Every case draws float32 inputs from a fixed seed,
computes the forward in float64 (so the reference carries no float32 rounding),
and back-propagates the loss sum(y * r) for a random r of y's shape, giving
d/d(input) for every input. Tensors are {"shape": [...], "data": [...]}.
"""
import json
import math
import os
import warnings

import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
gen = torch.Generator().manual_seed(2021)


def rand(*shape, lo=-1.0, hi=1.0):
    return (torch.rand(tuple(shape), generator=gen, dtype=torch.float32) * (hi - lo) + lo).double()


def enc(t):
    t = t.detach().double().contiguous()
    return {"shape": list(t.shape), "data": [float("%.9g" % v) for v in t.reshape(-1).tolist()]}


def case(name, op, params, inputs, fn, extra=None):
    """inputs: dict name -> float64 tensor (rounded to float32 values). fn(**leaves) -> y."""
    leaves = {k: v.float().double().requires_grad_(True) for k, v in inputs.items()}
    y = fn(**leaves)
    r = rand(*y.shape)
    (y * r).sum().backward()
    tensors = {k: enc(v) for k, v in leaves.items()}
    tensors["y"] = enc(y)
    tensors["r"] = enc(r)
    for k, v in leaves.items():
        tensors["grad_" + k] = enc(v.grad if v.grad is not None else torch.zeros_like(v))
    if extra:
        tensors.update({k: enc(v) for k, v in extra.items()})
    return {"name": name, "op": op, "params": params, "tensors": tensors}


def same_pad(h, w, k, s, d):
    def split(size, k, s, d):
        out = (size + s - 1) // s
        total = max((out - 1) * s + (k - 1) * d + 1 - size, 0)
        return total // 2, total - total // 2
    t, b = split(h, k, s, d)
    l, r = split(w, k, s, d)
    return [t, b, l, r]


def conv_cases():
    out = []
    specs = [
        ("conv3x3", dict(stride=[1, 1], padding=[1, 1, 1, 1], dilation=[1, 1], groups=1), (2, 3, 6, 5), (4, 3, 3, 3), True),
        ("conv3x3_s2", dict(stride=[2, 2], padding=[1, 1, 1, 1], dilation=[1, 1], groups=1), (2, 3, 7, 6), (4, 3, 3, 3), False),
        ("conv7x7_s2_p3", dict(stride=[2, 2], padding=[3, 3, 3, 3], dilation=[1, 1], groups=1), (1, 3, 9, 9), (2, 3, 7, 7), False),
        ("conv1x1", dict(stride=[1, 1], padding=[0, 0, 0, 0], dilation=[1, 1], groups=1), (2, 5, 4, 3), (3, 5, 1, 1), True),
        ("conv1x1_s2", dict(stride=[2, 2], padding=[0, 0, 0, 0], dilation=[1, 1], groups=1), (2, 4, 5, 5), (3, 4, 1, 1), False),
        ("conv_dilated", dict(stride=[1, 1], padding=[2, 2, 2, 2], dilation=[2, 2], groups=1), (1, 2, 7, 7), (3, 2, 3, 3), True),
        ("conv_groups2", dict(stride=[1, 1], padding=[1, 1, 1, 1], dilation=[1, 1], groups=2), (2, 4, 5, 5), (6, 2, 3, 3), True),
        ("conv_depthwise", dict(stride=[1, 1], padding=[1, 1, 1, 1], dilation=[1, 1], groups=4), (2, 4, 5, 6), (4, 1, 3, 3), False),
        ("conv_depthwise_k5_s2", dict(stride=[2, 2], padding=[2, 2, 2, 2], dilation=[1, 1], groups=3), (1, 3, 9, 8), (3, 1, 5, 5), True),
    ]
    for name, p, xs, ws, bias in specs:
        inputs = {"x": rand(*xs), "weight": rand(*ws)}
        if bias:
            inputs["bias"] = rand(ws[0])
        t, b, l, r = p["padding"]

        def fn(x, weight, bias=None, p=p, t=t, b=b, l=l, r=r):
            return F.conv2d(F.pad(x, [l, r, t, b]), weight, bias, stride=p["stride"], dilation=p["dilation"], groups=p["groups"])
        out.append(case(name, "conv2d", p, inputs, fn))
    # TensorFlow "same" (efficientnet-pytorch Conv2dStaticSamePadding): asymmetric zero pad, then conv.
    for name, xs, ws, s, g in [("conv_same_s2", (1, 2, 7, 8), (3, 2, 3, 3), 2, 1), ("conv_same_dw_k5_s2", (2, 3, 8, 7), (3, 1, 5, 5), 2, 3)]:
        pad = same_pad(xs[2], xs[3], ws[2], s, 1)
        p = dict(stride=[s, s], padding="same", dilation=[1, 1], groups=g, resolved=pad)

        def fn(x, weight, pad=pad, s=s, g=g):
            return F.conv2d(F.pad(x, [pad[2], pad[3], pad[0], pad[1]]), weight, None, stride=s, groups=g)
        out.append(case(name, "conv2d", p, {"x": rand(*xs), "weight": rand(*ws)}, fn))
    return out


def conv_transpose_cases():
    out = []
    for name, xs, ws, s, pad, opad, g, bias in [
        ("convT_k2_s2", (2, 4, 3, 3), (4, 3, 2, 2), 2, 0, 0, 1, True),
        ("convT_k3_s2_p1_op1", (1, 3, 4, 3), (3, 2, 3, 3), 2, 1, 1, 1, False),
        ("convT_k4_s2_p1", (1, 2, 3, 4), (2, 3, 4, 4), 2, 1, 0, 1, True),
        ("convT_groups2", (1, 4, 3, 3), (4, 1, 3, 3), 1, 1, 0, 2, False),
    ]:
        inputs = {"x": rand(*xs), "weight": rand(*ws)}
        if bias:
            inputs["bias"] = rand(ws[1] * g)
        p = dict(stride=[s, s], padding=[pad, pad], output_padding=[opad, opad], groups=g)

        def fn(x, weight, bias=None, s=s, pad=pad, opad=opad, g=g):
            return F.conv_transpose2d(x, weight, bias, stride=s, padding=pad, output_padding=opad, groups=g)
        out.append(case(name, "conv_transpose2d", p, inputs, fn))
    return out


def batch_norm_cases():
    out = []
    for training in (True, False):
        c = 3
        rm0, rv0 = rand(c), rand(c, lo=0.5, hi=2.0)
        rm, rv = rm0.clone(), rv0.clone()

        def fn(x, weight, bias, training=training, rm=rm, rv=rv):
            return F.batch_norm(x, rm, rv, weight, bias, training=training, momentum=0.1, eps=1e-5)
        inputs = {"x": rand(2, c, 3, 4, lo=-2, hi=3), "weight": rand(c, lo=0.5, hi=1.5), "bias": rand(c)}
        extra = {"running_mean_before": rm0, "running_var_before": rv0}
        cs = case("batch_norm_" + ("train" if training else "eval"), "batch_norm",
                  dict(training=training, momentum=0.1, eps=1e-5), inputs, fn, extra)
        cs["tensors"]["running_mean_after"] = enc(rm)
        cs["tensors"]["running_var_after"] = enc(rv)
        out.append(cs)
    return out


def pointwise_cases():
    x = rand(2, 3, 4, 4, lo=-3, hi=3)
    x = torch.where(x.abs() < 0.05, x + 0.1, x)  # keep relu away from its kink
    return [
        case("relu", "relu", {}, {"x": x}, lambda x: F.relu(x)),
        case("sigmoid", "sigmoid", {}, {"x": x}, lambda x: torch.sigmoid(x)),
        case("silu", "silu", {}, {"x": x}, lambda x: F.silu(x)),
        case("add", "add", {}, {"a": rand(2, 3, 2, 2), "b": rand(2, 3, 2, 2)}, lambda a, b: a + b),
        case("mul", "multiply", {}, {"a": rand(2, 3, 2, 2), "b": rand(2, 3, 2, 2)}, lambda a, b: a * b),
        case("mul_se", "multiply", {}, {"a": rand(2, 3, 3, 2), "b": rand(2, 3, 1, 1)}, lambda a, b: a * b),
        case("concat", "concat", {"dim": 1}, {"a": rand(2, 2, 3, 2), "b": rand(2, 3, 3, 2)}, lambda a, b: torch.cat([a, b], 1)),
    ]


def pool_upsample_cases():
    return [
        case("max_pool_k3_s2_p1", "max_pool2d", dict(kernel=[3, 3], stride=[2, 2], padding=[1, 1]), {"x": rand(2, 2, 7, 6)},
             lambda x: F.max_pool2d(x, 3, 2, 1)),
        case("max_pool_k2_s2", "max_pool2d", dict(kernel=[2, 2], stride=[2, 2], padding=[0, 0]), {"x": rand(1, 3, 6, 5)},
             lambda x: F.max_pool2d(x, 2, 2)),
        case("avg_pool_k2_s2", "avg_pool2d", dict(kernel=[2, 2], stride=[2, 2], padding=[0, 0]), {"x": rand(2, 2, 4, 6)},
             lambda x: F.avg_pool2d(x, 2, 2)),
        case("avg_pool_k3_s2_p1", "avg_pool2d", dict(kernel=[3, 3], stride=[2, 2], padding=[1, 1]), {"x": rand(1, 2, 5, 6)},
             lambda x: F.avg_pool2d(x, 3, 2, 1)),
        case("adaptive_avg_pool_1", "adaptive_avg_pool2d", dict(output=[1, 1]), {"x": rand(2, 3, 4, 5)},
             lambda x: F.adaptive_avg_pool2d(x, 1)),
        case("adaptive_avg_pool_3x2", "adaptive_avg_pool2d", dict(output=[3, 2]), {"x": rand(1, 2, 7, 5)},
             lambda x: F.adaptive_avg_pool2d(x, (3, 2))),
        case("upsample_nearest2x", "upsample_nearest2x", {}, {"x": rand(2, 2, 3, 4)},
             lambda x: F.interpolate(x, scale_factor=2, mode="nearest")),
        case("upsample_bilinear2x", "upsample_bilinear", dict(size=[6, 8], align_corners=False), {"x": rand(1, 2, 3, 4)},
             lambda x: F.interpolate(x, size=(6, 8), mode="bilinear", align_corners=False)),
        case("upsample_bilinear_ac", "upsample_bilinear", dict(size=[7, 5], align_corners=True), {"x": rand(1, 2, 3, 4)},
             lambda x: F.interpolate(x, size=(7, 5), mode="bilinear", align_corners=True)),
        case("upsample_bilinear_4x", "upsample_bilinear", dict(size=[8, 12], align_corners=False), {"x": rand(1, 1, 2, 3)},
             lambda x: F.interpolate(x, size=(8, 12), mode="bilinear", align_corners=False)),
        case("linear", "linear", {}, {"x": rand(3, 5), "weight": rand(4, 5), "bias": rand(4)},
             lambda x, weight, bias: F.linear(x, weight, bias)),
    ]


def same_dilated_cases():
    """TF "same" padding with dilation (efficientnet-pytorch's dynamic same padding formula);
    at stride 1 it must equal torch's own padding="same"."""
    out = []
    for name, xs, ws, s, d, g in [("conv_same_d2", (1, 2, 7, 6), (3, 2, 3, 3), 1, 2, 1),
                                  ("conv_same_k2_d3", (1, 2, 6, 7), (2, 2, 2, 2), 1, 3, 1),
                                  ("conv_same_s2_d2", (2, 2, 8, 7), (3, 2, 3, 3), 2, 2, 1),
                                  ("conv_same_dw_s2_d2", (1, 3, 9, 8), (3, 1, 3, 3), 2, 2, 3)]:
        pad = same_pad(xs[2], xs[3], ws[2], s, d)
        p = dict(stride=[s, s], padding="same", dilation=[d, d], groups=g, resolved=pad)

        def fn(x, weight, pad=pad, s=s, d=d, g=g):
            y = F.conv2d(F.pad(x, [pad[2], pad[3], pad[0], pad[1]]), weight, None, stride=s, dilation=d, groups=g)
            if s == 1:
                warnings.filterwarnings("ignore", message="Using padding='same' with even kernel")  # a copy, not an error
                assert torch.allclose(y, F.conv2d(x, weight, None, padding="same", dilation=d, groups=g))
            return y
        out.append(case(name, "conv2d", p, {"x": rand(*xs), "weight": rand(*ws)}, fn))
    return out


def batch_norm_2d_input_cases():
    """Batch norm over [n, c] (BatchNorm1d's layout, what F.batch_norm does for 2-D input)."""
    out = []
    for training in (True, False):
        c = 4
        rm0, rv0 = rand(c), rand(c, lo=0.5, hi=2.0)
        rm, rv = rm0.clone(), rv0.clone()

        def fn(x, weight, bias, training=training, rm=rm, rv=rv):
            return F.batch_norm(x, rm, rv, weight, bias, training=training, momentum=0.2, eps=1e-3)
        inputs = {"x": rand(5, c, lo=-2, hi=3), "weight": rand(c, lo=0.5, hi=1.5), "bias": rand(c)}
        extra = {"running_mean_before": rm0, "running_var_before": rv0}
        cs = case("batch_norm_nc_" + ("train" if training else "eval"), "batch_norm",
                  dict(training=training, momentum=0.2, eps=1e-3), inputs, fn, extra)
        cs["tensors"]["running_mean_after"] = enc(rm)
        cs["tensors"]["running_var_after"] = enc(rv)
        out.append(cs)
    return out


def splitmix64_uniforms(seed, count):
    """NeuralNet's SplitMix64.nextUniform(): 24 random bits, exactly as the Swift code draws them."""
    mask64, state, out = (1 << 64) - 1, seed, []
    for _ in range(count):
        state = (state + 0x9E3779B97F4A7C15) & mask64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask64
        z ^= z >> 31
        out.append((z >> 40) / 16777216.0)
    return out


def dropout_cases():
    """Inverted dropout with the mask pipe draws from SplitMix64(seed) (element i dropped when its
    uniform < p, row-major), applied as torch's F.dropout applies its own: x * keep / (1 - p)."""
    # torch's dropout is exactly that product for its own mask (checked here, not stored).
    probe = rand(64)
    torch.manual_seed(0)
    dropped = F.dropout(probe, 0.25, training=True)
    assert torch.allclose(dropped, probe * (dropped != 0) / (1 - 0.25))
    out = []
    for name, shape, p, seed in [("dropout_p03", (2, 3, 4, 5), 0.3, 11), ("dropout_p05_nc", (6, 7), 0.5, 12)]:
        n = math.prod(shape)
        p32 = float(torch.tensor(p, dtype=torch.float32))
        keep = torch.tensor([0.0 if u < p32 else 1.0 for u in splitmix64_uniforms(seed, n)], dtype=torch.float64).reshape(shape)
        scale = float(1 / (1 - torch.tensor(p, dtype=torch.float32)))  # pipe's float32 1 / (1 - p)

        def fn(x, keep=keep, scale=scale):
            return x * (keep * scale)
        out.append(case(name, "dropout", dict(p=p, seed=seed), {"x": rand(*shape)}, fn, extra={"keep": keep}))
    return out


def main():
    from fixture_losses import loss_cases
    from fixture_optim import clip_grad_value_cases, optimizer_cases, schedule_cases
    os.makedirs(OUT, exist_ok=True)
    groups = {
        "ops": conv_cases() + conv_transpose_cases() + batch_norm_cases() + pointwise_cases() + pool_upsample_cases(),
        "losses": loss_cases(case, rand),
        "optim": optimizer_cases(rand, enc) + schedule_cases(),
    }
    # Later additions draw from the generator after every earlier case, so earlier cases keep their numbers.
    groups["ops"] += same_dilated_cases() + batch_norm_2d_input_cases() + dropout_cases()
    groups["optim"] += clip_grad_value_cases(rand, enc)
    for name, cases in groups.items():
        path = os.path.join(OUT, name + ".json")
        with open(path, "w") as f:
            json.dump({"generator": "scripts/nn/make_fixtures.py", "torch": torch.__version__, "cases": cases}, f,
                      separators=(",", ":"))
        print(f"{path}: {len(cases)} cases, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
