#!/usr/bin/env python3
"""Independent numpy implementation of pipe's tiling recipe (DESIGN §1), for tests.

Reads the whole image with tifffile, pads it centred to a multiple of size*reduce,
cuts windows, area-averages the image (sum of each reduce x reduce block / n, rounded
half up) and takes the top-left mask pixel of each block, then keeps a tile when more
than min_pixels pixels have HSV saturation (255*(max-min)/max, rounded half up) above
`saturation` and its channel sum exceeds min_pixels.

Usage: reference_tiles.py IMAGE.tiff RLE_FILE SIZE REDUCE SATURATION MIN_PIXELS
Prints one JSON object: {"tiles": [{"x", "y", "mask_pixels", "saturated", "sha256"}...]}
where sha256 hashes the tile's RGB bytes followed by its 0/1 mask bytes.
(pip install numpy tifffile imagecodecs)
"""
import hashlib
import json
import sys

import numpy as np
import tifffile


def rle_decode(rle, height, width):
    mask = np.zeros(height * width, dtype=np.uint8)
    values = [int(v) for v in rle.split()]
    for start, length in zip(values[0::2], values[1::2]):
        mask[start - 1:start - 1 + length] = 1
    return mask.reshape(width, height).T  # Kaggle RLE runs down columns


def main():
    image_path, rle_path, size, reduce, saturation, min_pixels = sys.argv[1:7]
    size, reduce, saturation, min_pixels = int(size), int(reduce), int(saturation), int(min_pixels)
    image = tifffile.imread(image_path)
    image = np.squeeze(image)
    if image.ndim == 3 and image.shape[0] == 3 and image.shape[-1] != 3:
        image = np.moveaxis(image, 0, -1)
    height, width = image.shape[:2]
    mask = rle_decode(open(rle_path).read().strip(), height, width)
    window = size * reduce
    pad_y, pad_x = (window - height % window) % window, (window - width % window) % window
    top, left = pad_y // 2, pad_x // 2
    image = np.pad(image, [[top, pad_y - top], [left, pad_x - left], [0, 0]])
    mask = np.pad(mask, [[top, pad_y - top], [left, pad_x - left]])
    tiles = []
    n = reduce * reduce
    for wy in range(0, image.shape[0], window):
        for wx in range(0, image.shape[1], window):
            block = image[wy:wy + window, wx:wx + window].astype(np.uint32)
            sums = block.reshape(size, reduce, size, reduce, 3).sum(axis=(1, 3))
            tile = ((sums + n // 2) // n).astype(np.uint8)
            tile_mask = mask[wy:wy + window:reduce, wx:wx + window:reduce].astype(np.uint8)
            high = tile.max(axis=2).astype(np.int64)
            low = tile.min(axis=2).astype(np.int64)
            sat = np.where(high > 0, (255 * (high - low) + high // 2) // np.maximum(high, 1), 0)
            saturated = int((sat > saturation).sum())
            if saturated > min_pixels and int(tile.astype(np.int64).sum()) > min_pixels:
                digest = hashlib.sha256(tile.tobytes() + tile_mask.tobytes()).hexdigest()
                tiles.append({"x": wx - left, "y": wy - top, "mask_pixels": int(tile_mask.sum()),
                              "saturated": saturated, "sha256": digest})
    print(json.dumps({"tiles": tiles}))


if __name__ == "__main__":
    main()
