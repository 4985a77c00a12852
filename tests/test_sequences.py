"""Sequence data handling: every accepted format, clear errors, padding and length buckets."""

import itertools

import numpy as np
import pytest
import torch

from sklearn_dl import GRUClassifier
from sklearn_dl._data import (
    STEP_COST_IN_ROWS,
    LengthBuckets,
    SequenceDataset,
    Sequences,
    batch_starts,
)
from sklearn_dl._sequences import check_sequences


def _check(X, estimator=None, reset=True):
    estimator = GRUClassifier() if estimator is None else estimator
    seqs, tabular = check_sequences(X, estimator=estimator, reset=reset)
    return seqs, tabular, estimator


def _ragged(lengths, n_features=None, seed=0):
    rng = np.random.RandomState(seed)
    shape = (lambda t: (t,)) if n_features is None else (lambda t: (t, n_features))
    return [rng.randn(*shape(t)) for t in lengths]


def offsets_of(lengths):
    return np.concatenate([[0], np.cumsum(lengths)[:-1]])


# ------------------------------------------------------------------ formats
def test_2d_array_is_tabular_univariate():
    X = np.random.RandomState(0).randn(5, 7)
    seqs, tabular, est = _check(X)
    assert tabular
    assert est.n_features_in_ == 7
    assert seqs.n_features == 1
    np.testing.assert_array_equal(seqs.lengths, [7] * 5)
    np.testing.assert_array_equal(seqs.offsets, np.arange(5) * 7)
    np.testing.assert_array_equal(seqs.flat, X.reshape(-1, 1))
    assert seqs.equal_length


def test_3d_array():
    X = np.random.RandomState(0).randn(4, 6, 3)
    seqs, tabular, est = _check(X)
    assert not tabular
    assert not hasattr(est, "n_features_in_")
    assert seqs.n_features == 3
    np.testing.assert_array_equal(seqs.lengths, [6] * 4)
    np.testing.assert_array_equal(seqs.offsets, np.arange(4) * 6)
    np.testing.assert_array_equal(seqs.flat, X.reshape(-1, 3))


@pytest.mark.parametrize("n_features", [None, 1, 3])
@pytest.mark.parametrize("container", ["list", "tuple", "object_array"])
def test_ragged_sequences(n_features, container):
    lengths = [3, 5, 2, 4]
    X = _ragged(lengths, n_features)
    if container == "tuple":
        X = tuple(X)
    elif container == "object_array":
        obj = np.empty(len(X), dtype=object)
        obj[:] = X
        X = obj
    seqs, tabular, est = _check(X)
    assert not tabular
    assert not hasattr(est, "n_features_in_")
    assert seqs.n_features == (1 if n_features is None else n_features)
    np.testing.assert_array_equal(seqs.lengths, lengths)
    np.testing.assert_array_equal(seqs.offsets, [0, 3, 8, 10])
    expected = np.concatenate([x.reshape(len(x), -1) for x in X])
    np.testing.assert_array_equal(seqs.flat, expected)
    assert not seqs.equal_length


def test_ragged_python_lists():
    seqs, tabular, _ = _check([[1, 2, 3], [4, 5], [6]])
    assert not tabular
    np.testing.assert_array_equal(seqs.lengths, [3, 2, 1])
    np.testing.assert_array_equal(seqs.offsets, [0, 3, 5])
    np.testing.assert_array_equal(seqs.flat[:, 0], [1, 2, 3, 4, 5, 6])


def test_nan_padded_3d_gives_per_sequence_lengths():
    lengths = [6, 2, 4, 1]
    ragged = _ragged(lengths, 2)
    X = np.full((4, 6, 2), np.nan)
    for i, x in enumerate(ragged):
        X[i, : len(x)] = x
    seqs, tabular, est = _check(X)
    assert not tabular
    assert not hasattr(est, "n_features_in_")
    np.testing.assert_array_equal(seqs.lengths, lengths)
    np.testing.assert_array_equal(seqs.offsets, offsets_of(lengths))
    np.testing.assert_array_equal(seqs.flat, np.concatenate(ragged))
    assert not np.isnan(seqs.flat).any()


