"""Autoencoder, DenoisingAutoencoder and VariationalAutoencoder transformers."""

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin, _fit_context
from sklearn.decomposition import PCA
from sklearn.utils import check_array, check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from sklearn_dl._base import (
    TRAINING_PARAMETER_CONSTRAINTS,
    BaseNeuralEstimator,
    check_positive_ints,
    float_dtype_name,
)
from sklearn_dl._data import ArrayDataset
from sklearn_dl._docstrings import fill_doc
from sklearn_dl._scaling import (
    column_mean_and_std,
    dense_rows,
    overall_scale,
    standardize,
)
from sklearn_dl.nn._losses import NegativeELBOLoss, ReconstructionLoss
from sklearn_dl.nn._pca import principal_axes
from sklearn_dl.nn.autoencoder import LIKELIHOODS, AutoencoderModule, VariationalAutoencoderModule
from sklearn_dl.nn.layers import ACTIVATIONS, Corruption


def _check_hidden_layer_sizes(hidden_layer_sizes):
    return check_positive_ints(hidden_layer_sizes, "hidden_layer_sizes")


def _feature_range(dataset):
    """Per-feature minimum and maximum of a training data set's (module) input."""
    if sp.issparse(dataset.X):
        rows = dataset.X
        # One row (a sparse array's min is 1-D, a sparse matrix's 2-D).
        low = dataset.rows_to_tensor(rows.min(axis=0).toarray().reshape(1, -1))[0]
        high = dataset.rows_to_tensor(rows.max(axis=0).toarray().reshape(1, -1))[0]
        return low, high
    return torch.aminmax(dataset.X, dim=0)


# Shared parameter and attribute texts of the three autoencoders' docstrings.
_AE_PARAMETERS = """\
n_components : int, default=2
    Size of the code (the output of ``transform``).

hidden_layer_sizes : tuple of int, default=(256, 128)
    Widths of the encoder's hidden layers; the decoder mirrors them.

activation : {"relu", "tanh", "logistic", "identity"}, default="relu"
    Activation of the hidden layers.
"""

_AE_ATTRIBUTES = """\
mean_ : ndarray of shape (n_features,)
    Per-feature mean subtracted from the input.

scale_ : float
    One overall scale the centred input is divided by (root mean feature
    variance); outputs are returned in the input's units.
"""

# What batch_size="auto" means for tabular estimators (MLPClassifier's rule).
_AUTO_BATCH = "``min(200, n_samples)`` as in ``MLPClassifier``"


class _StandardisedInput:
    """The module reads X centred per feature and divided by one overall scale.

    The scale is the root mean feature variance. One scale for all features
    makes any input magnitude train alike while keeping the features'
    relative weights, so the training loss is the reconstruction error in X's
    own units, the quantity PCA minimises and ``score`` reports (to weigh
    features equally, put a ``StandardScaler`` first, as with PCA). Every
    autoencoder, and the VAE with ``likelihood="gaussian"``.
    """

    def check(self, X, estimator):
        """Nothing beyond the usual checks."""

    def statistics(self, X):
        mean, std = column_mean_and_std(X)
        return mean, overall_scale(std)

    def to_module(self, rows, mean, scale, dtype):
        """Training input: computed in float64, returned as a new ``dtype`` array."""
        return standardize(rows, mean, scale, dtype)

    def prepare(self, rows, mean, scale):
        """Inference input: as in training, in float64 (cast by the caller)."""
        return (dense_rows(rows, 0, rows.shape[0]) - mean) / scale

    def to_input_units(self, values, mean, scale):
        return values * scale + mean

    def log_jacobian(self, n_features, scale):
        """What standardising adds to a log-density (subtracted to report X's units)."""
        return n_features * np.log(scale)

    def init_module(self, module, dataset, mean, scale):
        """No data-driven start of its own."""


