#!/usr/bin/env python3
"""Exports an smp model with random weights and its eval-mode logits, for
pipe's compatibility tests (`pipe model run` must reproduce the logits).

    python3 scripts/nn/smp/export_reference.py --arch unet --encoder resnet18 \
        --out DIR [--depth 5] [--decoder-channels 256,128,64,32,16] \
        [--batch 2] [--size 64] [--seed 0]

Writes DIR/weights.safetensors (the state dict, PyTorch dtypes: F32 and I64
num_batches_tracked), DIR/input.npy (float32 NCHW), DIR/logits.npy (float32,
model.eval() output) and DIR/inventory.json (name -> shape, in state-dict order).
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
from safetensors.torch import save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from smp_models import add_model_arguments, build_from_arguments, randomise, state_dict_for_export  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    add_model_arguments(ap)
    ap.add_argument("--out", required=True)
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    torch.set_num_threads(2)
    model = randomise(build_from_arguments(args), args.seed).eval()
    g = torch.Generator().manual_seed(args.seed + 1)
    x = torch.randn(args.batch, 3, args.size, args.size, generator=g)
    with torch.no_grad():
        y = model(x)

    os.makedirs(args.out, exist_ok=True)
    sd = state_dict_for_export(model)
    save_file(sd, os.path.join(args.out, "weights.safetensors"), metadata={"format": "pt"})
    np.save(os.path.join(args.out, "input.npy"), x.numpy().astype("<f4"))
    np.save(os.path.join(args.out, "logits.npy"), y.numpy().astype("<f4"))
    with open(os.path.join(args.out, "inventory.json"), "w") as f:
        json.dump([[k, list(v.shape)] for k, v in sd.items()], f)
    print(f"{args.arch}-{args.encoder}: {len(sd)} tensors, logits {tuple(y.shape)}")


if __name__ == "__main__":
    main()
