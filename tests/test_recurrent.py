"""Recurrent classifiers and regressors in use: formats, batching, model selection, bad input."""

import pickle
import warnings

import joblib
import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.pipeline import Pipeline
from torch import nn
from torch.optim.optimizer import register_optimizer_step_post_hook

from sklearn_dl import (
    GRUClassifier,
    GRURegressor,
    LSTMClassifier,
    LSTMRegressor,
    RecurrentClassifier,
    RecurrentRegressor,
    RNNClassifier,
    RNNRegressor,
    SequenceEncoder,
)
from sklearn_dl.datasets import load_italy_power_demand

FAST = dict(hidden_size=8, max_iter=3, random_state=0)
# Enough training for a small network to learn the toy tasks below.
TRAINED = dict(
    hidden_size=8, max_iter=20, learning_rate_init=0.02, early_stopping=False, random_state=0
)
CELLS = ["rnn", "lstm", "gru"]
POOLINGS = ["last", "mean", "max", "attention", "concat"]


def _ragged(lengths, n_features=2, seed=0):
    rng = np.random.RandomState(seed)
    return [rng.randn(t, n_features) for t in lengths]


def _nan_pad(ragged):
    steps = max(len(x) for x in ragged)
    out = np.full((len(ragged), steps) + ragged[0].shape[1:], np.nan)
    for i, x in enumerate(ragged):
        out[i, : len(x)] = x
    return out


