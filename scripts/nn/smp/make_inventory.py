#!/usr/bin/env python3
"""Writes Tests/Fixtures/NeuralNet/smp_inventory.json: for every (arch,
encoder) pipe supports, smp's state-dict names and shapes in order, at the
default configuration (depth 5, Unet decoder_channels 256,128,64,32,16), and
for Unet-resnet34 / Unet-efficientnet-b3 at depth 3 with decoder_channels
64,32,16. pipe's models must register exactly these names with these shapes.

    python3 scripts/nn/smp/make_inventory.py
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from smp_models import ENCODERS, build  # noqa: E402

inventory = {}
for arch in ["unet", "linknet"]:
    for encoder in ENCODERS:
        sd = build(arch, encoder).state_dict()
        inventory[f"{arch}-{encoder}-5"] = [[k, list(v.shape)] for k, v in sd.items()]
for encoder in ["resnet34", "efficientnet-b3"]:
    sd = build("unet", encoder, 3, [64, 32, 16]).state_dict()
    inventory[f"unet-{encoder}-3"] = [[k, list(v.shape)] for k, v in sd.items()]
sd = build("linknet", "efficientnet-b1", 4).state_dict()
inventory["linknet-efficientnet-b1-4"] = [[k, list(v.shape)] for k, v in sd.items()]

path = os.path.join("Tests", "Fixtures", "NeuralNet", "smp_inventory.json")
with open(path, "w") as f:
    json.dump(inventory, f, separators=(",", ":"))
    f.write("\n")
print(f"wrote {len(inventory)} models to {path}")
