#!/usr/bin/env python3
"""Reference Dice and threshold sweep for pipe's validate stage.

Writes Tests/Fixtures/Validate/dice_sweep.json: a few uint8 probability maps
(probability x 255) with binary truths, and numpy's per-image Dice at each
threshold (a pixel is predicted when prob / 255 > t, float64), the mean over
images per threshold, and the best threshold (the first maximum).

    python3 scripts/validate/dice_reference.py [output.json]
"""
import json
import os
import sys

import numpy as np


def dice(pred, truth):
    inter = np.logical_and(pred, truth).sum()
    total = pred.sum() + truth.sum()
    return 1.0 if total == 0 else 2.0 * inter / total


def cases(rng):
    out = []
    # a blob with a soft edge and noise
    h, w = 24, 32
    yy, xx = np.mgrid[0:h, 0:w]
    d = np.sqrt((yy - 11.5) ** 2 + (xx - 15) ** 2)
    prob = np.clip(255 * (1.2 - d / 10) + rng.normal(0, 20, (h, w)), 0, 255).astype(np.uint8)
    out.append(("blob", prob, (d < 8).astype(np.uint8)))
    # uniform random probabilities against a random truth
    out.append(("noise", rng.integers(0, 256, (9, 13), dtype=np.uint8), (rng.random((9, 13)) < 0.3).astype(np.uint8)))
    # empty truth, low probabilities: Dice 1 below the max byte, 0 where it predicts
    out.append(("empty_truth", rng.integers(0, 60, (7, 5), dtype=np.uint8), np.zeros((7, 5), np.uint8)))
    # bytes exactly on thresholds (0.5 * 255 = 127.5; 0.6 * 255 = 153)
    prob = np.array([[127, 128, 153, 154], [0, 255, 25, 26]], np.uint8)
    out.append(("edges", prob, np.array([[0, 1, 1, 1], [0, 1, 0, 1]], np.uint8)))
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    target = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "../../Tests/Fixtures/Validate/dice_sweep.json")
    thresholds = [round(0.1 + 0.05 * k, 9) for k in range(17)]
    rng = np.random.default_rng(2021)
    images = []
    for name, prob, truth in cases(rng):
        p = prob.astype(np.float64) / 255
        images.append({
            "name": name, "height": int(prob.shape[0]), "width": int(prob.shape[1]),
            "probabilities": prob.ravel().tolist(), "truth": truth.ravel().tolist(),
            "dice": [float(dice(p > t, truth != 0)) for t in thresholds],
        })
    mean = np.mean([i["dice"] for i in images], axis=0)
    result = {"thresholds": thresholds, "images": images, "mean": mean.tolist(),
              "best": thresholds[int(np.argmax(mean))]}
    with open(target, "w") as f:
        json.dump(result, f)
        f.write("\n")


if __name__ == "__main__":
    main()
