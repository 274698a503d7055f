#!/usr/bin/env python3
"""The baseline of `pipe-bench image-read`: tifffile reads the whole TIFF, numpy area-averages it.

Clean machine: pip install tifffile imagecodecs numpy

  bench_tifffile.py FILE REDUCE   prints {"seconds": s, "decoded_bytes": n, "peak_rss_bytes": r}
"""
import json
import resource
import sys
import time

import numpy as np
import tifffile


def main(path, r):
    t0 = time.perf_counter()
    img = tifffile.imread(path)                      # whole image, decoded with all cores
    h, w = img.shape[0] // r * r, img.shape[1] // r * r
    n = r * r
    # exact area mean rounded half up, as pipe computes it (uint16 sums fit for r <= 16)
    blocks = img[:h, :w].reshape(h // r, r, w // r, r, 3)
    s = blocks.sum(axis=(1, 3), dtype=np.uint32)
    out = ((s + n // 2) // n).astype(np.uint8)
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"seconds": seconds, "decoded_bytes": int(img.nbytes), "peak_rss_bytes": peak,
                      "checksum": int(out[::97, ::89].sum())}))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
