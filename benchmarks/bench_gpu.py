"""GPU against CPU fit time on one machine (run where PyTorch sees a CUDA GPU).

Autoencoder on 60000 x 784 rows and GRUClassifier on 20000 sequences of 100
steps x 8 features (random data: the cost does not depend on the values),
default parameters (16 components for the autoencoder, and once with a
larger batch) but a fixed number of epochs and no early stopping, so both
devices do the same work. Each fit is timed once per device after a
small warm-up fit on the GPU (CUDA initialisation is not counted). The CPU
uses all of the machine's cores (torch's default threads).
"""

import time

import numpy as np
import torch

from sklearn_dl import Autoencoder, GRUClassifier

from ._common import markdown_table

EPOCHS = 3


def _cases():
    rng = np.random.RandomState(0)
    X_table = rng.rand(60000, 784).astype(np.float32)
    X_seq = rng.randn(20000, 100, 8).astype(np.float32)
    y_seq = rng.randint(0, 2, 20000)
    common = dict(max_iter=EPOCHS, early_stopping=False, random_state=0)
    return [
        ("Autoencoder 60000 x 784", lambda d: Autoencoder(16, device=d, **common), (X_table,)),
        (
            "Autoencoder 60000 x 784, batch_size=2048",
            lambda d: Autoencoder(16, batch_size=2048, device=d, **common),
            (X_table,),
        ),
        (
            "GRUClassifier 20000 x 100 x 8",
            lambda d: GRUClassifier(device=d, **common),
            (X_seq, y_seq),
        ),
    ]


def _timed_fit(make, data, device):
    est = make(device)
    start = time.perf_counter()
    est.fit(*data)
    if device == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - start


def run():
    if not torch.cuda.is_available():
        return "Skipped: PyTorch sees no CUDA GPU on this machine."
    rows = []
    for name, make, data in _cases():
        _timed_fit(make, tuple(d[:512] for d in data), "cuda")  # warm-up
        gpu = _timed_fit(make, data, "cuda")
        cpu = _timed_fit(make, data, "cpu")
        rows.append((name, EPOCHS, cpu / EPOCHS, gpu / EPOCHS, cpu / gpu))
    gpu_name = torch.cuda.get_device_name(0)
    table = markdown_table(["fit", "epochs", "CPU s/epoch", "GPU s/epoch", "GPU speed-up"], rows)
    return f"{gpu_name}; CPU: {torch.get_num_threads()} threads.\n\n{table}"
