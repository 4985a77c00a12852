"""Standardisation in float64 (``_scaling``): scale- and offset-proof, chunked, shared."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_digits

from sklearn_dl import Autoencoder, GRURegressor, VariationalAutoencoder, _scaling
from sklearn_dl._scaling import column_mean_and_std, standardize


@pytest.fixture(scope="module")
def X():
    return load_digits().data[:300]


def _training_input(est, X):
    """The float32 tensor the network trains on (X centred and scaled)."""
    est._fit_scaling(est._check_X(X, reset=True))
    return est._training_dataset(X).X.numpy()


@pytest.mark.parametrize("cls", [Autoencoder, VariationalAutoencoder])
@pytest.mark.parametrize("factor", [1e6, 1e-6, 3.7])
def test_any_scale_gives_the_same_training_input(cls, factor, X):
    small = _training_input(cls(), X)
    large = _training_input(cls(), X * factor)
    # At most one float32 rounding apart (float64 work, one cast at the end);
    # casting before centring made 92% of the entries differ at 1e6.
    np.testing.assert_array_max_ulp(large, small, maxulp=1)
    assert np.mean(large != small) < 0.01


def test_a_large_offset_keeps_the_digits(X):
    base = _training_input(Autoencoder(), X)
    shifted = _training_input(Autoencoder(), X + 1e6)
    # float32 centring lost ~0.06 of X's units at an offset of 1e6.
    np.testing.assert_allclose(shifted, base, atol=1e-6)
    float32_input = _training_input(Autoencoder(), (X + 1e6).astype(np.float32))
    np.testing.assert_allclose(float32_input, base, atol=0.02)  # what float32 input still holds


def test_float32_input_is_scaled_in_chunks_without_a_float64_copy(monkeypatch):
    monkeypatch.setattr(_scaling, "CHUNK_ELEMENTS", 64)
    X = np.random.RandomState(0).rand(1000, 8).astype(np.float32)
    mean, std = column_mean_and_std(X)
    np.testing.assert_allclose(mean, X.astype(np.float64).mean(0), rtol=1e-12)
    np.testing.assert_allclose(std, X.astype(np.float64).std(0), rtol=1e-10)
    out = standardize(X, mean, std, np.float32)
    expected = ((X.astype(np.float64) - mean) / std).astype(np.float32)
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(
        standardize(sp.csr_matrix(X), mean, 1.0, np.float32),
        (X.astype(np.float64) - mean).astype(np.float32),
    )


def test_weighted_statistics_equal_repeated_rows():
    rng = np.random.RandomState(0)
    X, w = rng.rand(50, 3), rng.randint(0, 4, 50)
    mean, std = column_mean_and_std(X, w.astype(float))
    repeated = np.repeat(X, w, axis=0)
    np.testing.assert_allclose(mean, repeated.mean(0), rtol=1e-12)
    np.testing.assert_allclose(std, repeated.std(0), rtol=1e-10)


def test_values_whose_squares_overflow_still_standardise():
    X = np.array([[1e200, 1.0], [-1e200, 2.0], [3e200, 3.0]])
    mean, std = column_mean_and_std(X)
    assert np.isfinite(mean).all() and np.isfinite(std).all()
    np.testing.assert_allclose(std[0], np.std(X[:, 0] / 1e200) * 1e200, rtol=1e-12)
    np.testing.assert_allclose(std[1], np.std(X[:, 1]), rtol=1e-12)
    est = Autoencoder(hidden_layer_sizes=(2,), max_iter=2, random_state=0).fit(X)
    assert np.isfinite(est.scale_) and np.isfinite(est.transform(X)).all()


def test_sequence_models_share_the_scaling(X):
    rng = np.random.RandomState(0)
    seqs, y = rng.randn(20, 5, 2) * 1e6 + 3e6, rng.randn(20)
    est = GRURegressor(hidden_size=2, max_iter=1).fit(seqs, y)
    flat = seqs.reshape(-1, 2)
    np.testing.assert_allclose(est.mean_, flat.mean(0), rtol=1e-12)
    np.testing.assert_allclose(est.scale_, flat.std(0), rtol=1e-12)