def _toy_classification(n=40, n_features=2, seed=0, ragged=True):
    """Labels "hi"/"lo" from the sign of each sequence's mean: learnable and string-valued."""
    rng = np.random.RandomState(seed)
    lengths = rng.randint(3, 12, n) if ragged else np.full(n, 8)
    y = np.array(["hi", "lo"] * (n // 2))
    X = [
        rng.randn(t, n_features) + (0.8 if label == "hi" else -0.8) for t, label in zip(lengths, y)
    ]
    return X, y


# --------------------------------------------------------------- formats
@pytest.mark.parametrize("fmt", ["2d", "3d", "ragged_list", "ragged_1d", "nan_2d", "nan_3d"])
def test_fit_predict_on_every_format(fmt):
    rng = np.random.RandomState(0)
    y = np.array(["cat", "dog", "emu"] * 10)
    if fmt == "2d":
        X = rng.randn(30, 6)
    elif fmt == "3d":
        X = rng.randn(30, 6, 2)
    elif fmt == "ragged_list":
        X = _ragged(rng.randint(2, 9, 30))
    elif fmt == "ragged_1d":
        X = [x[:, 0] for x in _ragged(rng.randint(2, 9, 30))]
    elif fmt == "nan_2d":
        X = _nan_pad([x[:, 0] for x in _ragged(rng.randint(2, 9, 30))])
    else:
        X = _nan_pad(_ragged(rng.randint(2, 9, 30)))
    est = GRUClassifier(**FAST).fit(X, y)
    proba = est.predict_proba(X)
    assert proba.shape == (30, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert (proba >= 0).all()
    np.testing.assert_array_equal(est.classes_, ["cat", "dog", "emu"])
    pred = est.predict(X)
    assert pred.shape == (30,)
    assert set(pred) <= set(est.classes_)
    np.testing.assert_array_equal(pred, est.classes_[proba.argmax(axis=1)])
    n_channels = 2 if fmt in ("3d", "ragged_list", "nan_3d") else 1
    assert est.n_channels_ == n_channels
    assert est.mean_.shape == est.scale_.shape == (n_channels,)
    if fmt in ("2d", "nan_2d"):
        assert est.n_features_in_ == X.shape[1]
    else:
        assert not hasattr(est, "n_features_in_")
    assert est.n_iter_ == len(est.loss_curve_) <= 3
    # best_loss_ is the monitored loss of the returned weights.
    if est.validation_loss_curve_:
        stopper = dict(est.net_.callbacks_)["early_stopping"]
        kept = [stopper.start_loss_, *est.validation_loss_curve_][est.best_epoch_]
    else:
        kept = min(est.loss_curve_)
    assert est.best_loss_ == kept
    assert isinstance(est.module_, nn.Module) and est.module_ is est.net_.module_


def test_refit_on_ragged_forgets_the_number_of_steps():
    est = GRUClassifier(**FAST).fit(np.random.RandomState(0).randn(20, 6), ["a", "b"] * 10)
    assert est.n_features_in_ == 6
    X, y = _toy_classification(20, n_features=1)
    est.fit(X, y)
    assert not hasattr(est, "n_features_in_")
    assert est.predict([np.ones((4, 1)), np.ones((9, 1))]).shape == (2,)


def test_output_dtype_follows_input_precision():
    X, y = _toy_classification(20)
    est = GRUClassifier(**FAST).fit(X, y)
    assert est.predict_proba(X).dtype == np.float64
    assert est.predict_proba([x.astype(np.float32) for x in X]).dtype == np.float32


def test_predictions_follow_the_order_of_X():
    X, y = _toy_classification(30)
    est = GRUClassifier(**FAST).fit(X, y)
    proba = est.predict_proba(X)
    perm = np.random.RandomState(1).permutation(len(X))
    np.testing.assert_allclose(est.predict_proba([X[i] for i in perm]), proba[perm], rtol=1e-10)


def test_more_sequences_than_one_inference_batch():
    X, y = _toy_classification(20)
    est = GRUClassifier(**FAST).fit(X, y)
    rng = np.random.RandomState(0)
    many = [rng.randn(t, 2) for t in rng.randint(1, 4, 5000)]
    proba = est.predict_proba(many)
    assert proba.shape == (5000, 2)
    for i in (0, 4095, 4096, 4999):
        np.testing.assert_allclose(est.predict_proba([many[i]])[0], proba[i], rtol=1e-10)


# ------------------------------------------------------ batch independence
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("pooling", POOLINGS)
@pytest.mark.parametrize("cell", CELLS)
def test_prediction_does_not_depend_on_batch_mates(cell, pooling, bidirectional):
    X, y = _toy_classification(16)
    est = RecurrentClassifier(
        cell=cell,
        pooling=pooling,
        bidirectional=bidirectional,
        hidden_size=8,
        max_iter=1,
        random_state=0,
    ).fit(X, y)
    rng = np.random.RandomState(1)
    target = rng.randn(6, 2)
    alone = est.predict_proba([target])[0]
    short = est.predict_proba([rng.randn(2, 2), target, rng.randn(1, 2)])[1]
    long = est.predict_proba([rng.randn(300, 2), target, rng.randn(500, 2)])[1]
    same_length = est.predict_proba([rng.randn(6, 2), target])[1]
    for other in (short, long, same_length):
        np.testing.assert_allclose(other, alone, rtol=1e-10)
    # The batch-mates do change their own rows: the model is not constant.
    assert not np.allclose(est.predict_proba([rng.randn(300, 2) * 3])[0], alone)


@pytest.mark.parametrize("cls", [GRUClassifier, LSTMRegressor])
def test_ragged_and_nan_padded_give_the_same_model_and_predictions(cls):
    X, y = _toy_classification(24)
    if cls is LSTMRegressor:
        y = np.array([x.mean() for x in X])
    padded = _nan_pad(X)
    est = cls(**FAST).fit(X, y)
    method = est.predict_proba if hasattr(est, "predict_proba") else est.predict
    np.testing.assert_array_equal(method(padded), method(X))
    from_padded = cls(**FAST).fit(padded, y)
    method_padded = getattr(from_padded, method.__name__)
    np.testing.assert_array_equal(method_padded(X), method(X))


def test_univariate_ragged_and_nan_padded_2d_agree():
    X, y = _toy_classification(24, n_features=1)
    X = [x[:, 0] for x in X]
    padded = _nan_pad(X)
    est = GRUClassifier(**FAST).fit(X, y)
    np.testing.assert_array_equal(est.predict_proba(padded), est.predict_proba(X))
    from_padded = GRUClassifier(**FAST).fit(padded, y)
    assert from_padded.n_features_in_ == padded.shape[1]
    np.testing.assert_array_equal(from_padded.predict_proba(padded), est.predict_proba(X))


# ----------------------------------------------------- estimator plumbing
@pytest.mark.parametrize(
    "cls, cell, module",
    [
        (RNNClassifier, "rnn", nn.RNN),
        (LSTMClassifier, "lstm", nn.LSTM),
        (GRUClassifier, "gru", nn.GRU),
        (RNNRegressor, "rnn", nn.RNN),
        (LSTMRegressor, "lstm", nn.LSTM),
        (GRURegressor, "gru", nn.GRU),
    ],
)
def test_named_estimators_fix_the_cell_by_class(cls, cell, module):
    base = RecurrentClassifier if issubclass(cls, RecurrentClassifier) else RecurrentRegressor
    assert issubclass(cls, base)
    est = cls()
    assert est.cell == cell and "cell" not in est.get_params()
    assert repr(est) == f"{cls.__name__}()"
    assert clone(est).cell == cell
    with pytest.raises(TypeError, match="cell"):
        cls(cell="gru")  # not a parameter of the named classes
    with pytest.raises(ValueError, match="Invalid parameter 'cell'"):
        est.set_params(cell="gru")
    X, y = _toy_classification(12)
    if base is RecurrentRegressor:
        y = np.arange(12.0)
    assert isinstance(cls(**FAST).fit(X, y).module_.rnn, module)
    # The generic estimators take the cell as a searchable parameter.
    for other, other_module in MODULES.items():
        generic = base(cell=other, **FAST).fit(X, y)
        assert isinstance(generic.module_.rnn, other_module)


MODULES = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


def test_pickle_joblib_and_clone(tmp_path):
    X, y = _toy_classification(20)
    est = LSTMClassifier(bidirectional=True, pooling="attention", **FAST).fit(X, y)
    expected = est.predict_proba(X)
    restored = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(restored.predict_proba(X), expected)
    np.testing.assert_array_equal(restored.predict(X), est.predict(X))
    path = tmp_path / "model.joblib"
    joblib.dump(est, path)
    np.testing.assert_array_equal(joblib.load(path).predict_proba(X), expected)
    cloned = clone(est)
    assert cloned.get_params() == est.get_params()
    assert type(cloned) is LSTMClassifier
    assert not hasattr(cloned, "net_")
    np.testing.assert_array_equal(cloned.fit(X, y).predict_proba(X), expected)


def test_grid_search_on_ragged_list_with_string_labels():
    X, y = _toy_classification(24)
    assert isinstance(X, list)
    grid = GridSearchCV(
        RecurrentClassifier(max_iter=3, random_state=0),
        {"cell": ["rnn", "gru"], "hidden_size": [4, 8]},
        cv=2,
    ).fit(X, y)
    assert len(grid.cv_results_["params"]) == 4
    assert set(grid.best_params_) == {"cell", "hidden_size"}
    assert list(grid.cv_results_["param_cell"]) == ["rnn", "rnn", "gru", "gru"]
    assert np.all(np.isfinite(grid.cv_results_["mean_test_score"]))
    best = grid.best_estimator_
    assert best.cell == grid.best_params_["cell"]
    assert best.hidden_size == grid.best_params_["hidden_size"]
    pred = grid.predict(X)
    assert pred.dtype.kind == "U" and set(pred) <= {"hi", "lo"}
    np.testing.assert_array_equal(pred, best.predict(X))

    scores = cross_val_score(RNNClassifier(**FAST), X, y, cv=3)
    # Each fold's score is that fold's accuracy (same seed: the same models).
    folds = StratifiedKFold(3).split(np.zeros(len(y)), y)
    expected = [
        np.mean(
            RNNClassifier(**FAST).fit([X[i] for i in tr], y[tr]).predict([X[i] for i in te])
            == y[te]
        )
        for tr, te in folds
    ]
    np.testing.assert_array_equal(scores, expected)


def _dna(n, rng):
    """Random DNA; label "motif" exactly when "GGG" occurs (half the sequences)."""
    X, y = [], []
    for i in range(n):
        length = rng.randint(8, 16)
        while True:
            s = "".join(rng.choice(list("ACGT"), length))
            if "GGG" not in s:
                break
        if i % 2:
            at = rng.randint(0, length - 2)
            s = s[:at] + "GGG" + s[at + 3 :]
        X.append(s)
        y.append("motif" if "GGG" in s else "none")
    return X, np.array(y)


def test_pipeline_with_sequence_encoder_learns_a_dna_motif():
    rng = np.random.RandomState(0)
    X, y = _dna(80, rng)
    pipe = Pipeline(
        [
            ("encode", SequenceEncoder(alphabet="dna", handle_unknown="error")),
            (
                "clf",
                GRUClassifier(pooling="max", batch_size=8, **TRAINED),
            ),
        ]
    ).fit(X, y)
    assert pipe.score(X, y) >= 0.85  # chance is 0.5
    X_test, y_test = _dna(100, rng)
    assert pipe.score(X_test, y_test) >= 0.8
    assert set(pipe.predict(X_test)) <= {"motif", "none"}
    with pytest.raises(ValueError, match="unknown symbol.*'N'"):
        pipe.predict(["ACGTNNACG"])


def test_default_gru_learns_italy_power_demand():
    """The default estimator on a shipped data set: 67 training series of 24 steps."""
    X, y = load_italy_power_demand(return_X_y=True)
    X_test, y_test = load_italy_power_demand(split="test", return_X_y=True)
    est = GRUClassifier(random_state=0).fit(X, y)
    # Not a constant predictor (the initial weights kept by early stopping).
    assert set(est.predict(X_test)) == {"1", "2"}
    assert est.score(X_test, y_test) >= 0.9


# ------------------------------------------------------------- weighting
def _imbalanced(n_major=60, n_minor=12, seed=0):
    rng = np.random.RandomState(seed)
    y = np.array(["major"] * n_major + ["minor"] * n_minor)
    X = [rng.randn(rng.randint(4, 9), 1) + (0.6 if label == "minor" else 0.0) for label in y]
    return X, y


# The recurrence alone (no convolutional front-end): too small to fit the
# overlapping classes exactly, so the class weights' pull shows in its output.
TRAINED_MEAN_POOLING = dict(pooling="mean", batch_size=16, conv_channels=None, **TRAINED)


@pytest.mark.parametrize("class_weight", ["balanced", {"major": 1.0, "minor": 5.0}])
def test_class_weight_shifts_predictions_toward_the_minority(class_weight):
    X, y = _imbalanced()
    plain = GRUClassifier(**TRAINED_MEAN_POOLING).fit(X, y)
    weighted = GRUClassifier(class_weight=class_weight, **TRAINED_MEAN_POOLING).fit(X, y)
    p_plain = plain.predict_proba(X)[:, 1]
    p_weighted = weighted.predict_proba(X)[:, 1]
    assert p_weighted.mean() > p_plain.mean() + 0.1
    assert (weighted.predict(X) == "minor").sum() > (plain.predict(X) == "minor").sum()


def test_class_weight_dict_uses_the_labels_of_y():
    """Keys of a class_weight dict are labels of y, as in every scikit-learn classifier."""
    X, y = _imbalanced()
    y_int = np.where(y == "minor", 2, 1)
    plain = GRUClassifier(**TRAINED_MEAN_POOLING).fit(X, y_int)
    weighted = GRUClassifier(class_weight={1: 1.0, 2: 5.0}, **TRAINED_MEAN_POOLING).fit(X, y_int)
    assert weighted.predict_proba(X)[:, 1].mean() > plain.predict_proba(X)[:, 1].mean() + 0.1


@pytest.mark.parametrize("cls", [GRUClassifier, GRURegressor])
def test_zero_sample_weight_equals_dropping_rows(cls):
    X, y = _toy_classification(30)
    if cls is GRURegressor:
        y = np.array([x.sum() for x in X])
    drop = np.zeros(30, dtype=bool)
    drop[[1, 4, 5, 12, 20, 27]] = True
    params = dict(
        hidden_size=8,
        max_iter=5,
        batch_size=10_000,
        early_stopping=False,
        dtype="float64",
        random_state=0,
    )
    weighted = cls(**params).fit(X, y, sample_weight=(~drop).astype(float))
    dropped = cls(**params).fit([x for x, d in zip(X, drop) if not d], y[~drop])
    method = "predict_proba" if hasattr(weighted, "predict_proba") else "predict"
    np.testing.assert_allclose(getattr(weighted, method)(X), getattr(dropped, method)(X), rtol=1e-6)
    # And the weights matter at all: unweighted training gives another model.
    unweighted = cls(**params).fit(X, y)
    assert not np.allclose(getattr(unweighted, method)(X), getattr(dropped, method)(X))


# ----------------------------------------------------------- partial_fit
def test_partial_fit():
    X, y = _toy_classification(30)
    est = GRUClassifier(hidden_size=8, random_state=0)
    with pytest.raises(ValueError, match="classes"):
        est.partial_fit(X[:10], y[:10])
    est.partial_fit(X[:10], y[:10], classes=["hi", "lo"])
    assert est.n_iter_ == 1
    np.testing.assert_array_equal(est.classes_, ["hi", "lo"])
    first = [p.detach().clone() for p in est.module_.parameters()]
    est.partial_fit(X[10:20], y[10:20])
    assert est.n_iter_ == 2
    assert not torch.equal(first[0], next(est.module_.parameters()))
    # Classes given up front need not all be in the first batch.
    only_hi = GRUClassifier(hidden_size=8, random_state=0)
    only_hi.partial_fit(X[0:10:2], y[0:10:2], classes=["hi", "lo"])
    assert set(y[0:10:2]) == {"hi"}
    assert only_hi.predict_proba(X).shape == (30, 2)
    with pytest.raises(ValueError, match="not in classes_"):
        est.partial_fit(X[:4], ["hi", "lo", "owl", "hi"])
    with pytest.raises(ValueError, match="features per time step"):
        est.partial_fit([np.ones((3, 5))] * 4, y[:4])
    # classes may be repeated on later calls, not changed (as in scikit-learn).
    est.partial_fit(X[:4], y[:4], classes=["lo", "hi"])
    with pytest.raises(ValueError, match="is not the same as on the first call"):
        est.partial_fit(X[:4], y[:4], classes=["hi", "lo", "owl"])


def test_balanced_class_weight_counts_sample_weights():
    X, y = _toy_classification(40)
    weight = np.where(y == "hi", 3.0, 1.0)  # "hi" weighs three times as much
    est = GRUClassifier(hidden_size=4, max_iter=1, class_weight="balanced", random_state=0)
    est.fit(X, y, sample_weight=weight)
    # balanced: n / (n_classes * weighted count), from the weighted counts 60 and 20.
    np.testing.assert_allclose(est.class_weight_, [80 / (2 * 60), 80 / (2 * 20)])


def test_balanced_class_weight_refuses_a_class_without_weight():
    X, y = _toy_classification(20)
    est = GRUClassifier(hidden_size=4, max_iter=1, class_weight="balanced")
    with pytest.raises(ValueError, match=r"classes \['lo'\] have none"):
        est.fit(X, y, sample_weight=np.where(y == "lo", 0.0, 1.0))


def test_a_changed_class_weight_applies_to_the_next_warm_start():
    X, y = _toy_classification(20)
    est = GRUClassifier(hidden_size=4, max_iter=1, warm_start=True, random_state=0).fit(X, y)
    assert est.net_.criterion_.class_weight is None
    est.set_params(class_weight={"hi": 10.0}).fit(X, y)
    np.testing.assert_array_equal(est.net_.criterion_.class_weight.numpy(), [10.0, 1.0])


def test_refit_on_3d_after_a_dataframe_forgets_the_column_names():
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame(np.random.RandomState(0).randn(20, 6), columns=[f"t{i}" for i in range(6)])
    est = GRUClassifier(**FAST).fit(X, ["a", "b"] * 10)
    assert list(est.feature_names_in_) == list(X.columns)
    est.fit(np.random.RandomState(1).randn(20, 6, 2), ["a", "b"] * 10)
    assert not hasattr(est, "feature_names_in_") and not hasattr(est, "n_features_in_")


def test_lists_of_float32_arrays_stay_float32():
    rng = np.random.RandomState(0)
    equal = [rng.randn(6, 2).astype(np.float32) for _ in range(20)]
    ragged = [rng.randn(t, 2).astype(np.float32) for t in range(3, 23)]
    est = GRUClassifier(**FAST).fit(equal, ["a", "b"] * 10)
    assert est.predict_proba(equal).dtype == np.float32
    assert est.predict_proba(ragged).dtype == np.float32
    assert est.predict_proba([a.astype(np.float64) for a in equal]).dtype == np.float64


def test_regressor_partial_fit():
    X, _ = _toy_classification(20)
    y = np.array([x.mean() for x in X])
    est = GRURegressor(hidden_size=8, random_state=0).partial_fit(X, y)
    assert est.n_iter_ == 1
    est.partial_fit(X, y)
    assert est.n_iter_ == 2
    with pytest.raises(ValueError, match="outputs"):
        est.partial_fit(X, np.c_[y, y])


# ------------------------------------------------------------ regressors
@pytest.mark.parametrize("y_shape", [(), (1,), (3,)])
@pytest.mark.parametrize("ragged", [False, True])
def test_regressor_output_shapes(y_shape, ragged):
    X, _ = _toy_classification(24, ragged=ragged)
    if not ragged:
        X = np.stack(X)
    y = np.random.RandomState(0).randn(24, *y_shape)
    est = RNNRegressor(**FAST).fit(X, y)
    pred = est.predict(X)
    assert pred.shape == y.shape
    assert est.n_outputs_ == (y_shape[0] if y_shape else 1)
    assert est.y_mean_.shape == est.y_scale_.shape == (est.n_outputs_,)


@pytest.mark.parametrize("ragged", [False, True])
def test_regressor_predicts_in_the_units_of_y(ragged):
    X, _ = _toy_classification(24, ragged=ragged)
    if not ragged:
        X = np.stack(X)
    y = np.array([[x.mean(), x.std()] for x in X])
    params = dict(hidden_size=8, max_iter=5, dtype="float64", random_state=0)
    small = GRURegressor(**params).fit(X, y)
    big = GRURegressor(**params).fit(X, y * 1000 + 5)
    np.testing.assert_allclose(big.y_mean_, small.y_mean_ * 1000 + 5)
    np.testing.assert_allclose(big.predict(X), small.predict(X) * 1000 + 5, rtol=1e-6)
    assert abs(big.predict(X).mean() - (y * 1000 + 5).mean()) < 1000


def test_regressor_learns_the_mean_of_ragged_sequences():
    rng = np.random.RandomState(0)
    X = [rng.randn(t, 1) + rng.randn() for t in rng.randint(3, 10, 80)]
    y = np.array([x.mean() for x in X]) * 100 - 20
    est = GRURegressor(**TRAINED_MEAN_POOLING).fit(X, y)
    assert est.score(X, y) > 0.8


# ------------------------------------------------------------- bad input
def test_wrong_number_of_features_per_step_at_predict():
    X, y = _toy_classification(12, n_features=3)
    est = GRUClassifier(**FAST).fit(X, y)
    message = "X has 2 features per time step, but GRUClassifier was fitted with 3"
    with pytest.raises(ValueError, match=message):
        est.predict([x[:, :2] for x in X])
    with pytest.raises(ValueError, match=message):
        est.predict_proba(np.zeros((4, 5, 2)))
    with pytest.raises(ValueError, match="features per time step.*fitted with 3"):
        est.predict(np.zeros((4, 5)))


def test_2d_predict_with_another_number_of_steps():
    rng = np.random.RandomState(0)
    est = GRUClassifier(**FAST).fit(rng.randn(12, 6), ["a", "b"] * 6)
    with pytest.raises(ValueError, match="X has 5 features, but GRUClassifier is expecting 6"):
        est.predict(rng.randn(3, 5))
    assert est.predict(rng.randn(3, 6)).shape == (3,)


@pytest.mark.parametrize("cls", [GRUClassifier, GRURegressor])
def test_bad_targets_and_weights(cls):
    X, y = _toy_classification(12)
    if cls is GRURegressor:
        y = np.arange(12.0)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        cls(**FAST).fit(X, y[:-1])
    with pytest.raises(ValueError, match="requires y to be passed"):
        cls(**FAST).fit(X, None)
    with pytest.raises(ValueError, match="(all zero|at least one non-zero)"):
        cls(**FAST).fit(X, y, sample_weight=np.zeros(12))
    with pytest.raises(ValueError, match="(?i)negative"):
        cls(**FAST).fit(X, y, sample_weight=-np.ones(12))


def test_one_class_only():
    X, _ = _toy_classification(12)
    with pytest.raises(ValueError, match="at least 2 classes.*only one class.*'hi'"):
        GRUClassifier(**FAST).fit(X, ["hi"] * 12)


def test_continuous_labels_are_rejected_by_the_classifier():
    X, _ = _toy_classification(12)
    with pytest.raises(ValueError, match="Unknown label type"):
        GRUClassifier(**FAST).fit(X, np.linspace(0, 1, 12))


def test_unfitted_predict_is_a_not_fitted_error():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        GRUClassifier().predict([np.ones(3)])
    with pytest.raises(NotFittedError):
        GRURegressor().predict([np.ones(3)])


@pytest.mark.parametrize(
    "params, name",
    [
        (dict(cell="transformer"), "cell"),
        (dict(pooling="sum"), "pooling"),
        (dict(hidden_size=0), "hidden_size"),
        (dict(num_layers=0), "num_layers"),
        (dict(class_weight="auto"), "class_weight"),
    ],
)
def test_invalid_parameters_are_named(params, name):
    X, y = _toy_classification(12)
    with pytest.raises(ValueError, match=name):
        RecurrentClassifier(**{**FAST, **params}).fit(X, y)


def test_input_is_not_modified():
    X, y = _toy_classification(20)
    X_copy = [x.copy() for x in X]
    padded = _nan_pad(X)
    padded_copy = padded.copy()
    y_copy = y.copy()
    est = GRUClassifier(**FAST).fit(X, y)
    est.predict(X)
    est.predict_proba(padded)
    est.partial_fit(X, y)
    GRUClassifier(**FAST).fit(padded, y)
    regular = np.stack([np.ones((5, 2)) * i for i in range(4)])
    regular_copy = regular.copy()
    est.predict(regular)
    assert len(X) == 20
    for x, x0 in zip(X, X_copy):
        np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(padded, padded_copy)
    np.testing.assert_array_equal(regular, regular_copy)
    np.testing.assert_array_equal(y, y_copy)


# ------------------------------------------------------- reproducibility
def test_same_int_random_state_gives_identical_models():
    X, y = _toy_classification(30)
    params = dict(hidden_size=8, max_iter=4, dropout=0.2, num_layers=2, batch_size=8)
    a = LSTMClassifier(random_state=7, **params).fit(X, y)
    b = LSTMClassifier(random_state=7, **params).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    assert a.loss_curve_ == b.loss_curve_
    c = LSTMClassifier(random_state=8, **params).fit(X, y)
    assert not np.array_equal(a.predict_proba(X), c.predict_proba(X))
    np.testing.assert_array_equal(a.fit(X, y).predict_proba(X), b.predict_proba(X))


def test_fit_leaves_global_random_states_alone(global_rngs_untouched):
    # The data come from a seeded RandomState of their own, not the global one.
    X, y = _toy_classification(20)
    GRUClassifier(dropout=0.1, num_layers=2, **FAST).fit(X, y)
    GRURegressor(hidden_size=8, max_iter=2, random_state=None).fit(X, np.arange(20.0))
    GRUClassifier(hidden_size=8, random_state=None).partial_fit(X, y, classes=["hi", "lo"])


# ------------------------------------------------------ training stability
def _gradient_norms_seen_by_the_optimiser(estimator, X, y):
    norms = []

    # skorch computes the gradients in the closure passed to step(): they are
    # there (clipped or not) once the step has run.
    def record(optimizer, args, kwargs):
        grads = [p.grad for group in optimizer.param_groups for p in group["params"]]
        norms.append(
            float(torch.linalg.vector_norm(torch.stack([g.norm() for g in grads if g is not None])))
        )

    handle = register_optimizer_step_post_hook(record)
    try:
        estimator.fit(X, y)
    finally:
        handle.remove()
    return np.array(norms)


def test_max_grad_norm_clips_every_step_and_none_does_not():
    X, y = _toy_classification(40)
    params = dict(hidden_size=8, max_iter=5, early_stopping=False, random_state=0)
    clipped = _gradient_norms_seen_by_the_optimiser(
        RNNClassifier(max_grad_norm=1e-3, **params), X, y
    )
    free = _gradient_norms_seen_by_the_optimiser(RNNClassifier(max_grad_norm=None, **params), X, y)
    assert len(clipped) == len(free) > 0
    assert clipped.max() <= 1e-3 * (1 + 1e-4)
    assert free.max() > 1e-2


def test_max_grad_norm_is_validated():
    X, y = _toy_classification(10)
    with pytest.raises(ValueError, match="max_grad_norm"):
        GRUClassifier(max_grad_norm=0.0, **FAST).fit(X, y)


def test_lstm_starts_with_forget_gate_bias_one():
    from sklearn_dl.nn import RecurrentModule

    module = RecurrentModule(3, 2, cell="lstm", hidden_size=5, num_layers=2, bidirectional=True)
    biases = dict(module.rnn.named_parameters())
    for suffix in ("l0", "l1", "l0_reverse", "l1_reverse"):
        total = biases[f"bias_ih_{suffix}"] + biases[f"bias_hh_{suffix}"]
        torch.testing.assert_close(total[5:10], torch.ones(5))  # forget gate: starts open
        assert not torch.all(total[:5] == 0)  # other gates keep PyTorch's random start


# ------------------------------------------------- convolutional front-end
def test_front_end_pooling_is_fixed_by_the_first_fit():
    X, y = _toy_classification(20)  # lengths 3 to 11
    est = GRUClassifier(max_steps=4, **FAST).fit(X, y)
    assert est.pool_size_ == 3  # ceil(11 / 4)
    assert est.module_.front.pool_size == 3
    longer = [np.vstack([x, x, x]) for x in X]
    est.partial_fit(longer, y)  # a longer batch later does not change the structure
    assert est.pool_size_ == 3
    plain = GRUClassifier(conv_channels=None, **FAST).fit(X, y)
    assert plain.module_.front is None and plain.pool_size_ == 1
    assert GRUClassifier(max_steps=None, **FAST).fit(X, y).pool_size_ == 1


def test_pooled_front_end_predictions_do_not_depend_on_batch_mates():
    X, y = _toy_classification(16)
    est = GRUClassifier(max_steps=2, hidden_size=8, max_iter=2, random_state=0).fit(X, y)
    assert est.pool_size_ > 1
    rng = np.random.RandomState(1)
    target = rng.randn(7, 2)
    alone = est.predict_proba([target])[0]
    np.testing.assert_allclose(est.predict_proba([rng.randn(2, 2), target])[1], alone, rtol=1e-10)
    np.testing.assert_allclose(est.predict_proba([target, rng.randn(40, 2)])[0], alone, rtol=1e-10)


@pytest.mark.parametrize("sizes", [(), (3, 0), (2.5,), "7"])
def test_bad_kernel_sizes_are_named(sizes):
    X, y = _toy_classification(8)
    with pytest.raises(ValueError, match="conv_kernel_sizes"):
        GRUClassifier(conv_kernel_sizes=sizes, **FAST).fit(X, y)


# ------------------------------------------------- learning-rate schedule
def test_cosine_schedule_spans_each_fit_and_partial_fit_runs_at_the_initial_rate():
    X, y = _toy_classification(16)
    params = dict(hidden_size=4, max_iter=6, early_stopping=False, n_iter_no_change=6)
    est = GRUClassifier(learning_rate_init=0.02, random_state=0, **params).fit(X, y)
    rates = est.net_.history[:, "event_lr"]
    expected = [0.01 * (1 + np.cos(np.pi * e / 6)) for e in range(6)]
    np.testing.assert_allclose(rates, expected, rtol=1e-12)
    # A warm start with another rate starts its own schedule from that rate.
    est.set_params(warm_start=True, learning_rate_init=0.001).fit(X, y)
    np.testing.assert_allclose(est.net_.history[6:, "event_lr"], np.array(expected) / 20)
    est.partial_fit(X, y)
    assert est.net_.history[-1, "event_lr"] == 0.001
    constant = GRUClassifier(learning_rate_schedule="constant", random_state=0, **params)
    constant.fit(X, y)
    assert "event_lr" not in constant.net_.history[-1]
    assert constant.net_.optimizer_.param_groups[0]["lr"] == 0.01


def test_reaching_max_iter_warns_only_without_a_schedule_ending_there():
    X, y = _toy_classification(16)
    params = dict(hidden_size=4, max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        GRUClassifier(**params).fit(X, y)  # cosine: the schedule ends at max_iter
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        GRUClassifier(learning_rate_schedule="constant", **params).fit(X, y)
