"""Checking and converting sequence input for every sequence estimator, in one place.

Accepted inputs (see ``docs/data_formats.md``):

- a 2-D array (n_samples, n_timesteps): univariate sequences;
- a 3-D array (n_samples, n_timesteps, n_features);
- ragged: a list (or 1-D object array) of arrays of shape (T_i,) or
  (T_i, n_features) with different T_i;
- 2-D or 3-D arrays NaN-padded at the end (tslearn's convention): trailing
  all-NaN steps are padding, and each sequence keeps its own length.

Strings are encoded first with :class:`sklearn_dl.SequenceEncoder`.

The result is a :class:`~sklearn_dl._data.Sequences`: one flat
(total_steps, n_features) array plus lengths and offsets, no padding to the
longest sequence. Batching them for training (length buckets) lives in
``_data``.
"""

import numpy as np
from sklearn.utils.validation import check_array, validate_data

from sklearn_dl._data import Sequences, offsets_of

_STRINGS_MESSAGE = (
    "X holds strings. Encode them first, e.g. make_pipeline(SequenceEncoder(), GRUClassifier())."
)


def _forget_n_features_in(estimator, reset):
    # n_features_in_ and feature_names_in_ (the steps) only mean something for
    # 2-D input; refitting on 3-D or ragged input must not leave stale ones.
    if reset:
        for name in ("n_features_in_", "feature_names_in_"):
            if hasattr(estimator, name):
                delattr(estimator, name)


def _trim_padding(seq, index, allow_missing=False):
    """Drop trailing all-NaN steps; any other NaN is an error naming where it is.

    With ``allow_missing``, NaN inside a sequence stays (missing values).
    """
    nan_rows = np.isnan(seq).any(axis=1)
    if not nan_rows.any():
        return seq
    full_nan = np.isnan(seq).all(axis=1)
    valid = len(seq) - int(np.argmin(full_nan[::-1])) if not full_nan.all() else 0
    if not allow_missing and nan_rows[:valid].any():
        step = int(np.argmax(nan_rows[:valid]))
        raise ValueError(
            f"Sequence {index} has NaN inside it (step {step}). Only trailing all-NaN steps are "
            "read as padding of a shorter sequence; impute missing values first, or set "
            "missing='mask'."
        )
    return seq[:valid]


def _from_list(X, dtype):
    if len(X) == 0:
        raise ValueError("Found an empty list of sequences: 0 sample(s) (shape=(0,)).")
    kinds = {type(x) for x in X}
    if any(issubclass(k, (str, bytes)) for k in kinds):
        if all(issubclass(k, (str, bytes)) for k in kinds):
            raise TypeError(_STRINGS_MESSAGE)
        raise TypeError(f"X mixes strings with other types ({sorted(k.__name__ for k in kinds)}).")
    seqs = []
    for i, x in enumerate(X):
        if _is_float_array(x):
            # Already what check_array would return (float, 1-D or 2-D): skip
            # its per-call cost, which dominated ragged epochs of many short
            # sequences. Infinities are looked for below, in bulk.
            seqs.append(x[:, None] if x.ndim == 1 else x)
            continue
        try:
            a = check_array(
                np.asarray(x) if not hasattr(x, "toarray") else x,
                ensure_2d=False,
                allow_nd=True,
                dtype=dtype,
                ensure_all_finite="allow-nan",
                ensure_min_samples=0,
                input_name=f"sequence {i}",
            )
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"Sequence {i} is not a numeric array: {exc}") from None
        if a.ndim == 1:
            a = a[:, None]
        if a.ndim != 2:
            raise ValueError(
                f"Sequence {i} has shape {a.shape}; each sequence must be (T,) or (T, n_features)."
            )
        seqs.append(a)
    _check_no_infinity(seqs)
    return seqs


def _regular_array(X):
    """The array a regular list forms, converted once: float32 if all its arrays are.

    Raises ValueError for a ragged list (numpy refuses to form the array).
    """
    if all(type(x) is np.ndarray and x.dtype == np.float32 for x in X):
        return np.asarray(X, dtype=np.float32)
    return np.asarray(X, dtype=np.float64)


def _is_float_array(x):
    return (
        type(x) is np.ndarray
        and x.dtype in (np.float64, np.float32)
        and (x.ndim == 1 or (x.ndim == 2 and x.shape[1] > 0))
    )


def _check_no_infinity(seqs):
    # A sum is finite unless some entry is infinite (or NaN, allowed as
    # padding); only then look for the culprit sequence by sequence.
    for i, seq in enumerate(seqs):
        if not np.isfinite(seq.sum(dtype=np.float64)) and np.isinf(seq).any():
            raise ValueError(
                f"Sequence {i} is not a numeric array: Input sequence {i} contains infinity."
            )


