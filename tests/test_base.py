"""The shared training base, exercised through Autoencoder (every estimator uses it)."""

import warnings

import numpy as np
import pytest
import torch
from joblib import Parallel, delayed, parallel_backend
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from sklearn_dl import (
    Autoencoder,
    DenoisingAutoencoder,
    GRUClassifier,
    LSTMRegressor,
    VariationalAutoencoder,
)
from sklearn_dl._base import resolve_device

FAST = dict(hidden_layer_sizes=(16,), max_iter=15)


@pytest.fixture(scope="module")
def X():
    return load_digits().data[:400]


def _weights(est):
    return [p.detach().clone() for p in est.module_.parameters()]


def test_same_int_seed_gives_bit_identical_models(X):
    a = VariationalAutoencoder(2, dropout=0.2, random_state=7, **FAST).fit(X)
    b = VariationalAutoencoder(2, dropout=0.2, random_state=7, **FAST).fit(X)
    for wa, wb in zip(_weights(a), _weights(b)):
        assert torch.equal(wa, wb)
    assert a.loss_curve_ == b.loss_curve_
    c = VariationalAutoencoder(2, dropout=0.2, random_state=8, **FAST).fit(X)
    assert not torch.equal(_weights(a)[0], _weights(c)[0])


def test_refit_with_same_seed_is_identical(X):
    est = Autoencoder(2, random_state=3, **FAST)
    first = est.fit(X).transform(X)
    np.testing.assert_array_equal(est.fit(X).transform(X), first)


def test_fit_leaves_global_random_states_alone(X, global_rngs_untouched):
    Autoencoder(2, dropout=0.1, random_state=0, **FAST).fit(X)
    VariationalAutoencoder(2, random_state=None, **FAST).fit(X)


def test_fitted_attributes_and_history(X):
    est = Autoencoder(2, random_state=0, n_iter_no_change=3, hidden_layer_sizes=(16,)).fit(X)
    assert est.n_features_in_ == X.shape[1]
    assert est.n_iter_ == len(est.loss_curve_) == len(est.validation_loss_curve_)
    assert est.module_ is est.net_.module_
    assert all(np.isfinite(est.loss_curve_))
    # best_loss_ is the validation loss of the epoch that was returned.
    assert 0 < est.best_epoch_ < est.n_iter_
    assert est.best_loss_ == est.validation_loss_curve_[est.best_epoch_ - 1]


def test_early_stopping_returns_the_weights_of_the_best_epoch(X):
    est = Autoencoder(2, n_iter_no_change=3, random_state=0, hidden_layer_sizes=(16,)).fit(X)
    assert est.best_epoch_ < est.n_iter_  # it stopped after a few epochs without progress
    # The same training cut at the best epoch ends there with those weights.
    cut = clone(est).set_params(max_iter=est.best_epoch_)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        cut.fit(X)
    for returned, best in zip(_weights(est), _weights(cut)):
        assert torch.equal(returned, best)


def test_starting_point_kept_is_reported(X):
    # A huge tol: no epoch counts as an improvement on the PCA start, so the
    # start is returned after patience runs out, and the user is told so.
    est = Autoencoder(2, max_iter=500, n_iter_no_change=3, tol=0.5, random_state=0)
    with pytest.warns(ConvergenceWarning, match="returned model is the starting point") as rec:
        est.fit(X)
    assert not any("Maximum iterations" in str(w.message) for w in rec)
    assert est.n_iter_ == 3
    assert est.best_epoch_ == 0
    start = dict(est.net_.callbacks_)["early_stopping"].start_loss_
    assert est.best_loss_ == start
    # The returned codes are PCA's (the start), up to float32 rounding.
    from sklearn.decomposition import PCA

    pca = PCA(2).fit(X)
    codes = est.transform(X) * est.scale_
    np.testing.assert_allclose(np.abs(codes), np.abs(pca.transform(X)), rtol=1e-3, atol=1e-3)


def test_early_stopping_firing_at_max_iter_is_no_max_iter_warning(X):
    # Patience runs out exactly at the last allowed epoch.
    est = Autoencoder(2, max_iter=3, n_iter_no_change=3, tol=0.5, random_state=0)
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        est.fit(X)
    assert est.n_iter_ == 3
    assert not any("Maximum iterations" in str(w.message) for w in rec)


