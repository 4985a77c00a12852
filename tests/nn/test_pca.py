import numpy as np
import pytest
import torch
from sklearn.decomposition import PCA

from sklearn_dl.nn._pca import principal_axes

RNG = np.random.RandomState(0)


@pytest.mark.parametrize("shape", [(300, 12), (12, 300)], ids=["tall", "wide"])
def test_principal_axes_are_pcas_with_its_signs(shape):
    # Distinct variances along the axes, so that each axis is defined up to sign.
    X = RNG.randn(*shape) * np.linspace(3, 0.5, shape[1])
    axes = principal_axes(torch.from_numpy(X), 4)
    assert axes.dtype == torch.float64 and axes.shape == (4, shape[1])
    expected = PCA(4, svd_solver="full").fit(X).components_
    np.testing.assert_allclose(axes.numpy(), expected, atol=1e-9)


def test_float32_input_gives_pcas_axes_to_float32_accuracy():
    X = RNG.randn(200, 10) * np.linspace(3, 0.5, 10)
    axes = principal_axes(torch.from_numpy(X.astype(np.float32)), 3)
    assert axes.dtype == torch.float64
    expected = PCA(3, svd_solver="full").fit(X.astype(np.float32).astype(np.float64))
    np.testing.assert_allclose(axes.numpy(), expected.components_, atol=1e-5)


def test_axes_beyond_the_rank_are_zero():
    # 3 distinct rows: after centring, rank 2, in 6 dimensions and in 40.
    for d in (6, 40):
        X = np.repeat(RNG.randn(3, d), 5, axis=0)
        axes = principal_axes(torch.from_numpy(X), 4).numpy()
        assert np.all(np.abs(axes[:2]).sum(axis=1) > 0.5)
        np.testing.assert_array_equal(axes[2:], 0.0)
        np.testing.assert_allclose(axes[:2] @ axes[:2].T, np.eye(2), atol=1e-9)


def test_the_callers_tensor_is_unchanged():
    X = torch.from_numpy(RNG.randn(20, 5))
    before = X.clone()
    principal_axes(X, 2)
    assert torch.equal(X, before)
