#!/usr/bin/env bash
# One-time set-up on a fresh machine: a virtual environment in .venv with the
# CPU build of PyTorch (pinned here: an unpinned torch pulls GBs of CUDA wheels)
# and the package with its test, plotting, documentation, UMAP and Dask extras. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check torch==2.13.0
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test,plot,docs,umap,distributed]"
