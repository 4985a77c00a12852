"""Scaling out (docs/scaling_out.md): joblib workers, a Dask cluster, out-of-core training.

Fits that are compared across processes run in float64, where the thread count
of a process cannot move a result beyond the last bits.
"""

import subprocess
import sys

import joblib
import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.metrics import log_loss
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_dl import Autoencoder, GRUClassifier, LSTMClassifier

RNG = np.random.RandomState(0)
X_TABLE = np.tanh(RNG.randn(120, 8) @ RNG.randn(8, 8))
X_SEQ = RNG.randn(60, 12, 2)
Y_SEQ = (X_SEQ[:, :, 0].mean(axis=1) > 0).astype(int)


def _searches():
    """Two small searches: an Autoencoder pipeline (unsupervised) and a GRUClassifier."""
    autoencoder = GridSearchCV(
        make_pipeline(StandardScaler(), Autoencoder(max_iter=3, dtype="float64", random_state=0)),
        {"autoencoder__n_components": [2, 4]},
        cv=2,
    )
    gru = GridSearchCV(
        GRUClassifier(hidden_size=4, max_iter=3, dtype="float64", random_state=0),
        {"hidden_size": [2, 4]},
        cv=2,
    )
    return [(autoencoder, X_TABLE, None), (gru, X_SEQ, Y_SEQ)]


def _assert_same_search(parallel, serial):
    assert parallel.best_params_ == serial.best_params_
    for key in ("mean_test_score", "split0_test_score", "split1_test_score"):
        np.testing.assert_allclose(parallel.cv_results_[key], serial.cv_results_[key], rtol=1e-9)


def _threads_scorer():
    # A closure: pickled by value, so a worker needs no access to this test module.
    def torch_threads(estimator, X, y=None):
        return float(torch.get_num_threads())

    return torch_threads


