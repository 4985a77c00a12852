"""Recurrent sequence classifiers and regressors: RNN, LSTM and GRU.

One implementation, ``RecurrentClassifier`` / ``RecurrentRegressor``, with a
``cell`` parameter that GridSearchCV can search over; ``RNNClassifier``,
``LSTMClassifier``, ``GRUClassifier`` (and the regressors) are thin
subclasses whose cell is fixed by the class (a class attribute, not a
parameter), as ``MLPClassifier`` / ``MLPRegressor`` are thin classes over one
base.
"""

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import ClassifierMixin, RegressorMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _check_sample_weight,
    check_array,
    check_consistent_length,
    check_is_fitted,
    column_or_1d,
)
from skorch.callbacks import GradientNormClipping, LRScheduler
from torch.optim.lr_scheduler import CosineAnnealingLR

from sklearn_dl._base import (
    TRAINING_PARAMETER_CONSTRAINTS,
    BaseNeuralEstimator,
    check_positive_ints,
    float_dtype_name,
)
from sklearn_dl._data import SequenceDataset, padded_batch
from sklearn_dl._docstrings import fill_doc
from sklearn_dl._missing import observed_means, with_missing_features
from sklearn_dl._scaling import column_mean_and_std, column_scales, standardize
from sklearn_dl._sequences import check_sequences, check_token_ids, token_positions
from sklearn_dl.nn._losses import WeightedCrossEntropyLoss, WeightedMSELoss
from sklearn_dl.nn.recurrent import CELLS, POOLINGS, RecurrentModule


def _as_tensor(weight, estimator):
    return None if weight is None else torch.as_tensor(weight, dtype=estimator._torch_dtype)


def _weighted_mean_and_scale(values, weight):
    """Column means and standard deviations (1 where constant), optionally weighted."""
    mean, std = column_mean_and_std(values, weight)
    return mean, column_scales(std)


# Shared texts of the recurrent estimators' docstrings.
_CELL_PARAMETER = """\
cell : {"rnn", "lstm", "gru"}, default="gru"
    Recurrent cell, searchable with GridSearchCV. ``RNNClassifier``,
    ``LSTMClassifier`` and ``GRUClassifier`` (and the regressors) are this
    estimator with the cell fixed by the class.

"""

_RECURRENT_PARAMETERS = """\
hidden_size : int, default=32
    Width of the recurrent state.

num_layers : int, default=1
    Number of stacked recurrent layers.

bidirectional : bool, default=False
    Also read the sequences backwards.

pooling : {"concat", "max", "mean", "last", "attention"}, default="concat"
    How the per-step outputs become one vector: ``"concat"`` puts the final
    state, the mean and the maximum over the valid steps side by side (as in
    ULMFiT); the others use one of them, or a learned attention weighting.
    ``"concat"`` was the most reliable default across the shipped UCR/UEA
    sets and cells when it was chosen (``benchmarks/RESULTS.md``, part
    sequence_seeds, compares it with ``"max"``).

conv_channels : int or None, default=32
    Width of a convolutional front-end before the recurrence: convolutions
    (``conv_kernel_sizes``, each with a ReLU) over the time steps, then a
    max-pooling in time (``max_steps``), so that the recurrence reads short
    sequences of learned local features instead of long raw ones (as LSTM-FCN
    and DeepConvLSTM do). None: no front-end, the recurrence reads the input
    steps themselves.

conv_kernel_sizes : tuple of int, default=(7, 5)
    Kernel size (in time steps) of each convolution of the front-end.

max_steps : int or None, default=64
    The front-end max-pools the convolution outputs by
    ``ceil(longest training sequence / max_steps)``, fixed at the first fit
    (``pool_size_``), so the recurrence runs over at most about ``max_steps``
    steps. None: no pooling. Ignored without a front-end.

embedding_dim : int or None, default=None
    None: X holds float features per step. An int: X holds integer token ids
    (words, k-mers, amino acids), one per step: a 2-D int array of
    equal-length sequences, a list of 1-D int arrays, or the output of
    ``SequenceEncoder(encoding="ordinal")``. Each id seen in the first fit
    (``tokens_``) gets a learned vector of this width (``torch.nn.Embedding``);
    ids never seen there share one "unknown" vector, all zeros and never
    trained. Negative or non-integer ids raise a ValueError.

missing : {"error", "mask"}, default="error"
    NaN inside a sequence (trailing all-NaN steps are always padding).
    "error": a ValueError naming the sequence and step. "mask": allowed
    anywhere, one feature at a step or a whole step; each feature then
    reaches the model as three, GRU-D's inputs (Che et al., 2018, without
    its learned decay): its last observed value in the sequence (the
    training mean before the first observation), a 0/1 "observed" indicator,
    and the number of steps since it was last observed. So the model sees
    which values were measured, and when, not only their values.

learning_rate_schedule : {"cosine", "constant"}, default="cosine"
    "cosine": within each call to ``fit``, the learning rate falls from
    ``learning_rate_init`` to 0 along a half cosine over ``max_iter`` epochs
    (Loshchilov and Hutter, 2017), so the last epochs make small steps;
    ``partial_fit`` (one epoch per call) runs at ``learning_rate_init``.
    "constant": ``learning_rate_init`` throughout.

max_grad_norm : float or None, default=1.0
    Clip the gradient's total norm to this value before each optimiser step
    (the usual remedy for exploding gradients in recurrent nets; it made the
    plain RNN train reliably on the shipped sets). None: no clipping.
"""

