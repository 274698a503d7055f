#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target under Fuzz/corpus/<target>/: a few small valid
files and slightly broken variants (truncated, a header number changed). Run from anywhere; needs
numpy, tifffile and imagecodecs (only to regenerate; the corpus itself is committed)."""
import json, os, shutil, struct, zlib
import numpy as np
import tifffile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")

def put(target, name, data):
    os.makedirs(os.path.join(ROOT, target), exist_ok=True)
    with open(os.path.join(ROOT, target, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())

def png(width, height, color=2, depth=8, interlace=0, rows=None, palette=None):
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xffffffff)
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color]
    rowbytes = (width * channels * depth + 7) // 8
    raw = rows if rows is not None else b"".join(b"\0" + bytes((x * 37 + y * 11) % 256 for x in range(rowbytes)) for y in range(height))
    body = chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, color, 0, 0, interlace))
    if palette: body += chunk(b"PLTE", palette)
    return b"\x89PNG\r\n\x1a\n" + body + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")

def pngs():
    put("png", "rgb8x6.png", png(8, 6))
    put("png", "gray5x5.png", png(5, 5, color=0))
    put("png", "rgba4x3.png", png(4, 3, color=6))
    put("png", "graya4x4-16bit.png", png(4, 4, color=4, depth=16))
    put("png", "mask1bit-17x3.png", png(17, 3, color=0, depth=1))
    put("png", "palette3x3.png", png(3, 3, color=3, depth=8, rows=b"".join(b"\0\0\1\2" for _ in range(3)), palette=bytes(range(9))))
    interlaced = png(9, 9, interlace=1, rows=zlib.decompress(zlib.compress(b"\0" * 400)))
    put("png", "interlaced9x9.png", interlaced)
    good = png(8, 6)
    put("png", "truncated.png", good[:len(good) - 20])
    put("png", "huge-header.png", png(100000, 100000, rows=b"\0\0\0\0"))    # a valid header, 10^10 pixels
    put("png", "bad-crc.png", good[:16] + struct.pack(">II", 9, 6) + good[24:])

def tiffs():
    rng = np.random.default_rng(1)
    rgb = rng.integers(0, 255, (20, 24, 3), dtype=np.uint8)
    cases = {
        "tiled-deflate.tif": dict(data=rgb, tile=(16, 16), compression="zlib"),
        "strips-none.tif": dict(data=rgb, rowsperstrip=5),
        "gray-lzw.tif": dict(data=rgb[..., 0], compression="lzw", rowsperstrip=7),
        "planar.tif": dict(data=np.moveaxis(rgb, 2, 0), planarconfig="separate", photometric="rgb"),
        "rgba-packbits.tif": dict(data=np.dstack([rgb, rgb[..., :1]]), compression="packbits", extrasamples=[2]),
        "gray16.tif": dict(data=rng.integers(0, 65535, (8, 8), dtype=np.uint16)),
    }
    for name, kw in cases.items():
        path = os.path.join(ROOT, "tiff", name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        data = kw.pop("data")
        tifffile.imwrite(path, data, **kw)
    pyramid = os.path.join(ROOT, "tiff", "pyramid-subifd.tif")
    with tifffile.TiffWriter(pyramid) as w:
        w.write(rgb, subifds=1, tile=(16, 16), compression="zlib")
        w.write(rgb[::2, ::2], subfiletype=1, tile=(16, 16), compression="zlib")
    tifffile.imwrite(os.path.join(ROOT, "tiff", "bigtiff.tif"), rgb[:8, :8], bigtiff=True)
    good = open(os.path.join(ROOT, "tiff", "tiled-deflate.tif"), "rb").read()
    put("tiff", "truncated.tif", good[: len(good) // 2])

def rles():
    # first two bytes: mask width - 1, height - 1 (see FuzzTargets.rle)
    put("rle", "empty", bytes([9, 9]))
    put("rle", "runs", bytes([9, 9]) + b"1 3 10 5 50 2 99 1")
    put("rle", "column", bytes([0, 99]) + b"5 90")
    put("rle", "overlap", bytes([9, 9]) + b"1 5 3 2")
    put("rle", "past-end", bytes([3, 3]) + b"10 10")
    put("rle", "odd", bytes([3, 3]) + b"1 2 3")
    put("rle", "big-numbers", bytes([3, 3]) + b"9223372036854775807 1 1 99999999999999999999")
    put("rle", "junk", bytes([3, 3]) + b"1\t2\n3 x4 -1 +2 0 0")

def safetensors(entries, metadata=None, pad=True):
    header, blob = {}, b""
    if metadata: header["__metadata__"] = metadata
    for name, (dtype, shape, data) in entries.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(blob), len(blob) + len(data)]}
        blob += data
    text = json.dumps(header).encode()
    if pad: text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + blob

def safetensor_files():
    f32 = np.arange(6, dtype="<f4").tobytes()
    put("safetensors", "two.safetensors", safetensors({"a.weight": ("F32", [2, 3], f32), "a.bias": ("F16", [2], np.ones(2, "<f2").tobytes())},
                                                      {"format": "pt", "pipe.arch": "unet"}))
    put("safetensors", "dtypes.safetensors", safetensors({"x": ("BF16", [1], b"\x80\x3f"), "y": ("I64", [1], struct.pack("<q", 7)),
                                                          "z": ("F64", [1], struct.pack("<d", 1.5)), "w": ("I32", [2], struct.pack("<ii", 1, -1))}))
    put("safetensors", "empty-tensor.safetensors", safetensors({"e": ("F32", [0, 4], b"")}))
    good = safetensors({"a": ("F32", [2, 3], f32)})
    put("safetensors", "truncated.safetensors", good[:-5])
    put("safetensors", "header-too-long.safetensors", struct.pack("<Q", 1 << 40) + good[8:])
    put("safetensors", "huge-shape.safetensors", safetensors({"a": ("F32", [1 << 31, 1 << 31], f32)}))

def npys():
    import io
    for name, array in {"f4.npy": np.arange(6, dtype="<f4").reshape(2, 3), "u1.npy": np.arange(4, dtype="u1"),
                        "f8-scalar.npy": np.array(2.5), "i8-empty.npy": np.zeros((0, 3), dtype="<i8"),
                        "f2.npy": np.ones((1, 2, 2), dtype="<f2")}.items():
        buf = io.BytesIO(); np.save(buf, array); put("npy", name, buf.getvalue())
    buf = io.BytesIO(); np.save(buf, np.arange(4, dtype="<f4")); good = buf.getvalue()
    put("npy", "huge-shape.npy", good.replace(b"(4,)", b"(4611686018427387904,)"))
    put("npy", "fortran.npy", good.replace(b"False", b"True "))
    put("npy", "truncated.npy", good[:-3])
    v2 = bytearray(good); v2[6] = 2
    put("npy", "v2-wrong-length.npy", bytes(v2))

def metadata():
    model = {"arch": "unet", "encoder": "resnet18", "encoder_depth": 2, "decoder_channels": [16, 8],
             "size": 64, "reduce": 2, "mean": [180.5, 120, 160], "std": [40, 50.25, 45]}
    put("metadata", "model.json", json.dumps(model))
    put("metadata", "size-1e300.json", json.dumps(dict(model, size=1e300)))
    put("metadata", "reduce-negative.json", json.dumps(dict(model, reduce=-4)))
    put("metadata", "std-zero.json", json.dumps(dict(model, std=[0, 1, 1])))
    put("metadata", "not-object.json", "[1, 2, 3]")
    put("metadata", "deep.json", "[" * 40 + "]" * 40)
    # one value per line: size, reduce, mean, std, arch, encoder, depth, decoder channels, classes
    put("metadata", "fields.txt", "64\n2\n1,2,3\n4,5,6\nunet\nresnet18\n2\n16,8\n1")
    put("metadata", "fields-huge.txt", "64\n2\n1,2,3\n4,5,6\nunet\nresnet18\n2\n100000000,8\n1")

def specs():
    here = os.path.dirname(ROOT)
    repo = os.path.dirname(here)
    for name, src in {"hello-v1.yaml": "examples/hello/v1.yaml", "tiles.yaml": "examples/tiles/tiles.yaml",
                      "v01.yaml": "pipelines/v01.yaml"}.items():
        shutil.copy(os.path.join(repo, src), os.path.join(ROOT, "spec", name))
    put("spec", "anchors.yaml", "pipeline: a\nparams: &p {x: 1, y: [1, 2]}\nstages:\n  s: {kind: command, cmd: \"echo ${params.x}\", params: *p, outs: [o]}\n")
    put("spec", "tags.yaml", "pipeline: t\nparams: {a: !!int '12', b: ! 12, c: !!str 3, d: .nan}\nstages: {}\n")
    # known PipeSpec crash (issue 14: SIGSEGV on a self-referencing param): a regression input, not a seed
    os.makedirs(os.path.join(os.path.dirname(ROOT), "regressions", "spec"), exist_ok=True)
    with open(os.path.join(os.path.dirname(ROOT), "regressions", "spec", "self-reference.yaml"), "w") as f:
        f.write("pipeline: s\nparams: {a: \"${params.a.x}\"}\nstages: {}\n")
    put("spec", "nested.yaml", "pipeline: n\nparams: {a: " + "[" * 50 + "]" * 50 + "}\n")
    put("spec", "broken.yaml", "pipeline: [unclosed\nstages:\n  - : :\n\t")

def jpegs():
    import imagecodecs
    rng = np.random.default_rng(7)
    rgb = rng.integers(0, 256, (24, 40, 3), dtype=np.uint8)
    baseline = imagecodecs.jpeg8_encode(rgb, level=90)
    put("jpeg", "rgb40x24.jpg", baseline)
    put("jpeg", "rgb-420.jpg", imagecodecs.jpeg8_encode(rgb, level=70, subsampling="420"))
    put("jpeg", "gray17x9.jpg", imagecodecs.jpeg8_encode(np.ascontiguousarray(rgb[:9, :17, 0]), level=80))
    put("jpeg", "rgb-as-stored.jpg", imagecodecs.jpeg8_encode(rgb, level=90, colorspace="RGB", outcolorspace="RGB"))
    put("jpeg", "truncated.jpg", baseline[:len(baseline) // 2])
    sof = baseline.index(b"\xff\xc0")   # the frame header: height and width at +5, +7
    put("jpeg", "huge-header.jpg", baseline[:sof + 5] + struct.pack(">HH", 65000, 65000) + baseline[sof + 9:])
    put("jpeg", "not-a-jpeg.jpg", b"\xff\xd8\xff" + b"\0" * 32)

if __name__ == "__main__":
    os.makedirs(os.path.join(ROOT, "spec"), exist_ok=True)
    pngs(); tiffs(); rles(); safetensor_files(); npys(); metadata(); specs(); jpegs()
