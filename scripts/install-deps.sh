#!/bin/sh
# Installs what pipe needs on a fresh Debian machine (run as root, or with sudo available):
# the C libraries it links (libyaml, libtiff, OpenBLAS, libpng, libjpeg-turbo, SQLite).
#
#   scripts/install-deps.sh          what building and running pipe needs
#   scripts/install-deps.sh --test   also what the tests cross-check against (CI runs this): the
#                                    Python packages (numpy, tifffile, safetensors, PyTorch,
#                                    segmentation_models_pytorch, ...; about 3 GB), Chromium
#                                    (renders the HTML report), GNU time, the sqlite3 CLI, and
#                                    moto[server], boto3 and awscli (a local S3 server for the
#                                    remote-cache tests), and slurm-wlm + munge (a single-node
#                                    Slurm for the Slurm executor tests, started by
#                                    scripts/slurm-test-cluster.sh). pipe itself never runs Python.
set -eu
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
packages="libyaml-dev libtiff-dev libopenblas-dev libpng-dev libjpeg-dev libsqlite3-dev pkg-config"
if [ "${1:-}" = "--test" ]; then
    packages="$packages chromium time sqlite3 slurm-wlm munge"
    command -v python3 >/dev/null 2>&1 || packages="$packages python3 python3-pip"
fi
need=""
for pkg in $packages; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need="$need $pkg"
done
if [ -n "$need" ]; then
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need
fi
pip_install() {
    python3 -m pip install -q "$@" || python3 -m pip install -q --break-system-packages "$@"
}
if [ "${1:-}" = "--test" ]; then
    python3 -c "import numpy, tifffile, imagecodecs, jsonschema, yaml, safetensors, torch, torchvision, segmentation_models_pytorch" 2>/dev/null ||
        pip_install numpy tifffile imagecodecs jsonschema pyyaml safetensors torch torchvision segmentation-models-pytorch
    # The remote-cache tests run against a real S3 server (moto_server, started by .ci/run)
    # and cross-check the bucket's layout with boto3 and the aws CLI.
    { python3 -c "import moto, boto3, flask, flask_cors" 2>/dev/null && command -v moto_server >/dev/null && command -v aws >/dev/null; } ||
        pip_install "moto[server]>=5.2.1" boto3 awscli
fi
