"""The skorch side: a private ``NeuralNet`` that takes batches from our datasets.

skorch stays the training engine (fit loop, callbacks, history, early stopping,
device handling). ``SkorchNet`` changes three hooks of substance:

- ``get_iterator`` asks the dataset for its batches. Our datasets slice
  pre-built tensors, instead of skorch's default ``DataLoader`` that collates
  sample by sample (plain skorch against a hand-written loop:
  ``benchmarks/RESULTS.md``, part overhead).
- ``get_loss`` hands the criterion the batch input too, so one criterion
  signature ``(output, target, inputs)`` serves autoencoders (target = input),
  weighted classification and regression. ``get_iterator`` moves whole
  batches (input, target, weights) to the net's device, once (a no-op for
  data the estimator already put there: ``_data.place_on_device``).
- ``run_single_epoch`` (public, documented) records the batch losses in the
  history at the end of the epoch, all at once, instead of reading each
  batch's loss as it comes (``loss.item()``): on a GPU every such read makes
  the host wait for the device, which then idles while the host prepares the
  next batch.

and three for speed: ``notify`` skips callbacks that do not override a hook,
``_set_training`` (a private skorch method) only switches on a change of
mode, and ``get_default_callbacks`` leaves out skorch's ``PrintLog`` at
verbose=0 (what each saves: ``benchmarks/RESULTS.md``, part
skorch_overrides). ``EarlyStoppingFromStart`` seeds skorch's
``EarlyStopping`` state before the first epoch. The private parts relied on
are pinned by ``tests/test_net.py`` and bounded by ``skorch<2``. The net is
never pickled: estimators save it as plain arrays (``_persistence.py``).
"""

from copy import deepcopy

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback, EarlyStopping

from sklearn_dl._data import batch_rows, to_device


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

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        # skorch's loop with one change: the losses stay on the device until
        # the epoch ends (or is interrupted), then go to the history in one
        # transfer. The history reads the same as skorch's once the epoch
        # has ended, when the epoch's scoring reads it; a batch-end hook
        # finds no loss of its own batch there yet (the step's loss is among
        # its arguments). No callback of this package reads batch losses.
        if iterator is None:
            return
        pending = []  # (the batch's row of the history, its loss on the device)
        try:
            for batch in iterator:
                self.notify("on_batch_begin", batch=batch, training=training)
                step = step_fn(batch, **fit_params)
                pending.append((self.history[-1]["batches"][-1], step["loss"].detach()))
                self.history.record_batch(prefix + "_batch_size", batch_rows(batch[0]))
                self.notify("on_batch_end", batch=batch, training=training, **step)
        finally:
            if pending:
                values = torch.stack([loss for _, loss in pending]).tolist()
                for (row, _), value in zip(pending, values):
                    row[prefix + "_loss"] = value
        self.history.record(prefix + "_batch_count", len(pending))

    def get_loss(self, y_pred, y_true, X=None, training=False):
        # The batch is already on the net's device (get_iterator moves it).
        return self.criterion_(y_pred, y_true, X)

    def get_default_callbacks(self):
        # skorch's PrintLog formats a table row at every epoch, also at
        # verbose=0 where it prints nothing: left out then (what it saves:
        # benchmarks/RESULTS.md, part skorch_overrides).
        callbacks = super().get_default_callbacks()
        if not self.verbose:
            callbacks = [(name, cb) for name, cb in callbacks if name != "print_log"]
        return callbacks

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
        losses, rows = [], []
        for batch in net.get_iterator(self.dataset_valid, training=False):
            losses.append(net.validation_step(batch)["loss"].detach())
            rows.append(batch_rows(batch[0]))
        # One read from the device for all batches (as SkorchNet.run_single_epoch).
        values = torch.stack(losses).tolist()
        self.start_loss_ = sum(loss * n for loss, n in zip(values, rows)) / sum(rows)
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
