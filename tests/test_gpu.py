"""Every estimator on a CUDA GPU: skipped, with the reason, where PyTorch sees none.

CI has no GPU; this module is run by hand on a GPU machine (see
``docs/gpu_and_persistence.md`` for the last run's output and what was run).
``tests/test_net.py`` guards the device handling on the CPU.
"""

import os
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_dl import Autoencoder, GRUClassifier, SequenceEncoder, VariationalAutoencoder
from sklearn_dl.utils import all_estimators
from tests.test_common import PER_CHECK_PARAMS

pytestmark = pytest.mark.skipif(
    not torch.cuda.is_available(), reason="PyTorch sees no CUDA GPU on this machine"
)

RNG = np.random.RandomState(0)
TABLE = RNG.rand(120, 8)
COUNTS = RNG.poisson(2.0, size=(120, 8)).astype(float)
RAGGED = [RNG.randn(t, 3) for t in RNG.randint(4, 15, 80)]
EQUAL = RNG.randn(80, 12, 3)
LABELS = np.array(["x", "y"] * 40)
TARGETS = RNG.randn(80)
ESTIMATORS = [cls for _, cls in all_estimators() if cls is not SequenceEncoder]


def _small(cls, device):
    params = cls().get_params()
    if "hidden_size" in params:
        return cls(
            hidden_size=8, num_layers=2, dropout=0.1, max_iter=4, random_state=0, device=device
        )
    return cls(hidden_layer_sizes=(16,), dropout=0.1, max_iter=4, random_state=0, device=device)


def _exercise(est):
    """fit, partial_fit and every inference method; returns the outputs."""
    outputs = []
    if hasattr(est, "transform"):
        X = COUNTS if isinstance(est, VariationalAutoencoder) else TABLE
        est.fit(X).partial_fit(X)
        codes = est.transform(X)
        outputs += [codes, est.inverse_transform(codes), est.score_samples(X)]
        outputs.append(np.float64(est.score(X)))
        outputs.append(est.transform(X.astype(np.float32)))
        if hasattr(est, "sample"):
            outputs.append(est.sample(5, random_state=0))
        return outputs
    y = LABELS if hasattr(est, "class_weight") else TARGETS
    for X in (RAGGED, EQUAL):
        est.fit(X, y).partial_fit(X, y)
        outputs += [est.predict(X), np.float64(est.score(X, y))]
        if hasattr(est, "predict_proba"):
            outputs.append(est.predict_proba(X))
    return outputs


@pytest.mark.parametrize("device", ["cuda", "auto"])
@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_every_method_runs_on_the_gpu(cls, device):
    est = _small(cls, device)
    outputs = _exercise(est)
    assert str(est.net_.device).startswith("cuda")
    assert next(est.module_.parameters()).is_cuda
    numbers = [np.asarray(o) for o in outputs if np.asarray(o).dtype.kind == "f"]
    assert all(np.all(np.isfinite(o)) for o in numbers)


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_same_seed_twice_on_the_gpu_gives_the_same_model(cls):
    first = _exercise(_small(cls, "cuda"))
    second = _exercise(_small(cls, "cuda"))
    for a, b in zip(first, second):
        if np.asarray(a).dtype.kind == "f":
            np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)
        else:
            np.testing.assert_array_equal(b, a)


@parametrize_with_checks(
    [
        Autoencoder(hidden_layer_sizes=(8,), max_iter=10, device="cuda"),
        GRUClassifier(
            hidden_size=16, max_iter=50, batch_size=32, early_stopping=False, device="cuda"
        ),
    ]
)
def test_check_estimator_on_the_gpu(estimator, check):
    # The same checks and per-check parameters as tests/test_common.py, on CUDA.
    name = getattr(check, "func", check).__name__
    if name in PER_CHECK_PARAMS:
        estimator = clone(estimator).set_params(**PER_CHECK_PARAMS[name])
    check(estimator)


def test_a_cuda_trained_model_predicts_in_a_cpu_only_process(tmp_path):
    est = _small(GRUClassifier, "cuda").fit(RAGGED, LABELS)
    expected = est.predict_proba(RAGGED)
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps(est))
    np.save(tmp_path / "X.npy", np.array(RAGGED, dtype=object), allow_pickle=True)
    script = textwrap.dedent(
        f"""
        import pickle, warnings
        import numpy as np, torch
        assert not torch.cuda.is_available()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            est = pickle.loads(open({str(path)!r}, "rb").read())
        assert any("loaded on the CPU" in str(w.message) for w in caught)
        X = list(np.load({str(tmp_path / "X.npy")!r}, allow_pickle=True))
        np.save({str(tmp_path / "cpu.npy")!r}, est.predict_proba(X))
        """
    )
    env = dict(os.environ, CUDA_VISIBLE_DEVICES="")
    subprocess.run([sys.executable, "-c", script], check=True, env=env, timeout=300)
    on_cpu = np.load(tmp_path / "cpu.npy")
    np.testing.assert_allclose(on_cpu, expected, atol=1e-4)


@pytest.mark.parametrize(
    "est, data",
    [
        (_small(Autoencoder, "cuda"), (TABLE,)),
        # With a validation split: both parts stay on the GPU.
        (_small(GRUClassifier, "cuda").set_params(early_stopping=True), (EQUAL, LABELS)),
    ],
    ids=["Autoencoder", "GRUClassifier"],
)
def test_dense_training_data_go_to_the_gpu_once(est, data, monkeypatch):
    from sklearn_dl._net import SkorchNet

    trained_on = []
    partial_fit = SkorchNet.partial_fit

    def spy_partial_fit(self, X, y=None, **kwargs):
        trained_on.append(X)
        return partial_fit(self, X, y, **kwargs)

    monkeypatch.setattr(SkorchNet, "partial_fit", spy_partial_fit)
    est.fit(*data)
    (dataset,) = trained_on
    if isinstance(est, Autoencoder):
        assert dataset.X.is_cuda and dataset.target is None
    else:
        assert dataset._dense.is_cuda and dataset.target.is_cuda
        assert len(dataset) < len(EQUAL)  # the training part of the split