def test_without_early_stopping_the_last_epoch_is_returned(X):
    no_es = Autoencoder(2, early_stopping=False, random_state=0, **FAST).fit(X)
    assert no_es.validation_loss_curve_ == []
    assert no_es.best_epoch_ == no_es.n_iter_
    assert no_es.best_loss_ == min(no_es.loss_curve_)


def test_convergence_warning_when_max_iter_reached(X):
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        Autoencoder(2, max_iter=2, tol=0.0, random_state=0).fit(X)


def test_partial_fit_is_one_epoch_and_keeps_the_model(X):
    est = Autoencoder(2, random_state=0, hidden_layer_sizes=(16,))
    est.partial_fit(X)
    first = _weights(est)
    assert est.n_iter_ == 1
    est.partial_fit(X)
    assert est.n_iter_ == 2
    assert not torch.equal(first[0], _weights(est)[0])
    assert est.validation_loss_curve_ == []  # one pass over all data, no hold-out
    with pytest.raises(ValueError, match="features"):
        est.partial_fit(X[:, :10])


def _weight_decay(est):
    return sorted(
        {g["weight_decay"] for g in est.net_.optimizer_.param_groups if g["weight_decay"]}
    )


def test_weight_decay_follows_the_rows_of_each_call(X):
    est = Autoencoder(2, alpha=1.0, random_state=0, hidden_layer_sizes=(16,))
    est.partial_fit(X[:5])
    assert _weight_decay(est) == pytest.approx([1 / 5])
    est.partial_fit(X[:60])
    assert _weight_decay(est) == pytest.approx([1 / 60])  # as a fit on these 60 rows
    # fit: the training rows only (validation rows are held out of the penalty).
    est = Autoencoder(2, alpha=1.0, max_iter=1, random_state=0, hidden_layer_sizes=(16,))
    est.fit(X[:100])
    assert _weight_decay(est) == pytest.approx([1 / 90])


@pytest.mark.parametrize(
    "change", [{"n_components": 3}, {"hidden_layer_sizes": (8, 4)}, {"activation": "tanh"}]
)
def test_warm_start_and_partial_fit_refuse_a_changed_network(X, change):
    est = Autoencoder(2, warm_start=True, random_state=0, **FAST).fit(X)
    est.set_params(**change)
    name = next(iter(change))
    with pytest.raises(ValueError, match=f"{name} .* warm_start=False"):
        est.fit(X)
    with pytest.raises(ValueError, match=name):
        est.partial_fit(X)
    est.set_params(warm_start=False).fit(X)  # a new network is built
    assert est.transform(X).shape[1] == len(est.get_feature_names_out()) == est.n_components


def test_a_diverging_continuation_keeps_the_previous_model(X):
    est = Autoencoder(2, random_state=0, **FAST).fit(X)
    before, n_iter, curve = est.transform(X), est.n_iter_, list(est.loss_curve_)
    est.set_params(learning_rate_init=1e12)
    with pytest.raises(ValueError, match="diverged"):
        est.partial_fit(X * 1e20)
    np.testing.assert_array_equal(est.transform(X), before)
    assert est.n_iter_ == n_iter and est.loss_curve_ == curve
    assert len(est.net_.history) == n_iter
    est.set_params(learning_rate_init=1e-3)
    est.partial_fit(X)  # and it continues from there
    assert est.n_iter_ == n_iter + 1


def test_partial_fit_sequence_is_reproducible(X):
    def run():
        est = Autoencoder(2, random_state=0, dropout=0.2, hidden_layer_sizes=(16,))
        for chunk in np.array_split(X, 4):
            est.partial_fit(chunk)
        return est.transform(X)

    np.testing.assert_array_equal(run(), run())


def test_warm_start_continues_training(X):
    est = Autoencoder(2, warm_start=True, random_state=0, **FAST).fit(X)
    n_first, net = est.n_iter_, est.net_
    est.fit(X)
    assert est.net_ is net
    assert est.n_iter_ > n_first
    cold = Autoencoder(2, warm_start=False, random_state=0, **FAST).fit(X)
    net = cold.net_
    cold.fit(X)
    assert cold.net_ is not net