def test_importing_the_package_imports_no_extra():
    # (pandas is left out: scikit-learn itself imports it where it is installed.)
    code = (
        "import sys, sklearn_dl, sklearn_dl.datasets; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'dask', 'distributed', 'dask_ml', 'umap', 'numba', 'matplotlib', 'skops'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_loky_workers_split_the_cores_and_match_the_serial_search():
    # joblib's rule: each of n_jobs loky workers gets cpu_count() // n_jobs threads
    # (set in the worker before torch starts); the parent's settings are untouched.
    threads_before = torch.get_num_threads()
    search = GridSearchCV(
        Autoencoder(max_iter=1, random_state=0),
        {"n_components": [2, 3]},
        cv=2,
        n_jobs=2,
        scoring=_threads_scorer(),
    ).fit(X_TABLE)
    expected = max(joblib.cpu_count() // 2, 1)
    assert search.cv_results_["mean_test_score"].tolist() == [expected, expected]
    assert torch.get_num_threads() == threads_before

    for search, X, y in _searches():
        serial = clone(search).fit(X, y)
        _assert_same_search(search.set_params(n_jobs=2).fit(X, y), serial)


def _extra(module):
    return pytest.importorskip(module, reason="the 'distributed' extra is not installed")


@pytest.fixture(scope="module")
def dask_client():
    # Two worker processes on loopback, as a real cluster would run them.
    distributed = _extra("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def test_dask_cluster_search_matches_the_serial_search(dask_client):
    for search, X, y in _searches():
        serial = clone(search).fit(X, y)
        with joblib.parallel_backend("dask"):
            on_cluster = clone(search).fit(X, y)
        _assert_same_search(on_cluster, serial)
    with joblib.parallel_backend("dask"):
        threads = GridSearchCV(
            Autoencoder(max_iter=1, random_state=0),
            {"n_components": [2, 3]},
            cv=2,
            scoring=_threads_scorer(),
        ).fit(X_TABLE)
    # Dask's nanny starts each worker with OMP_NUM_THREADS=1: one torch thread per task.
    assert threads.cv_results_["mean_test_score"].tolist() == [1.0, 1.0]


def _reconstruction_error(model, X):
    return -model.score(X)


def test_incremental_trains_block_by_block_and_predicts_blockwise():
    dask_array, dask_ml_wrappers = _extra("dask.array"), _extra("dask_ml.wrappers")
    X = np.tanh(RNG.randn(2000, 20) @ RNG.randn(20, 20))
    X_dask = dask_array.from_array(X, chunks=500)
    autoencoder = Autoencoder(n_components=3, dtype="float64", random_state=0)
    after_first_block = clone(autoencoder).partial_fit(X[:500])
    incremental = dask_ml_wrappers.Incremental(autoencoder, shuffle_blocks=False).fit(X_dask)
    trained = incremental.estimator_
    assert trained.n_iter_ == 4  # one epoch per block
    assert _reconstruction_error(trained, X) < _reconstruction_error(after_first_block, X)
    codes = dask_ml_wrappers.ParallelPostFit(trained).transform(X_dask)
    assert isinstance(codes, dask_array.Array) and codes.chunks[0] == (500,) * 4
    np.testing.assert_allclose(codes.compute(), trained.transform(X), rtol=1e-12)

    # Univariate sequences as a 2-D dask array (dask-ml's block keys are 2-D).
    S = RNG.randn(1200, 30)
    y = (S.sum(axis=1) > 0).astype(int)
    S_dask, y_dask = dask_array.from_array(S, chunks=300), dask_array.from_array(y, chunks=300)
    lstm = LSTMClassifier(hidden_size=8, conv_channels=None, dtype="float64", random_state=0)
    after_first_block = clone(lstm).partial_fit(S[:300], y[:300], classes=[0, 1])
    trained = (
        dask_ml_wrappers.Incremental(lstm, shuffle_blocks=False)
        .fit(S_dask, y_dask, classes=[0, 1])
        .estimator_
    )
    assert trained.n_iter_ == 4
    assert log_loss(y, trained.predict_proba(S)) < log_loss(y, after_first_block.predict_proba(S))
    proba = dask_ml_wrappers.ParallelPostFit(trained).predict_proba(S_dask)
    np.testing.assert_allclose(proba.compute(), trained.predict_proba(S), rtol=1e-12)


def test_multivariate_blocks_and_ragged_partitions_out_of_core():
    dask_array, dask_bag = _extra("dask.array"), _extra("dask.bag")
    # 3-D blocks: partial_fit block by block, map_blocks to predict.
    S = RNG.randn(600, 20, 3)
    y = (S[:, :, 1].mean(axis=1) > 0).astype(int)
    S_dask = dask_array.from_array(S, chunks=(200, 20, 3))
    y_dask = dask_array.from_array(y, chunks=200)
    model = GRUClassifier(hidden_size=8, conv_channels=None, dtype="float64", random_state=0)
    first = None
    for X_block, y_block in zip(S_dask.blocks, y_dask.blocks):
        model.partial_fit(X_block.compute(), y_block.compute(), classes=[0, 1])
        first = first or log_loss(y, model.predict_proba(S))
    assert model.n_iter_ == 3
    assert log_loss(y, model.predict_proba(S)) < first
    proba = S_dask.map_blocks(
        model.predict_proba,
        drop_axis=2,
        chunks=(S_dask.chunks[0], (2,)),
        dtype=np.float64,
        meta=np.empty((0, 2)),
    )
    np.testing.assert_allclose(proba.compute(), model.predict_proba(S), rtol=1e-12)

    # Ragged sequences: a dask bag of (sequence, label) pairs, one partial_fit per partition.
    lengths = RNG.randint(5, 40, size=400)
    sequences = [RNG.randn(n, 2) for n in lengths]
    labels = [int(s[:, 0].sum() > 0) for s in sequences]
    bag = dask_bag.from_sequence(list(zip(sequences, labels)), npartitions=4)
    model = GRUClassifier(hidden_size=8, conv_channels=None, dtype="float64", random_state=0)
    first = None
    for partition in bag.to_delayed():
        pairs = partition.compute()
        model.partial_fit([s for s, _ in pairs], [label for _, label in pairs], classes=[0, 1])
        first = first or log_loss(labels, model.predict_proba(sequences))
    assert model.n_iter_ == 4
    assert log_loss(labels, model.predict_proba(sequences)) < first


def test_blockwise_transform_holds_a_few_blocks_not_the_array():
    # A lazily generated 160 MB array in 20 blocks of 8 MB, transformed block by
    # block and reduced: the peak of the memory NumPy allocates (tracemalloc;
    # torch's own buffers are bounded by the inference batch) stays a few blocks.
    import tracemalloc

    dask_array = _extra("dask.array")
    autoencoder = Autoencoder(n_components=4, hidden_layer_sizes=(16,), max_iter=2)
    autoencoder.set_params(early_stopping=False, random_state=0).fit(RNG.randn(300, 100))
    big = dask_array.random.RandomState(0).standard_normal((200_000, 100), chunks=(10_000, 100))
    codes = big.map_blocks(autoencoder.transform, chunks=(big.chunks[0], (4,)), dtype=big.dtype)
    block_bytes = 10_000 * 100 * 8
    tracemalloc.start()
    try:
        column_sums = codes.sum(axis=0).compute(scheduler="synchronous")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5 * block_bytes  # the whole array is 20 blocks
    first = big.blocks[0].compute()
    assert np.isfinite(column_sums).all() and column_sums.shape == (4,)
    np.testing.assert_allclose(codes.blocks[0].compute(), autoencoder.transform(first))
