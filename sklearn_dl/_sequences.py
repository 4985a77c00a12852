"""Sequence data handling for every sequence estimator, in one place.

Accepted inputs (see ``docs/data_formats.md``):

- a 2-D array (n_samples, n_timesteps): univariate sequences;
- a 3-D array (n_samples, n_timesteps, n_features);
- ragged: a list (or 1-D object array) of arrays of shape (T_i,) or
  (T_i, n_features) with different T_i;
- 2-D or 3-D arrays NaN-padded at the end (tslearn's convention): trailing
  all-NaN steps are padding, and each sequence keeps its own length.

Strings are encoded first with :class:`sklearn_dl.SequenceEncoder`.

Internally a set of sequences is one flat (total_steps, n_features) array plus
lengths and offsets: no padding to the longest sequence. Training batches
group sequences of similar length (length bucketing) and are padded only to
the longest in their batch; the recurrent module packs them, so padding never
enters the recurrence.
"""

from dataclasses import dataclass

import numpy as np
import torch
from sklearn.utils.validation import check_array, validate_data

from sklearn_dl._net import take_rows


@dataclass
class Sequences:
    """Validated sequences: ``flat`` rows of all steps, and per-sequence lengths/offsets."""

    flat: np.ndarray  # (total_steps, n_features), float
    lengths: np.ndarray  # (n_sequences,), int64
    offsets: np.ndarray  # (n_sequences,), int64: start row of each sequence in flat

    @property
    def n_features(self):
        return self.flat.shape[1]

    @property
    def equal_length(self):
        return len(self.lengths) == 0 or bool((self.lengths == self.lengths[0]).all())

    def __len__(self):
        return len(self.lengths)

    def padded(self, idx):
        """Sequences ``idx`` as a zero-padded (len(idx), max length, n_features) array."""
        lengths = self.lengths[idx]
        steps = int(lengths.max())
        if self.equal_length:
            n = len(self.lengths)
            return self.flat.reshape(n, steps, -1)[idx], lengths
        positions = self.offsets[idx][:, None] + np.arange(steps)[None, :]
        valid = np.arange(steps)[None, :] < lengths[:, None]
        out = self.flat[np.where(valid, positions, 0)]
        out[~valid] = 0.0
        return out, lengths

    def subset(self, idx):
        idx = np.asarray(idx, dtype=np.int64)
        lengths = self.lengths[idx]
        rows = np.concatenate([np.arange(o, o + n) for o, n in zip(self.offsets[idx], lengths)])
        return Sequences(self.flat[rows], lengths, _offsets(lengths))


_STRINGS_MESSAGE = (
    "X holds strings. Encode them first, e.g. make_pipeline(SequenceEncoder(), GRUClassifier())."
)


def _offsets(lengths):
    """Start row of each sequence in the flat array."""
    return np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)


def _forget_n_features_in(estimator, reset):
    # n_features_in_ (the number of steps) only means something for 2-D input;
    # refitting on 3-D or ragged input must not leave a stale one behind.
    if reset and hasattr(estimator, "n_features_in_"):
        del estimator.n_features_in_


