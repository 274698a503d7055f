#!/usr/bin/env python3
"""PyTorch CPU side of `pipe-bench model`: one smp model, one mode, one
process (so peak RSS belongs to that case alone).

    python3 scripts/nn/smp/bench_torch.py --arch unet --encoder resnet18 \
        --mode train|infer [--batch 8] [--size 256] [--threads 2] [--steps 10] [--warmup 2]

Training step: model.train(), forward, BCE-with-logits against a fixed random
mask, backward, Adam step (zero_grad first). Inference: model.eval(),
torch.inference_mode(), forward. Prints one JSON object: per-step seconds,
their median, steps/s or images/s, and peak RSS in bytes.
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from smp_models import build  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", default="unet")
    ap.add_argument("--encoder", default="resnet18")
    ap.add_argument("--mode", choices=["train", "infer"], required=True)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = build(args.arch, args.encoder)
    x = torch.randn(args.batch, 3, args.size, args.size)
    times = []
    if args.mode == "train":
        model.train()
        target = (torch.rand(args.batch, 1, args.size, args.size) < 0.3).float()
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = torch.nn.BCEWithLogitsLoss()
        for i in range(args.warmup + args.steps):
            t0 = time.perf_counter()
            opt.zero_grad()
            loss = loss_fn(model(x), target)
            loss.backward()
            opt.step()
            if i >= args.warmup:
                times.append(time.perf_counter() - t0)
    else:
        model.eval()
        with torch.inference_mode():
            for i in range(args.warmup + args.steps):
                t0 = time.perf_counter()
                model(x)
                if i >= args.warmup:
                    times.append(time.perf_counter() - t0)
    median = statistics.median(times)
    rate = 1 / median if args.mode == "train" else args.batch / median
    print(json.dumps({
        "implementation": "pytorch", "torch": torch.__version__, "arch": args.arch, "encoder": args.encoder,
        "mode": args.mode, "batch": args.batch, "size": args.size, "threads": args.threads,
        "seconds": times, "median_seconds": median, "rate": rate,
        "unit": "steps/s" if args.mode == "train" else "images/s",
        "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }))


if __name__ == "__main__":
    main()