def test_nan_padded_2d_gives_per_sequence_lengths_and_is_tabular():
    lengths = [5, 3, 1]
    ragged = _ragged(lengths)
    X = np.full((3, 5), np.nan)
    for i, x in enumerate(ragged):
        X[i, : len(x)] = x
    seqs, tabular, est = _check(X)
    assert tabular
    assert est.n_features_in_ == 5
    assert seqs.n_features == 1
    np.testing.assert_array_equal(seqs.lengths, lengths)
    np.testing.assert_array_equal(seqs.flat[:, 0], np.concatenate(ragged))


def test_all_sequences_sharing_trailing_padding_are_equal_length():
    X = np.random.RandomState(0).randn(3, 5, 2)
    X[:, 3:] = np.nan
    seqs, _, _ = _check(X)
    np.testing.assert_array_equal(seqs.lengths, [3, 3, 3])
    assert seqs.equal_length
    padded, _ = seqs.padded(np.arange(3))
    np.testing.assert_array_equal(padded, X[:, :3])


def test_list_of_equal_length_lists_is_tabular_and_ragged_list_is_not():
    est = GRUClassifier()
    seqs, tabular, _ = _check([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], est)
    assert tabular
    assert est.n_features_in_ == 3
    np.testing.assert_array_equal(seqs.lengths, [3, 3])
    # A ragged list resets: the number of steps is no longer a fixed feature count.
    seqs, tabular, _ = _check([[1.0, 2.0, 3.0], [4.0, 5.0]], est)
    assert not tabular
    assert not hasattr(est, "n_features_in_")
    np.testing.assert_array_equal(seqs.lengths, [3, 2])


def test_list_of_equal_length_2d_arrays_is_a_3d_array():
    X = _ragged([4, 4, 4], 2)
    seqs, tabular, est = _check(X)
    assert not tabular
    assert not hasattr(est, "n_features_in_")
    assert seqs.n_features == 2
    np.testing.assert_array_equal(seqs.flat, np.concatenate(X))


def test_tabular_feature_count_is_checked_without_reset():
    est = GRUClassifier()
    _check(np.zeros((3, 5)), est)
    with pytest.raises(ValueError, match="X has 4 features, but GRUClassifier is expecting 5"):
        _check(np.zeros((3, 4)), est, reset=False)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float_dtype_is_preserved(dtype):
    for X in (np.zeros((3, 4), dtype=dtype), [np.zeros(3, dtype=dtype), np.zeros(2, dtype)]):
        seqs, _, _ = _check(X)
        assert seqs.flat.dtype == dtype
    seqs, _, _ = _check(np.zeros((3, 4), dtype=np.int64))
    assert seqs.flat.dtype == np.float64


def test_input_is_not_modified():
    X = np.random.RandomState(0).randn(3, 5, 2)
    X[1, 3:] = np.nan
    original = X.copy()
    ragged = _ragged([3, 1, 4], 2)
    ragged_copy = [x.copy() for x in ragged]
    _check(X)[0].padded(np.arange(3))
    _check(ragged)[0].padded(np.arange(3))
    np.testing.assert_array_equal(X, original)
    assert len(ragged) == 3
    for x, x0 in zip(ragged, ragged_copy):
        np.testing.assert_array_equal(x, x0)


# ------------------------------------------------------------------- errors
def _nan_inside():
    X = np.random.RandomState(0).randn(4, 6, 2)
    X[2, 4:] = np.nan  # padding: fine
    X[3, 1, 0] = np.nan  # inside sequence 3
    return X


def _nan_before_padding():
    X = np.random.RandomState(0).randn(4, 6, 2)
    X[1, 4:] = np.nan
    X[1, 2, :] = np.nan  # an all-NaN step followed by data: not padding
    return X


def _partial_nan_last_step():
    X = np.random.RandomState(0).randn(4, 6, 2)
    X[1, -1, 0] = np.nan  # one feature missing at the last step: not padding
    return X


def _all_nan():
    X = np.random.RandomState(0).randn(4, 6)
    X[2] = np.nan
    return X