class _CountInput(_StandardisedInput):
    """Count likelihoods: the module takes the raw counts.

    The encoder reads standardised ``log1p(counts)`` (scaled inside the module
    with the statistics computed here), the likelihood is evaluated on the
    counts themselves, and the decoder's means are rates in counts' units.
    """

    def check(self, X, estimator):
        if X.shape[0] and X.min() < 0:
            raise ValueError(
                f"likelihood={estimator.likelihood!r} models non-negative counts, but X has "
                "negative values. Use likelihood='gaussian' for real-valued data."
            )

    def statistics(self, X):
        mean, std = column_mean_and_std(X, transform=np.log1p)
        return mean, overall_scale(std)

    def to_module(self, rows, mean, scale, dtype):
        rows = rows.toarray() if sp.issparse(rows) else rows
        return np.asarray(rows).astype(dtype)  # a copy: X itself is never modified

    def prepare(self, rows, mean, scale):
        return rows.toarray() if sp.issparse(rows) else rows

    def to_input_units(self, values, mean, scale):
        return values

    def log_jacobian(self, n_features, scale):
        return 0.0

    def init_module(self, module, dataset, mean, scale):
        if sp.issparse(dataset.X):
            mean_counts = np.asarray(dataset.X.mean(axis=0)).ravel()
        else:
            mean_counts = dataset.X.mean(dim=0)
        module.init_counts(mean, scale, mean_counts)


_STANDARDISED_INPUT = _StandardisedInput()
_COUNT_INPUT = _CountInput()


