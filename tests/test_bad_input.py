"""Bad input gets a clear error naming the problem, and the caller's data is never modified."""

import numpy as np
import pytest
import scipy.sparse as sp

from sklearn_dl import Autoencoder, DenoisingAutoencoder, VariationalAutoencoder

ALL = [Autoencoder, DenoisingAutoencoder, VariationalAutoencoder]
FAST = dict(hidden_layer_sizes=(8,), max_iter=3, random_state=0)


@pytest.fixture
def X():
    return np.random.RandomState(0).rand(40, 5)


@pytest.mark.parametrize("cls", ALL)
@pytest.mark.parametrize(
    "bad, error, message",
    [
        (lambda X: np.where(X > 0.9, np.nan, X), ValueError, "NaN"),
        (lambda X: np.where(X > 0.9, np.inf, X), ValueError, "infinity"),
        (lambda X: X[:0], ValueError, "0 sample"),
        (lambda X: X[:, 0], ValueError, "Expected 2D array"),
        (lambda X: X + 1j, ValueError, "Complex data not supported"),
        (lambda X: np.full(X.shape, "gene", dtype=object), ValueError, "could not convert"),
    ],
    ids=["nan", "inf", "empty", "1d", "complex", "strings"],
)
def test_bad_fit_input(cls, X, bad, error, message):
    with pytest.raises(error, match=message):
        cls(**FAST).fit(bad(X))


@pytest.mark.parametrize("cls", ALL)
def test_wrong_feature_count_at_transform(cls, X):
    est = cls(**FAST).fit(X)
    with pytest.raises(ValueError, match="X has 4 features, but .* is expecting 5"):
        est.transform(X[:, :4])
    with pytest.raises(ValueError, match="n_components=2"):
        est.inverse_transform(np.zeros((3, 5)))


@pytest.mark.parametrize("cls", ALL)
def test_sparse_input_is_supported_and_matches_dense(cls, X):
    # Sparse rows are densified batch by batch into exactly the dense path's
    # float32 input, so a random start gives the same model bit for bit (the
    # PCA start would differ in rounding: PCA's solver for sparse input is
    # another one).
    params = dict(FAST, init="random") if "init" in cls().get_params() else FAST
    X = np.where(X > 0.5, X, 0.0)
    dense = cls(**params).fit(X)
    sparse = cls(**params).fit(sp.csr_matrix(X))
    np.testing.assert_array_equal(sparse.transform(sp.csr_matrix(X)), dense.transform(X))
    np.testing.assert_array_equal(sparse.score_samples(sp.csc_matrix(X)), dense.score_samples(X))


def test_salt_and_pepper_takes_sparse_arrays_and_matrices(X):
    X = np.where(X > 0.5, X, 0.0)
    params = dict(FAST, noise="salt_and_pepper", init="random")
    dense = DenoisingAutoencoder(**params).fit(X)
    for container in (sp.csr_array, sp.csr_matrix):
        est = DenoisingAutoencoder(**params).fit(container(X))
        np.testing.assert_array_equal(est.module_.corruption.low, dense.module_.corruption.low)
        np.testing.assert_array_equal(est.transform(container(X)), dense.transform(X))


@pytest.mark.parametrize("cls", ALL)
def test_sparse_input_is_never_densified_whole(cls):
    import tracemalloc

    X = sp.random(3000, 20000, density=0.0005, format="csr", random_state=0, dtype=np.float32)
    X.data = np.round(X.data * 10) + 1  # counts, for every likelihood
    dense_bytes = X.shape[0] * X.shape[1] * 4
    est = cls(n_components=2, hidden_layer_sizes=(4,), max_iter=1, batch_size=100, random_state=0)
    tracemalloc.start()
    try:
        est.fit(X)
        est.transform(X)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < dense_bytes / 4, f"peak {peak / 1e6:.0f} MB for a {dense_bytes / 1e6:.0f} MB X"


@pytest.mark.parametrize("cls", ALL)
def test_input_is_not_modified(cls, X):
    original = X.copy()
    est = cls(**FAST).fit(X)
    est.transform(X)
    est.score_samples(X)
    est.partial_fit(X)
    np.testing.assert_array_equal(X, original)


@pytest.mark.parametrize(
    "params, message",
    [
        (dict(n_components=0), "n_components"),
        (dict(hidden_layer_sizes=(8, -1)), "hidden_layer_sizes"),
        (dict(activation="swish"), "activation"),
        (dict(batch_size=0), "batch_size"),
        (dict(learning_rate_init=0.0), "learning_rate_init"),
        (dict(validation_fraction=1.0), "validation_fraction"),
        (dict(device="tpu"), "device"),
        (dict(init="zeros"), "init"),
    ],
)
def test_invalid_parameters_are_named(X, params, message):
    with pytest.raises(ValueError, match=message):
        Autoencoder(**{**FAST, **params}).fit(X)


def test_invalid_vae_and_dae_parameters(X):
    with pytest.raises(ValueError, match="likelihood"):
        VariationalAutoencoder(likelihood="gamma").fit(X)
    with pytest.raises(ValueError, match="beta"):
        VariationalAutoencoder(beta=-1).fit(X)
    with pytest.raises(ValueError, match="noise"):
        DenoisingAutoencoder(noise="pink").fit(X)


def test_unfitted_use_is_a_not_fitted_error(X):
    from sklearn.exceptions import NotFittedError

    for method in ("transform", "score_samples", "inverse_transform"):
        with pytest.raises(NotFittedError):
            getattr(Autoencoder(), method)(X)
    with pytest.raises(NotFittedError):
        VariationalAutoencoder().sample(3)
