#!/usr/bin/env python3
"""numpy reference of the Kaggle HuBMAP RLE convention (the competition's own rle_encode / rle_decode).

Clean machine: pip install numpy

  rle_reference.py DIR   for every DIR/<name>.mask (raw uint8, H*W row-major, size in DIR/<name>.json),
                         print one JSON object {name: {"rle": ..., "decoded_matches": bool}}
"""
import json
import os
import sys

import numpy as np


def rle_encode(img):
    """img: (H, W) array, 1 = mask. Pixels numbered top-to-bottom then left-to-right, 1-indexed."""
    pixels = img.T.flatten()
    pixels = np.concatenate([[0], pixels, [0]])
    runs = np.where(pixels[1:] != pixels[:-1])[0] + 1
    runs[1::2] -= runs[::2]
    return " ".join(str(x) for x in runs)


def rle_decode(rle, shape):
    """shape: (H, W). Returns an (H, W) uint8 mask."""
    h, w = shape
    img = np.zeros(h * w, dtype=np.uint8)
    s = rle.split()
    starts, lengths = [np.asarray(x, dtype=int) for x in (s[0:][::2], s[1:][::2])]
    starts -= 1
    for lo, n in zip(starts, lengths):
        img[lo:lo + n] = 1
    return img.reshape(w, h).T


def main(d):
    out = {}
    for fn in sorted(os.listdir(d)):
        if not fn.endswith(".mask"):
            continue
        name = fn[:-5]
        meta = json.load(open(os.path.join(d, name + ".json")))
        mask = (np.fromfile(os.path.join(d, fn), np.uint8).reshape(meta["height"], meta["width"]) != 0).astype(np.uint8)
        rle = rle_encode(mask)
        out[name] = {"rle": rle, "decoded_matches": bool((rle_decode(rle, mask.shape) == mask).all())}
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
