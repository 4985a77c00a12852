"""Shared training base of every estimator in the package.

It owns what all estimators have in common: the training parameters (named as
in ``MLPClassifier``), seeding, device choice, the validation split, building
and driving the skorch net, divergence checks, batched inference and the
fitted attributes ``n_iter_``, ``loss_curve_``, ``validation_loss_curve_`` and
``best_loss_``. Subclasses supply the data set, the torch module and the loss.
"""

import numbers
import warnings
from contextlib import contextmanager
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils._param_validation import Interval, StrOptions
from skorch.helper import predefined_split
from skorch.utils import noop

from sklearn_dl._net import DivergenceGuard, EarlyStoppingFromStart, SkorchNet

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
    "dtype": [StrOptions({"float32", "float64"})],
}

# Rows per forward pass at inference: bounds the extra memory of
# transform/predict on millions of rows.
INFERENCE_BATCH_SIZE = 4096


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


def draw_seed(random_state):
    """An int seed from ``random_state`` without touching any global RNG for ints or None."""
    if random_state is None:
        return int(np.random.SeedSequence().entropy % (2**63))
    if isinstance(random_state, numbers.Integral):
        return int(random_state)
    return int(random_state.randint(np.iinfo(np.int32).max))


@contextmanager
def seeded_torch(estimator, device, fresh):
    """Run training on a private copy of torch's RNG state.

    Weight init, shuffling, dropout and noise all draw from torch's default
    generator; ``fork_rng`` saves the caller's state and restores it on exit,
    so fitting never changes the caller's random stream. A fresh fit seeds
    from ``random_state``; warm starts and ``partial_fit`` continue from the
    state the previous call left (kept in ``_torch_rng_state``).
    """
    cuda_devices = [torch.device(device).index or 0] if device.startswith("cuda") else []
    with torch.random.fork_rng(devices=cuda_devices):
        if fresh or not hasattr(estimator, "_torch_rng_state"):
            seed = draw_seed(estimator.random_state)
            torch.default_generator.manual_seed(seed)
            if cuda_devices:
                torch.cuda.manual_seed(seed)
        else:
            torch.set_rng_state(estimator._torch_rng_state)
            if cuda_devices and estimator._cuda_rng_state is not None:
                torch.cuda.set_rng_state(estimator._cuda_rng_state)
        yield
        estimator._torch_rng_state = torch.get_rng_state()
        estimator._cuda_rng_state = torch.cuda.get_rng_state() if cuda_devices else None


def _effective_n_samples(dataset):
    weight = getattr(dataset, "weight", None)
    n = len(dataset) if weight is None else float(weight.sum())
    return max(n, 1e-12)