def _trim_padding(seq, index):
    """Drop trailing all-NaN steps; any other NaN is an error naming where it is."""
    nan_rows = np.isnan(seq).any(axis=1)
    if not nan_rows.any():
        return seq
    full_nan = np.isnan(seq).all(axis=1)
    valid = len(seq) - int(np.argmin(full_nan[::-1])) if not full_nan.all() else 0
    if nan_rows[:valid].any():
        step = int(np.argmax(nan_rows[:valid]))
        raise ValueError(
            f"Sequence {index} has NaN inside it (step {step}). Only trailing all-NaN steps are "
            "read as padding of a shorter sequence; impute missing values first."
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
    return seqs


def check_sequences(X, *, estimator, reset, dtype=(np.float64, np.float32)):
    """Validate X in any accepted format and return ``(Sequences, is_tabular)``.

    ``is_tabular`` is True for 2-D numeric arrays (and DataFrames): there each
    column is a time step, and ``estimator.n_features_in_`` (the number of
    steps) is checked as for any scikit-learn estimator. ``reset`` sets it at
    fit. The number of features per step is returned in ``Sequences`` and
    checked by the caller against ``n_channels_``.
    """
    if isinstance(X, (str, bytes)):
        raise TypeError("X is a single string; pass a list of sequences.")
    kind = getattr(getattr(X, "dtype", None), "kind", None)
    if kind in ("U", "S"):
        raise TypeError(_STRINGS_MESSAGE)
    if kind == "O" and getattr(X, "ndim", None) == 1:
        X = list(X)  # a 1-D object array or pandas Series of sequences
    is_list = isinstance(X, (list, tuple))
    if is_list and not any(isinstance(x, (str, bytes)) for x in X):
        # A list that forms a regular numeric array (e.g. a list of equal-length
        # lists) is that array, as everywhere in scikit-learn: 2-D means one
        # univariate sequence per row, with n_features_in_ checked. Only truly
        # ragged lists take the sequence path.
        try:
            X = np.asarray(X, dtype=np.float64)  # regular: the array it forms (converted once)
            is_list = False
        except (TypeError, ValueError):
            pass  # ragged
    if is_list:
        _forget_n_features_in(estimator, reset)
        seqs = _from_list(X, dtype)
        tabular = False
    else:
        arr = X
        ndim = X.ndim if hasattr(X, "ndim") else np.asarray(X).ndim
        if ndim == 3:
            arr = check_array(
                X, allow_nd=True, dtype=dtype, ensure_all_finite="allow-nan", input_name="X"
            )
            _forget_n_features_in(estimator, reset)
            tabular = False
        else:
            arr = validate_data(
                estimator, X, reset=reset, dtype=dtype, ensure_all_finite="allow-nan"
            )
            arr = arr[:, :, None]
            tabular = True
        if arr.ndim != 3:
            raise ValueError(f"Expected a 2-D or 3-D array of sequences, got shape {arr.shape}.")
        if arr.shape[1] == 0:
            raise ValueError("Sequences of length 0 (the array has 0 time steps).")
        if not np.isnan(arr).any():
            n, steps, features = arr.shape
            lengths = np.full(n, steps, dtype=np.int64)
            offsets = np.arange(n, dtype=np.int64) * steps
            return Sequences(arr.reshape(n * steps, features), lengths, offsets), tabular
        seqs = list(arr)
    n_features = {s.shape[1] for s in seqs}
    if len(n_features) > 1:
        first = seqs[0].shape[1]
        bad = next(i for i, s in enumerate(seqs) if s.shape[1] != first)
        raise ValueError(
            f"Sequences have different numbers of features per step: sequence 0 has {first}, "
            f"sequence {bad} has {seqs[bad].shape[1]}."
        )
    seqs = [_trim_padding(s, i) for i, s in enumerate(seqs)]
    lengths = np.array([len(s) for s in seqs], dtype=np.int64)
    if (lengths == 0).any():
        raise ValueError(
            f"Sequence {int(np.argmin(lengths))} has length 0 (or is all NaN padding); "
            "every sequence needs at least one step."
        )
    flat = np.concatenate(seqs, axis=0)
    offsets = _offsets(lengths)
    return Sequences(flat, lengths, offsets), tabular


class SequenceDataset(torch.utils.data.Dataset):
    """Training data for recurrent modules: sequences plus optional target and weight.

    A batch is ``({"x": padded, "lengths": lengths}, (target, weight))``;
    skorch passes the dict to the module as keyword arguments.
    """

    def __init__(self, sequences, target=None, weight=None, dtype=torch.float32):
        self.sequences = sequences
        self.target = target
        self.weight = weight
        self.dtype = dtype

    def __len__(self):
        return len(self.sequences)

    def __getitem__(self, i):
        return self._batch(np.array([i]))

    def _batch(self, idx):
        x, lengths = self.sequences.padded(idx)
        idx_t = torch.from_numpy(idx)
        inputs = {
            "x": torch.as_tensor(x, dtype=self.dtype),
            "lengths": torch.from_numpy(lengths),
        }
        return inputs, (take_rows(self.target, idx_t), take_rows(self.weight, idx_t))

    def subset(self, idx):
        idx_t = torch.as_tensor(np.asarray(idx), dtype=torch.long)
        return SequenceDataset(
            self.sequences.subset(idx),
            take_rows(self.target, idx_t),
            take_rows(self.weight, idx_t),
            self.dtype,
        )

    def batches(self, batch_size, shuffle=False):
        return LengthBuckets(self, batch_size, shuffle)


class LengthBuckets:
    """Mini-batches of sequences of similar length.

    Sequences are ordered by length (ties broken at random when shuffling),
    cut into batches, and the batch order is shuffled: each batch is padded
    only to its own longest sequence, so an epoch over ragged data costs about
    what an epoch over equal-length data with the same steps costs. Randomness
    comes from torch's default generator (forked and seeded by the estimator).
    """

    def __init__(self, dataset, batch_size, shuffle):
        self.dataset = dataset
        self.batch_size = max(1, int(batch_size))
        self.shuffle = shuffle

    def __len__(self):
        return -(-len(self.dataset) // self.batch_size)

    def __iter__(self):
        n = len(self.dataset)
        lengths = self.dataset.sequences.lengths
        if self.shuffle:
            tie_break = torch.randperm(n).numpy()
            order = np.lexsort((tie_break, lengths))
        else:
            order = np.argsort(lengths, kind="stable")
        starts = np.arange(0, n, self.batch_size)
        if self.shuffle:
            starts = starts[torch.randperm(len(starts)).numpy()]
        for start in starts:
            yield self.dataset._batch(order[start : start + self.batch_size])
