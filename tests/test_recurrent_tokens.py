"""Token-id input (``embedding_dim``) of the recurrent estimators."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from sklearn_dl import GRUClassifier, LSTMRegressor, RecurrentClassifier, SequenceEncoder
from sklearn_dl.nn import RecurrentModule

FAST = dict(hidden_size=8, conv_channels=None, max_iter=3, random_state=0)


def _token_task(n, rng, vocabulary=30, length=8):
    """Lists of word tokens; the label says whether the word "w0" occurs."""
    X, y = [], []
    for i in range(n):
        ids = rng.randint(1, vocabulary, size=rng.randint(3, length + 1))
        if i % 2:
            ids[rng.randint(len(ids))] = 0
        X.append([f"w{k}" for k in ids])
        y.append(int(0 in ids))
    return X, np.array(y)


def test_pipeline_with_ordinal_encoder_learns_a_token_task():
    rng = np.random.RandomState(0)
    X, y = _token_task(400, rng)
    X_test, y_test = _token_task(200, rng)
    model = make_pipeline(
        SequenceEncoder(encoding="ordinal", handle_unknown="unknown"),
        GRUClassifier(embedding_dim=8, hidden_size=16, max_iter=40, random_state=0),
    )
    assert model.fit(X, y).score(X_test, y_test) > 0.9


def test_ids_never_seen_in_fit_share_the_unknown_row():
    rng = np.random.RandomState(0)
    X = rng.choice([0, 2, 3, 7], size=(40, 6))  # ids 1, 4, 5, 6 and > 7 never seen
    y = (X[:, 0] == 7).astype(int)
    model = RecurrentClassifier(embedding_dim=4, dtype="float64", **FAST).fit(X, y)
    np.testing.assert_array_equal(model.tokens_, [0, 2, 3, 7])
    assert model.mean_ is None and model.scale_ is None
    probas = [
        model.predict_proba(np.array([[unseen, 2, 3, 0, 0, 7]])) for unseen in (1, 5, 8, 10**6)
    ]
    for other in probas[1:]:
        np.testing.assert_array_equal(other, probas[0])
    seen = model.predict_proba(np.array([[2, 2, 3, 0, 0, 7]]))
    assert not np.array_equal(seen, probas[0])
    unknown_row = model.module_.embedding.weight[0]
    assert torch.count_nonzero(unknown_row) == 0  # zero, and training never moved it


@pytest.mark.parametrize(
    "X, match",
    [
        (np.array([[0, 1, -2], [1, 1, 0]]), "non-negative"),
        (np.array([[0, 1.5, 2], [1, 1, 0]]), "integers"),
        (np.zeros((2, 3, 2)), "one integer token id per time step"),
    ],
)
def test_bad_token_ids_are_refused_by_name(X, match):
    with pytest.raises(ValueError, match=match):
        RecurrentClassifier(embedding_dim=4, **FAST).fit(X, [0, 1])


def test_bad_ids_at_predict_are_refused_too():
    model = RecurrentClassifier(embedding_dim=4, **FAST).fit([[0, 1, 2], [2, 1, 0]], [0, 1])
    with pytest.raises(ValueError, match="non-negative"):
        model.predict([[0, -1, 2]])


def test_callers_ids_are_not_modified():
    X = [np.array([3, 1, 4, 1, 5]), np.array([9, 2, 6])]
    before = [x.copy() for x in X]
    model = RecurrentClassifier(embedding_dim=4, **FAST).fit(X, [0, 1])
    model.predict(X)
    for x, x0 in zip(X, before):
        np.testing.assert_array_equal(x, x0)
        assert x.dtype == x0.dtype


def test_prediction_does_not_depend_on_batch_mates():
    rng = np.random.RandomState(0)
    X = [rng.randint(0, 20, size=rng.randint(2, 12)) for _ in range(30)]
    y = rng.randint(0, 2, size=30)
    model = GRUClassifier(embedding_dim=4, dtype="float64", **FAST).fit(X, y)
    together = model.predict_proba(X)
    alone = np.vstack([model.predict_proba([x]) for x in X])
    np.testing.assert_allclose(together, alone, rtol=0, atol=1e-12)


def test_regressor_takes_token_ids():
    rng = np.random.RandomState(0)
    X = rng.randint(0, 5, size=(60, 4))
    y = (X == 3).sum(axis=1).astype(float)
    model = LSTMRegressor(embedding_dim=4, **{**FAST, "max_iter": 60}).fit(X, y)
    assert model.score(X, y) > 0.5


def test_grid_search_and_pickle_in_a_pipeline():
    rng = np.random.RandomState(0)
    X, y = _token_task(60, rng)
    pipe = make_pipeline(
        SequenceEncoder(encoding="ordinal", handle_unknown="unknown"),
        GRUClassifier(embedding_dim=4, **FAST),
    )
    search = GridSearchCV(pipe, {"gruclassifier__embedding_dim": [2, 5]}, cv=2).fit(X, y)
    best = search.best_estimator_[-1]
    assert (
        best.module_.embedding.embedding_dim == search.best_params_["gruclassifier__embedding_dim"]
    )
    restored = pickle.loads(pickle.dumps(search.best_estimator_))
    np.testing.assert_array_equal(
        restored.predict_proba(X), search.best_estimator_.predict_proba(X)
    )


def test_partial_fit_keeps_the_first_vocabulary():
    model = RecurrentClassifier(embedding_dim=4, **FAST)
    model.partial_fit([[0, 1, 2], [2, 1, 0]], [0, 1], classes=[0, 1])
    model.partial_fit([[5, 6, 7], [7, 1, 0]], [0, 1])  # 5, 6, 7: unknown
    np.testing.assert_array_equal(model.tokens_, [0, 1, 2])
    assert model.module_.embedding.num_embeddings == 4


def test_module_reads_ids_with_or_without_a_feature_axis():
    module = RecurrentModule(1, 2, n_tokens=5, embedding_dim=3, generator=torch.Generator())
    ids = torch.tensor([[1, 2, 5, 0], [3, 3, 1, 4]])
    np.testing.assert_array_equal(
        module(ids).detach(), module(ids[..., None].to(torch.float32)).detach()
    )
    with pytest.raises(ValueError, match="give both or neither"):
        RecurrentModule(1, 2, embedding_dim=3)
