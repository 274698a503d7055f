#!/usr/bin/env python3
"""Loads a checkpoint written by pipe into the matching smp model with
strict=True, runs it in eval mode on an input, and compares with logits
that pipe computed for the same input.

    python3 scripts/nn/smp/check_pipe_checkpoint.py --arch unet --encoder resnet18 \
        --weights W.safetensors --input X.npy --logits Y.npy [--depth 5] \
        [--decoder-channels ...] [--tolerance 1e-3]

Prints `max_abs_diff <value>`; exits 1 when the load is not strict-clean or
the difference exceeds the tolerance.
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
    ap.add_argument("--input", required=True)
    ap.add_argument("--logits", required=True)
    ap.add_argument("--tolerance", type=float, default=1e-3)
    args = ap.parse_args()

    torch.set_num_threads(2)
    model = build_from_arguments(args)
    state = load_file(args.weights)
    result = model.load_state_dict(state, strict=True)
    if result.missing_keys or result.unexpected_keys:
        print("not strict-clean:", result, file=sys.stderr)
        sys.exit(1)
    for k, v in model.state_dict().items():
        if v.dtype != state[k].dtype:
            print(f"dtype of {k}: pipe {state[k].dtype}, smp {v.dtype}", file=sys.stderr)
            sys.exit(1)
    model.eval()
    x = torch.from_numpy(np.load(args.input))
    with torch.no_grad():
        y = model(x).numpy()
    theirs = np.load(args.logits)
    if theirs.shape != y.shape:
        print(f"shape: pipe {theirs.shape}, smp {y.shape}", file=sys.stderr)
        sys.exit(1)
    diff = float(np.abs(theirs - y).max())
    print(f"max_abs_diff {diff:.3e}")
    sys.exit(0 if diff <= args.tolerance else 1)


if __name__ == "__main__":
    main()
