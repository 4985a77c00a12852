"""scikit-learn's common estimator checks over every estimator of the package.

Estimators are found automatically (``sklearn_dl.utils.all_estimators``), so a
new estimator is checked as soon as it is exported. ``AUTOENCODER_PARAMS`` and
``RECURRENT_PARAMS`` only
shrinks networks and epochs to keep the suite fast; no check is marked as an
expected failure.
"""

import pytest
from sklearn.base import clone
from sklearn.utils.estimator_checks import (
    check_get_feature_names_out_error,
    check_global_output_transform_pandas,
    check_set_output_transform,
    check_transformer_get_feature_names_out,
    check_transformer_get_feature_names_out_pandas,
    parametrize_with_checks,
)

import sklearn_dl
from sklearn_dl.utils import all_estimators

# Small networks and few epochs keep the checks fast. The sequence models meet
# scikit-learn's accuracy bars (check_classifiers_train: > 0.83, and
# check_regressors_train: R^2 > 0.5) with enough optimiser steps: mini-batches
# of 32 and 50 epochs.
AUTOENCODER_PARAMS = {"hidden_layer_sizes": (8,), "max_iter": 10}
RECURRENT_PARAMS = {
    "hidden_size": 16,
    "max_iter": 50,
    "batch_size": 32,
    "early_stopping": False,
    "learning_rate_init": 0.01,
}


def _cheap(cls):
    params = cls().get_params()
    cheap = RECURRENT_PARAMS if "hidden_size" in params else AUTOENCODER_PARAMS
    return cls(**{k: v for k, v in cheap.items() if k in params})


ESTIMATORS = [_cheap(cls) for _, cls in all_estimators()]
# The same checks with missing values allowed (scikit-learn's allow_nan tag).
ESTIMATORS.append(_cheap(sklearn_dl.GRUClassifier).set_params(missing="mask"))
TRANSFORMERS = [est for est in ESTIMATORS if hasattr(est, "get_feature_names_out")]


def test_estimators_are_found():
    # Every estimator class the package exports is under the common checks.
    exported = {name for name in sklearn_dl.__all__ if isinstance(getattr(sklearn_dl, name), type)}
    assert {type(est).__name__ for est in ESTIMATORS} == exported
    assert any(getattr(est, "missing", None) == "mask" for est in ESTIMATORS)


# Like scikit-learn's own PER_ESTIMATOR_CHECK_PARAMS (MLPClassifier runs this
# check with solver="lbfgs"): weighted rows must equal repeated rows, which
# holds for deterministic full-batch training in float64, not for shuffled
# float32 mini-batches.
PER_CHECK_PARAMS = {
    "check_sample_weight_equivalence_on_dense_data": dict(
        batch_size=100_000, early_stopping=False, dtype="float64"
    ),
}


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    name = getattr(check, "func", check).__name__
    if name in PER_CHECK_PARAMS:
        estimator = clone(estimator).set_params(**PER_CHECK_PARAMS[name])
    check(estimator)


OUTPUT_CHECKS = [
    check_set_output_transform,
    check_global_output_transform_pandas,
    check_transformer_get_feature_names_out,
    check_transformer_get_feature_names_out_pandas,
    check_get_feature_names_out_error,
]


@pytest.mark.parametrize("estimator", TRANSFORMERS, ids=lambda est: type(est).__name__)
@pytest.mark.parametrize("check", OUTPUT_CHECKS, ids=lambda check: check.__name__)
def test_transformer_output_checks(estimator, check):
    pytest.importorskip("pandas")
    check(type(estimator).__name__, estimator)
