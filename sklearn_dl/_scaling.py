"""Input standardisation shared by every estimator: statistics and scaling in float64.

Statistics and the scaled values are computed in float64 and cast to the
training precision only at the end, chunk by chunk, so that

- ``X`` and ``X * c`` (any magnitude) give the same training tensor up to the
  last bit of float32 (bit for bit when ``c`` is a power of two), and a large
  offset does not eat float32's digits before centring;
- float32 input never needs a float64 copy of the whole matrix: the extra
  memory is a few chunks of ``CHUNK_ELEMENTS`` float64 values (8 MB each).

Sparse rows are densified one chunk (or one batch) at a time.
"""

import numpy as np
import scipy.sparse as sp

# Values per float64 chunk: large enough that numpy's per-call cost vanishes,
# small enough that the temporaries stay a few MB whatever the width.
CHUNK_ELEMENTS = 2**20


def dense_rows(X, start, stop):
    """Rows ``start:stop`` of a dense or sparse matrix as a dense float64 array."""
    rows = X[start:stop]
    if sp.issparse(rows):
        rows = rows.toarray()
    return np.asarray(rows, dtype=np.float64)


def _chunks(X):
    rows = max(1, CHUNK_ELEMENTS // max(1, X.shape[1]))
    for start in range(0, X.shape[0], rows):
        yield start, min(start + rows, X.shape[0])


def column_mean_and_std(X, weight=None, transform=None):
    """Per-column weighted mean and (population) standard deviation of ``X``, in float64.

    Two passes over row chunks (the second sums squared deviations from the
    mean, which keeps large offsets from cancelling digits). ``transform`` is
    applied to each float64 chunk first (e.g. ``np.log1p`` for counts).
    Squares that overflow float64 are recomputed on data divided by its peak.
    """
    w = None if weight is None else np.asarray(weight, dtype=np.float64)
    total_weight = X.shape[0] if w is None else float(w.sum())
    if total_weight <= 0:
        raise ValueError("The weights of the rows sum to zero: there is nothing to fit.")

    def rows(start, stop):
        chunk = dense_rows(X, start, stop)
        return chunk if transform is None else transform(chunk)

    def weighted_sum(values, start, stop):
        if w is None:
            return values.sum(axis=0)
        return w[start:stop] @ values

    mean = np.zeros(X.shape[1])
    for start, stop in _chunks(X):
        mean += weighted_sum(rows(start, stop), start, stop)
    mean /= total_weight
    if not np.all(np.isfinite(mean)):
        raise ValueError("X has values too large to standardise (their sum overflows float64).")

    def variance(divisor):
        var = np.zeros(X.shape[1])
        for start, stop in _chunks(X):
            var += weighted_sum(((rows(start, stop) - mean) / divisor) ** 2, start, stop)
        return var / total_weight

    with np.errstate(over="ignore", invalid="ignore"):
        std = np.sqrt(variance(1.0))
    if not np.all(np.isfinite(std)):
        # Each column divided by its own peak: squares of values <= 1 cannot overflow.
        peak = np.full(X.shape[1], np.finfo(np.float64).tiny)
        for start, stop in _chunks(X):
            peak = np.maximum(peak, np.abs(rows(start, stop)).max(axis=0))
        std = np.sqrt(variance(peak)) * peak
    return mean, std


def overall_scale(std):
    """One scale for all columns: the root mean column variance (1 for constant data)."""
    peak = float(np.max(std)) if len(std) else 0.0
    if not np.isfinite(peak):
        raise ValueError("X has values too large to standardise (their spread overflows float64).")
    if peak == 0:
        return 1.0
    return peak * float(np.sqrt(np.mean((std / peak) ** 2)))


def column_scales(std):
    """Per-column standard deviations, 1 where a column is constant."""
    return np.where(std > 0, std, 1.0)


def standardize(X, mean, scale, dtype):
    """``(X - mean) / scale`` computed in float64, returned as a new ``dtype`` array."""
    out = np.empty(X.shape, dtype=dtype)
    for start, stop in _chunks(X):
        out[start:stop] = (dense_rows(X, start, stop) - mean) / scale
    return out
