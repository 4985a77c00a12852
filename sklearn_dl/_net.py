"""The skorch side: a private ``NeuralNet`` that takes batches from our datasets.

skorch stays the training engine (fit loop, callbacks, history, early stopping,
device handling). ``SkorchNet`` changes two hooks of substance:

- ``get_iterator`` asks the dataset for its batches. Our datasets slice
  pre-built tensors, instead of skorch's default ``DataLoader`` that collates
  sample by sample (plain skorch against a hand-written loop:
  ``benchmarks/RESULTS.md``, part overhead).
- ``get_loss`` hands the criterion the batch input too, so one criterion
  signature ``(output, target, inputs)`` serves autoencoders (target = input),
  weighted classification and regression. ``get_iterator`` moves whole
  batches (input, target, weights) to the net's device, once.

and two for speed: ``notify`` skips callbacks that do not override a hook,
and ``_set_training`` (a private skorch method) only switches on a change of
mode; together up to 7% of a small network's fit (``benchmarks/RESULTS.md``,
part skorch_overrides). ``EarlyStoppingFromStart`` seeds skorch's
``EarlyStopping`` state before the first epoch. The private parts relied on
are pinned by ``tests/test_net.py`` and bounded by ``skorch<2``. The net is
never pickled: estimators save it as plain arrays (``_persistence.py``).
"""

from copy import deepcopy

import numpy as np
from skorch import NeuralNet
from skorch.callbacks import Callback, EarlyStopping

from sklearn_dl._data import batch_rows


class SkorchNet(NeuralNet):
    # The private torch.Generator of the training in progress (shuffling);
    # set by the estimator for the duration of one fit, never saved.
    generator = None
    # Copies of the trained module in another precision, for inference
    # ({torch dtype: module}); emptied whenever training changes the weights.
    inference_copies = None

    def get_iterator(self, dataset, training=False):
        batches = dataset.batches(self.batch_size, shuffle=training, generator=self.generator)
        if str(self.device) == "cpu":
            return batches
        # Each batch goes to the device once, all of it (input, target,
        # weights): skorch's infer and the criterion both find it there.
        return _OnDevice(batches, self.device)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        # The batch is already on the net's device (get_iterator moves it).
        return self.criterion_(y_pred, y_true, X)

    def initialize_callbacks(self):
        self._hooks = {}
        return super().initialize_callbacks()

    def notify(self, method_name, **cb_kwargs):
        # skorch's notify (a public method), minus the calls to callbacks that
        # do not override the hook: skorch calls every callback's hooks at
        # every batch. What it saves: benchmarks/RESULTS.md, skorch_overrides.
        hooks = self._hooks.get(method_name)
        if hooks is None:
            base = getattr(Callback, method_name)
            hooks = [getattr(self, method_name)] + [
                getattr(cb, method_name)
                for _, cb in self.callbacks_
                if getattr(type(cb), method_name) is not base
            ]
            self._hooks[method_name] = hooks
        for hook in hooks:
            hook(self, **cb_kwargs)

    def _set_training(self, training=True):
        # A private skorch method, kept (skorch<2 in the dependencies; pinned
        # by tests/test_net.py): skorch calls it on every batch and
        # ``Module.train`` walks all submodules each time. Switch only when
        # the mode changes. What it saves: benchmarks/RESULTS.md, skorch_overrides.
        if self.module_.training == training and self.criterion_.training == training:
            return
        super()._set_training(training)


def to_device(data, device):
    """``data`` (a tensor, None, or tuples / dicts of them) on ``device``."""
    if data is None:
        return None
    if isinstance(data, dict):
        return {key: to_device(value, device) for key, value in data.items()}
    if isinstance(data, (tuple, list)):
        return type(data)(to_device(value, device) for value in data)
    return data.to(device)


class _OnDevice:
    """The batches of ``batches``, each moved to ``device`` as it is drawn."""

    def __init__(self, batches, device):
        self.batches = batches
        self.device = device

    def __len__(self):
        return len(self.batches)

    def __iter__(self):
        return (to_device(batch, self.device) for batch in self.batches)


class DivergenceGuard(Callback):
    """Stop with a clear error as soon as a training or validation loss is not finite.

    A diverged model must never be returned: it would silently output NaN.
    """

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        for key in ("train_loss", "valid_loss"):
            if key in row and not np.isfinite(row[key]):
                raise FloatingPointError(
                    f"The {key.replace('_', ' ')} became {row[key]} at epoch {row['epoch']}: "
                    "training diverged. Lower learning_rate_init, scale the input, or "
                    "increase alpha."
                )


class EarlyStoppingFromStart(EarlyStopping):
    """skorch's ``EarlyStopping`` that also counts the model it starts from.

    Before the first epoch it scores the starting weights on the validation
    set (``start_loss_``); an epoch must beat that score to be kept. So a fit
    that starts from a good initialisation (PCA) or a warm start never
    returns a model that is worse on the validation data than the one it
    started with. ``best_epoch_`` is the epoch whose weights are returned
    (the number of epochs before this call when the start was kept) and
    ``stopped_`` says whether patience ran out (rather than ``max_epochs``).
    """

    def __init__(self, dataset_valid=None, **kwargs):
        super().__init__(load_best=dataset_valid is not None, **kwargs)
        self.dataset_valid = dataset_valid

    def on_train_begin(self, net, **kwargs):
        super().on_train_begin(net, **kwargs)
        self.stopped_ = False
        self.start_loss_ = None
        if self.dataset_valid is None:
            return
        total, count = 0.0, 0
        for batch in net.get_iterator(self.dataset_valid, training=False):
            loss = net.validation_step(batch)["loss"].item()
            n_rows = batch_rows(batch[0])
            total += loss * n_rows
            count += n_rows
        self.start_loss_ = total / count
        # skorch's own state (pinned by tests/test_net.py): the threshold an
        # epoch must beat, and the weights and epoch to restore at the end.
        self.dynamic_threshold_ = self._calc_new_threshold(self.start_loss_)
        self.best_model_weights_ = deepcopy(net.module_.state_dict())
        self.best_epoch_ = len(net.history)  # the epoch before this call's first

    def on_epoch_end(self, net, **kwargs):
        try:
            super().on_epoch_end(net, **kwargs)
        except KeyboardInterrupt:
            self.stopped_ = True
            raise

    def forget_data(self):
        """Drop the validation rows and the weight copy (a fitted model keeps neither)."""
        self.dataset_valid = None
        self.best_model_weights_ = None
