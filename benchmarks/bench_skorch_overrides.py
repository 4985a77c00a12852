"""What each override of a skorch internal in ``SkorchNet`` buys, in fit time.

``SkorchNet`` overrides skorch methods for speed: ``notify`` (skips the
callbacks that do not implement a hook; skorch calls every callback's hooks
at every batch), the private ``_set_training`` (switches the module's mode
only when it changes; skorch calls it at every batch),
``get_default_callbacks`` (no ``PrintLog`` at verbose=0: skorch formats a
table row every epoch even when it prints nothing) and ``run_single_epoch``
(batch losses read from the device once per epoch, not per batch; on a CPU
this should cost nothing either way). Each row fits the same estimator with
``SkorchNet`` as it is, and with one override (or the first two) reverted to
skorch's own method, timed side by side.
"""

from unittest import mock

from skorch import NeuralNet

from sklearn_dl import _base
from sklearn_dl._net import SkorchNet

from ._common import interleaved_timings, markdown_table
from .bench_overhead import _short_case, cases


class _SkorchNotify(SkorchNet):
    notify = NeuralNet.notify


class _SkorchSetTraining(SkorchNet):
    _set_training = NeuralNet._set_training


class _SkorchBoth(SkorchNet):
    notify = NeuralNet.notify
    _set_training = NeuralNet._set_training


class _SkorchPrintLog(SkorchNet):
    get_default_callbacks = NeuralNet.get_default_callbacks


class _SkorchEpoch(SkorchNet):
    run_single_epoch = NeuralNet.run_single_epoch


VARIANTS = {
    "ours": SkorchNet,
    "skorch's notify": _SkorchNotify,
    "skorch's _set_training": _SkorchSetTraining,
    "both skorch's": _SkorchBoth,
    "skorch's PrintLog": _SkorchPrintLog,
    "skorch's run_single_epoch": _SkorchEpoch,
}
CASES = ("Autoencoder 20-16-2", "Autoencoder 784-128-16", "GRUClassifier h32")


def _cases():
    chosen = [case for case in cases() if case.name in CASES]
    tiny = _short_case((20, 500), 20, "pca")  # a grid search's short fit on few rows
    tiny.name = "Autoencoder 500-128-8"
    return chosen + [tiny]


def _fit(case, net_class):
    def run():
        with mock.patch.object(_base, "SkorchNet", net_class):
            est = case.estimator(case.batch_size, case.epochs).set_params(
                early_stopping=False, random_state=0
            )
            est.fit(case.X, case.y) if case.y is not None else est.fit(case.X)

    return run


def run(repeats=5):
    rows = []
    for case in _cases():
        times = interleaved_timings(
            {name: _fit(case, cls) for name, cls in VARIANTS.items()}, repeats
        )
        rows.append(
            [case.name, case.data, times["ours"]]
            + [times[name] / times["ours"] for name in list(VARIANTS)[1:]]
        )
    table = markdown_table(
        ["estimator", "data", "ours (s)", *[f"{name} / ours" for name in list(VARIANTS)[1:]]],
        rows,
    )
    return (
        "Fit time with SkorchNet's overrides of skorch internals, and with each reverted to "
        f"skorch's own method (ratios > 1: what the override saves). Medians of {repeats} "
        "interleaved repetitions, no early stopping.\n\n" + table
    )
