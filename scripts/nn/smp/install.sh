#!/usr/bin/env bash
# Installs the PyTorch references used by the NeuralNet cross-check tests and
# benchmarks: torch 2.13.0+cpu (from the machine's local wheel folder),
# torchvision 0.28.0 (the PyPI build that pairs with torch 2.13.0),
# segmentation-models-pytorch, efficientnet-pytorch, timm and safetensors.
# Idempotent: skips whatever python3 can already import. pip is never allowed
# to replace the local CPU torch (a constraints file pins it).
set -euo pipefail

PY=${PYTHON:-python3}
WHEELS=${WHEELS:-/opt/wheels}
TORCH_WHEEL="$WHEELS/torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl"

has() { "$PY" -c "import $1" >/dev/null 2>&1; }

if ! "$PY" -c 'import torch, sys; sys.exit(0 if torch.__version__ == "2.13.0+cpu" else 1)' >/dev/null 2>&1; then
    if [[ ! -f "$TORCH_WHEEL" ]]; then
        echo "install.sh: torch 2.13.0+cpu is not installed and '$TORCH_WHEEL' is missing" >&2
        exit 1
    fi
    "$PY" -m pip install --quiet "$TORCH_WHEEL"
fi

constraints=$(mktemp)
trap 'rm -f "$constraints"' EXIT
echo "torch==2.13.0+cpu" >"$constraints"

want=()
has torchvision || want+=("torchvision==0.28.0")
has safetensors || want+=("safetensors")
has timm || want+=("timm")
has efficientnet_pytorch || want+=("efficientnet-pytorch==0.7.1")
has segmentation_models_pytorch || want+=("segmentation-models-pytorch==0.6.0")

if ((${#want[@]})); then
    echo "install.sh: installing ${want[*]}"
    "$PY" -m pip install --quiet --constraint "$constraints" "${want[@]}"
fi

# PyPI's torchvision is a CUDA build: its _C ops cannot load next to the CPU
# torch, and torchvision 0.28 then fails at import on two meta registrations
# that (unlike the others) are not guarded by extension._has_ops(). smp only
# needs torchvision's pure-Python model definitions, so guard those two.
if ! has torchvision; then
    "$PY" - <<'PYEOF'
import importlib.util, pathlib
spec = importlib.util.find_spec("torchvision")
path = pathlib.Path(spec.origin).parent / "_meta_registrations.py"
text = path.read_text()
for op in ("nms", "qnms"):
    old = f'@torch.library.register_fake("torchvision::{op}")'
    new = f'@(torch.library.register_fake("torchvision::{op}") if torchvision.extension._has_ops() else (lambda f: f))'
    if old in text:
        text = text.replace(old, new)
path.write_text(text)
print(f"install.sh: guarded torchvision meta registrations in {path}")
PYEOF
fi

"$PY" - <<'PYEOF'
import torch, torchvision, safetensors, timm, efficientnet_pytorch
import segmentation_models_pytorch as smp
print(f"torch {torch.__version__}, torchvision {torchvision.__version__}, smp {smp.__version__}, timm {timm.__version__}")
PYEOF
