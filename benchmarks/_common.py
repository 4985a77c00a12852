"""Helpers shared by the benchmark parts: timing side by side, tables, machine facts."""

import os
import platform
import time
import warnings
from statistics import median

import numpy as np
import torch


def silence():
    """Benchmarks run with default parameters; their warnings are expected noise."""
    warnings.filterwarnings("ignore")


def interleaved_timings(runners, repeats):
    """Time each ``runners[name]()`` ``repeats`` times, alternating runners each round.

    This machine is shared and noisy: alternating spreads any slow spell over
    all runners alike, and the median drops outliers.
    Returns ``{name: median seconds}``.
    """
    times = {name: [] for name in runners}
    for _ in range(repeats):
        for name, run in runners.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return {name: median(values) for name, values in times.items()}


def markdown_table(header, rows):
    def fmt(value):
        if isinstance(value, float):
            return f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"
        return str(value)

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(fmt(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def machine_description():
    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"torch {torch.__version__} ({torch.get_num_threads()} threads), "
        f"numpy {np.__version__}, Python {platform.python_version()}"
    )


def make_expression_like(n_samples=300, n_genes=1000, n_factors=5, noise=3.0, seed=0):
    """A small gene-expression-like matrix: few true factors, heavy gene-specific noise.

    ``X = Z W + E``: ``n_factors`` latent programmes with gene loadings of
    varying strength, plus Gaussian noise whose scale differs per gene and is
    larger than the signal for most genes (the regime of a small bulk RNA-seq
    study after log-normalisation).
    """
    rng = np.random.RandomState(seed)
    Z = rng.randn(n_samples, n_factors)
    W = rng.randn(n_factors, n_genes) * rng.gamma(1.0, 1.0, size=n_genes)
    E = rng.randn(n_samples, n_genes) * noise * rng.gamma(2.0, 1.0, size=n_genes)
    return Z @ W + E


def held_out_mse(model, X_test):
    """Mean squared reconstruction error of a fitted transformer on unseen rows."""
    return float(np.mean((X_test - model.inverse_transform(model.transform(X_test))) ** 2))
