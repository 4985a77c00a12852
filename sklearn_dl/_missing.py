"""Missing values inside sequences (``missing="mask"``): GRU-D's inputs.

Clinical series are irregular: a lab value is measured a few times a day,
vitals every hour, and which values were measured says something about the
patient. With ``missing="mask"`` each feature becomes three (Che et al.,
2018, "Recurrent neural networks for multivariate time series with missing
values", without the learned decay):

- its last observed value in the sequence (the training mean of the
  feature before the first observation);
- whether it is observed at this step (1) or not (0);
- the number of steps since it was last observed (0 at an observed step;
  counted from just before the sequence's first step while it has not been).

Time is counted in steps: the sequences are taken as sampled on a regular
grid with gaps, as in hourly records.
"""

import numpy as np

from sklearn_dl._data import Sequences


def observed_means(seqs, sample_weight=None):
    """Per-feature mean of the observed (non-NaN) values; 0 for a feature never observed.

    Each step counts with its sequence's ``sample_weight``.
    """
    observed = ~np.isnan(seqs.flat)
    weight = np.ones(len(seqs.flat))
    if sample_weight is not None:
        weight = np.repeat(np.asarray(sample_weight, dtype=np.float64), seqs.lengths)
    mass = weight @ observed
    totals = weight @ np.where(observed, seqs.flat, 0.0)
    return np.divide(totals, mass, out=np.zeros(seqs.n_features), where=mass > 0)


def with_missing_features(seqs, fill):
    """``seqs`` with each feature as (last observed value, observed, steps since observed).

    Returns new ``Sequences`` of ``3 * n_features`` columns: the values, then
    the indicators, then the steps since; no NaN remains. ``seqs`` is not
    modified.
    """
    flat = seqs.flat
    n_steps, n_features = flat.shape
    observed = ~np.isnan(flat)
    rows = np.arange(n_steps)[:, None]
    first_row = np.repeat(seqs.offsets, seqs.lengths)[:, None]
    # Row of each feature's latest observation so far (-1: none yet in the flat array).
    last = np.where(observed, rows, -1)
    np.maximum.accumulate(last, axis=0, out=last)
    seen = last >= first_row  # observed earlier in this same sequence
    values = np.where(seen, flat[np.where(seen, last, 0), np.arange(n_features)], fill)
    since = np.where(seen, rows - last, rows - first_row + 1)
    out = np.concatenate([values, observed, since], axis=1).astype(flat.dtype)
    return Sequences(out, seqs.lengths, seqs.offsets)