def _inf_3d():
    X = np.random.RandomState(0).randn(4, 6, 2)
    X[1, 1, 1] = np.inf
    return X


@pytest.mark.parametrize(
    "make_X, error, message",
    [
        (lambda: [np.ones(3), np.ones(0), np.ones(2)], ValueError, "Sequence 1 has length 0"),
        (lambda: np.ones((4, 0, 2)), ValueError, "length 0"),
        (lambda: np.ones((4, 0)), ValueError, "0 feature"),
        (_all_nan, ValueError, "Sequence 2 has length 0 .*all NaN"),
        (
            lambda: [np.ones((3, 2)), np.ones((4, 2)), np.ones((2, 3))],
            ValueError,
            "different numbers of features per step: sequence 0 has 2, sequence 2 has 3",
        ),
        (lambda: [np.ones(3), np.array([1.0, np.nan, 2.0])], ValueError, "Sequence 1 has NaN"),
        (_nan_inside, ValueError, r"Sequence 3 has NaN inside it \(step 1\)"),
        (_nan_before_padding, ValueError, r"Sequence 1 has NaN inside it \(step 2\)"),
        (_partial_nan_last_step, ValueError, r"Sequence 1 has NaN inside it \(step 5\)"),
        (lambda: ["ACGT", "GGA"], TypeError, "SequenceEncoder"),
        (lambda: np.array(["ACGT", "GGA"], dtype=object), TypeError, "SequenceEncoder"),
        (lambda: np.array(["ACGT", "GGA"]), TypeError, "SequenceEncoder"),
        (lambda: "ACGT", TypeError, "single string"),
        (lambda: ["ACGT", np.ones(3)], TypeError, "mixes strings"),
        (lambda: np.ones((4, 3, 2, 2)), ValueError, "dim 4"),
        (_inf_3d, ValueError, "infinity"),
        (lambda: [np.ones(3), np.array([1.0, np.inf])], ValueError, "Sequence 1 .*infinity"),
        (lambda: [np.ones((2, 2, 2)), np.ones((3, 2, 2))], ValueError, "Sequence 0 has shape"),
    ],
    ids=[
        "empty_sequence_in_list",
        "3d_zero_steps",
        "2d_zero_steps",
        "all_nan_sequence",
        "different_n_features",
        "nan_inside_ragged",
        "nan_inside_3d",
        "nan_step_before_padding",
        "partial_nan_last_step",
        "strings_list",
        "strings_object_array",
        "strings_str_array",
        "single_string",
        "mixed_strings_and_arrays",
        "4d_array",
        "inf_3d",
        "inf_ragged",
        "ragged_3d_items",
    ],
)
def test_bad_input_errors(make_X, error, message):
    with pytest.raises(error, match=message):
        _check(make_X())


# ------------------------------------------------------------ Sequences API
def _sequences(lengths, n_features=2, seed=0):
    ragged = _ragged(lengths, n_features, seed)
    seqs, _, _ = _check(ragged)
    return seqs, ragged


def test_padded_zero_pads_to_the_batch_maximum_only():
    seqs, ragged = _sequences([2, 7, 3, 1])
    flat_before = seqs.flat.copy()
    x, lengths = seqs.padded(np.array([0, 2, 3]))
    assert x.shape == (3, 3, 2)  # the longest in the batch, not the 7 of sequence 1
    np.testing.assert_array_equal(lengths, [2, 3, 1])
    for row, i in enumerate([0, 2, 3]):
        n = len(ragged[i])
        np.testing.assert_array_equal(x[row, :n], ragged[i])
        assert (x[row, n:] == 0).all()
    x, lengths = seqs.padded(np.array([1]))
    assert x.shape == (1, 7, 2)
    np.testing.assert_array_equal(x[0], ragged[1])
    np.testing.assert_array_equal(seqs.flat, flat_before)


def test_padded_equal_length():
    X = np.random.RandomState(0).randn(4, 5, 3)
    seqs, _, _ = _check(X)
    x, lengths = seqs.padded(np.array([3, 1]))
    np.testing.assert_array_equal(x, X[[3, 1]])
    np.testing.assert_array_equal(lengths, [5, 5])


