#!/usr/bin/env python3
"""Scanner-style TIFF layouts and what pipe must read from them, decided by tifffile + numpy.

Clean machine: pip install tifffile imagecodecs numpy (scripts/install-deps.sh --test)

  layout_reference.py make DIR     write the layouts below into DIR, each with DIR/<name>.rgb =
                                   the level-0 image as pipe must return it ((H, W, 3) uint8 bytes),
                                   described in DIR/layouts.json
  layout_reference.py jpegs DIR    write JPEG files (4:4:4, 4:2:0, gray, optimised Huffman) as DIR/<name>.jpg with
                                   DIR/<name>.rgb = imagecodecs' libjpeg-turbo decode as (H, W, 3) bytes, listed
                                   in DIR/jpegs.json, and an external set DIR/set/images/*.jpg + masks/*.png
  layout_reference.py sparse PATH  write a 50,000 x 50,000 tiled JPEG BigTIFF (512 x 512 tiles) with
                                   four tiles present and every other tile absent (offset 0, byte
                                   count 0); prints one JSON object: the present tiles' origins and
                                   tifffile's decode of each as a file PATH.<x>_<y>.rgb

pipe's documented rules (Sources/Imaging/TiffSampleConverter.swift), applied here to tifffile's
decoded samples:
  * samples of b bits scale to 8 bits as round((clamp(v, lo, hi) - lo) * 255 / (hi - lo)), with
    lo = 0 and hi = 2^b - 1 unless a window/level is given (8-bit data with no window is unchanged);
  * palette entries (16-bit) scale by the same rule; MINISWHITE is inverted (255 - value) so the
    image reads as displayed; alpha is dropped, never multiplied in; gray is replicated to RGB;
  * tiles and strips that are absent (offset 0 or byte count 0) read as zeros, as tifffile reads them.
"""
import json
import os
import sys

import imagecodecs
import numpy as np
import tifffile

H, W = 150, 200   # not a multiple of the tile size: the last tile column and row are partial


def image(seed, dtype=np.uint8):
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float64)
    top = 65535 if dtype == np.uint16 else 255
    base = np.stack([0.5 + 0.4 * np.sin(xx / 19 + c) * np.cos(yy / 27 - c) for c in range(3)], -1)
    noise = rng.normal(0, 0.03, (H, W, 3))
    return np.clip((base + noise) * top, 0, top).astype(dtype)


