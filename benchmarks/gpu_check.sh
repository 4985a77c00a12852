#!/usr/bin/env bash
# The GPU checks, run on a machine with a CUDA GPU (for this project: the
# device tool, from the repository root, with the wheels of skorch and
# scikit-learn carried in .whl/). Writes its logs to $OUT (default: gpu_out/).
set -uo pipefail
OUT=${OUT:-gpu_out}
mkdir -p "$OUT"
if [ -d .whl ]; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
        --target /tmp/site .whl/*.whl || exit 1
    export PYTHONPATH=/tmp/site
fi
export PYTHONPATH=${PYTHONPATH:+$PYTHONPATH:}$PWD PYTHONUNBUFFERED=1
nvidia-smi -L
python3 -c "import torch, sklearn, skorch; print('torch', torch.__version__, 'sklearn', sklearn.__version__, 'skorch', skorch.__version__)"
python3 -m pytest -p no:cacheprovider -o addopts="" -q -rs --durations=5 \
    tests/test_gpu.py tests/test_net.py 2>&1 | tee "$OUT/gpu_tests.log"
python3 -m benchmarks.run gpu 2>&1 | tee "$OUT/gpu_bench.log"
python3 -m benchmarks.gpu_profile 2>&1 | tee "$OUT/gpu_profile.log"
