#!/usr/bin/env python3
"""Independent decoder for pipe's submission.csv (the Kaggle HuBMAP rle_decode).

    decode_submission.py submission.csv sizes.json

sizes.json maps id -> [height, width]. Prints one JSON object: id -> the
decoded mask as a flat row-major list of 0/1, plus "__order__": the ids in
file order.
"""
import csv
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "imaging"))
from rle_reference import rle_decode  # noqa: E402  the one reference decoder


def main(submission, sizes_path):
    sizes = json.load(open(sizes_path))
    out, order = {}, []
    with open(submission, newline="") as f:
        reader = csv.reader(f)
        assert next(reader) == ["id", "predicted"], "bad header"
        for row in reader:
            ident, rle = row[0], row[1] if len(row) > 1 else ""
            order.append(ident)
            out[ident] = rle_decode(rle, sizes[ident]).ravel().tolist()
    out["__order__"] = order
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