def test_verbose_prints_epoch_table_and_silent_by_default(X, capsys):
    Autoencoder(2, random_state=0, **FAST).fit(X)
    assert capsys.readouterr().out == ""
    Autoencoder(2, random_state=0, verbose=1, **FAST).fit(X)
    out = capsys.readouterr().out
    assert "epoch" in out and "train_loss" in out and "valid_loss" in out


def test_diverging_fit_raises_and_leaves_no_model(X):
    est = Autoencoder(2, learning_rate_init=1e12, random_state=0, **FAST)
    with pytest.raises(ValueError, match="diverged"):
        est.fit(X * 1e20)
    assert not hasattr(est, "net_")
    with pytest.raises(Exception, match="not fitted"):
        est.transform(X)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_a_failed_refit_leaves_no_half_updated_model(X):
    est = Autoencoder(2, random_state=0, **FAST).fit(X)
    est.set_params(device="cuda")
    with pytest.raises(ValueError, match="no CUDA device"):
        est.fit(X[:, :10])  # new statistics were computed before training failed
    assert not hasattr(est, "net_") and not hasattr(est, "mean_")
    assert not hasattr(est, "n_features_in_")


def test_float64_models_start_exactly_at_pca(X):
    from sklearn.decomposition import PCA

    est = Autoencoder(
        2, dtype="float64", max_iter=1, random_state=0, **{"hidden_layer_sizes": (4,)}
    )
    est._fit_scaling(X)
    components = est._pca_components(est._training_dataset(X).X, seed=0)
    assert components.dtype == np.float64
    expected = PCA(2, random_state=0).fit((X - est.mean_) / est.scale_).components_
    np.testing.assert_allclose(np.abs(components), np.abs(expected), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("spelling", [np.float64, np.dtype("float64"), float, "f8"])
def test_dtype_takes_any_numpy_spelling_as_sequence_encoder_does(X, spelling):
    named = Autoencoder(2, dtype="float64", random_state=0, **FAST).fit(X[:100])
    other = Autoencoder(2, dtype=spelling, random_state=0, **FAST).fit(X[:100])
    assert next(other.module_.parameters()).dtype == torch.float64
    assert other.get_params()["dtype"] is spelling
    np.testing.assert_array_equal(other.transform(X[:5]), named.transform(X[:5]))
    # The structure check compares names: a warm start with another spelling is the same model.
    named.set_params(dtype=spelling, warm_start=True, max_iter=1).fit(X[:100])


@pytest.mark.parametrize("bad", [np.int32, "float16", np.dtype("complex128"), "gene"])
def test_dtype_other_than_float32_or_float64_is_refused_by_name(X, bad):
    with pytest.raises((ValueError, TypeError), match="dtype"):
        GRUClassifier(dtype=bad, max_iter=1).fit(np.ones((4, 3, 1)), [0, 1, 0, 1])


def test_device_resolution():
    assert resolve_device("cpu") == "cpu"
    assert resolve_device("auto") == ("cuda" if torch.cuda.is_available() else "cpu")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="no CUDA device"):
            resolve_device("cuda")
        with pytest.raises(ValueError, match="no CUDA device"):
            Autoencoder(device="cuda").fit(np.ones((10, 3)))


def test_batch_size_auto_and_explicit(X):
    est = Autoencoder(2, random_state=0, **FAST).fit(X)
    assert est.net_.batch_size == 200
    est = Autoencoder(2, batch_size=10_000, random_state=0, **FAST).fit(X)
    assert est.net_.batch_size <= len(X)


def test_float32_input_never_rounds_a_float64_model(X):
    est = Autoencoder(2, dtype="float64", random_state=0, **FAST).fit(X)
    before = [p.detach().clone() for p in est.module_.parameters()]
    est.transform(X.astype(np.float32))
    after = list(est.module_.parameters())
    assert all(p.dtype == torch.float64 for p in after)
    assert all(torch.equal(a, b) for a, b in zip(before, after))


def test_fitted_net_keeps_no_second_copy_of_the_weights(X):
    est = Autoencoder(2, random_state=0, **FAST).fit(X)  # early stopping: best epoch restored
    stopper = dict(est.net_.callbacks_)["early_stopping"]
    assert stopper.best_model_weights_ is None
    assert stopper.dataset_valid is None


