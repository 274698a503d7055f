#!/usr/bin/env python3
"""Independent references for pipe's TIFF reader and writer, using tifffile + numpy.

Clean machine: pip install tifffile imagecodecs numpy

  tiff_reference.py make-cases DIR    write TIFFs in every layout/compression tifffile produces, plus the
                                      expected window reads (numpy area-mean, rounded half up) as raw bytes,
                                      described in DIR/cases.json
  tiff_reference.py check-written DIR read every DIR/*.tif that pipe wrote with tifffile and compare, level
                                      by level, with pipe's own read DIR/<name>.level<k>.rgb (exactly) and
                                      with the source DIR/<name>.rgb (raw H*W*C bytes; exactly unless lossy);
                                      prints one JSON line per file
  tiff_reference.py make-strips DIR   write striped TIFFs in every compression (contiguous and planar), each
                                      with DIR/<name>.rgb = tifffile's decode as (H, W, 3) bytes, listed in
                                      DIR/strips.json
"""
import json
import os
import sys

import numpy as np
import tifffile

WINDOWS = [  # x, y, w, h, reduce: inside, straddling tiles, past every edge
    (0, 0, 64, 64, 1), (37, 21, 100, 60, 1), (-16, -8, 96, 64, 4), (200, 150, 160, 120, 2),
    (96, 64, 256, 192, 4), (250, 180, 64, 64, 1), (0, 0, 320, 240, 8), (-40, 100, 400, 160, 8),
]


