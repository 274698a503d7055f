#!/usr/bin/env python3
"""Writes the small committed fixtures that check NeuralNet's safetensors and
.npy readers against the reference writers (the `safetensors` package and
numpy). Run from the repository root:

    python3 scripts/nn/smp/make_format_fixtures.py

Outputs in Tests/Fixtures/NeuralNet/:
  dtypes.safetensors  one tensor per dtype (F32, F16, BF16, F64, I64, I32)
                      holding the same values, plus `__metadata__`
  dtypes_expected.npy the float32 values each tensor must decode to, shape (6, 2, 3)
                      (F16/BF16 rounding applied by torch, so the comparison is exact)
  float32_v1.npy      a (2, 3, 4) float32 array, np.save default (version 1.0)
  float64_v2.npy      a (5,) float64 array written as version 2.0
  uint8.npy           a (3, 2) uint8 array
"""
import os
import numpy as np
import torch
from numpy.lib import format as npformat
from safetensors.torch import save_file

out = os.path.join("Tests", "Fixtures", "NeuralNet")
os.makedirs(out, exist_ok=True)

base = torch.tensor([[0.0, -1.5, 3.25], [1000.0, 0.1, -7.0]])
dtypes = [("f32", torch.float32), ("f16", torch.float16), ("bf16", torch.bfloat16),
          ("f64", torch.float64), ("i64", torch.int64), ("i32", torch.int32)]
tensors, expected = {}, []
for name, dt in dtypes:
    t = base.to(dt).contiguous()
    tensors[name] = t
    expected.append(t.to(torch.float32).numpy())
save_file(tensors, os.path.join(out, "dtypes.safetensors"), metadata={"format": "pt", "note": "pipe fixture"})
np.save(os.path.join(out, "dtypes_expected.npy"), np.stack(expected).astype("<f4"))

np.save(os.path.join(out, "float32_v1.npy"), np.arange(24, dtype="<f4").reshape(2, 3, 4) / 8 - 1)
with open(os.path.join(out, "float64_v2.npy"), "wb") as f:
    arr = np.array([0.5, -2.0, 3.0, 1e-3, 7.0], dtype="<f8")
    npformat.write_array(f, arr, version=(2, 0))
np.save(os.path.join(out, "uint8.npy"), np.array([[0, 255], [7, 128], [1, 2]], dtype=np.uint8))
print("wrote fixtures to", out)
