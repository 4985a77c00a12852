"""Where one GPU fit's time goes (run by ``benchmarks/gpu_check.sh`` on a CUDA machine).

Profiles ``Autoencoder(16, hidden_layer_sizes=(512, 256), max_iter=5,
early_stopping=False)`` on 60000 x 784 (the fit of ``bench_gpu``) at batch
256 and 4096 with ``torch.profiler``, after a warm-up fit, and prints the
operators that take the most host time and the most device time, plus the
number of host-device synchronisations and copies. ``python -m benchmarks.gpu_profile``
"""

import numpy as np
import torch
from torch.profiler import ProfilerActivity, profile

from .bench_gpu import _our_gpu_fit


def main():
    if not torch.cuda.is_available():
        print("Skipped: PyTorch sees no CUDA GPU on this machine.")
        return
    X = np.random.RandomState(0).rand(60000, 784).astype(np.float32)
    for batch_size in (256, 4096):
        _our_gpu_fit(X, batch_size, "pca")  # warm-up
        with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
            _our_gpu_fit(X, batch_size, "pca")
        events = prof.key_averages()
        print(f"\n## batch {batch_size}\n")
        for sort in ("self_cpu_time_total", "self_device_time_total"):
            print(events.table(sort_by=sort, row_limit=15, max_name_column_width=50))
        for name in ("cudaStreamSynchronize", "cudaDeviceSynchronize", "aten::_local_scalar_dense"):
            calls = sum(e.count for e in events if e.key == name)
            print(f"{name}: {calls} calls")
        copies = sum(e.count for e in events if e.key.startswith("Memcpy HtoD"))
        print(f"host-to-device copies: {copies}")


if __name__ == "__main__":
    main()