_RECURRENT_ATTRIBUTES = """\
n_channels_ : int
    Number of features per time step seen in fit.

mean_, scale_ : ndarray of shape (n_channels,) or None
    Per-feature standardisation of the input (over all time steps); of shape
    (3 * n_channels,) with ``missing="mask"`` (values, indicators, steps
    since); None with ``embedding_dim`` (token ids are not scaled).

missing_fill_ : ndarray of shape (n_channels,) or None
    With ``missing="mask"``: the training mean of each feature's observed
    values, its value before its first observation in a sequence; None
    otherwise.

tokens_ : ndarray of shape (n_tokens,) or None
    With ``embedding_dim``: the sorted token ids seen in the first fit, each
    with its own embedding row; None otherwise.

pool_size_ : int
    Max-pooling factor of the convolutional front-end (1: none).
"""

_SEQUENCE_FORMATS = """\
Input sequences may be a 2-D array (n_samples, n_timesteps), a 3-D array
(n_samples, n_timesteps, n_features), a list of arrays of shape (T_i,) or
(T_i, n_features) of different lengths, or arrays NaN-padded at the end;
strings go through :class:`SequenceEncoder` first. Sequences are batched by
length and each one's result reads only its own steps, so a prediction does
not depend on the other sequences in its batch.

The defaults differ from ``MLPClassifier``'s where small time-series sets
need it: ``batch_size="auto"`` aims at about 8 batches per epoch (16 to 200
sequences), ``learning_rate_init`` is 0.01, and training runs ``max_iter=300``
epochs along a cosine learning-rate schedule on all the training data
(``early_stopping=False``; ``n_iter_no_change=300``: it stops early only if
the training loss stalls that long), as holding out a tenth of 36 to 200
sequences made the stopping point noisy. With the convolutional front-end
(``conv_channels``), they were chosen on six UCR/UEA sets over 3 seeds
(``benchmarks/RESULTS.md``, part sequence_quality)."""

_CLASS_WEIGHT_PARAMETER = """\
class_weight : dict, "balanced" or None, default=None
    Weights of the classes in the loss, as in scikit-learn's classifiers
    ("balanced" counts sample weights).
"""

_CLASSIFIER_ATTRIBUTES = (
    """\
classes_ : ndarray of shape (n_classes,)
    Class labels (any hashable values).

class_weight_ : ndarray of shape (n_classes,) or None
    Weights of the classes in the loss of the last call to ``fit`` or
    ``partial_fit``, in the order of ``classes_``; None when ``class_weight``
    is None.

"""
    + _RECURRENT_ATTRIBUTES
)

_REGRESSOR_ATTRIBUTES = (
    """\
n_outputs_ : int
    Number of targets.

y_mean_, y_scale_ : ndarray of shape (n_outputs,)
    Standardisation of the targets (predictions are returned in y's units).

"""
    + _RECURRENT_ATTRIBUTES
)

# What batch_size="auto" means for sequence models.
_AUTO_BATCH = "about 8 batches per epoch: ``min(n_samples, max(16, min(200, n_samples // 8)))``"

_DOC_PARTS = dict(
    sequence_formats=_SEQUENCE_FORMATS,
    cell_parameter=_CELL_PARAMETER,
    recurrent_parameters=_RECURRENT_PARAMETERS,
    class_weight_parameter=_CLASS_WEIGHT_PARAMETER,
    classifier_attributes=_CLASSIFIER_ATTRIBUTES,
    regressor_attributes=_REGRESSOR_ATTRIBUTES,
    batch_size_auto=_AUTO_BATCH,
)


def module_options(spec):
    """``RecurrentModule``'s keyword options from a ``_module_spec`` dict.

    Models saved before a structure option existed lack its key: the
    option's "absent" value is used.
    """
    return dict(
        cell=spec["cell"],
        hidden_size=spec["hidden_size"],
        num_layers=spec["num_layers"],
        bidirectional=spec["bidirectional"],
        dropout=spec["dropout"],
        pooling=spec["pooling"],
        conv_channels=spec.get("conv_channels", 0),
        conv_kernel_sizes=tuple(spec.get("conv_kernel_sizes", ())),
        pool_size=spec.get("pool_size", 1),
        n_tokens=spec.get("n_tokens"),
        embedding_dim=spec.get("embedding_dim"),
    )


