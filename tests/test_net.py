"""The skorch side: tensors reach the loss on the net's device; the skorch behaviour relied on."""

import numpy as np
import pytest
import torch
from skorch import NeuralNet
from skorch.callbacks import EarlyStopping

from sklearn_dl import Autoencoder, GRUClassifier, LSTMRegressor, VariationalAutoencoder
from sklearn_dl._base import BaseNeuralEstimator

RNG = np.random.RandomState(0)
TABLE = RNG.rand(40, 5)
RAGGED = [RNG.randn(t, 2) for t in RNG.randint(3, 8, 30)]
CASES = [
    (Autoencoder(2, hidden_layer_sizes=(4,), max_iter=1), (TABLE,)),
    (VariationalAutoencoder(2, hidden_layer_sizes=(4,), max_iter=1), (TABLE,)),
    (
        GRUClassifier(hidden_size=4, max_iter=1, class_weight="balanced"),
        (RAGGED, np.arange(30) % 2, np.ones(30)),
    ),
    (LSTMRegressor(hidden_size=4, max_iter=1), (RAGGED, RNG.randn(30))),
]


@pytest.mark.parametrize("est, data", CASES, ids=lambda v: type(v).__name__)
def test_every_tensor_reaching_the_loss_is_on_the_nets_device(est, data, monkeypatch):
    # CPU-only stand-in for a GPU: move the trained net to PyTorch's "meta"
    # device, where mixing in a CPU tensor raises just as a CUDA one would,
    # then run skorch's training and validation steps on a real batch.
    seen = {}
    train = BaseNeuralEstimator._train

    def recording_train(self, dataset, **kwargs):
        seen["dataset"] = dataset
        return train(self, dataset, **kwargs)

    monkeypatch.setattr(BaseNeuralEstimator, "_train", recording_train)
    est.fit(*data[:2], **({"sample_weight": data[2]} if len(data) > 2 else {}))
    net = est.net_
    net.module_.to("meta")
    net.criterion_.to("meta")
    net.device = "meta"
    for training in (True, False):
        batch = next(iter(net.get_iterator(seen["dataset"], training=training)))
        step = net.train_step_single(batch) if training else net.validation_step(batch)
        assert step["loss"].device.type == "meta"


def test_skorch_early_stopping_state_we_rely_on():
    # EarlyStoppingFromStart seeds these three attributes of skorch's
    # EarlyStopping before the first epoch; skorch must still read them.
    stopper = EarlyStopping(load_best=True, patience=2, threshold=0.0, threshold_mode="abs")

    class Net:
        history = [{"epoch": 1, "valid_loss": 1.0}]
        verbose = 0

    stopper.on_train_begin(Net())
    for name in ("dynamic_threshold_", "best_model_weights_", "best_epoch_"):
        assert hasattr(stopper, name)
    stopper.dynamic_threshold_ = 0.5  # an epoch must beat the starting point
    assert not stopper._is_score_improved(0.9)
    assert stopper._calc_new_threshold(0.4) == 0.4


def _tiny_fit(net_class_spy, monkeypatch):
    from sklearn_dl import _base

    monkeypatch.setattr(_base, "SkorchNet", net_class_spy)
    X = np.random.RandomState(0).rand(64, 4)
    return Autoencoder(2, hidden_layer_sizes=(4,), batch_size=16, max_iter=2).fit(X)


