"""Training and inference overhead against a hand-written PyTorch loop.

Each estimator's ``fit`` is timed against (a) a hand-written loop training the
same module (same batch size, epochs, optimiser, shuffling) and (b) a plain
``skorch.NeuralNet`` with its default ``DataLoader``. ``transform`` is timed
against one raw no-grad forward pass of the trained encoder.
"""

import numpy as np
import torch
import torch.nn.functional as F
from skorch import NeuralNet

from sklearn_dl import Autoencoder
from sklearn_dl.nn import AutoencoderModule

from ._common import interleaved_timings, markdown_table

CONFIGS = [
    # name, n_samples, n_features, hidden, n_components, batch_size, epochs
    ("784-128-16, batch 256", 6000, 784, (128,), 16, 256, 4),
    ("20-16-2, batch 64", 6000, 20, (16,), 2, 64, 6),
]


def _hand_loop(X, hidden, k, batch_size, epochs, lr, weight_decay):
    """What a user would write: tensors, module, Adam, shuffled slices, loss.item()."""
    torch.manual_seed(0)
    X_t = torch.from_numpy(X.astype(np.float32))
    module = AutoencoderModule(X.shape[1], k, hidden)
    decay = [p for n, p in module.named_parameters() if not n.endswith("bias")]
    no_decay = [p for n, p in module.named_parameters() if n.endswith("bias")]
    optimizer = torch.optim.Adam(
        [{"params": decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=lr,
        weight_decay=weight_decay,
    )
    losses = []
    for _ in range(epochs):
        module.train()
        order = torch.randperm(len(X_t))
        total = 0.0
        for start in range(0, len(X_t), batch_size):
            xb = X_t[order[start : start + batch_size]]
            optimizer.zero_grad()
            loss = F.mse_loss(module(xb), xb)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(xb)
        losses.append(total / len(X_t))
    return module


class _MSE(torch.nn.Module):
    def forward(self, output, target):
        return F.mse_loss(output, target)


def _plain_skorch(X, hidden, k, batch_size, epochs, lr, weight_decay):
    X32 = X.astype(np.float32)
    net = NeuralNet(
        AutoencoderModule,
        module__n_features=X.shape[1],
        module__n_components=k,
        module__hidden_layer_sizes=hidden,
        criterion=_MSE,
        optimizer=torch.optim.Adam,
        optimizer__weight_decay=weight_decay,
        lr=lr,
        batch_size=batch_size,
        max_epochs=epochs,
        train_split=None,
        iterator_train__shuffle=True,
        verbose=0,
    )
    return net.fit(X32, X32)


def _ours(X, hidden, k, batch_size, epochs, lr, weight_decay):
    # Fixed epochs like the loops: no hold-out, never stop early, random init.
    return Autoencoder(
        k,
        hidden_layer_sizes=hidden,
        init="random",
        alpha=weight_decay,
        batch_size=batch_size,
        learning_rate_init=lr,
        max_iter=epochs,
        early_stopping=False,
        n_iter_no_change=epochs + 1,
        random_state=0,
    ).fit(X)


def _measure(config, repeats):
    """One model size: (fit row, inference row)."""
    name, n, d, hidden, k, batch_size, epochs = config
    X = np.random.RandomState(0).rand(n, d)
    args = (X, hidden, k, batch_size, epochs, 1e-3, 1e-4)
    times = interleaved_timings(
        {
            "hand": lambda: _hand_loop(*args),
            "ours": lambda: _ours(*args),
            "skorch": lambda: _plain_skorch(*args),
        },
        repeats,
    )
    fit_row = [
        name,
        f"{n} x {d}, {epochs} epochs",
        times["hand"],
        times["ours"],
        times["skorch"],
        times["ours"] / times["hand"],
        times["skorch"] / times["hand"],
    ]
    est = _ours(*args)
    X_big = np.random.RandomState(1).rand(50_000, d)
    X_big32 = X_big.astype(np.float32)
    module = est.module_.eval()
    mean32 = torch.from_numpy(est.mean_.astype(np.float32))

    def raw():
        with torch.no_grad():
            module.encode((torch.from_numpy(X_big32) - mean32) / est.scale_)

    t = interleaved_timings(
        {
            "raw": raw,
            "f32": lambda: est.transform(X_big32),
            "f64": lambda: est.transform(X_big),
        },
        repeats,
    )
    inference_row = [
        name,
        f"{len(X_big)} rows",
        len(X_big) / t["raw"],
        len(X_big) / t["f32"],
        t["f32"] / t["raw"],
        len(X_big) / t["f64"],
    ]
    return fit_row, inference_row


def run(repeats=5):
    measured = [_measure(config, repeats) for config in CONFIGS]
    rows = [fit for fit, _ in measured]
    inference_rows = [inference for _, inference in measured]
    fit_table = markdown_table(
        [
            "model",
            "data",
            "hand loop (s)",
            "Autoencoder.fit (s)",
            "plain skorch (s)",
            "ours / hand",
            "skorch / hand",
        ],
        rows,
    )
    inference_table = markdown_table(
        [
            "model",
            "data",
            "raw no-grad float32 (rows/s)",
            "transform float32 (rows/s)",
            "transform / raw time",
            "transform float64 (rows/s)",
        ],
        inference_rows,
    )
    text = (
        "Fit time of `Autoencoder` vs a hand-written PyTorch loop on the same module "
        "(same batch size, epochs, Adam, shuffling), and vs a plain `skorch.NeuralNet` with its "
        f"default DataLoader. Medians of {repeats} interleaved repetitions. Target: ours / hand "
        "<= 1.05.\n\n" + fit_table + "\n\n"
        "Inference: `transform` (input checks, batches of 4096 rows) vs one raw no-grad forward "
        "pass of the trained encoder over the whole float32 tensor. `transform` computes in the "
        "input's precision: float32 input runs in float32; float64 input runs the network in "
        "float64 (exact per-row results whatever the batch), shown for contrast.\n\n"
        + inference_table
    )
    return text