# Every kind of random draw a training makes: init, shuffling, split,
# dropout (also between stacked recurrent layers), input noise, VAE sampling.
THREADED = [
    (Autoencoder(2, dropout=0.2, hidden_layer_sizes=(16,), max_iter=5, random_state=0), "table"),
    (DenoisingAutoencoder(2, hidden_layer_sizes=(16,), max_iter=5, random_state=0), "table"),
    (VariationalAutoencoder(2, hidden_layer_sizes=(16,), max_iter=5, random_state=0), "table"),
    (
        GRUClassifier(hidden_size=8, num_layers=2, dropout=0.2, max_iter=5, random_state=0),
        "sequences",
    ),
]


def _data(kind, X):
    if kind == "table":
        return (X[:200],)
    rng = np.random.RandomState(0)
    return [rng.randn(t, 2) for t in rng.randint(3, 9, 60)], np.arange(60) % 2


def _fit_output(est, data):
    est = clone(est).fit(*data)
    out = est.transform(data[0]) if hasattr(est, "transform") else est.predict_proba(data[0])
    return out, [p.detach().clone() for p in est.module_.parameters()]


@pytest.mark.parametrize("est, kind", THREADED, ids=lambda v: type(v).__name__)
def test_concurrent_fits_in_threads_equal_the_serial_fit(est, kind, X, global_rngs_untouched):
    data = _data(kind, X)
    serial, serial_weights = _fit_output(est, data)
    with parallel_backend("threading", n_jobs=4):
        results = Parallel()(delayed(_fit_output)(est, data) for _ in range(4))
    for out, weights in results:
        np.testing.assert_array_equal(out, serial)
        assert all(torch.equal(a, b) for a, b in zip(weights, serial_weights))


@pytest.mark.parametrize("est, kind", THREADED[::3], ids=lambda v: type(v).__name__)
def test_concurrent_inference_on_one_model_equals_serial(est, kind, X):
    data = _data(kind, X)
    fitted = clone(est).fit(*data)
    method = fitted.transform if hasattr(fitted, "transform") else fitted.predict_proba
    if kind == "table":
        inputs = [data[0].astype(np.float64), data[0].astype(np.float32)] * 4
    else:
        inputs = [[s.astype(np.float64) for s in data[0]], [s.astype(np.float32) for s in data[0]]]
        inputs *= 4
    expected = [method(x) for x in inputs]
    with parallel_backend("threading", n_jobs=8):
        for _ in range(3):
            results = Parallel()(delayed(method)(x) for x in inputs)
            for out, ref in zip(results, expected):
                assert out.dtype == ref.dtype
                np.testing.assert_array_equal(out, ref)
    assert not fitted.module_.training
    assert next(fitted.module_.parameters()).dtype == torch.float32


def test_regressor_with_stacked_dropout_is_reproducible():
    rng = np.random.RandomState(0)
    X, y = rng.randn(50, 6, 2), rng.randn(50)
    est = LSTMRegressor(hidden_size=8, num_layers=2, dropout=0.3, max_iter=4, random_state=1)
    first = clone(est).fit(X, y).predict(X)
    np.testing.assert_array_equal(clone(est).fit(X, y).predict(X), first)
    other = clone(est).set_params(random_state=2).fit(X, y).predict(X)
    assert not np.array_equal(other, first)


def test_adam_state_carries_over_between_calls(X):
    est = Autoencoder(
        2, max_iter=3, early_stopping=False, batch_size=100, **{"hidden_layer_sizes": (4,)}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X)
    optimizer = est.net_.optimizer_
    steps = float(optimizer.state_dict()["state"][0]["step"])
    est.partial_fit(X)
    assert est.net_.optimizer_ is optimizer
    assert float(optimizer.state_dict()["state"][0]["step"]) == steps + len(X) / 100


def test_float64_inference_follows_the_weights_after_more_training(X):
    # float64 calls on a float32 model run a cached float64 copy: training
    # must retire it, or predictions would come from the old weights.
    import copy

    est = Autoencoder(2, random_state=0, **FAST).fit(X)
    before = est.transform(X)
    est.partial_fit(X)
    after = est.transform(X)
    assert not np.array_equal(after, before)
    np.testing.assert_array_equal(after, copy.deepcopy(est).transform(X))  # no cache there
