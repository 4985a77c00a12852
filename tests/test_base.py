"""The shared training base, exercised through Autoencoder (every estimator uses it)."""

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from sklearn_dl import Autoencoder, VariationalAutoencoder
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
    est = Autoencoder(2, random_state=0, **FAST).fit(X)
    assert est.n_features_in_ == X.shape[1]
    assert est.n_iter_ == len(est.loss_curve_) == len(est.validation_loss_curve_)
    assert est.best_loss_ == pytest.approx(min(est.validation_loss_curve_))
    assert est.module_ is est.net_.module_
    assert all(np.isfinite(est.loss_curve_))


def test_early_stopping_stops_and_restores_best(X):
    est = Autoencoder(2, max_iter=500, n_iter_no_change=3, tol=0.5, random_state=0).fit(X)
    # A huge tol means no epoch counts as an improvement: stop after patience.
    assert est.n_iter_ == 3
    no_es = Autoencoder(2, early_stopping=False, random_state=0, **FAST).fit(X)
    assert no_es.validation_loss_curve_ == []
    assert no_es.best_loss_ == pytest.approx(min(no_es.loss_curve_))


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


def test_device_resolution():
    assert resolve_device("cpu") == "cpu"
    assert resolve_device("auto") in ("cpu", "cuda")
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
