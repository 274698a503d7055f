#!/usr/bin/env python3
"""Reference outputs for pipe's deterministic augmentations, computed with numpy.

Usage: reference.py IN.raw WIDTH HEIGHT OUTDIR --gamma G --brightness B --contrast C --blur K

IN.raw is an RGB uint8 image, row-major interleaved (HEIGHT x WIDTH x 3). Writes to OUTDIR, each
raw uint8 in the same layout: fliplr, flipud, rot90_1..rot90_3 (np.rot90, counter-clockwise),
transpose, gamma (round(255 * (v/255)^G)), brightness_contrast (round(v * (1 + C) + B * 255),
clipped), blur (K x K mean with numpy's 'reflect' padding = OpenCV BORDER_REFLECT_101, rounded
half up). Rounding is half up everywhere, as in pipe.
"""
import argparse
import os

import numpy as np


def round_half_up(values):
    return np.clip(np.floor(values + 0.5), 0, 255).astype(np.uint8)


def box_blur(image, k):
    r = k // 2
    padded = np.pad(image.astype(np.int64), ((r, r), (r, r), (0, 0)), mode="reflect")
    h, w, _ = image.shape
    total = np.zeros(image.shape, dtype=np.int64)
    for dy in range(k):
        for dx in range(k):
            total += padded[dy:dy + h, dx:dx + w]
    area = k * k
    return ((2 * total + area) // (2 * area)).astype(np.uint8)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input")
    parser.add_argument("width", type=int)
    parser.add_argument("height", type=int)
    parser.add_argument("outdir")
    parser.add_argument("--gamma", type=float, required=True)
    parser.add_argument("--brightness", type=float, required=True)
    parser.add_argument("--contrast", type=float, required=True)
    parser.add_argument("--blur", type=int, required=True)
    args = parser.parse_args()

    image = np.fromfile(args.input, dtype=np.uint8).reshape(args.height, args.width, 3)
    levels = np.arange(256, dtype=np.float64)
    gamma_lut = round_half_up(255 * (levels / 255) ** args.gamma)
    bc_lut = round_half_up(levels * (1 + args.contrast) + args.brightness * 255)
    outputs = {
        "fliplr": image[:, ::-1],
        "flipud": image[::-1, :],
        "transpose": image.transpose(1, 0, 2),
        "gamma": gamma_lut[image],
        "brightness_contrast": bc_lut[image],
        "blur": box_blur(image, args.blur),
    }
    for k in range(1, 4):
        outputs[f"rot90_{k}"] = np.rot90(image, k)
    os.makedirs(args.outdir, exist_ok=True)
    for name, array in outputs.items():
        np.ascontiguousarray(array, dtype=np.uint8).tofile(os.path.join(args.outdir, name + ".raw"))


if __name__ == "__main__":
    main()
