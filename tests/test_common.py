"""scikit-learn's common estimator checks over every estimator of the package.

Estimators are found automatically (``sklearn_dl.utils.all_estimators``), so a
new estimator is checked as soon as it is exported. ``CHEAP_PARAMS`` only
shrinks networks and epochs to keep the suite fast; no check is marked as an
expected failure.
"""

import pytest
from sklearn.utils.estimator_checks import (
    check_get_feature_names_out_error,
    check_global_output_transform_pandas,
    check_set_output_transform,
    check_transformer_get_feature_names_out,
    check_transformer_get_feature_names_out_pandas,
    parametrize_with_checks,
)

from sklearn_dl.utils import all_estimators

CHEAP_PARAMS = {
    "hidden_layer_sizes": (8,),
    "hidden_size": 8,
    "max_iter": 10,
}


def _cheap(cls):
    params = cls().get_params()
    return cls(**{k: v for k, v in CHEAP_PARAMS.items() if k in params})


ESTIMATORS = [_cheap(cls) for _, cls in all_estimators()]
TRANSFORMERS = [est for est in ESTIMATORS if hasattr(est, "get_feature_names_out")]


def test_estimators_are_found():
    names = {type(est).__name__ for est in ESTIMATORS}
    assert {"Autoencoder", "DenoisingAutoencoder", "VariationalAutoencoder"} <= names


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
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
