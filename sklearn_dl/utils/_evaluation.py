"""Evaluation helpers shared by the workshop (``examples/``) and the benchmarks.

Private: simulated data, a held-out error and Markdown tables, used to write
reports; nothing in the estimators depends on them.
"""

import numpy as np


def markdown_table(header, rows):
    def fmt(value):
        if isinstance(value, float):
            return f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"
        return str(value)

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(fmt(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


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
