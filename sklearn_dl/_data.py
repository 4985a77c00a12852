"""Training data sets and their batching, for every estimator.

A training data set is what ``BaseNeuralEstimator._train`` hands to the skorch
net. Every one follows :class:`TrainingData`: a length, ``target`` and
``weight`` (tensors or None), ``subset(idx)`` for the validation split,
``batch(idx)`` for the rows ``idx`` as one batch,
``batches(batch_size, shuffle, generator)``, the iterable of one epoch that
``SkorchNet.get_iterator`` returns, and ``to(device)`` / ``nbytes`` for
:func:`place_on_device`, which puts the data on the training device once per
fit when they fit there (no copy per batch). A batch is
``(inputs, (target, weight))``: ``inputs`` is what the module takes (a
tensor, or a dict of keyword inputs).

- :class:`ArrayDataset`: rows of fixed-size inputs (autoencoders), dense
  tensors or sparse rows densified batch by batch; :class:`ShuffledSlices`
  batches it.
- :class:`Sequences` (validated sequences, stored flat) and
  :class:`SequenceDataset`: recurrent models' data; :class:`LengthBuckets`
  batches sequences of similar length (:func:`batch_starts` cuts them).

Randomness (shuffling) comes only from the ``generator`` passed in.
"""

from copy import copy
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol, runtime_checkable

import numpy as np
import scipy.sparse as sp
import torch


@runtime_checkable
class TrainingData(Protocol):
    """What the training base and the skorch net read from a training data set."""

    target: "torch.Tensor | None"
    weight: "torch.Tensor | None"

    def __len__(self) -> int: ...

    def subset(self, idx) -> "TrainingData":
        """The rows ``idx`` as a data set of the same kind."""

    def batch(self, idx):
        """The rows ``idx`` (an int array) as one batch ``(inputs, (target, weight))``."""

    def batches(self, batch_size, shuffle=False, generator=None):
        """One epoch: an iterable of batches with a length (the number of batches)."""

    def to(self, device) -> "TrainingData":
        """The same data with the tensors it can hold on ``device`` there."""

    @property
    def nbytes(self) -> int:
        """Bytes that ``to(device)`` would put on the device."""


# The training data go to a GPU whole, once per fit, when they take at most
# this share of its free memory; larger data stay on the host and go over
# batch by batch. A fit holds up to about four times the data there at once
# (the data, an epoch's shuffled copy or the validation split, the PCA
# start's centred copy, and its float64 copy for wide float32 data), besides
# the model, its gradients and activations.
DEVICE_DATA_SHARE = 0.2


def free_device_memory(device):
    """Free bytes on ``device`` (a CUDA GPU); unbounded for devices torch cannot query."""
    device = torch.device(device)
    if device.type == "cuda":
        return torch.cuda.mem_get_info(device)[0]
    return float("inf")


def place_on_device(dataset, device):
    """``dataset`` with its tensors on the training ``device``, when they fit there.

    A training loop over data on the host copies every batch to the GPU, and
    a copy from pageable memory makes the host wait for it: the GPU idles
    between batches. Moved once, batches are slices of tensors already there.
    On the CPU this is ``dataset`` itself.
    """
    if torch.device(device).type == "cpu":
        return dataset
    if dataset.nbytes > DEVICE_DATA_SHARE * free_device_memory(device):
        return dataset
    return dataset.to(device)


# Module inputs that stay on the host: recurrent modules hand sequence lengths
# to pack_padded_sequence, which takes them there; on the GPU they would have
# to be read back, and the host would wait for the device at every batch.
HOST_INPUTS = frozenset({"lengths"})


def to_device(data, device):
    """``data`` (a tensor, None, or tuples / dicts of them) on ``device``.

    Host tensors go over with ``non_blocking=True``: PyTorch's blocking copy
    to a GPU waits for all work queued there first. From pageable memory the
    driver stages the bytes before the call returns, so the source may be
    freed or changed right after.
    """
    if data is None:
        return None
    if isinstance(data, dict):
        return {
            key: value if key in HOST_INPUTS else to_device(value, device)
            for key, value in data.items()
        }
    if isinstance(data, (tuple, list)):
        return type(data)(to_device(value, device) for value in data)
    return data.to(device, non_blocking=True)


def tensor_bytes(*tensors):
    """Bytes of the tensors among ``tensors`` (None and other objects count 0)."""
    return sum(t.nelement() * t.element_size() for t in tensors if isinstance(t, torch.Tensor))


def offsets_of(lengths):
    """Start row of each sequence in the flat array."""
    return np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)


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
        return Sequences(self.flat[rows], lengths, offsets_of(lengths))


def batch_rows(inputs):
    """Number of rows of a batch's input: a tensor, or a dict of the module's inputs."""
    if isinstance(inputs, dict):
        inputs = inputs["x"]
    return inputs.shape[0]


def take_rows(tensor, idx):
    """``tensor[idx]``, passing None (no target / no weights) through."""
    return None if tensor is None else tensor[idx]


