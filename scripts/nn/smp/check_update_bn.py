#!/usr/bin/env python3
"""Runs torch.optim.swa_utils.update_bn on an smp model and compares every
batch norm's running statistics with a checkpoint written by pipe after its
`recomputeBatchNormStatistics` over the same batches.

    python3 scripts/nn/smp/check_update_bn.py --arch unet --encoder resnet18 \
        --weights BEFORE.safetensors --batches X.npy --batch 2 \
        --recomputed AFTER.safetensors [--depth 5] [--decoder-channels ...] [--tolerance 1e-4]

BEFORE holds the weights and (stale) running statistics, X.npy the images of
all batches stacked (float32 NCHW), cut into batches of --batch in order.
Prints `max_abs_diff <value>` over running_mean and running_var (relative to
max(1, |value|)); exits 1 when a buffer is missing or the difference exceeds
the tolerance.
"""
import argparse
import os
import sys

import numpy as np
import torch
from safetensors.torch import load_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from smp_models import add_model_arguments, build_from_arguments  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    add_model_arguments(ap)
    ap.add_argument("--weights", required=True)
    ap.add_argument("--batches", required=True)
    ap.add_argument("--batch", type=int, required=True)
    ap.add_argument("--recomputed", required=True)
    ap.add_argument("--tolerance", type=float, default=1e-4)
    args = ap.parse_args()

    torch.set_num_threads(2)
    model = build_from_arguments(args)
    model.load_state_dict(load_file(args.weights), strict=True)
    images = torch.from_numpy(np.load(args.batches))
    loader = [images[i:i + args.batch] for i in range(0, len(images), args.batch)]
    torch.optim.swa_utils.update_bn(loader, model)
    theirs = load_file(args.recomputed)
    worst, compared = 0.0, 0
    for name, value in model.state_dict().items():
        if not (name.endswith("running_mean") or name.endswith("running_var")):
            continue
        if name not in theirs:
            print(f"pipe's checkpoint has no {name}", file=sys.stderr)
            sys.exit(1)
        diff = ((theirs[name] - value).abs() / value.abs().clamp(min=1)).max().item()
        worst, compared = max(worst, diff), compared + 1
    print(f"max_abs_diff {worst:.3e} over {compared} buffers")
    sys.exit(0 if compared > 0 and worst <= args.tolerance else 1)


if __name__ == "__main__":
    main()
