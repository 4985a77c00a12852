"""Shared training base of every estimator in the package.

It owns what all estimators have in common: the training parameters (named as
in ``MLPClassifier``), seeding, device choice, the validation split, building
and driving the skorch net, divergence checks, batched inference and the
fitted attributes ``n_iter_``, ``loss_curve_``, ``validation_loss_curve_`` and
``best_loss_``. Subclasses supply the data set, the torch module and the loss.
"""

import numbers
import warnings
from abc import ABCMeta, abstractmethod
from copy import deepcopy
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils._param_validation import Interval, StrOptions
from skorch.helper import predefined_split
from skorch.utils import noop

from sklearn_dl._data import place_on_device, to_device
from sklearn_dl._doc_link import DocLinkMixin
from sklearn_dl._net import DivergenceGuard, EarlyStoppingFromStart, SkorchNet
from sklearn_dl._persistence import net_from_state, net_to_state
from sklearn_dl.nn._random import use_generator

# Constraints of the parameters every estimator shares (MLPClassifier's names).
TRAINING_PARAMETER_CONSTRAINTS = {
    "dropout": [Interval(Real, 0, 1, closed="left")],
    "alpha": [Interval(Real, 0, None, closed="left")],
    "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
    "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
    "max_iter": [Interval(Integral, 1, None, closed="left")],
    "early_stopping": ["boolean"],
    "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
    "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
    "tol": [Interval(Real, 0, None, closed="left")],
    "warm_start": ["boolean"],
    "random_state": ["random_state"],
    "verbose": ["verbose"],
    "device": [StrOptions({"cpu", "cuda", "auto"})],
    # One meaning of ``dtype`` across the package (as in SequenceEncoder and
    # OneHotEncoder): a numpy dtype, its name or its scalar type; here it must
    # be float32 or float64 (checked by ``float_dtype_name``).
    "dtype": [type, np.dtype, str],
}

# Rows per forward pass at inference: bounds the extra memory of
# transform/predict on millions of rows, and on wide rows (at most about
# INFERENCE_BATCH_VALUES input values, 8 MB in float64, per batch).
INFERENCE_BATCH_SIZE = 4096
INFERENCE_BATCH_VALUES = 2**20