class ShuffledSlices:
    """Batches of an ``ArrayDataset``: one shuffled copy per epoch, then views.

    Gathering the whole epoch once and slicing costs the same memory traffic
    as gathering each batch, with a fraction of the Python work per batch.
    Sparse rows are shuffled as a sparse matrix and densified batch by batch.
    """

    def __init__(self, dataset, batch_size, shuffle, generator=None):
        self.dataset = dataset
        self.batch_size = max(1, int(batch_size))
        self.shuffle = shuffle
        self.generator = generator

    def __len__(self):
        return -(-len(self.dataset) // self.batch_size)

    def __iter__(self):
        data = self.dataset
        if self.shuffle:
            data = data.subset(torch.randperm(len(data), generator=self.generator))
        X, target, weight = data.X, data.target, data.weight
        for start in range(0, len(data), self.batch_size):
            rows = slice(start, start + self.batch_size)
            yield data.rows_to_tensor(X[rows]), (take_rows(target, rows), take_rows(weight, rows))


def _as_is(rows):
    return rows


class ArrayDataset(torch.utils.data.Dataset):
    """Rows of fixed-size inputs: ``X`` and optional ``target`` / ``weight`` tensors.

    ``X`` is a tensor (the module's input as it is), or a sparse matrix whose
    rows ``rows_to_tensor`` turns into the module's input one batch at a
    time (so sparse data are never densified whole). A batch is
    ``(input rows, (target[idx] or None, weight[idx] or None))``.
    """

    def __init__(self, X, target=None, weight=None, rows_to_tensor=None):
        self.X = X
        self.target = target
        self.weight = weight
        self.rows_to_tensor = _as_is if rows_to_tensor is None else rows_to_tensor

    def __len__(self):
        return self.X.shape[0]

    def __getitem__(self, i):
        return self.batch(np.array([i]))

    def batch(self, idx):
        idx = torch.as_tensor(idx, dtype=torch.long)
        rows = self.X[idx.numpy()] if sp.issparse(self.X) else self.X[idx]
        return self.rows_to_tensor(rows), (take_rows(self.target, idx), take_rows(self.weight, idx))

    def subset(self, idx):
        idx = torch.as_tensor(idx, dtype=torch.long)
        X = self.X[idx.numpy()] if sp.issparse(self.X) else self.X[idx]
        return ArrayDataset(
            X, take_rows(self.target, idx), take_rows(self.weight, idx), self.rows_to_tensor
        )

    def batches(self, batch_size, shuffle=False, generator=None):
        return ShuffledSlices(self, batch_size, shuffle, generator)

    def to(self, device):
        # Sparse rows stay on the host: densified batch by batch, then moved.
        X = self.X if sp.issparse(self.X) else self.X.to(device)
        target, weight = to_device((self.target, self.weight), device)
        return ArrayDataset(X, target, weight, self.rows_to_tensor)

    @property
    def nbytes(self):
        return tensor_bytes(self.X, self.target, self.weight)


def padded_batch(x, lengths):
    """The module's keyword inputs: ``lengths`` only when they differ within the batch."""
    if lengths.min() == lengths.max():
        return {"x": x}
    return {"x": x, "lengths": torch.from_numpy(lengths)}


class SequenceDataset(torch.utils.data.Dataset):
    """Training data for recurrent modules: sequences plus optional target and weight.

    A batch is ``({"x": padded, "lengths": lengths, "sample_weight": weight},
    (target, weight))``; skorch passes the dict to the module as keyword
    arguments (``sample_weight`` only when there are weights). When all
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
        return self.batch(np.array([i]))

    @property
    def device(self):
        """Where the data set's tensors are (the CPU for a data set without any)."""
        tensor = next((t for t in (self._dense, self.target, self.weight) if t is not None), None)
        return torch.device("cpu") if tensor is None else tensor.device

    def batch(self, idx, idx_t=None):
        """The sequences ``idx`` as one batch; ``idx_t``: the same indices on ``self.device``.

        Indexing a GPU tensor with a host index copies the index first, a copy
        the host waits for: ``LengthBuckets`` moves an epoch's order once and
        passes slices of it.
        """
        if idx_t is None:
            idx_t = to_device(torch.from_numpy(idx), self.device)
        if self._dense is not None:
            inputs = {"x": self._dense[idx_t]}  # no lengths: all full length
        else:
            x, lengths = self.sequences.padded(idx)
            inputs = padded_batch(torch.as_tensor(x, dtype=self.dtype), lengths)
        weight = take_rows(self.weight, idx_t)
        if weight is not None:
            # The module's batch statistics (RecurrentModule's front-end) weigh
            # each sequence as the loss does.
            inputs["sample_weight"] = weight
        return inputs, (take_rows(self.target, idx_t), weight)

    def subset(self, idx):
        idx_t = torch.as_tensor(np.asarray(idx), dtype=torch.long)
        subset = SequenceDataset(
            self.sequences.subset(idx),
            take_rows(self.target, idx_t),
            take_rows(self.weight, idx_t),
            self.dtype,
        )
        if self._dense is not None and self._dense.device.type != "cpu":
            subset._dense = self._dense[idx_t]  # stays on the device it was placed on
        return subset

    def batches(self, batch_size, shuffle=False, generator=None):
        return LengthBuckets(self, batch_size, shuffle, generator)

    def to(self, device):
        # Ragged sequences stay on the host (padded batch by batch, then
        # moved); equal-length ones are one tensor, moved whole.
        moved = copy(self)
        moved._dense = None if self._dense is None else self._dense.to(device)
        moved.target, moved.weight = to_device((self.target, self.weight), device)
        return moved

    @property
    def nbytes(self):
        return tensor_bytes(self._dense, self.target, self.weight)


# What one more time step of a batch costs, in units of one sequence-step of
# work: a recurrent layer pays a fixed price per step (a small matmul and a
# kernel launch per gate) on top of the work per row: on CPU, for a GRU with
# hidden_size 32, about 100 rows' work (benchmarks/RESULTS.md, part
# sequences). The batching below is not sensitive to it.
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
        # The epoch's order on the data's device in one copy (see SequenceDataset.batch).
        order_t = to_device(torch.from_numpy(order), self.dataset.device)
        for b in batches:
            rows = slice(self.starts[b], self.ends[b])
            yield self.dataset.batch(order[rows], order_t[rows])
