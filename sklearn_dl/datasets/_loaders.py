"""Loaders for the time-series classification data sets shipped with the package."""

from functools import partial
from importlib.resources import files

import numpy as np
from sklearn.utils import Bunch

from sklearn_dl.datasets._ts_format import read_ts

_ATTRIBUTION = (
    "Source: UCR/UEA time-series classification archive (timeseriesclassification.com), "
    "in the archive's .ts format as redistributed by the sktime package (BSD-3-Clause)."
)
_SPLITS = ("train", "test")

_LOADER_SECTIONS = """
    Parameters
    ----------
    split : {{"train", "test"}}, default="train"
        Which of the archive's official splits to load.

    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the attributes:

        data : ndarray of shape (n_cases, {length}, {channels})
            The series as float64: time along axis 1, channels along axis 2.
        target : ndarray of shape (n_cases,) of str
            The class label of each case.
        target_names : ndarray of shape ({n_classes},) of str
            The class labels in the order of the file's header.
        DESCR : str
            The description from the data file, with its source.

    (data, target) : tuple if ``return_X_y`` is True
        The arrays described above.
"""


def _loader_doc(loader, *, length, channels, n_classes):
    """Put the sections all loaders share between a loader's summary and its examples."""
    if loader.__doc__ is None:  # python -OO strips docstrings
        return loader
    summary, examples = loader.__doc__.split("\n    Examples\n", 1)
    sections = _LOADER_SECTIONS.format(length=length, channels=channels, n_classes=n_classes)
    loader.__doc__ = f"{summary.rstrip()}\n{sections}\n    Examples\n{examples}"
    return loader


def _load_ts_dataset(name, split, return_X_y):
    """Read ``data/<name>_<SPLIT>.ts`` from the package and wrap it like ``load_digits``."""
    if split not in _SPLITS:
        raise ValueError(f"split must be one of {_SPLITS}, got {split!r}")
    resource = files("sklearn_dl.datasets") / "data" / f"{name}_{split.upper()}.ts"
    with resource.open("r", encoding="utf-8") as f:
        X, y, meta = read_ts(f)
    if return_X_y:
        return X, y
    return Bunch(
        data=X,
        target=y,
        target_names=np.array(meta["class_labels"], dtype=str),
        DESCR=f"{meta['description']}\n\n{_ATTRIBUTION}",
    )


@partial(_loader_doc, length=150, channels=1, n_classes=2)
def load_gunpoint(*, split="train", return_X_y=False):
    """Load the GunPoint data set (univariate time-series classification).

    Two actors either draw a replica gun from a hip holster and point it at a
    target, or point with their index finger; the series is the X coordinate
    of the right hand's centroid. 1 channel, length 150, 2 classes
    (``"1"``, ``"2"``), 50 training and 150 test cases.


    Examples
    --------
    >>> from sklearn_dl.datasets import load_gunpoint
    >>> X, y = load_gunpoint(return_X_y=True)
    >>> X.shape
    (50, 150, 1)
    >>> load_gunpoint(split="test").target_names.tolist()
    ['1', '2']
    """
    return _load_ts_dataset("GunPoint", split, return_X_y)


@partial(_loader_doc, length=24, channels=1, n_classes=2)
def load_italy_power_demand(*, split="train", return_X_y=False):
    """Load the ItalyPowerDemand data set (univariate time-series classification).

    Daily electrical power demand in Italy, one value an hour; the task is to
    tell days from October to March from days from April to September.
    1 channel, length 24, 2 classes (``"1"``, ``"2"``), 67 training and
    1029 test cases.


    Examples
    --------
    >>> from sklearn_dl.datasets import load_italy_power_demand
    >>> X, y = load_italy_power_demand(return_X_y=True)
    >>> X.shape
    (67, 24, 1)
    >>> load_italy_power_demand(split="test").data.shape
    (1029, 24, 1)
    """
    return _load_ts_dataset("ItalyPowerDemand", split, return_X_y)


@partial(_loader_doc, length=100, channels=6, n_classes=4)
def load_basic_motions(*, split="train", return_X_y=False):
    """Load the BasicMotions data set (multivariate time-series classification).

    Smart-watch recordings of four activities (standing, running, walking,
    playing badminton): a 3-D accelerometer and a 3-D gyroscope sampled ten
    times a second for ten seconds. 6 channels, length 100, 4 classes,
    40 training and 40 test cases.


    Examples
    --------
    >>> from sklearn_dl.datasets import load_basic_motions
    >>> X, y = load_basic_motions(return_X_y=True)
    >>> X.shape
    (40, 100, 6)
    >>> load_basic_motions().target_names.tolist()
    ['Standing', 'Running', 'Walking', 'Badminton']
    """
    return _load_ts_dataset("BasicMotions", split, return_X_y)