def check_sequences(X, *, estimator, reset, dtype=(np.float64, np.float32), allow_missing=False):
    """Validate X in any accepted format and return ``(Sequences, is_tabular)``.

    ``is_tabular`` is True for 2-D numeric arrays (and DataFrames): there each
    column is a time step, and ``estimator.n_features_in_`` (the number of
    steps) is checked as for any scikit-learn estimator. ``reset`` sets it at
    fit. The number of features per step is returned in ``Sequences`` and
    checked by the caller against ``n_channels_``. With ``allow_missing``,
    NaN inside a sequence is kept (trailing all-NaN steps are still padding).
    """
    if isinstance(X, (str, bytes)):
        raise TypeError("X is a single string; pass a list of sequences.")
    kind = getattr(getattr(X, "dtype", None), "kind", None)
    if kind in ("U", "S"):
        raise TypeError(_STRINGS_MESSAGE)
    if kind == "O" and getattr(X, "ndim", None) == 1:
        X = list(X)  # a 1-D object array or pandas Series of sequences
    if isinstance(X, (list, tuple)) and not any(isinstance(x, (str, bytes)) for x in X):
        # A list that forms a regular numeric array (e.g. a list of equal-length
        # lists) is that array, as everywhere in scikit-learn: 2-D means one
        # univariate sequence per row, with n_features_in_ checked. Only truly
        # ragged lists take the sequence path.
        try:
            X = _regular_array(X)
        except (TypeError, ValueError):
            pass  # ragged
    if isinstance(X, (list, tuple)):
        _forget_n_features_in(estimator, reset)
        return _join(_from_list(X, dtype), allow_missing), False
    return _from_array(X, estimator, reset, dtype, allow_missing)


def _from_array(X, estimator, reset, dtype, allow_missing):
    """The array path: 2-D (tabular, steps checked) or 3-D, possibly NaN-padded."""
    ndim = X.ndim if hasattr(X, "ndim") else np.asarray(X).ndim
    if ndim == 3:
        arr = check_array(
            X, allow_nd=True, dtype=dtype, ensure_all_finite="allow-nan", input_name="X"
        )
        _forget_n_features_in(estimator, reset)
        tabular = False
    else:
        arr = validate_data(estimator, X, reset=reset, dtype=dtype, ensure_all_finite="allow-nan")
        arr = arr[:, :, None]
        tabular = True
    if arr.ndim != 3:
        raise ValueError(f"Expected a 2-D or 3-D array of sequences, got shape {arr.shape}.")
    if arr.shape[1] == 0:
        raise ValueError("Sequences of length 0 (the array has 0 time steps).")
    # check_array has rejected infinities, so a sum is NaN exactly when some
    # entry is; unlike np.isnan(arr).any() it needs no temporary array of
    # X's size (a 1e6-sequence predict stays within bounded extra memory).
    if np.isnan(arr.sum(dtype=np.float64)):
        # NaN padding: sequences of their own lengths (and missing values).
        return _join(list(arr), allow_missing), tabular
    n, steps, features = arr.shape
    lengths = np.full(n, steps, dtype=np.int64)
    offsets = np.arange(n, dtype=np.int64) * steps
    return Sequences(arr.reshape(n * steps, features), lengths, offsets), tabular


def _join(seqs, allow_missing=False):
    """Validated (T_i, n_features) arrays, trailing NaN padding dropped, as one ``Sequences``."""
    n_features = {s.shape[1] for s in seqs}
    if len(n_features) > 1:
        first = seqs[0].shape[1]
        bad = next(i for i, s in enumerate(seqs) if s.shape[1] != first)
        raise ValueError(
            f"Sequences have different numbers of features per step: sequence 0 has {first}, "
            f"sequence {bad} has {seqs[bad].shape[1]}."
        )
    seqs = [_trim_padding(s, i, allow_missing) for i, s in enumerate(seqs)]
    lengths = np.array([len(s) for s in seqs], dtype=np.int64)
    if (lengths == 0).any():
        raise ValueError(
            f"Sequence {int(np.argmin(lengths))} has length 0 (or is all NaN padding); "
            "every sequence needs at least one step."
        )
    return Sequences(np.concatenate(seqs, axis=0), lengths, offsets_of(lengths))


def check_token_ids(seqs):
    """Refuse ``Sequences`` that are not one non-negative integer id per step."""
    if seqs.n_features != 1:
        raise ValueError(
            f"With embedding_dim set, X holds one integer token id per time step, but its "
            f"sequences have {seqs.n_features} features per step."
        )
    ids = seqs.flat[:, 0]
    if not (ids >= 0).all():
        raise ValueError(
            f"Token ids must be non-negative integers; X holds {ids.min():g}. "
            "(With embedding_dim set, X holds token ids, not features.)"
        )
    fractional = ids != np.floor(ids)
    if fractional.any():
        raise ValueError(
            f"Token ids must be integers; X holds {ids[np.argmax(fractional)]:g}. "
            "(With embedding_dim set, X holds token ids, not features.)"
        )


def token_positions(ids, tokens, dtype):
    """Row of each id in an embedding over the sorted ``tokens``: 1 + its index, 0 if unknown.

    ``ids`` is an array of any shape; the result has its shape and ``dtype``
    (float: it travels with the sequences; exact up to 2**24 rows in float32).
    """
    index = np.searchsorted(tokens, ids)
    known = index < len(tokens)
    known[known] = tokens[index[known]] == ids[known]
    return np.where(known, index + 1, 0).astype(dtype)