class _BaseAutoencoder(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseNeuralEstimator):
    """What the three autoencoders share: input checks, internal scaling, the API."""

    _parameter_constraints = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        **TRAINING_PARAMETER_CONSTRAINTS,
    }
    _decay_exempt = ("*bias", "*log_scale")

    # ------------------------------------------------------------- input data
    def _check_X(self, X, reset):
        X = validate_data(
            self,
            X,
            reset=reset,
            accept_sparse=("csr", "csc", "coo"),
            dtype=[np.float64, np.float32],
        )
        # Sparse input (e.g. single-cell counts) stays sparse: training and
        # inference densify one batch of rows at a time.
        return X.tocsr() if sp.issparse(X) else X

    def _check_transform_input(self, X):
        check_is_fitted(self)
        return self._check_X(X, reset=False)

    # How X becomes the module's input (and its outputs X's units again).
    _input_model = _STANDARDISED_INPUT

    def _fit_scaling(self, X):
        """``mean_`` and ``scale_`` of X, computed in float64 (see ``_scaling``)."""
        self.mean_, self.scale_ = self._input_model.statistics(X)

    def _module_input(self, rows):
        """Rows (dense or sparse) as the module's training input: a new tensor."""
        model = self._input_model
        return torch.from_numpy(model.to_module(rows, self.mean_, self.scale_, self._numpy_dtype))

    def _training_dataset(self, X):
        """X as the module's training input (the caller's X is never modified)."""
        if sp.issparse(X):
            return ArrayDataset(X, rows_to_tensor=self._module_input)
        return ArrayDataset(self._module_input(X))

    def _prepare(self, X):
        """Rows of X as the module's input at inference, as in training."""
        return self._input_model.prepare(X, self.mean_, self.scale_)

    def _unscale(self, values):
        return self._input_model.to_input_units(values, self.mean_, self.scale_)

    # ---------------------------------------------------------------- fitting
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train the network on X.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.

        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, incremental=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """Train one epoch on X, keeping the model trained so far.

        The first call also fixes the input scaling, from this first X.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.

        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, incremental=True)

    def _fit(self, X, incremental):
        first = self._starts_fresh(incremental)
        _check_hidden_layer_sizes(self.hidden_layer_sizes)
        X = self._check_X(X, reset=first)
        if first:
            self._fit_scaling(X)
        return self._train(self._training_dataset(X), incremental=incremental)

    def _module_spec(self, dataset):
        return {
            "n_features": self.n_features_in_,
            "n_components": self.n_components,
            "hidden_layer_sizes": list(_check_hidden_layer_sizes(self.hidden_layer_sizes)),
            "activation": self.activation,
            "dropout": float(self.dropout),
            "dtype": float_dtype_name(self.dtype),
        }

    # -------------------------------------------------------------- interface
    @property
    def _n_features_out(self):
        # Missing before fit, so get_feature_names_out raises NotFittedError.
        if not hasattr(self, "net_"):
            raise AttributeError("_n_features_out is known once the estimator is fitted")
        return self.n_components

    def transform(self, X):
        """Encode X into its ``n_components``-dimensional code.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data to encode.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_components)
            The code, in X's float dtype.
        """
        X = self._check_transform_input(X)
        Z = self._infer(self._encode, X, prepare=self._prepare)
        return Z.astype(X.dtype, copy=False)

    @staticmethod
    def _encode(module, x):
        return module.encode(x)

    def inverse_transform(self, X):
        """Decode codes back to the input space (like ``PCA.inverse_transform``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            Codes, as returned by :meth:`transform`.

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features_in_)
            The reconstruction in the units of the training data.
        """
        check_is_fitted(self)
        Z = check_array(X, dtype=[np.float64, np.float32])
        if Z.shape[1] != self.n_components:
            raise ValueError(
                f"X has {Z.shape[1]} features, but inverse_transform expects codes of "
                f"n_components={self.n_components} features."
            )
        out = self._infer(self._decode, Z)
        return self._unscale(out.astype(np.float64)).astype(Z.dtype, copy=False)

    @staticmethod
    def _decode(module, z):
        return module.decode(z)

    def score_samples(self, X):
        """Negative mean squared reconstruction error of each sample, in input units.

        Higher is better, so ``GridSearchCV`` can select on it without ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            ``-mean((X - inverse_transform(transform(X))) ** 2, axis=1)``.
        """
        X = self._check_transform_input(X)

        def neg_error(module, x):
            return -(((module(x) - x) * self.scale_) ** 2).mean(dim=1)

        return self._infer(neg_error, X, prepare=self._prepare).astype(np.float64)

    def score(self, X, y=None):
        """Average of :meth:`score_samples` over X (higher is better).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data.

        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        score : float
        """
        return float(np.mean(self.score_samples(X)))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


@fill_doc(ae_parameters=_AE_PARAMETERS, ae_attributes=_AE_ATTRIBUTES, batch_size_auto=_AUTO_BATCH)
class Autoencoder(_BaseAutoencoder):
    """Neural dimensionality reduction: an encoder to ``n_components`` and a decoder back.

    Used like :class:`~sklearn.decomposition.PCA`: ``transform`` gives the code,
    ``inverse_transform`` decodes it, ``score`` is the negative reconstruction
    error, so ``GridSearchCV`` can select without labels. Both halves are a
    linear map plus a non-linear MLP correction; with ``init="pca"`` training
    starts exactly at PCA and the best epoch on a validation split (the start
    included) is kept, so on small, noisy data it does not do worse than PCA.

    Parameters
    ----------
    {ae_parameters}

    init : {"pca", "random"}, default="pca"
        Start from PCA's axes (with the non-linear correction at zero) or from
        PyTorch's random initialisation.

    {training_parameters}

    Attributes
    ----------
    {ae_attributes}

    {training_attributes}

    See Also
    --------
    DenoisingAutoencoder : Trained to reconstruct clean rows from corrupted ones.
    VariationalAutoencoder : A probabilistic code, a generative decoder, count likelihoods.
    sklearn.decomposition.PCA : The linear model this one starts from.

    Notes
    -----
    The input is centred per feature and divided by one overall scale inside
    the estimator, so any input magnitude trains alike and outputs come back
    in the input's units; put a ``StandardScaler`` first to weigh features
    equally, as with PCA. Sparse input is densified one batch at a time.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_dl import Autoencoder
    >>> X = load_digits().data[:300]
    >>> ae = Autoencoder(n_components=2, max_iter=5, random_state=0).fit(X)
    >>> ae.transform(X).shape
    (300, 2)
    >>> ae.inverse_transform(ae.transform(X)).shape
    (300, 64)
    >>> list(ae.get_feature_names_out())
    ['autoencoder0', 'autoencoder1']
    """

    def __init__(
        self,
        n_components=2,
        *,
        hidden_layer_sizes=(256, 128),
        activation="relu",
        init="pca",
        dropout=0.0,
        alpha=1e-4,
        batch_size="auto",
        learning_rate_init=1e-3,
        max_iter=200,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        warm_start=False,
        random_state=None,
        verbose=0,
        device="cpu",
        dtype="float32",
    ):
        self.n_components = n_components
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.init = init
        self.dropout = dropout
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
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
        **_BaseAutoencoder._parameter_constraints,
        "init": [StrOptions({"pca", "random"})],
    }

    def _module_spec(self, dataset):
        return {**super()._module_spec(dataset), **self._noise_spec()}

    def _noise_spec(self):
        return {}

    def _build_module(self, spec, generator):
        corruption = None
        if spec.get("noise") is not None:
            # salt and pepper: per-feature values, set by _init_module (or loaded)
            bounds = torch.zeros(spec["n_features"]) if spec["noise"] == "salt_and_pepper" else None
            corruption = Corruption(spec["noise"], spec["noise_level"], low=bounds, high=bounds)
        return AutoencoderModule(
            spec["n_features"],
            spec["n_components"],
            spec["hidden_layer_sizes"],
            spec["activation"],
            spec["dropout"],
            corruption=corruption,
            generator=generator,
        )

    def _init_module(self, module, dataset, randomness):
        if self.init == "pca":
            module.init_from_pca(self._pca_components(dataset.X, randomness.seed()))

    def _pca_components(self, X, seed):
        """Top principal axes of the training rows, zero-padded to n_components.

        PCA of the standardised rows (or of the raw sparse rows: PCA centres
        them itself, and one overall scale does not change the axes). Beyond
        the data's rank there are no axes: those code units start at zero and
        are left to training.
        """
        n_fit = min(self.n_components, *X.shape)
        components = np.zeros((self.n_components, X.shape[1]), dtype=self._numpy_dtype)
        if n_fit > 0 and X.shape[0] > 1:
            if not sp.issparse(X):
                components[:n_fit] = principal_axes(X, n_fit).cpu().numpy()
                return components
            n_fit = min(n_fit, min(X.shape) - 1)  # the sparse solver's limit
            if n_fit > 0:
                components[:n_fit] = PCA(n_components=n_fit, random_state=seed).fit(X).components_
        return components

    def _make_criterion(self):
        return ReconstructionLoss()

    def _starting_point_doc(self, epochs_before):
        if epochs_before == 0 and self.init == "pca":
            return "PCA's solution, init='pca'"
        return super()._starting_point_doc(epochs_before)


@fill_doc(ae_parameters=_AE_PARAMETERS, ae_attributes=_AE_ATTRIBUTES, batch_size_auto=_AUTO_BATCH)
class DenoisingAutoencoder(Autoencoder):
    """Autoencoder trained to reconstruct clean rows from corrupted ones.

    The corruption is applied in training only (like dropout), so
    ``transform`` is deterministic and noise-free.

    Parameters
    ----------
    {ae_parameters}

    noise : {"gaussian", "masking", "salt_and_pepper"}, default="gaussian"
        Corruption: additive Gaussian noise, setting entries to the feature mean,
        or setting entries to the feature's training minimum or maximum.

    noise_level : float, default=0.2
        Standard deviation of the Gaussian noise (in units of the data's overall
        standard deviation), or the probability of corrupting an entry.

    init : {"pca", "random"}, default="pca"
        As in :class:`Autoencoder`.

    {training_parameters}

    Attributes
    ----------
    {ae_attributes}

    {training_attributes}

    See Also
    --------
    Autoencoder : The same network trained on clean rows.
    sklearn.decomposition.PCA : The linear model both start from.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_dl import DenoisingAutoencoder
    >>> X = load_digits().data[:300]
    >>> dae = DenoisingAutoencoder(2, noise="masking", noise_level=0.3, max_iter=5, random_state=0)
    >>> dae.fit_transform(X).shape
    (300, 2)
    """

    def __init__(
        self,
        n_components=2,
        *,
        noise="gaussian",
        noise_level=0.2,
        hidden_layer_sizes=(256, 128),
        activation="relu",
        init="pca",
        dropout=0.0,
        alpha=1e-4,
        batch_size="auto",
        learning_rate_init=1e-3,
        max_iter=200,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        warm_start=False,
        random_state=None,
        verbose=0,
        device="cpu",
        dtype="float32",
    ):
        super().__init__(
            n_components,
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            init=init,
            dropout=dropout,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate_init=learning_rate_init,
            max_iter=max_iter,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            warm_start=warm_start,
            random_state=random_state,
            verbose=verbose,
            device=device,
            dtype=dtype,
        )
        self.noise = noise
        self.noise_level = noise_level

    _parameter_constraints = {
        **Autoencoder._parameter_constraints,
        "noise": [StrOptions({"gaussian", "masking", "salt_and_pepper"})],
        "noise_level": [Interval(Real, 0, None, closed="left")],
    }

    def _fit(self, X, incremental):
        # noise_level's valid range depends on noise: checked before anything else.
        if self.noise != "gaussian" and self.noise_level > 1:
            raise ValueError(
                f"noise_level is a probability for noise={self.noise!r} and must be in "
                f"[0, 1], got {self.noise_level}."
            )
        return super()._fit(X, incremental)

    def _noise_spec(self):
        # Noise acts on the centred, scaled features: gaussian noise_level is
        # in units of the data's overall standard deviation, masking sets a
        # feature to its mean (0), salt and pepper uses each feature's training
        # min and max (computed only for it: it costs a pass over X).
        return {"noise": self.noise, "noise_level": float(self.noise_level)}

    def _init_module(self, module, dataset, randomness):
        super()._init_module(module, dataset, randomness)
        if self.noise == "salt_and_pepper":
            low, high = _feature_range(dataset)
            module.corruption.low.copy_(low)
            module.corruption.high.copy_(high)


@fill_doc(ae_parameters=_AE_PARAMETERS, ae_attributes=_AE_ATTRIBUTES, batch_size_auto=_AUTO_BATCH)
class VariationalAutoencoder(_BaseAutoencoder):
    """Variational autoencoder: a probabilistic code with a generative decoder.

    ``transform`` returns the posterior mean (deterministic); ``score`` is the
    evidence lower bound (ELBO); ``sample`` generates new rows. The
    likelihood is Gaussian for real-valued data, or Poisson / negative
    binomial for raw counts such as gene-expression read counts.

    Parameters
    ----------
    {ae_parameters}

    beta : float, default=1.0
        Weight of the KL term in training (beta-VAE); scores always use 1.

    likelihood : {"gaussian", "poisson", "negative_binomial"}, default="gaussian"
        Observation model. Count likelihoods need non-negative X; the encoder
        reads standardised ``log1p(X)`` and ``inverse_transform`` returns rates.

    {training_parameters}

    Attributes
    ----------
    {ae_attributes}

    {training_attributes}

    See Also
    --------
    Autoencoder : A deterministic code that starts at PCA.

    Notes
    -----
    For count likelihoods ``mean_`` and ``scale_`` standardise ``log1p(X)``
    inside the network, and ``inverse_transform`` returns rates in counts'
    units; for the Gaussian likelihood they standardise X as in
    :class:`Autoencoder`, and ``score`` undoes it (an ELBO in X's units).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_dl import VariationalAutoencoder
    >>> counts = np.random.RandomState(0).poisson(3.0, size=(100, 20))
    >>> vae = VariationalAutoencoder(2, likelihood="poisson", max_iter=5, random_state=0)
    >>> vae.fit(counts).transform(counts).shape
    (100, 2)
    >>> vae.sample(3, random_state=0).shape
    (3, 20)
    """

    def __init__(
        self,
        n_components=2,
        *,
        beta=1.0,
        likelihood="gaussian",
        hidden_layer_sizes=(256, 128),
        activation="relu",
        dropout=0.0,
        alpha=1e-4,
        batch_size="auto",
        learning_rate_init=1e-3,
        max_iter=200,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        warm_start=False,
        random_state=None,
        verbose=0,
        device="cpu",
        dtype="float32",
    ):
        self.n_components = n_components
        self.beta = beta
        self.likelihood = likelihood
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
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
        **_BaseAutoencoder._parameter_constraints,
        "beta": [Interval(Real, 0, None, closed="left")],
        "likelihood": [StrOptions(set(LIKELIHOODS))],
    }

    @property
    def _input_model(self):
        return _COUNT_INPUT if self.likelihood != "gaussian" else _STANDARDISED_INPUT

    def _check_X(self, X, reset):
        X = super()._check_X(X, reset)
        self._input_model.check(X, self)
        return X

    def _module_spec(self, dataset):
        return {**super()._module_spec(dataset), "likelihood": self.likelihood}

    def _build_module(self, spec, generator):
        return VariationalAutoencoderModule(
            spec["n_features"],
            spec["n_components"],
            spec["hidden_layer_sizes"],
            spec["activation"],
            spec["dropout"],
            likelihood=spec["likelihood"],
            generator=generator,
        )

    def _init_module(self, module, dataset, randomness):
        self._input_model.init_module(module, dataset, self.mean_, self.scale_)

    def _make_criterion(self):
        return NegativeELBOLoss(beta=self.beta, n_features=self.n_features_in_)

    @staticmethod
    def _encode(module, x):
        return module.encode(x)[0]

    @staticmethod
    def _decode(module, z):
        return module.decoded_mean(z)

    def score_samples(self, X):
        """Evidence lower bound (ELBO) of each sample, in nats, in X's units.

        The expectation over the posterior is taken at its mean (no sampling,
        so scores are deterministic), with ``beta=1`` (a true bound on
        ``log p(x)`` whatever ``beta`` was used in training). For the Gaussian
        likelihood the internal standardisation is undone (its Jacobian is
        added), so scores compare across models fitted on the same data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
        """
        X = self._check_transform_input(X)

        def elbo(module, x):
            nll, kl = module(x)
            return -(nll + kl)

        scores = self._infer(elbo, X, prepare=self._prepare).astype(np.float64)
        return scores - self._input_model.log_jacobian(self.n_features_in_, self.scale_)

    def sample(self, n_samples=1, random_state=None):
        """Generate new rows: ``z ~ N(0, I)``, then ``x ~ p(x | z)``.

        Parameters
        ----------
        n_samples : int, default=1
            Number of rows to generate.

        random_state : int, RandomState instance or None, default=None
            Seeds the draws (numpy only). None draws a fresh seed from the
            operating system: numpy's global random state is never used.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features_in_)
            Generated rows in the units of the training data (counts for
            count likelihoods).
        """
        check_is_fitted(self)
        if not isinstance(n_samples, Integral) or n_samples < 1:
            raise ValueError(f"n_samples must be a positive integer, got {n_samples!r}.")
        if random_state is None:
            random_state = np.random.SeedSequence().generate_state(1)[0]
        rng = check_random_state(random_state)
        z = rng.standard_normal((n_samples, self.n_components))
        mean = self._infer(self._decode, z)
        log_scale = self.module_.log_scale.detach().cpu().clamp(-10, 10).numpy().astype(np.float64)
        if self.likelihood == "gaussian":
            return self._unscale(mean + np.exp(log_scale) * rng.standard_normal(mean.shape))
        if self.likelihood == "poisson":
            return rng.poisson(mean).astype(np.float64)
        theta = np.exp(log_scale)
        return rng.negative_binomial(theta, theta / (theta + mean)).astype(np.float64)
