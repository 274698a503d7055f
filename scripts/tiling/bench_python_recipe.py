#!/usr/bin/env python3
"""The Python tiling recipe HuBMAP notebooks used, for `pipe-bench tile`: tifffile reads
the whole image, the RLE mask is decoded whole, the image is padded, every window is
resized with cv2.INTER_AREA (mask: INTER_NEAREST) and kept when its HSV saturation
passes the filter. Prints {"seconds", "tiles", "peak_rss_bytes"} as JSON.

Usage: bench_python_recipe.py IMAGE.tiff MASK.rle SIZE REDUCE
(pip install numpy tifffile imagecodecs opencv-python-headless)
"""
import json
import resource
import sys
import time

import cv2
import numpy as np
import tifffile


def rle_decode(rle, height, width):
    mask = np.zeros(height * width, dtype=np.uint8)
    values = np.asarray(rle.split(), dtype=np.int64)
    for start, length in zip(values[0::2] - 1, values[1::2]):
        mask[start:start + length] = 1
    return mask.reshape(width, height).T


def main():
    path, rle_path, size, reduce = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    start = time.time()
    image = np.squeeze(tifffile.imread(path))
    if image.shape[0] == 3:
        image = image.transpose(1, 2, 0)
    height, width = image.shape[:2]
    mask = rle_decode(open(rle_path).read().strip(), height, width)
    window = size * reduce
    pad0, pad1 = (window - height % window) % window, (window - width % window) % window
    image = np.pad(image, [[pad0 // 2, pad0 - pad0 // 2], [pad1 // 2, pad1 - pad1 // 2], [0, 0]])
    mask = np.pad(mask, [[pad0 // 2, pad0 - pad0 // 2], [pad1 // 2, pad1 - pad1 // 2]])
    threshold, kept = 1000 * (size // 256) ** 2, 0
    for y in range(0, image.shape[0], window):
        for x in range(0, image.shape[1], window):
            tile = cv2.resize(image[y:y + window, x:x + window], (size, size), interpolation=cv2.INTER_AREA)
            tile_mask = cv2.resize(mask[y:y + window, x:x + window], (size, size), interpolation=cv2.INTER_NEAREST)
            saturation = cv2.cvtColor(tile, cv2.COLOR_RGB2HSV)[..., 1]
            if (saturation > 40).sum() <= threshold or tile.sum() <= threshold:
                continue
            kept += 1
            _ = tile_mask.sum()
    seconds = time.time() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"seconds": seconds, "tiles": kept, "peak_rss_bytes": rss}))


if __name__ == "__main__":
    main()
