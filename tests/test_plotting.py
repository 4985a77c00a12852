"""The displays draw what the estimators computed."""

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.exceptions import NotFittedError

from sklearn_dl import Autoencoder, GRUClassifier
from sklearn_dl.plotting import EmbeddingDisplay, LossCurveDisplay

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:300], y[:300]


def test_loss_curve_display_draws_both_curves(digits):
    X, _ = digits
    ae = Autoencoder(2, hidden_layer_sizes=(16,), max_iter=8, random_state=0).fit(X)
    display = LossCurveDisplay.from_estimator(ae)
    train, valid = display.lines_
    np.testing.assert_allclose(train.get_ydata(), ae.loss_curve_)
    np.testing.assert_allclose(valid.get_ydata(), ae.validation_loss_curve_)
    np.testing.assert_array_equal(train.get_xdata(), np.arange(1, ae.n_iter_ + 1))
    assert display.ax_.get_xlabel() == "epoch"
    assert display.ax_.get_title() == "Autoencoder"


def test_loss_curve_display_after_fit_then_partial_fit(digits):
    X, _ = digits
    ae = Autoencoder(2, hidden_layer_sizes=(16,), max_iter=4, random_state=0).fit(X)
    n_fit = ae.n_iter_
    ae.partial_fit(X)
    ae.partial_fit(X)
    _, valid = LossCurveDisplay.from_estimator(ae).lines_
    # The validation points stay at the epochs of fit, not shifted to the end.
    x, y = valid.get_xdata(), valid.get_ydata()
    np.testing.assert_array_equal(x[~np.isnan(y)], np.arange(1, n_fit + 1))
    assert np.isnan(y[n_fit:]).all() and len(y) == ae.n_iter_ == n_fit + 2


def test_loss_curve_display_without_validation_and_for_sequences():
    X = np.random.RandomState(0).randn(40, 6, 2)
    y = (X[:, :, 0].mean(axis=1) > 0).astype(int)
    clf = GRUClassifier(hidden_size=4, max_iter=4, early_stopping=False, random_state=0).fit(X, y)
    display = LossCurveDisplay.from_estimator(clf, name="gru")
    assert len(display.lines_) == 1
    assert display.ax_.get_title() == "gru"


def test_loss_curve_display_needs_a_fitted_estimator():
    with pytest.raises(NotFittedError):
        LossCurveDisplay.from_estimator(Autoencoder())


def test_embedding_display_one_scatter_per_label(digits):
    X, y = digits
    pca = PCA(2).fit(X)
    display = EmbeddingDisplay.from_estimator(pca, X, y)
    assert len(display.scatter_) == len(np.unique(y))
    first = display.scatter_[0].get_offsets()
    np.testing.assert_allclose(first, pca.transform(X)[y == np.unique(y)[0]])


def test_embedding_display_rejects_non_2d_embeddings(digits):
    X, _ = digits
    with pytest.raises(ValueError, match="2-D embedding"):
        EmbeddingDisplay.from_estimator(PCA(3).fit(X), X)


def test_embedding_display_robust_limits_leave_far_outliers_out():
    rng = np.random.RandomState(0)
    embedding = rng.randn(500, 2)
    embedding[:3] = [[1e3, 0], [0, -1e3], [500, 500]]
    plain = EmbeddingDisplay(embedding=embedding).plot()
    assert plain.n_outside_ == 0
    assert plain.ax_.get_xlim()[1] > 400  # the outliers set the scale
    robust = EmbeddingDisplay(embedding=embedding).plot(robust_limits=True)
    # The three outliers, and at most the odd extreme point of the bulk.
    assert 3 <= robust.n_outside_ <= 3 + 5
    low, high = robust.ax_.get_xlim()
    assert -10 < low < -2 and 2 < high < 10  # the bulk of the points fills the view
    note = f"{robust.n_outside_} point(s) outside"
    assert any(note in t.get_text() for t in robust.ax_.texts)