def test_image(seed, h=240, w=300):
    """A smooth image with texture so JPEG and predictors see realistic data."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    base = np.stack([128 + 100 * np.sin(xx / 23 + c) * np.cos(yy / 31 - c) for c in range(3)], -1)
    noise = rng.normal(0, 12, (h, w, 3))
    return np.clip(base + noise, 0, 255).astype(np.uint8)


def expected_window(img, x, y, w, h, r):
    """Window of an (H, W, 3) image, zero outside, area-averaged by r with (sum + n//2) // n."""
    out = np.zeros((h, w, 3), np.uint64)
    H, W = img.shape[:2]
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, W), min(y + h, H)
    if x0 < x1 and y0 < y1:
        out[y0 - y:y1 - y, x0 - x:x1 - x] = img[y0:y1, x0:x1]
    s = out.reshape(h // r, r, w // r, r, 3).sum(axis=(1, 3))
    n = r * r
    return ((s + n // 2) // n).astype(np.uint8)


def cases():
    """(name, writer kwargs, data transform, tolerance). The image is always 240 x 300."""
    c = []
    for comp in [None, "lzw", "zlib", "jpeg"]:
        for tiled in [True, False]:
            kw = {"compression": comp}
            if tiled:
                kw["tile"] = (64, 80)
            else:
                kw["rowsperstrip"] = 16
            tol = 0   # JPEG too: libtiff's libjpeg-turbo and imagecodecs' decode to identical bytes
            tag = f"{comp or 'none'}-{'tiled' if tiled else 'strips'}"
            c.append((f"hw3-{tag}", kw, "hw3", tol))
            c.append((f"3hw-{tag}", kw, "3hw", tol))
    c.append(("hw3-lzw-predictor", {"compression": "lzw", "predictor": True, "tile": (64, 64)}, "hw3", 0))
    c.append(("hw3-zlib-predictor-strips", {"compression": "zlib", "predictor": True, "rowsperstrip": 7}, "hw3", 0))
    c.append(("113hw-zlib-tiled", {"compression": "zlib", "tile": (64, 64)}, "113hw", 0))
    c.append(("pages-lzw", {"compression": "lzw", "photometric": "minisblack"}, "pages", 0))
    c.append(("bigtiff-hw3-zlib", {"compression": "zlib", "tile": (32, 32), "bigtiff": True}, "hw3", 0))
    c.append(("rgba-hw4", {"tile": (64, 64), "photometric": "rgb", "extrasamples": ["unassalpha"]}, "hw4", 0))
    c.append(("gray-hw", {"compression": "zlib", "tile": (64, 64)}, "gray", 0))
    c.append(("jpeg-ycbcr-singlestrip", {"compression": "jpeg", "rowsperstrip": 240}, "hw3", 0))
    c.append(("pyramid-subifd", {"compression": "zlib", "tile": (64, 64)}, "pyramid", 0))
    c.append(("pyramid-pages", {"compression": "lzw", "tile": (32, 32)}, "pyramid-pages", 0))
    c.append(("rgb16-fallback", {"compression": "zlib", "tile": (64, 64)}, "rgb16", 0))
    c.append(("palette-fallback-strips", {"compression": "lzw", "rowsperstrip": 50}, "palette", 0))
    c.append(("gray-jpeg", {"compression": "jpeg", "tile": (64, 64)}, "gray", 0))
    c.append(("ome-cyx-pyramid", {"compression": "zlib", "tile": (64, 64)}, "ome-cyx-pyramid", 0))
    return c


def write_case(path, img, kw, shape):
    if shape == "hw3":
        tifffile.imwrite(path, img, photometric="rgb", **kw)
    elif shape == "3hw":
        tifffile.imwrite(path, np.ascontiguousarray(img.transpose(2, 0, 1)), photometric="rgb", planarconfig="separate", **kw)
    elif shape == "113hw":
        tifffile.imwrite(path, np.ascontiguousarray(img.transpose(2, 0, 1))[None, None], photometric="rgb", **kw)
    elif shape == "pages":
        tifffile.imwrite(path, np.ascontiguousarray(img.transpose(2, 0, 1)), **kw)
    elif shape == "hw4":
        alpha = np.full(img.shape[:2] + (1,), 77, np.uint8)
        tifffile.imwrite(path, np.concatenate([img, alpha], -1), **kw)
    elif shape == "gray":
        tifffile.imwrite(path, img[..., 1], photometric="minisblack", **kw)
    elif shape == "rgb16":   # 16-bit, unpacked by pipe and scaled by round(v / 257) (layout_reference.py covers more)
        tifffile.imwrite(path, img.astype(np.uint16) * 257, photometric="rgb", **kw)
    elif shape == "palette":
        tifffile.imwrite(path, img[..., 0], photometric="palette", colormap=PALETTE, **kw)
    elif shape == "pyramid":
        with tifffile.TiffWriter(path) as tw:
            tw.write(img, photometric="rgb", subifds=2, **kw)
            tw.write(img[::2, ::2], photometric="rgb", subfiletype=1, **kw)
            tw.write(img[::4, ::4], photometric="rgb", subfiletype=1, **kw)
    elif shape == "ome-cyx-pyramid":   # one page per channel, each with its own reduced SubIFD
        planes = np.ascontiguousarray(img.transpose(2, 0, 1))
        with tifffile.TiffWriter(path, ome=True) as tw:
            tw.write(planes, photometric="minisblack", subifds=1, metadata={"axes": "CYX"}, **kw)
            tw.write(planes[:, ::2, ::2], photometric="minisblack", subfiletype=1, **kw)
    elif shape == "pyramid-pages":   # reduced levels as further top-level pages (SVS-like)
        with tifffile.TiffWriter(path) as tw:
            tw.write(img, photometric="rgb", **kw)
            tw.write(img[::2, ::2], photometric="rgb", subfiletype=1, **kw)
            tw.write(img[::4, ::4], photometric="rgb", subfiletype=1, **kw)


PALETTE = (np.random.default_rng(3).integers(0, 256, (3, 256)) * 257).astype(np.uint16)


def decoded(path, shape):
    """What the file holds as (H, W, 3), as tifffile decodes it."""
    a = tifffile.imread(path)
    if shape == "rgb16":   # v * 257: v >> 8 equals pipe's round(v / 257)
        return np.ascontiguousarray((a >> 8).astype(np.uint8))
    if shape == "palette":
        return np.ascontiguousarray((PALETTE[:, a] >> 8).astype(np.uint8).transpose(1, 2, 0))
    if shape in ("3hw", "pages", "ome-cyx-pyramid"):
        a = a.transpose(1, 2, 0)
    elif shape == "113hw":
        a = a[0, 0].transpose(1, 2, 0)
    elif shape == "hw4":
        a = a[..., :3]
    elif shape == "pyramid-pages":
        a = tifffile.imread(path, key=0)
    elif shape == "gray":
        a = np.repeat(a[..., None], 3, -1)
    return np.ascontiguousarray(a)


def make_cases(d):
    os.makedirs(d, exist_ok=True)
    img = test_image(7)
    out = []
    for name, kw, shape, tol in cases():
        path = os.path.join(d, name + ".tif")
        write_case(path, img, kw, shape)
        truth = decoded(path, shape)
        windows = []
        for i, (x, y, w, h, r) in enumerate(WINDOWS):
            fn = f"{name}.w{i}.bin"
            expected_window(truth, x, y, w, h, r).tofile(os.path.join(d, fn))
            windows.append({"x": x, "y": y, "w": w, "h": h, "reduce": r, "expected": fn})
        levels = None
        if shape in ("pyramid", "pyramid-pages", "ome-cyx-pyramid"):
            levels = [[300, 240], [150, 120], [75, 60]][:2 if shape == "ome-cyx-pyramid" else 3]
            with tifffile.TiffFile(path) as t:
                if shape == "ome-cyx-pyramid":
                    assert len(t.series[0].levels) == 2
                    lvl1 = np.ascontiguousarray(t.series[0].levels[1].asarray().transpose(1, 2, 0))
                else:
                    lvl1 = t.pages[0].pages[0].asarray() if shape == "pyramid" else t.pages[1].asarray()
            expected_window(lvl1, 10, 20, 100, 80, 2).tofile(os.path.join(d, name + ".level1.bin"))
        out.append({"name": name, "file": name + ".tif", "tolerance": tol, "windows": windows, "levels": levels})
    with open(os.path.join(d, "cases.json"), "w") as f:
        json.dump(out, f, indent=1)


STRIP_COMPRESSIONS = [  # name, tifffile kwargs
    ("none", {}), ("lzw", {"compression": "lzw"}), ("zlib", {"compression": "zlib"}),
    ("zlib-predictor", {"compression": "zlib", "predictor": True}), ("jpeg", {"compression": "jpeg"}),
    ("packbits", {"compression": "packbits"}),
]


def make_strips(d):
    """240 x 300 images in strips of 96 rows (the last 48) or one strip of 240 rows, every compression;
    contiguous (JPEG: YCbCr 2x2) and planar (3, H, W)."""
    os.makedirs(d, exist_ok=True)
    img = test_image(11)
    out = []
    for comp, kw in STRIP_COMPRESSIONS:
        for rows in (96, 240):
            for shape in ("hw3", "3hw"):
                name = f"{shape}-{comp}-rows{rows}"
                path = os.path.join(d, name + ".tif")
                write_case(path, img, dict(kw, rowsperstrip=rows), shape)
                decoded(path, shape).tofile(os.path.join(d, name + ".rgb"))
                out.append({"name": name, "file": name + ".tif", "rows_per_strip": rows, "lossy": comp == "jpeg"})
    with open(os.path.join(d, "strips.json"), "w") as f:
        json.dump(out, f, indent=1)


def check_written(d):
    """Each DIR/<name>.tif pipe wrote, decoded by tifffile, must equal pipe's own read of it exactly
    (DIR/<name>.level<k>.rgb, (h, w, 3) per level k) and, unless lossy, the source DIR/<name>.rgb."""
    ok = True
    for fn in sorted(os.listdir(d)):
        if not fn.endswith(".tif"):
            continue
        name = fn[:-4]
        meta = json.load(open(os.path.join(d, name + ".json")))
        h, w, c = meta["height"], meta["width"], meta["channels"]
        want = np.fromfile(os.path.join(d, name + ".rgb"), np.uint8).reshape(h, w, c)
        with tifffile.TiffFile(os.path.join(d, fn)) as t:
            page = t.pages[0]
            series = t.series[0]
            if meta["layout"] == "pages":
                got = np.stack([p.asarray() for p in t.pages[:3]], -1)
            else:
                got = page.asarray()
                if got.ndim == 3 and got.shape[0] == c and got.shape[-1] != c:
                    got = got.transpose(1, 2, 0)
            got = got.reshape(h, w, c)
            levels = [got] + [p.asarray() for p in (page.pages or [])]
            level_diffs = []
            for k, lvl in enumerate(levels):
                lvl = lvl.reshape(lvl.shape[0], lvl.shape[1], -1)
                if lvl.shape[-1] == 1:
                    lvl = np.repeat(lvl, 3, -1)
                pipe = np.fromfile(os.path.join(d, f"{name}.level{k}.rgb"), np.uint8)
                if pipe.size != lvl.size:
                    level_diffs.append(-1)
                    continue
                level_diffs.append(int(np.abs(pipe.reshape(lvl.shape).astype(int) - lvl.astype(int)).max()))
            delta = np.abs(got.astype(int) - want.astype(int))
            info = {"file": fn, "max_diff": int(delta.max()), "mean_diff": round(float(delta.mean()), 3),
                    "pipe_diffs": level_diffs, "tiled": page.is_tiled, "bigtiff": t.is_bigtiff,
                    "compression": int(page.compression), "pages": len(t.pages), "levels": len(levels),
                    "series_shape": list(series.shape)}
        good = all(x == 0 for x in level_diffs) and len(level_diffs) == meta["levels"]
        good = good and (info["max_diff"] == 0 if meta["lossless"] else info["mean_diff"] <= meta["mean_tolerance"])
        ok = ok and good
        print(json.dumps(dict(info, ok=good)))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    cmd, d = sys.argv[1], sys.argv[2]
    {"make-cases": make_cases, "check-written": check_written, "make-strips": make_strips}[cmd](d)