def test_subset_keeps_the_right_rows():
    seqs, ragged = _sequences([2, 7, 3, 1, 4])
    idx = [4, 0, 2]
    sub = seqs.subset(idx)
    assert len(sub) == 3
    np.testing.assert_array_equal(sub.lengths, [4, 2, 3])
    np.testing.assert_array_equal(sub.offsets, [0, 4, 6])
    np.testing.assert_array_equal(sub.flat, np.concatenate([ragged[i] for i in idx]))
    x_sub, _ = sub.padded(np.arange(3))
    x, _ = seqs.padded(np.array(idx))
    np.testing.assert_array_equal(x_sub, x)


def test_sequence_dataset_batches_and_subset():
    seqs, ragged = _sequences([2, 5, 3])
    target = torch.tensor([10, 11, 12])
    weight = torch.tensor([0.5, 1.0, 2.0], dtype=torch.float64)
    ds = SequenceDataset(seqs, target, weight, dtype=torch.float64)
    inputs, (t, w) = ds[1]
    assert inputs["x"].dtype == torch.float64
    np.testing.assert_array_equal(inputs["x"][0].numpy(), ragged[1])
    assert "lengths" not in inputs  # one length in the batch: nothing to mask
    batch, _ = ds.batch(np.array([0, 1]))
    assert batch["lengths"].tolist() == [2, 5]
    assert t.tolist() == [11] and w.tolist() == [1.0]
    sub = ds.subset([2, 0])
    assert len(sub) == 2
    assert sub.target.tolist() == [12, 10]
    assert sub.weight.tolist() == [2.0, 0.5]
    np.testing.assert_array_equal(sub.sequences.lengths, [3, 2])


# ------------------------------------------------------------ LengthBuckets
def _long_tailed_dataset(n=600, seed=0):
    rng = np.random.RandomState(seed)
    lengths = (rng.pareto(1.2, n) * 10).astype(np.int64) + 1
    lengths = np.minimum(lengths, 2000)
    flat = np.zeros((int(lengths.sum()), 1))
    seqs = Sequences(flat, lengths, offsets_of(lengths).astype(np.int64))
    return SequenceDataset(seqs, target=torch.arange(n))


def _epoch(buckets):
    """(indices, padded steps, lengths) of each batch of one epoch."""
    return [
        (target.numpy(), inputs["x"].shape[1], _lengths(inputs)) for inputs, (target, _) in buckets
    ]


def _lengths(inputs):
    """A batch's lengths: left out when all its sequences fill the padded width."""
    if "lengths" in inputs:
        return inputs["lengths"].numpy()
    return np.full(inputs["x"].shape[0], inputs["x"].shape[1])


