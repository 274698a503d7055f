#!/usr/bin/env python3
"""Writes Tests/Fixtures/NeuralNet/mbconv_b2_block5.safetensors: block 5 of
smp's efficientnet-b2 encoder (first block of the k5/s2 stage, whose static
TF padding is (2, 2) because the nominal size there is odd), with random
weights and batch norm state, an input, its eval-mode output, its
train-mode output, and the running statistics after that train step.
A committed reference for the MBConv block that needs no PyTorch at test time.

    python3 scripts/nn/smp/make_block_fixture.py
"""
import os
import sys

import torch
from safetensors.torch import save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from smp_models import build, randomise  # noqa: E402

model = randomise(build("unet", "efficientnet-b2"), seed=21)
block = model.encoder._blocks[5]
prefix = "encoder._blocks.5."
g = torch.Generator().manual_seed(22)
x = torch.randn(2, block._expand_conv.in_channels, 16, 16, generator=g)
out = {k[len(prefix):]: v.detach().clone().contiguous() for k, v in model.state_dict().items() if k.startswith(prefix)}
block.eval()
with torch.no_grad():
    out["input"] = x
    out["eval_output"] = block(x).contiguous()
    block.train()
    out["train_output"] = block(x, drop_connect_rate=0.0).contiguous()
out["after._bn1.running_mean"] = block._bn1.running_mean.clone()
out["after._bn1.running_var"] = block._bn1.running_var.clone()
path = os.path.join("Tests", "Fixtures", "NeuralNet", "mbconv_b2_block5.safetensors")
save_file(out, path, metadata={"block": "efficientnet-b2 encoder._blocks.5"})
print("wrote", path, sorted(out))
