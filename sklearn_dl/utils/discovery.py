"""Find every public estimator class of the package (like ``sklearn.utils.all_estimators``)."""

import inspect

from sklearn.base import BaseEstimator


def all_estimators():
    """List ``(name, class)`` of every public estimator exported by ``sklearn_dl``.

    New estimators are picked up as soon as they are exported from the
    package, so the common tests cover them automatically.

    Returns
    -------
    estimators : list of (str, type)
        Sorted by name.

    Examples
    --------
    >>> from sklearn_dl.utils import all_estimators
    >>> "Autoencoder" in dict(all_estimators())
    True
    """
    import sklearn_dl

    found = []
    for name in sklearn_dl.__all__:
        obj = getattr(sklearn_dl, name)
        if inspect.isclass(obj) and issubclass(obj, BaseEstimator) and not name.startswith("_"):
            found.append((name, obj))
    return sorted(found)
