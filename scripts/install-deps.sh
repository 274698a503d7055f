#!/bin/sh
# Installs what pipe needs on a fresh Debian machine (run as root, or with sudo available):
# the C libraries it links (libyaml, libtiff, OpenBLAS, libpng, SQLite) and, best effort,
# the Python packages its cross-check tests compare against (tests skip without them).
set -eu
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
need=""
for pkg in libyaml-dev libtiff-dev libopenblas-dev libpng-dev libsqlite3-dev pkg-config; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need="$need $pkg"
done
if [ -n "$need" ]; then
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq $need
fi
if [ "${PIPE_SKIP_PYTHON:-0}" != "1" ] && command -v python3 >/dev/null 2>&1; then
    python3 -c "import numpy, tifffile, imagecodecs, jsonschema, yaml" 2>/dev/null ||
        python3 -m pip install -q numpy tifffile imagecodecs jsonschema pyyaml ||
        echo "note: python cross-check packages not installed; those tests will skip" >&2
fi