def test_skorch_still_calls_the_hooks_our_net_overrides(monkeypatch):
    # SkorchNet overrides skorch's notify (public) and _set_training (private)
    # for speed (benchmarks/RESULTS.md, part skorch_overrides). Pinned here:
    # skorch still routes every callback hook through notify and switches
    # modes through _set_training, so the overrides are live, not dead code.
    from sklearn_dl._net import SkorchNet

    calls = {"notify": [], "_set_training": []}

    class Spy(SkorchNet):
        def notify(self, method_name, **kwargs):
            calls["notify"].append(method_name)
            return super().notify(method_name, **kwargs)

        def _set_training(self, training=True):
            calls["_set_training"].append(training)
            return super()._set_training(training)

    est = _tiny_fit(Spy, monkeypatch)
    n_batches = 2 * 4  # 2 epochs of 64 rows (minus the validation split) in batches of 16
    assert calls["notify"].count("on_batch_end") >= n_batches
    assert {"on_train_begin", "on_epoch_end", "on_train_end"} <= set(calls["notify"])
    assert True in calls["_set_training"] and False in calls["_set_training"]
    assert not est.module_.training  # left in eval mode after training


def _fit_counting_reads(monkeypatch, net_class=None):
    """A 3-epoch fit of 16 batches each; returns it and how many ``Tensor.item`` calls it made."""
    from sklearn_dl import _base

    if net_class is not None:
        monkeypatch.setattr(_base, "SkorchNet", net_class)
    reads = []
    item = torch.Tensor.item

    def counting_item(self):
        reads.append(1)
        return item(self)

    monkeypatch.setattr(torch.Tensor, "item", counting_item)
    X = np.random.RandomState(0).rand(256, 4)
    est = Autoencoder(2, hidden_layer_sizes=(4,), batch_size=16, max_iter=3, early_stopping=False)
    est.set_params(random_state=0).fit(X)
    monkeypatch.undo()
    return est, len(reads)


def test_batch_losses_reach_the_history_once_per_epoch_not_once_per_batch(monkeypatch):
    # On a GPU each loss.item() makes the host wait for the device; SkorchNet's
    # run_single_epoch reads an epoch's losses in one transfer at its end.
    from sklearn_dl._net import SkorchNet

    class PlainEpochs(SkorchNet):
        run_single_epoch = NeuralNet.run_single_epoch  # skorch's: one read per batch

    ours, our_reads = _fit_counting_reads(monkeypatch)
    plain, plain_reads = _fit_counting_reads(monkeypatch, PlainEpochs)
    # Adam reads its step counters (host tensors, no device wait) in both.
    assert plain_reads - our_reads == 3 * 16
    # The history reads the same: every batch's loss and size, the epoch's loss.
    for key in ("train_loss", "train_batch_size"):
        assert ours.net_.history[:, "batches", :, key] == plain.net_.history[:, "batches", :, key]
    assert ours.loss_curve_ == plain.loss_curve_
    assert ours.net_.history[:, "train_batch_count"] == [16, 16, 16]


def test_validation_losses_are_recorded_per_batch_too():
    X = np.random.RandomState(0).rand(200, 4)
    est = Autoencoder(2, hidden_layer_sizes=(4,), batch_size=16, max_iter=2).fit(X)
    epoch = est.net_.history[-1]
    valid = [b for b in epoch["batches"] if "valid_loss" in b]
    assert len(valid) == epoch["valid_batch_count"] == 2  # 20 validation rows
    sizes = [b["valid_batch_size"] for b in valid]
    mean = sum(b["valid_loss"] * n for b, n in zip(valid, sizes)) / sum(sizes)
    assert epoch["valid_loss"] == pytest.approx(mean, rel=1e-12)


def test_print_log_only_when_verbose():
    # skorch's PrintLog formats a table row every epoch, also when it prints
    # nothing; at verbose=0 the net leaves it out (speed), at verbose=1 it prints.
    X = np.random.RandomState(0).rand(40, 4)
    quiet = Autoencoder(2, hidden_layer_sizes=(4,), max_iter=2).fit(X)
    assert "print_log" not in dict(quiet.net_.callbacks_)
    loud = Autoencoder(2, hidden_layer_sizes=(4,), max_iter=2, verbose=1).fit(X)
    assert "print_log" in dict(loud.net_.callbacks_)
    loud.set_params(verbose=0, warm_start=True).fit(X)
    assert "print_log" not in dict(loud.net_.callbacks_)