def resolve_device(device):
    """Map the ``device`` parameter to a torch device string, with a clear error."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            "device='cuda' was requested but PyTorch finds no CUDA device "
            f"(torch {torch.__version__}). Use device='cpu' or device='auto'."
        )
    return device


def check_positive_ints(value, name, *, allow_empty=True):
    """``value`` (an int or ints) as a tuple of positive ints, or a clear ValueError."""
    sizes = tuple(np.atleast_1d(np.asarray(value, dtype=object)).tolist())
    positive = all(isinstance(s, Integral) and not isinstance(s, bool) and s > 0 for s in sizes)
    if not positive or not (sizes or allow_empty):
        raise ValueError(f"{name} must be positive integers, got {value!r}.")
    return sizes


def float_dtype_name(dtype):
    """``"float32"`` or ``"float64"`` for a ``dtype`` parameter, with a clear error otherwise."""
    try:
        name = np.dtype(dtype).name
    except TypeError:
        name = None
    if name not in ("float32", "float64"):
        raise ValueError(
            f"dtype must be float32 or float64 (a name, a numpy type or dtype), got {dtype!r}."
        )
    return name


def draw_seed(random_state):
    """An int seed from ``random_state`` without touching any global RNG for ints or None."""
    if random_state is None:
        return int(np.random.SeedSequence().entropy % (2**63))
    if isinstance(random_state, numbers.Integral):
        return int(random_state)
    return int(random_state.randint(np.iinfo(np.int32).max))


class TrainingRandomness:
    """The private random generators of one estimator's training.

    Every random draw of a fit (weight initialisation, the validation split,
    the PCA start, shuffling, dropout, noise, the VAE's samples) comes from
    these ``torch.Generator`` objects, never from torch's or numpy's global
    state: concurrent fits in threads cannot interleave their draws, and a
    fit never moves the caller's random stream. ``cpu`` serves the draws
    made on the CPU (initialisation, shuffling); ``device`` those made on the
    training device (dropout, noise), the same object on CPU.

    A fresh fit seeds both from ``random_state``; warm starts and
    ``partial_fit`` continue from the states the previous call saved in the
    estimator (``_rng_state``: plain arrays, saved with the model).
    """

    def __init__(self, estimator, device, fresh):
        self.device_name = device
        self.cpu = torch.Generator()
        self.device = self.cpu if device == "cpu" else torch.Generator(device=device)
        saved = getattr(estimator, "_rng_state", None)
        if fresh or saved is None:
            seed = draw_seed(estimator.random_state)
            self.cpu.manual_seed(seed)
            if self.device is not self.cpu:
                self.device.manual_seed(seed)
            return
        self.cpu.set_state(torch.from_numpy(saved["cpu"].copy()))
        if self.device is not self.cpu:
            if saved["device"] == device:
                self.device.set_state(torch.from_numpy(saved["device_state"].copy()))
            else:  # trained elsewhere before: continue from the CPU stream
                self.device.manual_seed(self.seed())

    def seed(self):
        """A 31-bit int drawn from the CPU generator (to seed scikit-learn helpers)."""
        return int(torch.randint(np.iinfo(np.int32).max, (), generator=self.cpu))

    def save(self, estimator):
        separate = self.device is not self.cpu
        estimator._rng_state = {
            "cpu": self.cpu.get_state().numpy(),
            "device": self.device_name,
            "device_state": self.device.get_state().cpu().numpy() if separate else None,
        }


def _effective_n_samples(dataset):
    weight = dataset.weight
    n = len(dataset) if weight is None else float(weight.sum())
    return max(n, 1e-12)


class BaseNeuralEstimator(DocLinkMixin, BaseEstimator, metaclass=ABCMeta):
    """Training machinery of every estimator; subclasses implement the hooks below.

    Required (abstract):

    - ``_module_spec(dataset)``: a dict of plain values (ints, floats,
      strings, lists) that fixes the torch module's structure, read from the
      parameters and the fitted attributes. Recorded at the first fit; a
      warm start or ``partial_fit`` whose spec differs is refused, and
      loading a saved model rebuilds the module from it;
    - ``_build_module(spec, generator)``: the torch module for ``spec``, its
      random initialisation drawn from ``generator``;
    - ``_make_criterion()``: a module computing ``loss(output, target, inputs)``,
      rebuilt at every call from the current parameters and fitted attributes.

    Optional:

    - ``_init_module(module, dataset, randomness)``: data-driven
      initialisation of a new module (PCA start, count statistics); the
      data set's tensors are on the training device;
    - ``_extra_callbacks()``: skorch callbacks a family adds (gradient clipping);
    - ``_auto_batch_size(n_samples)``: what ``batch_size="auto"`` means;
    - ``_starting_point_doc(epochs_before)``: how warnings name the start;
    - ``_plans_max_iter()``: whether running all ``max_iter`` epochs is the
      plan (a schedule ending there), so reaching it is no ConvergenceWarning;
    - ``_decay_exempt``: parameter-name patterns without weight decay.

    Subclasses build a training data set (``_data.TrainingData``) and call
    :meth:`_train`; inference goes through :meth:`_infer`.
    """

    _decay_exempt = ("*bias",)

    # ---------------------------------------------------------------- training
    def _starts_fresh(self, incremental):
        """Whether this fit builds a new model (else it continues ``net_``)."""
        return not (hasattr(self, "net_") and (incremental or self.warm_start))

    def _auto_batch_size(self, n_samples):
        return min(200, n_samples)  # MLPClassifier's "auto"

    def _batch_size(self, n_samples):
        if self.batch_size == "auto":
            return self._auto_batch_size(n_samples)
        return min(self.batch_size, n_samples)

    def _validation_split(self, dataset, stratify, randomness):
        """Split off ``validation_fraction`` of the rows, stratified for classifiers.

        Returns ``(train, None)`` when the data are too few to hold out a
        useful validation set (fewer than 2 validation rows, or no training
        rows left); stopping then monitors the training loss.
        """
        n = len(dataset)
        n_valid = int(np.ceil(self.validation_fraction * n))
        if n_valid < 2 or n - n_valid < 1:
            return dataset, None
        seed = randomness.seed()
        idx = np.arange(n)
        try:
            train_idx, valid_idx = train_test_split(
                idx, test_size=n_valid, random_state=seed, stratify=stratify
            )
        except ValueError:  # too few members of a class to stratify
            train_idx, valid_idx = train_test_split(idx, test_size=n_valid, random_state=seed)
        return dataset.subset(np.sort(train_idx)), dataset.subset(np.sort(valid_idx))

    @property
    def _torch_dtype(self):
        return torch.float64 if float_dtype_name(self.dtype) == "float64" else torch.float32

    @property
    def _numpy_dtype(self):
        return np.float64 if float_dtype_name(self.dtype) == "float64" else np.float32

    @abstractmethod
    def _module_spec(self, dataset):
        """The plain values that fix the module's structure (see the class docstring)."""

    @abstractmethod
    def _build_module(self, spec, generator):
        """The torch module for ``spec``, initialised from ``generator``."""

    @abstractmethod
    def _make_criterion(self):
        """The loss module, ``loss(output, target, inputs)``."""

    def _init_module(self, module, dataset, randomness):
        """Data-driven initialisation of a new module (default: none)."""

    def _extra_callbacks(self):
        """``[(name, skorch callback), ...]`` a family of estimators adds to training."""
        return []

    def _new_net(self, module, device):
        net = SkorchNet(
            module=module,
            criterion=self._make_criterion(),
            optimizer=torch.optim.Adam,
            lr=self.learning_rate_init,
            optimizer__param_groups=[
                (p, {"weight_decay": 0.0, "decay_exempt": True}) for p in self._decay_exempt
            ],
            train_split=None,
            device=device,
            verbose=self.verbose,
        ).initialize()
        net.inference_copies = {}
        return net

    def _check_same_structure(self, spec, device):
        """A warm start or ``partial_fit`` continues the network: refuse a changed one."""
        changed = {
            key: (self._spec[key], spec[key]) for key in spec if spec[key] != self._spec.get(key)
        }
        if changed:
            what = ", ".join(f"{key} ({old!r} -> {new!r})" for key, (old, new) in changed.items())
            raise ValueError(
                f"The network was built with other settings than the current ones: {what}. "
                "warm_start=True and partial_fit continue training the network built by the "
                "first fit; to build a new one, set warm_start=False and call fit (or clone "
                "the estimator)."
            )
        if str(self.net_.device) != device:
            raise ValueError(
                f"The network was trained on device {str(self.net_.device)!r}, but device "
                f"resolves to {device!r} now; warm_start and partial_fit continue on the "
                "device of the first fit."
            )

    def _configure_call(self, net, dataset, valid, incremental):
        """Settings of this call (they may change between warm starts).

        Through skorch's public ``set_params`` and ``initialize_callbacks``.
        The criterion (rebuilt from the current parameters, on the net's
        device) goes in through ``initialize_criterion``: ``set_params``
        would re-initialise the optimiser too and lose Adam's state. The
        learning rate and weight decay go through the optimiser's
        ``param_groups`` (PyTorch's documented way), so that state carries over.
        """
        monitor = "valid_loss" if valid is not None else "train_loss"
        callbacks = [("divergence_guard", DivergenceGuard())] + self._extra_callbacks()
        if not incremental:
            stopper = EarlyStoppingFromStart(
                monitor=monitor,
                patience=self.n_iter_no_change,
                threshold=self.tol,
                threshold_mode="abs",
                dataset_valid=valid,
                sink=print if self.verbose else noop,
            )
            callbacks.append(("early_stopping", stopper))
        net.set_params(
            batch_size=self._batch_size(len(dataset)),
            max_epochs=1 if incremental else self.max_iter,
            train_split=None if valid is None else predefined_split(valid),
            verbose=self.verbose,
            callbacks=callbacks,
        )
        net.initialize_callbacks()
        net.criterion = self._make_criterion().to(net.device)
        net.initialize_criterion()
        # alpha: the L2 term alpha/2 * ||W||^2 divided by the number of
        # training samples of this call (the sum of sample weights, so that
        # weighted and repeated rows agree; validation rows excluded), i.e.
        # Adam's weight decay alpha / n. MLPClassifier divides by each batch's
        # size instead (stronger).
        decay = self.alpha / _effective_n_samples(dataset)
        for group in net.optimizer_.param_groups:
            group["lr"] = self.learning_rate_init
            # A learning-rate schedule of this call starts from the rate above
            # (PyTorch's schedulers keep the first call's under "initial_lr").
            group.pop("initial_lr", None)
            group["weight_decay"] = 0.0 if group.get("decay_exempt") else decay
        return monitor

    def _train(self, dataset, *, incremental=False, stratify=None):
        """Fit on ``dataset``: a full fit, a warm start, or one pass (``incremental``).

        A fit that fails leaves no half-updated model behind: a new model is
        dropped with everything the fit had set (the estimator is unfitted),
        a continued one goes back to where it was (a training that diverges
        would otherwise leave weights that output NaN).
        """
        fresh = self._starts_fresh(incremental)
        snapshot = None if fresh else _Snapshot(self.net_)
        try:
            net, epochs_before, monitor, randomness = self._run_training(
                dataset, fresh, incremental, stratify
            )
        except BaseException as exc:
            if snapshot is None:
                self._forget_fit()
            else:
                snapshot.restore(self.net_)
            if isinstance(exc, FloatingPointError):
                raise ValueError(str(exc)) from None
            raise
        self.net_ = net
        randomness.save(self)
        self._record_history(epochs_before, monitor, incremental)
        return self

    def _run_training(self, dataset, fresh, incremental, stratify):
        device = resolve_device(self.device)
        spec = self._module_spec(dataset)
        randomness = TrainingRandomness(self, device, fresh)
        if not fresh:
            self._check_same_structure(spec, device)
        # On a GPU, the data go there once (if they fit), before the PCA start
        # and the validation split, which then run there too.
        dataset = place_on_device(dataset, device)
        if fresh:
            # Built from all rows given to fit, before the validation split:
            # data-driven initialisation (PCA) sees what PCA itself would.
            module = self._build_module(spec, randomness.cpu).to(self._torch_dtype)
            self._init_module(module, dataset, randomness)
            net = self._new_net(module, device)
        else:
            net = self.net_
        valid = None
        if self.early_stopping and not incremental:
            dataset, valid = self._validation_split(dataset, stratify, randomness)
        monitor = self._configure_call(net, dataset, valid, incremental)
        epochs_before = len(net.history)
        net.generator = randomness.cpu
        try:
            with use_generator(net.module_, randomness.device):
                net.partial_fit(dataset)
        finally:
            net.generator = None
            net.inference_copies = {}  # the weights changed
            net.train_split = None  # holds the validation rows: not to be kept
            for _, callback in net.callbacks_:
                if isinstance(callback, EarlyStoppingFromStart):
                    # Nor does a fitted model keep the copy of the best weights.
                    callback.forget_data()
            # Inference never switches modes on the shared module (threads).
            net.module_.eval()
        self._spec = spec
        return net, epochs_before, monitor, randomness

    def _forget_fit(self):
        for name in [k for k in vars(self) if k.endswith("_") and not k.startswith("__")]:
            delattr(self, name)

    def _record_history(self, epochs_before, monitor, incremental):
        history = self.net_.history
        self.loss_curve_ = [float(v) for v in history[:, "train_loss"]]
        # Aligned with loss_curve_: NaN for epochs without a validation set
        # (partial_fit), so that epoch k of both curves is the same epoch.
        has_valid = any("valid_loss" in row for row in history)
        self.validation_loss_curve_ = (
            [float(row.get("valid_loss", np.nan)) for row in history] if has_valid else []
        )
        self.n_iter_ = len(history)
        stopper = dict(self.net_.callbacks_).get("early_stopping")
        if stopper is not None and stopper.load_best:
            # Early stopping restored the best epoch of this call, or kept the
            # starting point when no epoch beat it by ``tol``.
            self.best_epoch_ = int(stopper.best_epoch_)
            self.best_loss_ = float(
                stopper.start_loss_
                if self.best_epoch_ == epochs_before
                else history[self.best_epoch_ - 1, monitor]
            )
        else:
            this_call = [float(row[monitor]) for row in history[epochs_before:]]
            self.best_epoch_ = self.n_iter_
            self.best_loss_ = min(this_call)
        if incremental:
            return
        ran = self.n_iter_ - epochs_before
        what = "validation loss" if monitor == "valid_loss" else "training loss"
        if stopper is not None and stopper.load_best and self.best_epoch_ == epochs_before:
            warnings.warn(
                f"No epoch of training improved the {what} of the starting point by tol="
                f"{self.tol} within {ran} epochs, so the returned model is the starting point "
                f"({self._starting_point_doc(epochs_before)}; best_epoch_={self.best_epoch_}). "
                "Increase max_iter or n_iter_no_change, or change learning_rate_init or tol.",
                ConvergenceWarning,
                stacklevel=4,
            )
        elif ran == self.max_iter and not stopper.stopped_ and not self._plans_max_iter():
            warnings.warn(
                f"Maximum iterations ({self.max_iter}) reached before early stopping ended "
                f"training: the {what} improved by more than tol within the last "
                f"{self.n_iter_no_change} epochs (n_iter_no_change). Consider increasing "
                "max_iter.",
                ConvergenceWarning,
                stacklevel=4,
            )

    def _plans_max_iter(self):
        """Whether a fit is meant to run all ``max_iter`` epochs (no warning then).

        True for a learning-rate schedule that ends at ``max_iter``.
        """
        return False

    def _starting_point_doc(self, epochs_before):
        if epochs_before:
            return "the model before this warm start"
        return "the initial network"

    # --------------------------------------------------------------- inference
    @property
    def module_(self):
        """The trained ``torch.nn.Module`` (lives in ``net_``; one object, saved once)."""
        return self.net_.module_

    def _infer(self, fn, X, prepare=None, dtype=None):
        """Apply ``fn(module, batch) -> tensor`` over the rows of ``X``, batch by batch.

        The network runs in the higher of the input's precision (``dtype``,
        default X's) and the model's: float32 input on a float32 model gives
        float32 work (fast), float64 input float64 work, as scikit-learn
        estimators preserve dtypes; a float64 model is never cast down. In float32 a row's
        result can change in the last bit with the batch it is computed in
        (BLAS kernels depend on the batch size), which breaks the guarantee
        that a method gives the same result on a subset of rows; such calls
        run a float64 copy of the module (only ever cast up: a float64
        model's weights are never rounded).

        The fitted module itself is never modified (it stays in eval mode
        after training), so any number of threads may call inference on one
        fitted estimator at once.

        ``prepare(rows)`` maps raw rows to the module's input (an array, or a
        dict of arrays for modules with several inputs) one batch at a time,
        so extra memory stays bounded whatever ``len(X)`` (1e6 rows).
        """
        module = self.module_
        device = self.net_.device
        batch_size = INFERENCE_BATCH_SIZE
        if X.ndim == 2:
            batch_size = max(1, min(batch_size, INFERENCE_BATCH_VALUES // max(1, X.shape[1])))
        if dtype is None:
            dtype = np.float64 if X.dtype == np.float64 else np.float32
        module_dtype = next(module.parameters()).dtype
        up = dtype == np.float64 or module_dtype == torch.float64
        torch_dtype = torch.float64 if up else torch.float32
        if module.training:  # put in training mode by hand: a private eval copy
            module = deepcopy(module).to(torch_dtype).eval()
        elif torch_dtype != module_dtype:
            # One copy per precision, made on first use and shared by later
            # calls and threads (two threads may both make it: either is right).
            copies = self.net_.inference_copies
            if torch_dtype not in copies:
                copies[torch_dtype] = deepcopy(module).to(torch_dtype).eval()
            module = copies[torch_dtype]
        # One output array, filled batch by batch: a list of per-batch results
        # joined at the end needed twice the output's memory, and the retained
        # small arrays fragmented the heap between the per-batch temporaries
        # (extra memory at 1e6 rows: benchmarks/RESULTS.md, part scaling).
        out = None

        def to_tensor(a, where=device):
            if isinstance(a, np.ndarray) and not a.flags.writeable:
                a = a.copy()  # torch warns on read-only arrays (e.g. from pandas)
            a = torch.as_tensor(a, device=where)
            return a.to(torch_dtype) if a.is_floating_point() else a

        with torch.no_grad():
            for start in range(0, X.shape[0], batch_size):
                rows = X[start : start + batch_size]
                if prepare is not None:
                    rows = prepare(rows)
                if isinstance(rows, dict):
                    # Built on the host, moved as training batches are
                    # (to_device keeps the inputs the module reads there).
                    batch = {key: to_tensor(value, "cpu") for key, value in rows.items()}
                    batch = to_device(batch, device)
                else:
                    batch = to_tensor(rows)
                result = fn(module, batch).cpu().numpy()
                if out is None:
                    out = np.empty((X.shape[0], *result.shape[1:]), dtype=result.dtype)
                out[start : start + len(result)] = result
        return out

    # ------------------------------------------------------------- persistence
    def __getstate__(self):
        state = dict(super().__getstate__())  # a copy: object's is __dict__ itself
        if isinstance(state.get("net_"), SkorchNet):
            state["net_"] = net_to_state(state["net_"], self._spec)
        return state

    def __setstate__(self, state):
        saved = state.get("net_")
        if saved is not None:
            state = dict(state)
            state["net_"] = None
        super().__setstate__(state)
        if saved is not None:
            self.net_ = net_from_state(self, saved)


class _Snapshot:
    """What a continued training changes in a net, to go back on divergence."""

    def __init__(self, net):
        self.module = {k: v.detach().clone() for k, v in net.module_.state_dict().items()}
        self.optimizer = deepcopy(net.optimizer_.state_dict())
        self.n_epochs = len(net.history)

    def restore(self, net):
        net.module_.load_state_dict(self.module)
        net.optimizer_.load_state_dict(self.optimizer)
        del net.history[self.n_epochs :]