def scale(a, bits, lo=None, hi=None):
    """pipe's one rule from b-bit samples to 8 bits: round((clamp(v) - lo) * 255 / (hi - lo))."""
    lo = 0 if lo is None else lo
    hi = (1 << bits) - 1 if hi is None else hi
    v = np.clip(a.astype(np.int64), lo, hi) - lo
    return ((v * 255 * 2 + (hi - lo)) // (2 * (hi - lo))).astype(np.uint8)


def rgb(a):
    a = np.asarray(a)
    if a.ndim == 2:
        a = a[..., None]
    if a.shape[-1] == 1:
        a = np.repeat(a, 3, -1)
    return np.ascontiguousarray(a[..., :3])


def sparsify(path, every=3):
    """Marks every `every`-th tile or strip of page 0 absent: offset and byte count 0."""
    with tifffile.TiffFile(path, mode="r+b") as t:
        page = t.pages[0]
        tags = page.tags
        off = tags.get("TileOffsets") or tags.get("StripOffsets")
        cnt = tags.get("TileByteCounts") or tags.get("StripByteCounts")
        offsets, counts = list(off.value), list(cnt.value)
        for i in range(1, len(offsets), every):
            offsets[i] = 0
            counts[i] = 0
        off.overwrite(offsets)
        cnt.overwrite(counts)


def set_photometric(path, value):
    with tifffile.TiffFile(path, mode="r+b") as t:
        t.pages[0].tags["PhotometricInterpretation"].overwrite(value)


def jfif_tiles(img, tile, **kw):
    """Each tile as a standalone JFIF (YCbCr) JPEG, as some scanners store them under an RGB tag."""
    for ty in range(0, H, tile):
        for tx in range(0, W, tile):
            t = np.zeros((tile, tile, 3), np.uint8)
            part = img[ty:ty + tile, tx:tx + tile]
            t[:part.shape[0], :part.shape[1]] = part
            yield imagecodecs.jpeg8_encode(t, level=90, **kw)


PALETTE = (np.random.default_rng(3).integers(0, 65536, (3, 256))).astype(np.uint16)


def make(d):
    os.makedirs(d, exist_ok=True)
    img8, img16 = image(1), image(2, np.uint16)
    cases = []

    def add(name, truth, channels, photometric, **extra):
        truth.tofile(os.path.join(d, name + ".rgb"))
        cases.append(dict(name=name, file=name + ".tif", channels=channels, photometric=photometric, **extra))

    # absent tiles and strips, every compression (tifffile decodes them as zeros)
    for comp in ["none", "lzw", "zlib", "jpeg", "zstd", "packbits"]:
        for kind in ["tiles", "strips"]:
            name = f"sparse-{comp}-{kind}"
            path = os.path.join(d, name + ".tif")
            layout = {"tile": (64, 64)} if kind == "tiles" else {"rowsperstrip": 16}
            tifffile.imwrite(path, img8, photometric="rgb", compression=None if comp == "none" else comp,
                             bigtiff=kind == "tiles", **layout)
            sparsify(path)
            add(name, rgb(tifffile.imread(path)), 3, "ycbcr" if comp == "jpeg" else "rgb",
                tolerance=0, scanlines=kind == "strips")
    # 16-bit: gray with partial last tile column, RGB, RGBA (both alpha kinds), pages per channel
    gray16 = img16[..., 1]
    for name, kw in [("gray16-tiles", {"tile": (64, 64)}), ("gray16-strips", {"rowsperstrip": 150, "compression": "zlib"}),
                     ("gray16-lzw-predictor", {"tile": (32, 32), "compression": "lzw", "predictor": True})]:
        path = os.path.join(d, name + ".tif")
        tifffile.imwrite(path, gray16, photometric="minisblack", **kw)
        add(name, rgb(scale(tifffile.imread(path), 16)), 1, "gray", tolerance=0, scanlines="strips" in name)
    path = os.path.join(d, "gray16-window.tif")
    tifffile.imwrite(path, gray16 // 8, photometric="minisblack", tile=(64, 64))   # 13-bit data in 16 bits
    add("gray16-window", rgb(scale(tifffile.imread(path), 16, 1000, 7000)), 1, "gray", tolerance=0, window=[1000, 7000])
    for name, kw in [("rgb16-tiles", {"tile": (64, 64), "compression": "zlib"}), ("rgb16-strips", {"rowsperstrip": 150})]:
        path = os.path.join(d, name + ".tif")
        tifffile.imwrite(path, img16, photometric="rgb", **kw)
        add(name, rgb(scale(tifffile.imread(path), 16)), 3, "rgb", tolerance=0, scanlines="strips" in name)
    for name, kw in [("rgb16-planar", {"tile": (64, 64), "compression": "zlib", "planarconfig": "separate"}),
                     ("rgb16-bigendian-predictor", {"tile": (32, 32), "compression": "lzw", "predictor": True, "byteorder": ">"})]:
        path = os.path.join(d, name + ".tif")
        data = np.ascontiguousarray(img16.transpose(2, 0, 1)) if "planar" in name else img16
        tifffile.imwrite(path, data, photometric="rgb", **kw)
        got = tifffile.imread(path)
        add(name, rgb(scale(got.transpose(1, 2, 0) if "planar" in name else got, 16)), 3, "rgb", tolerance=0)
    path = os.path.join(d, "gray8-alpha.tif")
    tifffile.imwrite(path, np.stack([img8[..., 0], img8[..., 1]], -1), photometric="minisblack", extrasamples=["unassalpha"], tile=(64, 64))
    add("gray8-alpha", rgb(tifffile.imread(path)[..., :1]), 1, "gray", tolerance=0)
    path = os.path.join(d, "sparse-lzw-planar.tif")
    tifffile.imwrite(path, np.ascontiguousarray(img8.transpose(2, 0, 1)), photometric="rgb", planarconfig="separate",
                     tile=(64, 64), compression="lzw")
    sparsify(path, every=4)
    add("sparse-lzw-planar", rgb(tifffile.imread(path).transpose(1, 2, 0)), 3, "rgb", tolerance=0)
    alpha16 = np.concatenate([img16, (np.arange(H * W).reshape(H, W, 1) * 37 % 65536).astype(np.uint16)], -1)
    for kind in ["unassalpha", "assocalpha"]:
        name = f"rgba16-{kind}"
        path = os.path.join(d, name + ".tif")
        tifffile.imwrite(path, alpha16, photometric="rgb", extrasamples=[kind], tile=(64, 64))
        add(name, rgb(scale(tifffile.imread(path), 16)), 3, "rgba", tolerance=0)
    path = os.path.join(d, "rgba8-assocalpha.tif")
    tifffile.imwrite(path, (alpha16 >> 8).astype(np.uint8), photometric="rgb", extrasamples=["assocalpha"], tile=(64, 64))
    add("rgba8-assocalpha", rgb(tifffile.imread(path)), 3, "rgba", tolerance=0)
    for name, data, bits in [("pages16", img16, 16), ("pages8-tiles", img8, 8)]:
        path = os.path.join(d, name + ".tif")
        tifffile.imwrite(path, np.ascontiguousarray(data.transpose(2, 0, 1)), photometric="minisblack",
                         tile=(64, 64), compression="zlib")
        with tifffile.TiffFile(path) as t:
            planes = np.stack([p.asarray() for p in t.pages[:3]], -1)
        add(name, scale(planes, bits) if bits == 16 else planes, 3, "gray", layout="pages", tolerance=0)
    # MINISWHITE and palette, 8 and 16 bits
    for name, data, bits in [("miniswhite8", img8[..., 0], 8), ("miniswhite16", gray16, 16)]:
        path = os.path.join(d, name + ".tif")
        tifffile.imwrite(path, data, photometric="miniswhite", tile=(64, 64))
        add(name, rgb(255 - scale(tifffile.imread(path), bits)), 1, "miniswhite", tolerance=0)
    for name, kw in [("palette8-tiles", {"tile": (64, 64)}), ("palette8-strips", {"rowsperstrip": 50, "compression": "lzw"})]:
        path = os.path.join(d, name + ".tif")
        tifffile.imwrite(path, img8[..., 2], photometric="palette", colormap=PALETTE, **kw)
        index = tifffile.imread(path)
        add(name, np.ascontiguousarray(scale(PALETTE[:, index], 16).transpose(1, 2, 0)), 3, "palette", tolerance=0)
    # JPEG: a JFIF (YCbCr) stream under an RGB tag is converted, as libjpeg-turbo (and tifffile) do
    for name, kw in [("jpeg-rgbtag-jfif444", {"subsampling": "444"}), ("jpeg-rgbtag-jfif420", {})]:
        path = os.path.join(d, name + ".tif")
        tifffile.imwrite(path, jfif_tiles(img8, 64, **kw), shape=img8.shape, dtype=np.uint8, tile=(64, 64),
                         photometric="rgb", compression="jpeg")
        set_photometric(path, 2)
        add(name, rgb(tifffile.imread(path)), 3, "rgb", tolerance=0)
    path = os.path.join(d, "jpeg-rgbtag-jfif-strips.tif")   # strips of 64 rows, the last one 22
    strips = (imagecodecs.jpeg8_encode(np.ascontiguousarray(img8[y:y + 64]), level=90) for y in range(0, H, 64))
    tifffile.imwrite(path, strips, shape=img8.shape, dtype=np.uint8, rowsperstrip=64, photometric="rgb", compression="jpeg")
    set_photometric(path, 2)
    add("jpeg-rgbtag-jfif-strips", rgb(tifffile.imread(path)), 3, "rgb", tolerance=0)
    # an SVS-like page order: full, thumbnail (striped), 1/4, 1/16, label, macro
    svs_pyramid(d, add)
    # what pipe cannot decode, described by `image info` instead
    tifffile.imwrite(os.path.join(d, "float32.tif"), img16[..., 0].astype(np.float32), tile=(64, 64), compression="zlib")
    with open(os.path.join(d, "layouts.json"), "w") as f:
        json.dump(cases, f, indent=1)


def svs_pyramid(d, add):
    big = np.ascontiguousarray(np.tile(image(5), (4, 4, 1)))[:512, :768]   # 768 x 512
    path = os.path.join(d, "svs-like.tif")
    kw = {"compression": "jpeg", "photometric": "rgb"}
    with tifffile.TiffWriter(path) as tw:
        tw.write(big, tile=(64, 64), description="Aperio Image Library v12.0.0 768x512 [0,0 768x512] (256x256) JPEG/RGB Q=70", **kw)
        tw.write(big[::6, ::6], rowsperstrip=16, description="Aperio Image Library v12.0.0 768x512 -> 128x85 - ", **kw)
        tw.write(big[::4, ::4], tile=(64, 64), description="Aperio Image Library 192x128", **kw)
        tw.write(big[::16, ::16], tile=(16, 16), description="Aperio Image Library 48x32", **kw)
        tw.write(big[:100, :120], rowsperstrip=16, subfiletype=1, description="Aperio Image Library\nlabel 120x100", compression="lzw", photometric="rgb")
        tw.write(big[:200, :300], rowsperstrip=16, subfiletype=9, description="Aperio Image Library\nmacro 300x200", **kw)
    with tifffile.TiffFile(path) as t:
        truth = rgb(t.pages[0].asarray())
        level1 = rgb(t.pages[2].asarray())
    level1.tofile(os.path.join(d, "svs-like.level1.rgb"))
    add("svs-like", truth, 3, "ycbcr", tolerance=0, levels=[[768, 512], [192, 128], [48, 32]],
        skipped=["page 1", "page 4", "page 5"])


def jpegs(d):
    os.makedirs(os.path.join(d, "set", "images"), exist_ok=True)
    os.makedirs(os.path.join(d, "set", "masks"), exist_ok=True)
    img = image(4)
    out = []
    for name, data, kw in [("rgb444", img, {"subsampling": "444"}), ("rgb420", img, {}),
                           ("gray", np.ascontiguousarray(img[..., 1]), {}), ("optimized", img, {"optimize": True})]:
        encoded = imagecodecs.jpeg8_encode(data, level=85, **kw)
        with open(os.path.join(d, name + ".jpg"), "wb") as f:
            f.write(encoded)
        rgb(imagecodecs.jpeg8_decode(encoded)).tofile(os.path.join(d, name + ".rgb"))
        out.append({"name": name, "width": W, "height": H})
    for i in range(2):
        tile = image(10 + i)
        with open(os.path.join(d, "set", "images", f"ext_{i:04d}.jpg"), "wb") as f:
            f.write(imagecodecs.jpeg8_encode(tile, level=90))
        mask = ((tile[..., 0].astype(int) + tile[..., 1]) > 260).astype(np.uint8) * 255
        with open(os.path.join(d, "set", "masks", f"ext_{i:04d}.png"), "wb") as f:
            f.write(imagecodecs.png_encode(mask))
    with open(os.path.join(d, "jpegs.json"), "w") as f:
        json.dump(out, f, indent=1)


def sparse(path):
    """50,000 x 50,000 tiled BigTIFF (JPEG YCbCr, as scanners write): four 512 x 512 tiles present, the rest absent."""
    side, tile = 50_000, 512
    across = (side + tile - 1) // tile
    present = {(0, 0), (7, 3), (48, 97), (97, 97)}   # (tile row, tile column)
    rng = np.random.default_rng(9)
    yy, xx = np.mgrid[0:tile, 0:tile]

    def tiles():
        for ty in range(across):
            for tx in range(across):
                if (ty, tx) in present:
                    smooth = np.stack([128 + 90 * np.sin(xx / (9 + c + tx % 5)) * np.cos(yy / (13 + ty % 7)) for c in range(3)], -1)
                    yield np.clip(smooth + rng.normal(0, 10, smooth.shape), 0, 255).astype(np.uint8)
                else:
                    yield None
    # tifffile's iterator API writes a None tile as absent: offset and byte count 0
    tifffile.imwrite(path, tiles(), shape=(side, side, 3), dtype=np.uint8, tile=(tile, tile),
                     photometric="rgb", compression="jpeg", bigtiff=True)
    out = []
    with tifffile.TiffFile(path) as t:
        page = t.pages[0]
        assert sum(1 for c in page.databytecounts if c == 0) == across * across - len(present)
        for ty, tx in sorted(present):
            x, y = tx * tile, ty * tile
            index = ty * across + tx
            t.filehandle.seek(page.dataoffsets[index])
            data = t.filehandle.read(page.databytecounts[index])
            decoded = page.decode(data, index, jpegtables=page.jpegtables)[0].reshape(tile, tile, 3)
            h, w = min(tile, side - y), min(tile, side - x)
            np.ascontiguousarray(decoded[:h, :w]).tofile(f"{path}.{x}_{y}.rgb")
            out.append({"x": x, "y": y, "w": w, "h": h})
    print(json.dumps({"side": side, "tile": tile, "present": out}))


if __name__ == "__main__":
    cmd, arg = sys.argv[1], sys.argv[2]
    {"make": make, "jpegs": jpegs, "sparse": sparse}[cmd](arg)
