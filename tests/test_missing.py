"""Missing values inside sequences: ``missing="mask"`` and its GRU-D inputs."""

import numpy as np
import pytest

from sklearn_dl import GRUClassifier, LSTMRegressor, RecurrentClassifier
from sklearn_dl._data import Sequences, offsets_of
from sklearn_dl._missing import observed_means, with_missing_features

FAST = dict(hidden_size=8, conv_channels=None, max_iter=3, random_state=0)


def _sequences(*arrays):
    lengths = np.array([len(a) for a in arrays])
    return Sequences(np.concatenate(arrays).astype(float), lengths, offsets_of(lengths))


def test_features_are_last_value_indicator_and_steps_since():
    nan = np.nan
    seqs = _sequences(
        np.array([[nan, 1.0], [2.0, nan], [nan, nan], [4.0, 5.0]]),
        np.array([[nan, nan], [7.0, 8.0]]),  # a new sequence forgets the last one's values
    )
    before = seqs.flat.copy()
    out = with_missing_features(seqs, fill=np.array([10.0, 20.0])).flat
    np.testing.assert_array_equal(seqs.flat, before)
    values, observed, since = out[:, :2], out[:, 2:4], out[:, 4:]
    np.testing.assert_array_equal(values, [[10, 1], [2, 1], [2, 1], [4, 5], [10, 20], [7, 8]])
    np.testing.assert_array_equal(observed, [[0, 1], [1, 0], [0, 0], [1, 1], [0, 0], [1, 1]])
    np.testing.assert_array_equal(since, [[1, 0], [0, 1], [1, 2], [0, 0], [1, 1], [0, 0]])


def test_fill_is_the_weighted_mean_of_observed_values():
    seqs = _sequences(np.array([[1.0], [np.nan]]), np.array([[4.0], [np.nan], [np.nan]]))
    np.testing.assert_allclose(observed_means(seqs), [2.5])
    np.testing.assert_allclose(observed_means(seqs, [3.0, 1.0]), [(3 * 1 + 4) / 4])


def _with_holes(rng, n=40, steps=12, features=3, rate=0.3):
    X = rng.randn(n, steps, features)
    X[rng.rand(n, steps, features) < rate] = np.nan
    X[::5, 0, :] = np.nan  # whole first steps missing
    X[1::7, 4, :] = np.nan  # whole steps inside
    return X


def test_nan_anywhere_never_yields_nan_and_the_callers_array_is_kept():
    rng = np.random.RandomState(0)
    X = _with_holes(rng)
    X[3, -4:, :] = np.nan  # trailing all-NaN steps: padding
    y = rng.randint(0, 2, size=len(X))
    before = X.copy()
    model = GRUClassifier(missing="mask", **FAST).fit(X, y)
    proba = model.predict_proba(X)
    assert np.isfinite(proba).all()
    np.testing.assert_array_equal(X, before)
    assert model.module_.rnn.input_size == 9  # three inputs per feature
    assert model.mean_.shape == (9,)
    regressor = LSTMRegressor(missing="mask", **FAST).fit(X, rng.randn(len(X)))
    assert np.isfinite(regressor.predict(X)).all()


def test_missing_mask_predictions_do_not_depend_on_batch_mates():
    rng = np.random.RandomState(1)
    X = [rng.randn(t, 2) for t in rng.randint(3, 15, size=25)]
    for x in X:
        x[rng.rand(*x.shape) < 0.3] = np.nan
        x[0, 0] = 1.0  # no sequence is all NaN
    y = rng.randint(0, 2, size=len(X))
    model = GRUClassifier(missing="mask", dtype="float64", **FAST).fit(X, y)
    together = model.predict_proba(X)
    alone = np.vstack([model.predict_proba([x]) for x in X])
    np.testing.assert_allclose(together, alone, rtol=0, atol=1e-12)


def test_default_still_refuses_nan_inside_and_names_the_remedy():
    X = np.ones((4, 5, 1))
    X[1, 2, 0] = np.nan
    with pytest.raises(ValueError, match="missing='mask'"):
        GRUClassifier(**FAST).fit(X, [0, 1, 0, 1])


def test_token_ids_cannot_be_missing():
    with pytest.raises(ValueError, match="token ids"):
        RecurrentClassifier(embedding_dim=4, missing="mask", **FAST).fit([[1, 2]], [0])


def _pattern_task(rng, n):
    """Only which steps of feature 0 were measured carries the label.

    Every measured value of a sequence is the same draw c (same law in both
    classes) and step 0 is always measured, so forward-filling turns every
    sequence into the constant c: no trace of the label is left.
    """
    steps = 20
    y = rng.randint(0, 2, size=n)
    X = np.full((n, steps, 2), np.nan)
    for i in range(n):
        measured = rng.rand(steps) < (0.8 if y[i] else 0.2)
        measured[0] = True
        X[i, measured, 0] = rng.randn()
        X[i, :, 1] = rng.randn()  # a second, fully observed, uninformative feature
    return X, y


def _forward_fill(X):
    out = X.copy()
    for t in range(1, out.shape[1]):
        gap = np.isnan(out[:, t])
        out[:, t][gap] = out[:, t - 1][gap]
    return out


def test_mask_learns_what_forward_filling_cannot_see():
    rng = np.random.RandomState(0)
    X, y = _pattern_task(rng, 300)
    X_test, y_test = _pattern_task(rng, 200)
    params = dict(hidden_size=16, max_iter=30, random_state=0)
    masked = GRUClassifier(missing="mask", **params).fit(X, y)
    assert masked.score(X_test, y_test) > 0.9
    filled = GRUClassifier(**params).fit(_forward_fill(X), y)
    assert filled.score(_forward_fill(X_test), y_test) < 0.7