@pytest.mark.parametrize("shuffle", [False, True])
def test_length_buckets_yield_every_index_once_per_epoch(shuffle):
    ds = _long_tailed_dataset()
    buckets = LengthBuckets(ds, 32, shuffle)
    for _ in range(2):
        batches = _epoch(buckets)
        assert len(batches) == len(buckets) >= -(-len(ds) // 32)
        assert max(len(idx) for idx, _, _ in batches) <= 32
        indices = np.concatenate([idx for idx, _, _ in batches])
        np.testing.assert_array_equal(np.sort(indices), np.arange(len(ds)))
        for idx, steps, lengths in batches:
            np.testing.assert_array_equal(lengths, ds.sequences.lengths[idx])
            assert steps == lengths.max()  # padded to its own longest only


def test_length_buckets_group_similar_lengths():
    ds = _long_tailed_dataset()
    lengths = ds.sequences.lengths
    batch_size = 32
    with torch.random.fork_rng():
        torch.manual_seed(0)
        batches = _epoch(LengthBuckets(ds, batch_size, shuffle=True))
    # Batches are contiguous runs of the length-sorted order: they do not overlap.
    spans = sorted((b[2].min(), b[2].max()) for b in batches)
    for (_, hi), (lo, _) in zip(spans, spans[1:]):
        assert hi <= lo
    perm = np.random.RandomState(0).permutation(len(ds))
    random_batches = [lengths[chunk] for chunk in np.array_split(perm, len(batches))]
    bucket_batches = [lens for _, _, lens in batches]

    def padding(batches):
        return sum(lens.max() * len(lens) - lens.sum() for lens in batches)

    def median_spread(batches):
        return np.median([lens.max() - lens.min() for lens in batches])

    # The tail's longest batch pads whatever the batching; the typical batch
    # of buckets holds nearly equal lengths, a random one does not.
    assert padding(bucket_batches) < 0.25 * padding(random_batches)
    assert median_spread(bucket_batches) <= 3
    assert median_spread(random_batches) > 20 * median_spread(bucket_batches)


def test_length_buckets_without_shuffle_go_by_increasing_length():
    ds = _long_tailed_dataset()
    batches = _epoch(LengthBuckets(ds, 50, shuffle=False))
    order = np.concatenate([idx for idx, _, _ in batches])
    np.testing.assert_array_equal(order, np.argsort(ds.sequences.lengths, kind="stable"))
    again = _epoch(LengthBuckets(ds, 50, shuffle=False))
    assert [tuple(b[0]) for b in again] == [tuple(b[0]) for b in batches]


def test_length_buckets_shuffle_changes_order_and_is_reproducible():
    ds = _long_tailed_dataset()

    def two_epochs(seed):
        with torch.random.fork_rng():
            torch.manual_seed(seed)
            buckets = LengthBuckets(ds, 32, shuffle=True)
            return [[tuple(idx) for idx, _, _ in _epoch(buckets)] for _ in range(2)]

    torch.manual_seed(123)
    expected_next = torch.rand(3)
    torch.manual_seed(123)
    first, second = two_epochs(0)
    assert torch.equal(torch.rand(3), expected_next)  # the caller's stream is untouched
    lengths = ds.sequences.lengths
    # The order of the batches (by their longest sequence) changes between epochs.
    assert [lengths[list(b)].max() for b in first] != [lengths[list(b)].max() for b in second]
    assert two_epochs(0) == [first, second]
    assert two_epochs(1) != [first, second]


def test_length_buckets_batch_size_larger_than_data():
    ds = _long_tailed_dataset(n=10)
    batches = _epoch(LengthBuckets(ds, 1000, shuffle=True))
    assert len(batches) == 1
    assert sorted(batches[0][0].tolist()) == list(range(10))


def _cost(sorted_lengths, starts):
    ends = np.append(starts[1:], len(sorted_lengths))
    return sum(sorted_lengths[e - 1] * (STEP_COST_IN_ROWS + e - s) for s, e in zip(starts, ends))


def test_batch_starts_keep_plain_cuts_for_equal_lengths():
    np.testing.assert_array_equal(batch_starts(np.full(1000, 40), 200), np.arange(0, 1000, 200))
    np.testing.assert_array_equal(batch_starts(np.full(90, 7), 200), [0])


def test_batch_starts_cut_the_long_tail_cheaper_than_plain_cuts():
    rng = np.random.RandomState(0)
    lengths = np.sort(np.clip(rng.lognormal(np.log(40), 0.9, 2000).astype(int), 2, 1000))
    starts = batch_starts(lengths, 200)
    sizes = np.diff(np.append(starts, len(lengths)))
    assert starts[0] == 0 and (sizes > 0).all() and sizes.max() <= 200
    plain = np.arange(0, 2000, 200)
    # The longest sequences get a batch of their own instead of being padded
    # together with ~200 shorter ones: less padding and fewer sequential steps.
    assert _cost(lengths, starts) < 0.9 * _cost(lengths, plain)
    assert sizes[-1] < 200
    # Brute force on a small case: no other cutting is cheaper.
    small = np.sort(rng.randint(1, 50, size=9))
    best = min(
        _cost(small, np.array([0, *cuts]))
        for r in range(0, 9)
        for cuts in itertools.combinations(range(1, 9), r)
        if max(np.diff([0, *cuts, 9])) <= 4
    )
    assert _cost(small, batch_starts(small, 4)) == pytest.approx(best)