class _BaseRecurrent(BaseNeuralEstimator):
    """Sequence input handling, scaling and batched inference shared by both tasks."""

    _parameter_constraints = {
        "cell": [StrOptions(set(CELLS))],
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "bidirectional": ["boolean"],
        "pooling": [StrOptions(set(POOLINGS))],
        "conv_channels": [Interval(Integral, 1, None, closed="left"), None],
        "conv_kernel_sizes": ["array-like"],
        "max_steps": [Interval(Integral, 1, None, closed="left"), None],
        "embedding_dim": [Interval(Integral, 1, None, closed="left"), None],
        "missing": [StrOptions({"error", "mask"})],
        "max_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
        "learning_rate_schedule": [StrOptions({"constant", "cosine"})],
        **TRAINING_PARAMETER_CONSTRAINTS,
    }

    def _check_X(self, X, reset):
        mask = self.missing == "mask"
        if mask and self.embedding_dim is not None:
            raise ValueError(
                "missing='mask' is for float features; with embedding_dim, X holds token ids, "
                "which cannot be missing (map unknown words to an id instead)."
            )
        seqs, _ = check_sequences(X, estimator=self, reset=reset, allow_missing=mask)
        if self.embedding_dim is not None:
            check_token_ids(seqs)
        if reset:
            self.n_channels_ = seqs.n_features
        elif seqs.n_features != self.n_channels_:
            raise ValueError(
                f"X has {seqs.n_features} features per time step, but {type(self).__name__} "
                f"was fitted with {self.n_channels_}."
            )
        return seqs

    def _model_input(self, seqs, sample_weight, first):
        """The features the module reads for ``seqs``; the first fit learns how to make them.

        Everything that maps raw X to the module's input is fixed by the first
        fit (later calls, partial_fit or warm start, keep the structure): the
        front-end's pooling, the token vocabulary, the fill values of
        missing="mask", and the per-feature centre and scale.
        """
        if first:
            self._fit_input_structure(seqs, sample_weight)
        features = self._model_features(seqs)
        if first:
            self._fit_scaling(features, sample_weight)
        return features

    def _fit_input_structure(self, seqs, sample_weight):
        """Front-end pooling, token vocabulary, and missing-value fill, from raw sequences."""
        self.pool_size_ = 1
        if self.conv_channels and self.max_steps:
            self.pool_size_ = max(1, -(-int(seqs.lengths.max()) // self.max_steps))
        self.tokens_ = self.missing_fill_ = None
        if self.embedding_dim is not None:
            self.tokens_ = np.unique(seqs.flat).astype(np.int64)
            if self._numpy_dtype == np.float32 and len(self.tokens_) >= 2**24:
                raise ValueError(
                    f"{len(self.tokens_)} distinct token ids: float32 batches carry at most "
                    "2**24 exactly. Use dtype='float64' or a smaller vocabulary."
                )
        elif self.missing == "mask":
            self.missing_fill_ = observed_means(seqs, sample_weight)

    def _fit_scaling(self, features, sample_weight):
        """Per-feature centre and scale over all time steps (any input scale trains alike).

        Weighted by ``sample_weight`` (per sequence), so that weights and
        repeated sequences give the same model. Token ids are looked up, not
        scaled: no centre or scale.
        """
        self.mean_ = self.scale_ = None
        if self.embedding_dim is not None:
            return
        steps_weight = None
        if sample_weight is not None:
            steps_weight = np.repeat(np.asarray(sample_weight, dtype=np.float64), features.lengths)
        self.mean_, self.scale_ = _weighted_mean_and_scale(features.flat, steps_weight)

    def _model_features(self, seqs):
        """The features the model reads: with missing="mask", GRU-D's three per feature."""
        if self.missing == "mask":
            return with_missing_features(seqs, self.missing_fill_)
        return seqs

    def _training_dataset(self, features, target, weight):
        """The training set from ``_model_input``'s features."""
        if self.embedding_dim is None:
            flat = standardize(features.flat, self.mean_, self.scale_, self._numpy_dtype)
        else:
            flat = token_positions(features.flat, self.tokens_, self._numpy_dtype)
        scaled = type(features)(flat, features.lengths, features.offsets)
        return SequenceDataset(scaled, target, weight, dtype=self._torch_dtype)

    def _module_spec(self, dataset):
        return {
            "n_features": self.n_channels_ * (3 if self.missing == "mask" else 1),
            "n_outputs": self._n_outputs(),
            "cell": self.cell,
            "hidden_size": self.hidden_size,
            "num_layers": self.num_layers,
            "bidirectional": self.bidirectional,
            "dropout": float(self.dropout),
            "pooling": self.pooling,
            "conv_channels": self.conv_channels or 0,
            "conv_kernel_sizes": list(
                check_positive_ints(self.conv_kernel_sizes, "conv_kernel_sizes", allow_empty=False)
            ),
            "pool_size": self.pool_size_,
            "embedding_dim": self.embedding_dim,
            "n_tokens": None if self.embedding_dim is None else len(self.tokens_),
            "dtype": float_dtype_name(self.dtype),
        }

    def _build_module(self, spec, generator):
        return RecurrentModule(
            spec["n_features"], spec["n_outputs"], **module_options(spec), generator=generator
        )

    def _extra_callbacks(self):
        callbacks = []
        if self.max_grad_norm is not None:
            callbacks.append(("gradient_clipping", GradientNormClipping(self.max_grad_norm)))
        if self.learning_rate_schedule == "cosine":
            # Through skorch's public LRScheduler callback; made anew at every
            # call, starting from learning_rate_init: a partial_fit call (one
            # epoch) runs at learning_rate_init, a schedule spans one fit.
            # last_epoch=-1: skorch would otherwise resume from the history's
            # length; each call's schedule starts afresh.
            schedule = LRScheduler(policy=CosineAnnealingLR, T_max=self.max_iter, last_epoch=-1)
            callbacks.append(("lr_schedule", schedule))
        return callbacks

    def _plans_max_iter(self):
        return self.learning_rate_schedule == "cosine"

    def _auto_batch_size(self, n_samples):
        # Recurrent nets on the small sets typical of time-series work (40-70
        # sequences in the UCR/UEA sets) need more than MLPClassifier's one or
        # two optimiser steps per epoch: "auto" aims at ~8 batches of 16-200.
        return min(n_samples, max(16, min(200, n_samples // 8)))

    def _check_y(self, y, dtype):
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        return check_array(y, ensure_2d=False, dtype=dtype, input_name="y")

    def _validated_sample_weight(self, sample_weight, n_samples):
        if sample_weight is None:
            return None
        sw = _check_sample_weight(sample_weight, np.empty((n_samples, 0)), ensure_non_negative=True)
        if not sw.any():
            raise ValueError("Sample weights are all zero: there is nothing to fit.")
        return sw

    def _forward(self, X, fn):
        """``fn(module_output)`` for every sequence of X, in X's order.

        Sequences are run sorted by length (little padding). The module
        never reads the padding (see ``RecurrentModule``), so each result is
        independent of its batch-mates and the padding needs no clearing.
        """
        check_is_fitted(self)
        seqs = self._check_X(X, reset=False)
        order = np.argsort(seqs.lengths, kind="stable")
        mean, scale, tokens = self.mean_, self.scale_, self.tokens_
        mask = self.missing == "mask"

        def prepare(idx):
            if mask:  # per batch: the features are three times X's size
                x, lengths = self._model_features(seqs.subset(idx)).padded(np.arange(len(idx)))
            else:
                x, lengths = seqs.padded(idx)
            if tokens is None:
                return padded_batch((x - mean) / scale, lengths)
            return padded_batch(token_positions(x, tokens, x.dtype), lengths)

        out = self._infer(
            lambda module, batch: fn(module(**batch)), order, prepare, dtype=seqs.flat.dtype
        )
        result = np.empty_like(out)
        result[order] = out
        return result

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.allow_nan = self.missing == "mask"
        return tags


@fill_doc(**_DOC_PARTS)
class RecurrentClassifier(ClassifierMixin, _BaseRecurrent):
    """Recurrent (RNN, LSTM or GRU) sequence classifier.

    {sequence_formats}

    Parameters
    ----------
    {cell_parameter}

    {recurrent_parameters}

    {class_weight_parameter}

    {training_parameters}

    Attributes
    ----------
    {classifier_attributes}

    {training_attributes}

    See Also
    --------
    RNNClassifier, LSTMClassifier, GRUClassifier : This classifier with the cell fixed.
    RecurrentRegressor : The regressor.
    SequenceEncoder : Strings (DNA, RNA, text) as sequences.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_dl import RecurrentClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = [rng.randn(t, 2) + (t % 2) for t in rng.randint(5, 15, size=60)]  # ragged
    >>> y = np.array(["odd" if len(x) % 2 else "even" for x in X])
    >>> clf = RecurrentClassifier(cell="lstm", hidden_size=8, max_iter=5, random_state=0)
    >>> clf.fit(X, y).predict(X[:3]).shape
    (3,)
    >>> clf.classes_
    array(['even', 'odd'], dtype='<U4')
    """

    def __init__(
        self,
        *,
        cell="gru",
        hidden_size=32,
        num_layers=1,
        bidirectional=False,
        pooling="concat",
        conv_channels=32,
        conv_kernel_sizes=(7, 5),
        max_steps=64,
        embedding_dim=None,
        missing="error",
        dropout=0.0,
        class_weight=None,
        alpha=1e-4,
        batch_size="auto",
        learning_rate_init=1e-2,
        learning_rate_schedule="cosine",
        max_grad_norm=1.0,
        max_iter=300,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=300,
        tol=1e-4,
        warm_start=False,
        random_state=None,
        verbose=0,
        device="cpu",
        dtype="float32",
    ):
        self.cell = cell
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.pooling = pooling
        self.conv_channels = conv_channels
        self.conv_kernel_sizes = conv_kernel_sizes
        self.max_steps = max_steps
        self.embedding_dim = embedding_dim
        self.missing = missing
        self.dropout = dropout
        self.class_weight = class_weight
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.learning_rate_schedule = learning_rate_schedule
        self.max_grad_norm = max_grad_norm
        self.max_iter = max_iter
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose
        self.device = device
        self.dtype = dtype

    _parameter_constraints = {
        **_BaseRecurrent._parameter_constraints,
        "class_weight": [StrOptions({"balanced"}), dict, None],
    }

    def _n_outputs(self):
        return len(self.classes_)

    def _make_criterion(self):
        weights = self.class_weight_
        if weights is not None:
            weights = torch.as_tensor(weights, dtype=self._torch_dtype)
        return WeightedCrossEntropyLoss(class_weight=weights)

    def _class_weights(self, y, y_enc, sample_weight):
        if self.class_weight is None:
            return None
        if not isinstance(self.class_weight, str):
            return compute_class_weight(self.class_weight, classes=self.classes_, y=y)
        # "balanced": n / (n_classes * count of each class), counting sample
        # weights (as repeated rows would count).
        counts = np.bincount(y_enc, weights=sample_weight, minlength=len(self.classes_))
        if (counts <= 0).any():
            empty = self.classes_[counts <= 0].tolist()
            raise ValueError(
                f"class_weight='balanced' needs every class in y with a positive total sample "
                f"weight; classes {empty} have none."
            )
        return counts.sum() / (len(self.classes_) * counts)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Train on sequences X with labels y.

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences: 2-D (n_samples, n_timesteps), 3-D (n_samples,
            n_timesteps, n_features), a list of (T_i,) or (T_i, n_features)
            arrays, or NaN-padded 2-D/3-D arrays.

        y : array-like of shape (n_samples,)
            Class labels (any hashable values, strings included).

        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights in the loss.

        Returns
        -------
        self : object
            The fitted classifier.
        """
        return self._fit(X, y, sample_weight, incremental=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train one epoch on (X, y), keeping the model trained so far.

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences, as in :meth:`fit`.

        y : array-like of shape (n_samples,)
            Class labels.

        classes : array-like of shape (n_classes,), default=None
            All classes that will ever appear. Required on the first call.

        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights in the loss.

        Returns
        -------
        self : object
            The fitted classifier.
        """
        if not hasattr(self, "classes_") and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        if self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' is not supported by partial_fit: the class balance of "
                "later batches is unknown. Pass a dict of class weights, or use fit."
            )
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def _fit(self, X, y, sample_weight, incremental, classes=None):
        first = self._starts_fresh(incremental)
        seqs = self._check_X(X, reset=first)
        y = column_or_1d(self._check_y(y, dtype=None), warn=True)
        check_classification_targets(y)
        check_consistent_length(seqs.lengths, y)
        weight = self._validated_sample_weight(sample_weight, len(y))
        if (
            classes is not None
            and not first
            and not np.array_equal(self.classes_, np.unique(np.asarray(classes)))
        ):
            raise ValueError(
                f"classes={np.unique(np.asarray(classes)).tolist()} is not the same as on the "
                f"first call to partial_fit, was: {self.classes_.tolist()}."
            )
        if first:
            labels = np.unique(y if classes is None else np.asarray(classes))
            if len(labels) < 2:
                raise ValueError(
                    f"{type(self).__name__} needs samples of at least 2 classes in the data, "
                    f"but the data contain only one class: {labels.tolist()[0]!r}."
                )
            self.classes_ = labels
        unseen = np.setdiff1d(np.unique(y), self.classes_)
        if len(unseen):
            raise ValueError(f"y has labels {unseen.tolist()} not in classes_ {self.classes_}.")
        y_enc = np.searchsorted(self.classes_, y)
        # Class weights for the loss of this call, from the current class_weight
        # (dict keys are labels); only k numbers are kept, not y.
        self.class_weight_ = self._class_weights(y, y_enc, weight)
        features = self._model_input(seqs, weight, first)
        dataset = self._training_dataset(features, torch.as_tensor(y_enc), _as_tensor(weight, self))
        return self._train(dataset, incremental=incremental, stratify=y_enc)

    def predict_proba(self, X):
        """Class probabilities of each sequence.

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences, as in :meth:`fit`.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.
        """
        return self._forward(X, lambda logits: torch.softmax(logits, dim=-1))

    def predict(self, X):
        """Most probable class of each sequence.

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences, as in :meth:`fit`.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


@fill_doc(**_DOC_PARTS)
class RecurrentRegressor(RegressorMixin, _BaseRecurrent):
    """Recurrent (RNN, LSTM or GRU) sequence regressor, single or multi-output.

    {sequence_formats}

    Parameters
    ----------
    {cell_parameter}

    {recurrent_parameters}

    {training_parameters}

    Attributes
    ----------
    {regressor_attributes}

    {training_attributes}

    See Also
    --------
    RNNRegressor, LSTMRegressor, GRURegressor : This regressor with the cell fixed.
    RecurrentClassifier : The classifier.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_dl import RecurrentRegressor
    >>> X = np.random.RandomState(0).randn(50, 12, 3)
    >>> y = X[:, :, 0].sum(axis=1)
    >>> reg = RecurrentRegressor(cell="rnn", hidden_size=8, max_iter=5, random_state=0)
    >>> reg.fit(X, y).predict(X).shape
    (50,)
    """

    def __init__(
        self,
        *,
        cell="gru",
        hidden_size=32,
        num_layers=1,
        bidirectional=False,
        pooling="concat",
        conv_channels=32,
        conv_kernel_sizes=(7, 5),
        max_steps=64,
        embedding_dim=None,
        missing="error",
        dropout=0.0,
        alpha=1e-4,
        batch_size="auto",
        learning_rate_init=1e-2,
        learning_rate_schedule="cosine",
        max_grad_norm=1.0,
        max_iter=300,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=300,
        tol=1e-4,
        warm_start=False,
        random_state=None,
        verbose=0,
        device="cpu",
        dtype="float32",
    ):
        self.cell = cell
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.pooling = pooling
        self.conv_channels = conv_channels
        self.conv_kernel_sizes = conv_kernel_sizes
        self.max_steps = max_steps
        self.embedding_dim = embedding_dim
        self.missing = missing
        self.dropout = dropout
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.learning_rate_schedule = learning_rate_schedule
        self.max_grad_norm = max_grad_norm
        self.max_iter = max_iter
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose
        self.device = device
        self.dtype = dtype

    def _n_outputs(self):
        return self.n_outputs_

    def _make_criterion(self):
        return WeightedMSELoss()

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Train on sequences X with targets y.

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences: 2-D (n_samples, n_timesteps), 3-D (n_samples,
            n_timesteps, n_features), a list of (T_i,) or (T_i, n_features)
            arrays, or NaN-padded 2-D/3-D arrays.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets; scaled internally and returned in their own units.

        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights in the loss.

        Returns
        -------
        self : object
            The fitted regressor.
        """
        return self._fit(X, y, sample_weight, incremental=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Train one epoch on (X, y), keeping the model trained so far.

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences, as in :meth:`fit`.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.

        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights in the loss.

        Returns
        -------
        self : object
            The fitted regressor.
        """
        return self._fit(X, y, sample_weight, incremental=True)

    def _fit(self, X, y, sample_weight, incremental):
        first = self._starts_fresh(incremental)
        seqs = self._check_X(X, reset=first)
        y = self._check_y(y, dtype=np.float64)
        if y.ndim > 2:
            raise ValueError(f"y must be 1-D or 2-D, got shape {y.shape}.")
        check_consistent_length(seqs.lengths, y)
        y2 = y.reshape(len(y), -1)
        weight = self._validated_sample_weight(sample_weight, len(y))
        if first:
            self._y_is_1d = y.ndim == 1
            self.n_outputs_ = y2.shape[1]
            self.y_mean_, self.y_scale_ = _weighted_mean_and_scale(y2, weight)
        elif y2.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {y2.shape[1]} outputs, but the model was fitted with {self.n_outputs_}."
            )
        target = torch.as_tensor((y2 - self.y_mean_) / self.y_scale_, dtype=self._torch_dtype)
        dataset = self._training_dataset(
            self._model_input(seqs, weight, first), target, _as_tensor(weight, self)
        )
        return self._train(dataset, incremental=incremental)

    def predict(self, X):
        """Predicted targets of each sequence, in the units of the training y.

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences, as in :meth:`fit`.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        """
        out = self._forward(X, lambda output: output)
        out = out.astype(np.float64) * self.y_scale_ + self.y_mean_
        return out[:, 0] if self._y_is_1d else out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


@fill_doc(**_DOC_PARTS)
class RNNClassifier(RecurrentClassifier):
    """RNN sequence classifier: :class:`RecurrentClassifier` with ``cell="rnn"``.

    {sequence_formats}

    Parameters
    ----------
    {recurrent_parameters}

    {class_weight_parameter}

    {training_parameters}

    Attributes
    ----------
    {classifier_attributes}

    {training_attributes}

    See Also
    --------
    RecurrentClassifier : The same estimator with the cell as a (searchable) parameter.
    LSTMClassifier, GRUClassifier : The other cells.

    Examples
    --------
    >>> from sklearn_dl.datasets import load_italy_power_demand
    >>> from sklearn_dl import RNNClassifier
    >>> X, y = load_italy_power_demand(return_X_y=True)
    >>> est = RNNClassifier(hidden_size=8, max_iter=3, random_state=0)
    >>> est.fit(X, y).predict(X[:2]).shape
    (2,)
    """

    cell = "rnn"  # fixed by the class: not a parameter

    def __init__(
        self,
        *,
        hidden_size=32,
        num_layers=1,
        bidirectional=False,
        pooling="concat",
        conv_channels=32,
        conv_kernel_sizes=(7, 5),
        max_steps=64,
        embedding_dim=None,
        missing="error",
        dropout=0.0,
        class_weight=None,
        alpha=0.0001,
        batch_size="auto",
        learning_rate_init=0.01,
        learning_rate_schedule="cosine",
        max_grad_norm=1.0,
        max_iter=300,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=300,
        tol=0.0001,
        warm_start=False,
        random_state=None,
        verbose=0,
        device="cpu",
        dtype="float32",
    ):
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.pooling = pooling
        self.conv_channels = conv_channels
        self.conv_kernel_sizes = conv_kernel_sizes
        self.max_steps = max_steps
        self.embedding_dim = embedding_dim
        self.missing = missing
        self.dropout = dropout
        self.class_weight = class_weight
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.learning_rate_schedule = learning_rate_schedule
        self.max_grad_norm = max_grad_norm
        self.max_iter = max_iter
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose
        self.device = device
        self.dtype = dtype


@fill_doc(**_DOC_PARTS)
class LSTMClassifier(RecurrentClassifier):
    """LSTM sequence classifier: :class:`RecurrentClassifier` with ``cell="lstm"``.

    {sequence_formats}

    Parameters
    ----------
    {recurrent_parameters}

    {class_weight_parameter}

    {training_parameters}

    Attributes
    ----------
    {classifier_attributes}

    {training_attributes}

    See Also
    --------
    RecurrentClassifier : The same estimator with the cell as a (searchable) parameter.
    RNNClassifier, GRUClassifier : The other cells.

    Examples
    --------
    >>> from sklearn_dl.datasets import load_italy_power_demand
    >>> from sklearn_dl import LSTMClassifier
    >>> X, y = load_italy_power_demand(return_X_y=True)
    >>> est = LSTMClassifier(hidden_size=8, max_iter=3, random_state=0)
    >>> est.fit(X, y).predict(X[:2]).shape
    (2,)
    """

    cell = "lstm"  # fixed by the class: not a parameter

    def __init__(
        self,
        *,
        hidden_size=32,
        num_layers=1,
        bidirectional=False,
        pooling="concat",
        conv_channels=32,
        conv_kernel_sizes=(7, 5),
        max_steps=64,
        embedding_dim=None,
        missing="error",
        dropout=0.0,
        class_weight=None,
        alpha=0.0001,
        batch_size="auto",
        learning_rate_init=0.01,
        learning_rate_schedule="cosine",
        max_grad_norm=1.0,
        max_iter=300,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=300,
        tol=0.0001,
        warm_start=False,
        random_state=None,
        verbose=0,
        device="cpu",
        dtype="float32",
    ):
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.pooling = pooling
        self.conv_channels = conv_channels
        self.conv_kernel_sizes = conv_kernel_sizes
        self.max_steps = max_steps
        self.embedding_dim = embedding_dim
        self.missing = missing
        self.dropout = dropout
        self.class_weight = class_weight
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.learning_rate_schedule = learning_rate_schedule
        self.max_grad_norm = max_grad_norm
        self.max_iter = max_iter
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose
        self.device = device
        self.dtype = dtype


@fill_doc(**_DOC_PARTS)
class GRUClassifier(RecurrentClassifier):
    """GRU sequence classifier: :class:`RecurrentClassifier` with ``cell="gru"``.

    {sequence_formats}

    Parameters
    ----------
    {recurrent_parameters}

    {class_weight_parameter}

    {training_parameters}

    Attributes
    ----------
    {classifier_attributes}

    {training_attributes}

    See Also
    --------
    RecurrentClassifier : The same estimator with the cell as a (searchable) parameter.
    RNNClassifier, LSTMClassifier : The other cells.

    Examples
    --------
    >>> from sklearn_dl.datasets import load_italy_power_demand
    >>> from sklearn_dl import GRUClassifier
    >>> X, y = load_italy_power_demand(return_X_y=True)
    >>> est = GRUClassifier(hidden_size=8, max_iter=3, random_state=0)
    >>> est.fit(X, y).predict(X[:2]).shape
    (2,)
    """

    cell = "gru"  # fixed by the class: not a parameter

    def __init__(
        self,
        *,
        hidden_size=32,
        num_layers=1,
        bidirectional=False,
        pooling="concat",
        conv_channels=32,
        conv_kernel_sizes=(7, 5),
        max_steps=64,
        embedding_dim=None,
        missing="error",
        dropout=0.0,
        class_weight=None,
        alpha=0.0001,
        batch_size="auto",
        learning_rate_init=0.01,
        learning_rate_schedule="cosine",
        max_grad_norm=1.0,
        max_iter=300,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=300,
        tol=0.0001,
        warm_start=False,
        random_state=None,
        verbose=0,
        device="cpu",
        dtype="float32",
    ):
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.pooling = pooling
        self.conv_channels = conv_channels
        self.conv_kernel_sizes = conv_kernel_sizes
        self.max_steps = max_steps
        self.embedding_dim = embedding_dim
        self.missing = missing
        self.dropout = dropout
        self.class_weight = class_weight
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.learning_rate_schedule = learning_rate_schedule
        self.max_grad_norm = max_grad_norm
        self.max_iter = max_iter
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose
        self.device = device
        self.dtype = dtype


@fill_doc(**_DOC_PARTS)
class RNNRegressor(RecurrentRegressor):
    """RNN sequence regressor: :class:`RecurrentRegressor` with ``cell="rnn"``.

    {sequence_formats}

    Parameters
    ----------
    {recurrent_parameters}

    {training_parameters}

    Attributes
    ----------
    {regressor_attributes}

    {training_attributes}

    See Also
    --------
    RecurrentRegressor : The same estimator with the cell as a (searchable) parameter.
    LSTMRegressor, GRURegressor : The other cells.

    Examples
    --------
    >>> from sklearn_dl.datasets import load_italy_power_demand
    >>> from sklearn_dl import RNNRegressor
    >>> X, y = load_italy_power_demand(return_X_y=True)
    >>> est = RNNRegressor(hidden_size=8, max_iter=3, random_state=0)
    >>> est.fit(X, y.astype(float)).predict(X[:2]).shape
    (2,)
    """

    cell = "rnn"  # fixed by the class: not a parameter

    def __init__(
        self,
        *,
        hidden_size=32,
        num_layers=1,
        bidirectional=False,
        pooling="concat",
        conv_channels=32,
        conv_kernel_sizes=(7, 5),
        max_steps=64,
        embedding_dim=None,
        missing="error",
        dropout=0.0,
        alpha=0.0001,
        batch_size="auto",
        learning_rate_init=0.01,
        learning_rate_schedule="cosine",
        max_grad_norm=1.0,
        max_iter=300,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=300,
        tol=0.0001,
        warm_start=False,
        random_state=None,
        verbose=0,
        device="cpu",
        dtype="float32",
    ):
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.pooling = pooling
        self.conv_channels = conv_channels
        self.conv_kernel_sizes = conv_kernel_sizes
        self.max_steps = max_steps
        self.embedding_dim = embedding_dim
        self.missing = missing
        self.dropout = dropout
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.learning_rate_schedule = learning_rate_schedule
        self.max_grad_norm = max_grad_norm
        self.max_iter = max_iter
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose
        self.device = device
        self.dtype = dtype


@fill_doc(**_DOC_PARTS)
class LSTMRegressor(RecurrentRegressor):
    """LSTM sequence regressor: :class:`RecurrentRegressor` with ``cell="lstm"``.

    {sequence_formats}

    Parameters
    ----------
    {recurrent_parameters}

    {training_parameters}

    Attributes
    ----------
    {regressor_attributes}

    {training_attributes}

    See Also
    --------
    RecurrentRegressor : The same estimator with the cell as a (searchable) parameter.
    RNNRegressor, GRURegressor : The other cells.

    Examples
    --------
    >>> from sklearn_dl.datasets import load_italy_power_demand
    >>> from sklearn_dl import LSTMRegressor
    >>> X, y = load_italy_power_demand(return_X_y=True)
    >>> est = LSTMRegressor(hidden_size=8, max_iter=3, random_state=0)
    >>> est.fit(X, y.astype(float)).predict(X[:2]).shape
    (2,)
    """

    cell = "lstm"  # fixed by the class: not a parameter

    def __init__(
        self,
        *,
        hidden_size=32,
        num_layers=1,
        bidirectional=False,
        pooling="concat",
        conv_channels=32,
        conv_kernel_sizes=(7, 5),
        max_steps=64,
        embedding_dim=None,
        missing="error",
        dropout=0.0,
        alpha=0.0001,
        batch_size="auto",
        learning_rate_init=0.01,
        learning_rate_schedule="cosine",
        max_grad_norm=1.0,
        max_iter=300,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=300,
        tol=0.0001,
        warm_start=False,
        random_state=None,
        verbose=0,
        device="cpu",
        dtype="float32",
    ):
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.pooling = pooling
        self.conv_channels = conv_channels
        self.conv_kernel_sizes = conv_kernel_sizes
        self.max_steps = max_steps
        self.embedding_dim = embedding_dim
        self.missing = missing
        self.dropout = dropout
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.learning_rate_schedule = learning_rate_schedule
        self.max_grad_norm = max_grad_norm
        self.max_iter = max_iter
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose
        self.device = device
        self.dtype = dtype


@fill_doc(**_DOC_PARTS)
class GRURegressor(RecurrentRegressor):
    """GRU sequence regressor: :class:`RecurrentRegressor` with ``cell="gru"``.

    {sequence_formats}

    Parameters
    ----------
    {recurrent_parameters}

    {training_parameters}

    Attributes
    ----------
    {regressor_attributes}

    {training_attributes}

    See Also
    --------
    RecurrentRegressor : The same estimator with the cell as a (searchable) parameter.
    RNNRegressor, LSTMRegressor : The other cells.

    Examples
    --------
    >>> from sklearn_dl.datasets import load_italy_power_demand
    >>> from sklearn_dl import GRURegressor
    >>> X, y = load_italy_power_demand(return_X_y=True)
    >>> est = GRURegressor(hidden_size=8, max_iter=3, random_state=0)
    >>> est.fit(X, y.astype(float)).predict(X[:2]).shape
    (2,)
    """

    cell = "gru"  # fixed by the class: not a parameter

    def __init__(
        self,
        *,
        hidden_size=32,
        num_layers=1,
        bidirectional=False,
        pooling="concat",
        conv_channels=32,
        conv_kernel_sizes=(7, 5),
        max_steps=64,
        embedding_dim=None,
        missing="error",
        dropout=0.0,
        alpha=0.0001,
        batch_size="auto",
        learning_rate_init=0.01,
        learning_rate_schedule="cosine",
        max_grad_norm=1.0,
        max_iter=300,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=300,
        tol=0.0001,
        warm_start=False,
        random_state=None,
        verbose=0,
        device="cpu",
        dtype="float32",
    ):
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.pooling = pooling
        self.conv_channels = conv_channels
        self.conv_kernel_sizes = conv_kernel_sizes
        self.max_steps = max_steps
        self.embedding_dim = embedding_dim
        self.missing = missing
        self.dropout = dropout
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.learning_rate_schedule = learning_rate_schedule
        self.max_grad_norm = max_grad_norm
        self.max_iter = max_iter
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose
        self.device = device
        self.dtype = dtype
