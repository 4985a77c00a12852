"""Plots in scikit-learn's display style.

matplotlib is an optional extra: ``pip install sklearn-dl[plot]``.

- :class:`LossCurveDisplay`: training and validation loss per epoch of any
  fitted estimator of the package.
- :class:`EmbeddingDisplay`: a 2-D embedding (``transform`` output) coloured
  by label.
"""

import numpy as np
from sklearn.utils._optional_dependencies import check_matplotlib_support
from sklearn.utils.validation import check_is_fitted

__all__ = ["EmbeddingDisplay", "LossCurveDisplay"]


def _axes(ax):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots()
    return ax


class LossCurveDisplay:
    """Training (and validation) loss per epoch.

    Build it with :meth:`from_estimator`; the constructor takes the curves
    themselves.

    Parameters
    ----------
    loss_curve : array-like of shape (n_epochs,)
        Training loss per epoch.

    validation_loss_curve : array-like of shape (n_epochs,), default=None
        Validation loss per epoch, NaN for epochs without one (a shorter
        curve is drawn against the last epochs).

    estimator_name : str, default=None
        Name used in the title.

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    lines_ : list of matplotlib Line2D
        The training curve first, then the validation curve if any.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_dl import Autoencoder
    >>> from sklearn_dl.plotting import LossCurveDisplay
    >>> ae = Autoencoder(max_iter=5, random_state=0).fit(load_digits().data[:200])
    >>> display = LossCurveDisplay.from_estimator(ae)
    >>> len(display.lines_)
    2
    """

    def __init__(self, *, loss_curve, validation_loss_curve=None, estimator_name=None):
        self.loss_curve = loss_curve
        self.validation_loss_curve = validation_loss_curve
        self.estimator_name = estimator_name

    def plot(self, ax=None):
        """Draw the curves on ``ax`` (a new figure when None). Returns self."""
        check_matplotlib_support("LossCurveDisplay.plot")
        ax = _axes(ax)
        epochs = np.arange(1, len(self.loss_curve) + 1)
        self.lines_ = ax.plot(epochs, self.loss_curve, label="training loss")
        if self.validation_loss_curve is not None and len(self.validation_loss_curve):
            # Aligned with the training curve (NaN: an epoch without validation,
            # such as a partial_fit pass); a shorter curve is its last epochs.
            valid = np.asarray(self.validation_loss_curve, dtype=float)
            self.lines_ += ax.plot(epochs[-len(valid) :], valid, label="validation loss")
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        if self.estimator_name:
            ax.set_title(self.estimator_name)
        ax.legend()
        self.ax_, self.figure_ = ax, ax.figure
        return self

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, name=None):
        """Plot the loss curves of a fitted estimator of this package.

        Parameters
        ----------
        estimator : fitted estimator with ``loss_curve_``
            Any estimator of the package.

        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.

        name : str, default=None
            Title; the estimator's class name when None.

        Returns
        -------
        display : LossCurveDisplay
        """
        check_is_fitted(estimator, "loss_curve_")
        return cls(
            loss_curve=estimator.loss_curve_,
            validation_loss_curve=getattr(estimator, "validation_loss_curve_", None),
            estimator_name=name or type(estimator).__name__,
        ).plot(ax=ax)


class EmbeddingDisplay:
    """A 2-D embedding as a scatter plot, coloured by label.

    Parameters
    ----------
    embedding : ndarray of shape (n_samples, 2)
        Points to draw.

    labels : array-like of shape (n_samples,), default=None
        Colours (one per class).

    estimator_name : str, default=None
        Name used in the title.

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    scatter_ : list of matplotlib PathCollection
        One per label (one in all without labels).
    n_outside_ : int
        Points outside the axes' limits (non-zero only with ``robust_limits``).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.decomposition import PCA
    >>> from sklearn_dl.plotting import EmbeddingDisplay
    >>> X, y = load_digits(return_X_y=True)
    >>> display = EmbeddingDisplay.from_estimator(PCA(2).fit(X), X, y)
    >>> len(display.scatter_)
    10
    """

    def __init__(self, *, embedding, labels=None, estimator_name=None):
        self.embedding = embedding
        self.labels = labels
        self.estimator_name = estimator_name

    def plot(self, ax=None, *, robust_limits=False, **scatter_kwargs):
        """Draw the points on ``ax`` (a new figure when None).

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.
        robust_limits : bool, default=False
            Fit the axes to the central 99% of the points on each axis (plus a
            margin) instead of all of them, so that a few far outliers do not
            squash the rest into a corner. The number of points left outside
            is stored in ``n_outside_`` and shown in the lower right corner.
        **scatter_kwargs
            Passed to ``Axes.scatter``.

        Returns
        -------
        display : EmbeddingDisplay
        """
        check_matplotlib_support("EmbeddingDisplay.plot")
        embedding = np.asarray(self.embedding)
        if embedding.ndim != 2 or embedding.shape[1] != 2:
            raise ValueError(
                f"EmbeddingDisplay needs a 2-D embedding, got shape {embedding.shape}."
            )
        ax = _axes(ax)
        kwargs = {"s": 8, "alpha": 0.8, **scatter_kwargs}
        if self.labels is None:
            self.scatter_ = [ax.scatter(embedding[:, 0], embedding[:, 1], **kwargs)]
        else:
            labels = np.asarray(self.labels)
            self.scatter_ = [
                ax.scatter(*embedding[labels == label].T, label=str(label), **kwargs)
                for label in np.unique(labels)
            ]
            ax.legend(markerscale=2, fontsize="small", ncols=2 if len(self.scatter_) > 6 else 1)
        self.n_outside_ = 0
        if robust_limits and len(embedding):
            low, high = np.percentile(embedding, [0.5, 99.5], axis=0)
            margin = 0.05 * np.where(high > low, high - low, 1.0)
            low, high = low - margin, high + margin
            ax.set_xlim(low[0], high[0])
            ax.set_ylim(low[1], high[1])
            inside = ((embedding >= low) & (embedding <= high)).all(axis=1)
            self.n_outside_ = int((~inside).sum())
            if self.n_outside_:
                ax.annotate(
                    f"{self.n_outside_} point(s) outside the view",
                    xy=(0.99, 0.01),
                    xycoords="axes fraction",
                    ha="right",
                    va="bottom",
                    fontsize="small",
                    color="0.4",
                )
        if self.estimator_name:
            ax.set_title(self.estimator_name)
        self.ax_, self.figure_ = ax, ax.figure
        return self

    @classmethod
    def from_estimator(
        cls, estimator, X, y=None, *, ax=None, name=None, robust_limits=False, **scatter_kwargs
    ):
        """Embed X with a fitted 2-D transformer and plot it.

        Parameters
        ----------
        estimator : fitted transformer with 2 output columns
            e.g. ``Autoencoder(n_components=2)`` or ``PCA(2)``.

        X : array-like
            Data to embed.

        y : array-like, default=None
            Labels for the colours.

        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.

        name : str, default=None
            Title; the estimator's class name when None.

        robust_limits : bool, default=False
            Fit the axes to the central 99% of the points (see :meth:`plot`).

        **scatter_kwargs
            Passed to ``Axes.scatter``.

        Returns
        -------
        display : EmbeddingDisplay
        """
        check_is_fitted(estimator)
        embedding = np.asarray(estimator.transform(X))
        return cls(
            embedding=embedding, labels=y, estimator_name=name or type(estimator).__name__
        ).plot(ax=ax, robust_limits=robust_limits, **scatter_kwargs)
