"""Which scikit-learn tools take sequence input: each row of the table in docs/model_selection.md.

Meta-estimators that pass X through to the sequence model work with 3-D arrays and ragged lists;
those that validate X as a 2-D table themselves reject them, by design of scikit-learn.
"""

import numpy as np
import pytest
import sklearn
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import BaggingClassifier, StackingClassifier, VotingClassifier
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    GridSearchCV,
    HalvingGridSearchCV,
    TunedThresholdClassifierCV,
    cross_validate,
)
from sklearn.multiclass import OneVsOneClassifier, OneVsRestClassifier
from sklearn.multioutput import RegressorChain

from sklearn_dl import GRUClassifier, GRURegressor

RNG = np.random.RandomState(0)
INPUTS = {
    "3-D array": RNG.randn(60, 6, 2),
    "ragged list": [RNG.randn(t, 2) for t in RNG.randint(3, 8, 60)],
}
Y2, Y3 = np.arange(60) % 2, np.arange(60) % 3


def _gru():
    return GRUClassifier(hidden_size=4, max_iter=2, random_state=0)


WORK = {
    "CalibratedClassifierCV": lambda X: (
        CalibratedClassifierCV(_gru(), cv=2).fit(X, Y2).predict_proba(X)
    ),
    "StackingClassifier": lambda X: (
        StackingClassifier([("gru", _gru())], LogisticRegression(), cv=2).fit(X, Y2).predict(X)
    ),
    "VotingClassifier": lambda X: (
        VotingClassifier([("a", _gru()), ("b", _gru())], voting="soft").fit(X, Y2).predict(X)
    ),
    "OneVsRestClassifier": lambda X: OneVsRestClassifier(_gru()).fit(X, Y3).predict(X),
    "HalvingGridSearchCV": lambda X: (
        HalvingGridSearchCV(_gru(), {"hidden_size": [2, 4]}, cv=2, min_resources=20)
        .fit(X, Y2)
        .predict(X)
    ),
    "TunedThresholdClassifierCV": lambda X: (
        TunedThresholdClassifierCV(_gru(), cv=2).fit(X, Y2).predict(X)
    ),
}
REJECT = {
    "BaggingClassifier": lambda X: BaggingClassifier(_gru(), n_estimators=2).fit(X, Y2),
    "permutation_importance": lambda X: permutation_importance(_gru().fit(X, Y2), X, Y2),
    "OneVsOneClassifier": lambda X: OneVsOneClassifier(_gru()).fit(X, Y3),
    "RegressorChain": lambda X: RegressorChain(GRURegressor(hidden_size=4, max_iter=2)).fit(
        X, np.c_[Y2, Y3]
    ),
    "StackingClassifier(passthrough=True)": lambda X: StackingClassifier(
        [("gru", _gru())], LogisticRegression(), cv=2, passthrough=True
    ).fit(X, Y2),
}


@pytest.mark.parametrize("kind", INPUTS)
@pytest.mark.parametrize("tool", WORK)
def test_tools_that_pass_sequences_through_work(tool, kind):
    out = np.asarray(WORK[tool](INPUTS[kind]))
    assert len(out) == 60 and set(np.unique(out)) <= {0, 1, 2} | set(out.ravel())


@pytest.mark.parametrize("kind", INPUTS)
@pytest.mark.parametrize("tool", REJECT)
def test_tools_that_need_a_2d_table_reject_sequences(tool, kind):
    with pytest.raises(ValueError, match="dim 3|dimension|inhomogeneous|sequence"):
        REJECT[tool](INPUTS[kind])


@pytest.mark.parametrize("kind", INPUTS)
def test_metadata_routing_routes_sample_weight_to_fit(kind):
    X = INPUTS[kind]
    with sklearn.config_context(enable_metadata_routing=True):
        est = _gru().set_fit_request(sample_weight=True).set_score_request(sample_weight=False)
        cross_validate(est, X, Y2, cv=2, params={"sample_weight": np.ones(60)})
        # All-zero weights reach fit, which says so: the weights were routed.
        search = GridSearchCV(est, {"hidden_size": [4]}, cv=2, error_score="raise")
        with pytest.raises(ValueError, match="non-zero|all zero"):
            search.fit(X, Y2, sample_weight=np.zeros(60))
