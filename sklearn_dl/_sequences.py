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
the longest in their batch (equal-length data are one tensor, no padding).
The recurrent module never lets padding reach a result: forward-only cells
run the padded batch and pool only valid steps, bidirectional ones pack it.
"""

from dataclasses import dataclass
from functools import cached_property

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

    @cached_property
    def equal_length(self):
        # Asked at every batch: computed once (the arrays are never modified).
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
    # n_features_in_ and feature_names_in_ (the steps) only mean something for
    # 2-D input; refitting on 3-D or ragged input must not leave stale ones.
    if reset:
        for name in ("n_features_in_", "feature_names_in_"):
            if hasattr(estimator, name):
                delattr(estimator, name)


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
        if _is_float_array(x):
            # Already what check_array would return (float, 1-D or 2-D): skip
            # its per-call cost (~0.1 ms, as much as a training epoch's work on
            # 2000 short sequences). Infinities are looked for below, in bulk.
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
            X = _regular_array(X)
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
        # check_array has rejected infinities, so a sum is NaN exactly when some
        # entry is; unlike np.isnan(arr).any() it needs no temporary array of
        # X's size (a 1e6-sequence predict stays within bounded extra memory).
        if not np.isnan(arr.sum(dtype=np.float64)):
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


def padded_batch(x, lengths):
    """The module's keyword inputs: ``lengths`` only when they differ within the batch."""
    if lengths.min() == lengths.max():
        return {"x": x}
    return {"x": x, "lengths": torch.from_numpy(lengths)}


class SequenceDataset(torch.utils.data.Dataset):
    """Training data for recurrent modules: sequences plus optional target and weight.

    A batch is ``({"x": padded, "lengths": lengths}, (target, weight))``;
    skorch passes the dict to the module as keyword arguments. When all
    sequences have the same length, the data are one (n, steps, features)
    tensor (a view of the flat array when its dtype matches), batches are
    rows of it, and ``lengths`` is left out (the module then skips all
    masking): the per-batch cost of a hand-written loop over a tensor. A
    batch of ragged data whose sequences happen to share one length leaves
    ``lengths`` out too (decided here on the CPU: on a GPU, the module would
    have to wait for the device to tell).
    """

    def __init__(self, sequences, target=None, weight=None, dtype=torch.float32):
        self.sequences = sequences
        self.target = target
        self.weight = weight
        self.dtype = dtype
        self._dense = None
        if sequences.equal_length and len(sequences):
            n, steps = len(sequences), int(sequences.lengths[0])
            dense = sequences.flat.reshape(n, steps, sequences.n_features)
            self._dense = torch.as_tensor(dense, dtype=dtype)

    def __len__(self):
        return len(self.sequences)

    def __getitem__(self, i):
        return self._batch(np.array([i]))

    def _batch(self, idx):
        idx_t = torch.from_numpy(idx)
        if self._dense is not None:
            inputs = {"x": self._dense[idx_t]}  # no lengths: all full length
        else:
            x, lengths = self.sequences.padded(idx)
            inputs = padded_batch(torch.as_tensor(x, dtype=self.dtype), lengths)
        return inputs, (take_rows(self.target, idx_t), take_rows(self.weight, idx_t))

    def subset(self, idx):
        idx_t = torch.as_tensor(np.asarray(idx), dtype=torch.long)
        return SequenceDataset(
            self.sequences.subset(idx),
            take_rows(self.target, idx_t),
            take_rows(self.weight, idx_t),
            self.dtype,
        )

    def batches(self, batch_size, shuffle=False, generator=None):
        return LengthBuckets(self, batch_size, shuffle, generator)


# What one more time step of a batch costs, in units of one sequence-step of
# work: a recurrent layer pays a fixed price per step (a small matmul and a
# kernel launch per gate) on top of the work per row. Measured on CPU for a
# GRU with hidden_size 32: 0.1 ms per step + 0.95 us per row and step, i.e. a
# step costs ~100 rows of work. The batching below is not sensitive to it.
STEP_COST_IN_ROWS = 100.0
# Above this many sequences, optimal cuts cost more to find than they save:
# with many batches, consecutive sorted lengths are close and plain cuts
# leave little padding.
_MAX_SEQUENCES_FOR_OPTIMAL_CUTS = 20_000


def batch_starts(sorted_lengths, batch_size, step_cost=STEP_COST_IN_ROWS):
    """Where to cut length-sorted sequences into batches of at most ``batch_size``.

    A batch of ``b`` sequences whose longest has ``T`` steps costs about
    ``T * (step_cost + b)``: every batch runs its longest sequence's steps,
    one after the other, and pads the others to it. Plain cuts every
    ``batch_size`` sequences put the long tail of a length distribution with
    up to ``batch_size - 1`` shorter sequences padded to its longest; this
    finds the cuts of least total cost by dynamic programming over the sorted
    order (each batch at most ``batch_size``), and keeps the plain cuts when
    they are as cheap (equal lengths: the same batches as before).

    Returns the start positions (in the sorted order) of the batches.
    """
    n = len(sorted_lengths)
    plain = np.arange(0, n, batch_size)
    if (
        n <= batch_size
        or n > _MAX_SEQUENCES_FOR_OPTIMAL_CUTS
        or sorted_lengths[0] == sorted_lengths[-1]  # equal lengths: plain cuts are optimal
    ):
        return plain
    lengths = np.asarray(sorted_lengths, dtype=np.float64)
    ends = np.minimum(plain + batch_size, n)
    plain_cost = float(np.sum(lengths[ends - 1] * (step_cost + ends - plain)))
    best = np.zeros(n + 1)
    start_of = np.zeros(n + 1, dtype=np.int64)
    for end in range(1, n + 1):
        starts = np.arange(max(0, end - batch_size), end)
        cost = best[starts] + lengths[end - 1] * (step_cost + end - starts)
        k = int(np.argmin(cost))
        best[end], start_of[end] = cost[k], starts[k]
    if best[n] >= plain_cost * (1 - 1e-9):
        return plain
    cuts, end = [], n
    while end > 0:
        end = start_of[end]
        cuts.append(end)
    return np.array(cuts[::-1], dtype=np.int64)


class LengthBuckets:
    """Mini-batches of sequences of similar length.

    Sequences are ordered by length (ties broken at random when shuffling),
    cut into batches of at most ``batch_size`` where padding and sequential
    steps cost least (see :func:`batch_starts`), and the batch order is
    shuffled: each batch is padded only to its own longest sequence.
    Randomness comes from ``generator`` (the estimator's private one).
    """

    def __init__(self, dataset, batch_size, shuffle, generator=None):
        self.dataset = dataset
        self.batch_size = max(1, int(batch_size))
        self.shuffle = shuffle
        self.generator = generator
        # Positions in the sorted order depend only on the lengths: cut once.
        self.starts = batch_starts(np.sort(dataset.sequences.lengths), self.batch_size)
        self.ends = np.append(self.starts[1:], len(dataset))

    def __len__(self):
        return len(self.starts)

    def __iter__(self):
        n = len(self.dataset)
        lengths = self.dataset.sequences.lengths
        if self.shuffle:
            tie_break = torch.randperm(n, generator=self.generator).numpy()
            order = np.lexsort((tie_break, lengths))
        else:
            order = np.argsort(lengths, kind="stable")
        batches = np.arange(len(self.starts))
        if self.shuffle:
            batches = batches[torch.randperm(len(batches), generator=self.generator).numpy()]
        for b in batches:
            yield self.dataset._batch(order[self.starts[b] : self.ends[b]])