class BaseNeuralEstimator(BaseEstimator):
    """Training machinery; subclasses implement the four hooks below.

    - ``_make_module(train_dataset)``: the torch module, built once the training
      data are known (shapes, data-driven initialisation);
    - ``_make_criterion()``: a module computing ``loss(output, target, inputs)``;
    - ``_decay_exempt``: parameter-name patterns without weight decay;
    - the data set passed to :meth:`_train`, which provides ``batches`` and ``subset``.
    """

    _decay_exempt = ("*bias",)

    # ---------------------------------------------------------------- training
    def _starts_fresh(self, incremental):
        """Whether this fit builds a new model (else it continues ``net_``)."""
        return not (hasattr(self, "net_") and (incremental or self.warm_start))

    _AUTO_BATCH_SIZE_DOC = "``min(200, n_samples)`` as in ``MLPClassifier``"

    def _auto_batch_size(self, n_samples):
        return min(200, n_samples)  # MLPClassifier's "auto"

    def _batch_size(self, n_samples):
        if self.batch_size == "auto":
            return self._auto_batch_size(n_samples)
        return min(self.batch_size, n_samples)

    def _validation_split(self, dataset, stratify):
        """Split off ``validation_fraction`` of the rows, stratified for classifiers.

        Returns ``(train, None)`` when the data are too few to hold out a
        useful validation set (fewer than 2 validation rows, or no training
        rows left); stopping then monitors the training loss.
        """
        n = len(dataset)
        n_valid = int(np.ceil(self.validation_fraction * n))
        if n_valid < 2 or n - n_valid < 1:
            return dataset, None
        seed = int(torch.randint(np.iinfo(np.int32).max, ()))
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
        return torch.float64 if self.dtype == "float64" else torch.float32

    @property
    def _numpy_dtype(self):
        return np.float64 if self.dtype == "float64" else np.float32

    def _new_net(self, device, dataset):
        return SkorchNet(
            module=self._make_module(dataset).to(self._torch_dtype),
            criterion=self._make_criterion(),
            optimizer=torch.optim.Adam,
            lr=self.learning_rate_init,
            # alpha: the L2 term alpha/2 * ||W||^2 divided by the number of
            # training samples (the sum of sample weights, so that weighted and
            # repeated rows agree), i.e. Adam's weight decay alpha / n.
            # MLPClassifier divides by each batch's size instead (stronger).
            optimizer__weight_decay=self.alpha / _effective_n_samples(dataset),
            optimizer__param_groups=[(p, {"weight_decay": 0.0}) for p in self._decay_exempt],
            batch_size=self._batch_size(len(dataset)),
            max_epochs=self.max_iter,
            train_split=None,
            device=device,
            verbose=self.verbose,
            # Our modules are our own classes: let pickle restore them.
            torch_load_kwargs={"weights_only": False},
        ).initialize()

    def _train(self, dataset, *, incremental=False, stratify=None):
        """Fit on ``dataset``: a full fit, a warm start, or one pass (``incremental``)."""
        device = resolve_device(self.device)
        fresh = self._starts_fresh(incremental)
        with seeded_torch(self, device, fresh=fresh):
            if fresh:
                # Built from all rows given to fit, before the validation split:
                # data-driven initialisation (PCA) sees what PCA itself would.
                self.net_ = self._new_net(device, dataset)
            valid = None
            if self.early_stopping and not incremental:
                dataset, valid = self._validation_split(dataset, stratify)
            net = self.net_
            net.batch_size = self._batch_size(len(dataset))
            net.max_epochs = 1 if incremental else self.max_iter
            net.train_split = None if valid is None else predefined_split(valid)
            net.verbose = self.verbose
            net.callbacks = [("divergence_guard", DivergenceGuard())]
            net.callbacks += self._extra_callbacks()
            monitor = "valid_loss" if valid is not None else "train_loss"
            if not incremental:
                net.callbacks.append(
                    (
                        "early_stopping",
                        EarlyStoppingFromStart(
                            monitor=monitor,
                            patience=self.n_iter_no_change,
                            threshold=self.tol,
                            threshold_mode="abs",
                            dataset_valid=valid,
                            sink=print if self.verbose else noop,
                        ),
                    )
                )
            net.initialize_callbacks()
            epochs_before = len(net.history)
            try:
                net.partial_fit(dataset)
            except FloatingPointError as exc:
                # Never leave a diverged model behind that would output NaN.
                self._forget_fit()
                raise ValueError(str(exc)) from None
            net.train_split = None  # holds the validation rows: not to be pickled
        self._record_history(epochs_before, monitor, incremental)
        return self

    def _extra_callbacks(self):
        """``[(name, skorch callback), ...]`` a family of estimators adds to training."""
        return []

    def _forget_fit(self):
        for name in [k for k in vars(self) if k.endswith("_") and not k.startswith("__")]:
            delattr(self, name)

    def _record_history(self, epochs_before, monitor, incremental):
        history = self.net_.history
        self.loss_curve_ = [float(v) for v in history[:, "train_loss"]]
        self.validation_loss_curve_ = [
            float(row["valid_loss"]) for row in history if "valid_loss" in row
        ]
        self.n_iter_ = len(history)
        this_call = [float(row[monitor]) for row in history[epochs_before:]]
        self.best_loss_ = min(this_call)
        if not incremental and len(this_call) == self.max_iter:
            warnings.warn(
                f"Maximum iterations ({self.max_iter}) reached and the {monitor.replace('_', ' ')} "
                "was still improving. Consider increasing max_iter.",
                ConvergenceWarning,
                stacklevel=4,
            )

    # --------------------------------------------------------------- inference
    @property
    def module_(self):
        """The trained ``torch.nn.Module`` (lives in ``net_``; one object, pickled once)."""
        return self.net_.module_

    def _infer(self, fn, X, prepare=None, batch_size=INFERENCE_BATCH_SIZE, dtype=None):
        """Apply ``fn(batch) -> tensor`` over the rows of ``X`` in eval mode, batch by batch.

        The network runs in the precision of the input (``dtype``, default
        X's): float32 input gives float32 work (fast), float64 input float64
        work, as scikit-learn estimators preserve dtypes. In float32 a row's
        result can change in the last bit with the batch it is computed in
        (BLAS kernels depend on the batch size), which breaks the guarantee
        that a method gives the same result on a subset of rows; the module is
        switched to float64 and back (an exact round trip) for such calls.

        ``prepare(rows)`` maps raw rows to the module's input (an array, or a
        dict of arrays for modules with several inputs) one batch at a time,
        so extra memory stays bounded whatever ``len(X)`` (1e6 rows).
        """
        module = self.module_
        device = self.net_.device
        if dtype is None:
            dtype = np.float64 if X.dtype == np.float64 else np.float32
        # Only ever cast up (float32 -> float64 -> float32 is exact; the
        # reverse would round a float64 model's weights for good), and restore
        # the precision the module has, whatever ``dtype`` says now.
        module_dtype = next(module.parameters()).dtype
        up = dtype == np.float64 or module_dtype == torch.float64
        torch_dtype = torch.float64 if up else torch.float32
        was_training = module.training
        module.eval()
        module.to(torch_dtype)
        # One output array, filled batch by batch: a list of per-batch results
        # joined at the end needed twice the output's memory, and the retained
        # small arrays fragmented the heap between the per-batch temporaries
        # (1e6 rows: ~280 MB extra resident memory instead of ~the output's).
        out = None

        def to_tensor(a):
            a = torch.as_tensor(a, device=device)
            return a.to(torch_dtype) if a.is_floating_point() else a

        try:
            with torch.no_grad():
                for start in range(0, len(X), batch_size):
                    rows = X[start : start + batch_size]
                    if prepare is not None:
                        rows = prepare(rows)
                    if isinstance(rows, dict):
                        batch = {key: to_tensor(value) for key, value in rows.items()}
                    else:
                        batch = to_tensor(rows)
                    result = fn(batch).cpu().numpy()
                    if out is None:
                        out = np.empty((len(X), *result.shape[1:]), dtype=result.dtype)
                    out[start : start + len(result)] = result
        finally:
            module.to(module_dtype)
            module.train(was_training)
        return out
