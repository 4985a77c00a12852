"""Saved models: pickle, joblib and skops files hold plain arrays, load safely, continue alike."""

import pickle
import pickletools
import warnings
from pathlib import Path

import joblib
import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import sklearn_dl
from sklearn_dl import (
    Autoencoder,
    GRUClassifier,
    SequenceEncoder,
    VariationalAutoencoder,
)
from sklearn_dl._persistence import STATE_FORMAT
from sklearn_dl.utils import all_estimators

sio = pytest.importorskip("skops.io")

RNG = np.random.RandomState(0)
TABLE = RNG.rand(60, 6)
COUNTS = RNG.poisson(3.0, size=(60, 6)).astype(float)
SEQUENCES = [RNG.randn(t, 2) for t in RNG.randint(4, 9, 40)]
LABELS = np.array(["a", "b"] * 20)
TARGETS = RNG.randn(40)
STRINGS = ["".join(RNG.choice(list("ACGT"), RNG.randint(4, 9))) for _ in range(40)]


def _fitted(cls):
    """A small fitted instance of ``cls`` with data to call it on (dropout/noise on)."""
    params = cls().get_params()
    if cls is SequenceEncoder:
        return cls(alphabet="dna").fit(STRINGS), STRINGS
    if "hidden_size" in params:
        est = cls(hidden_size=4, num_layers=2, dropout=0.2, max_iter=3, random_state=0)
        y = LABELS if "class_weight" in params else TARGETS
        return est.fit(SEQUENCES, y), SEQUENCES
    est = cls(hidden_layer_sizes=(8,), dropout=0.1, max_iter=3, random_state=0)
    X = COUNTS if cls is VariationalAutoencoder else TABLE
    return est.fit(X), X


def _outputs(est, X):
    if isinstance(est, SequenceEncoder):
        return [np.asarray(x) for x in est.transform(X)]
    method = "transform" if hasattr(est, "transform") else "predict"
    return [getattr(est, method)(X)]


def _skops_round_trip(obj, tmp_path):
    path = tmp_path / "model.skops"
    sio.dump(obj, path)
    untrusted = sio.get_untrusted_types(file=path)
    # Only this package's classes need the user's trust: everything else in
    # the file is a type skops trusts by default (numbers, strings, arrays).
    assert all(name.startswith("sklearn_dl.") for name in untrusted), untrusted
    return sio.load(path, trusted=untrusted)


ESTIMATOR_CLASSES = [cls for _, cls in all_estimators()]


@pytest.mark.parametrize("cls", ESTIMATOR_CLASSES, ids=lambda c: c.__name__)
@pytest.mark.parametrize("route", ["pickle", "joblib", "skops"])
def test_round_trip_gives_identical_outputs(cls, route, tmp_path):
    est, X = _fitted(cls)
    if route == "pickle":
        restored = pickle.loads(pickle.dumps(est))
    elif route == "joblib":
        joblib.dump(est, tmp_path / "model.joblib")
        restored = joblib.load(tmp_path / "model.joblib")
    else:
        restored = _skops_round_trip(est, tmp_path)
    for before, after in zip(_outputs(est, X), _outputs(restored, X)):
        np.testing.assert_array_equal(after, before)


@pytest.mark.parametrize(
    "cls", [c for c in ESTIMATOR_CLASSES if c is not SequenceEncoder], ids=lambda c: c.__name__
)
def test_training_continues_after_loading_exactly_as_without_saving(cls, tmp_path):
    # Weights, Adam's moments, the history and the random streams all travel:
    # partial_fit on the loaded model equals partial_fit on the original.
    est, X = _fitted(cls)
    restored = _skops_round_trip(est, tmp_path)
    args = (
        (X,) if hasattr(est, "transform") else (X, LABELS if hasattr(est, "classes_") else TARGETS)
    )
    est.partial_fit(*args)
    restored.partial_fit(*args)
    assert restored.n_iter_ == est.n_iter_
    for before, after in zip(_outputs(est, X), _outputs(restored, X)):
        np.testing.assert_array_equal(after, before)


def _torch_globals(blob):
    """Module names of the globals a pickle would import when loaded."""
    names, strings = set(), []
    for opcode, arg, _ in pickletools.genops(blob):
        if opcode.name in ("SHORT_BINUNICODE", "BINUNICODE", "UNICODE"):
            strings.append(arg)
        elif opcode.name == "GLOBAL":
            names.add(arg.split(" ")[0])
        elif opcode.name == "STACK_GLOBAL":
            names.add(strings[-2])
    return {name for name in names if name.startswith(("torch", "skorch"))}


@pytest.mark.parametrize("cls", [Autoencoder, GRUClassifier], ids=lambda c: c.__name__)
def test_pickle_holds_plain_arrays_once_and_no_training_data(cls):
    est, X = _fitted(cls)
    blob = pickle.dumps(est)
    # No torch or skorch object is pickled: loading imports neither's classes.
    assert _torch_globals(blob) == set()
    n_weights = sum(p.numel() for p in est.module_.parameters())
    bytes_per_weight = est.module_.head.weight.element_size() if cls is GRUClassifier else 4
    # Weights, Adam's two moments, and small bookkeeping: not a second copy.
    assert len(blob) < 3 * n_weights * bytes_per_weight + 20_000
    restored = pickle.loads(blob)
    assert restored.net_.train_split is None
    for _, callback in restored.net_.callbacks_:
        assert getattr(callback, "dataset_valid", None) is None


def test_whole_pipelines_round_trip_through_skops(tmp_path):
    rng = np.random.RandomState(0)
    X, y = rng.rand(80, 6), np.arange(80) % 2
    tabular = make_pipeline(
        StandardScaler(), Autoencoder(2, max_iter=3, random_state=0), LogisticRegression()
    ).fit(X, y)
    strings = make_pipeline(
        SequenceEncoder(alphabet="dna"), GRUClassifier(hidden_size=4, max_iter=3, random_state=0)
    ).fit(STRINGS, LABELS)
    for pipe, data in ((tabular, X), (strings, STRINGS)):
        restored = _skops_round_trip(pipe, tmp_path)
        np.testing.assert_array_equal(restored.predict_proba(data), pipe.predict_proba(data))


class _Payload:
    """Unpickling this object runs code: it creates the file named in ``marker``."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (Path.touch, (Path(self.marker),))


def test_a_file_carrying_a_pickle_payload_is_refused_and_never_runs(tmp_path):
    marker = tmp_path / "payload_ran"
    # A pickle file given to the safe loader.
    pickled = tmp_path / "model.skops"
    pickled.write_bytes(pickle.dumps(_Payload(marker)))
    with pytest.raises(Exception, match="zip"):
        sio.load(pickled, trusted=["sklearn_dl._autoencoder.Autoencoder"])
    # A real model file whose saved state smuggles the payload in as an object.
    est, _ = _fitted(Autoencoder)
    est.scale_ = _Payload(marker)
    sio.dump(est, tmp_path / "smuggled.skops")
    untrusted = sio.get_untrusted_types(file=tmp_path / "smuggled.skops")
    assert any("_Payload" in name for name in untrusted)
    with pytest.raises(Exception, match="[Uu]ntrusted"):
        sio.load(tmp_path / "smuggled.skops", trusted=["sklearn_dl._autoencoder.Autoencoder"])
    assert not marker.exists()


def _saved_state(est):
    state = est.__getstate__()
    return state, state["net_"]


def test_a_model_from_another_format_is_refused_with_the_reason():
    est, _ = _fitted(Autoencoder)
    state, saved = _saved_state(est)
    saved["format"] = STATE_FORMAT + 1
    saved["sklearn_dl_version"] = "9.9.9"
    with pytest.raises(ValueError, match=r"sklearn-dl 9\.9\.9 in state format .* reads format"):
        Autoencoder.__new__(Autoencoder).__setstate__(state)


def test_a_model_from_another_version_in_the_same_format_loads_with_a_warning():
    est, X = _fitted(Autoencoder)
    state, saved = _saved_state(est)
    saved["sklearn_dl_version"] = "0.0.1"
    restored = Autoencoder.__new__(Autoencoder)
    with pytest.warns(UserWarning, match=f"saved by sklearn-dl 0.0.1 .* {sklearn_dl.__version__}"):
        restored.__setstate__(state)
    np.testing.assert_array_equal(restored.transform(X), est.transform(X))


def test_object_arrays_in_place_of_weights_are_refused():
    est, _ = _fitted(Autoencoder)
    state, saved = _saved_state(est)
    name = next(iter(saved["module"]))
    saved["module"][name] = np.array([object()], dtype=object)
    with pytest.raises(ValueError, match="not a numeric array"):
        Autoencoder.__new__(Autoencoder).__setstate__(state)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks loading without a GPU")
def test_a_cuda_trained_model_loads_on_a_cpu_only_machine():
    # What a CUDA-trained model's file says (tests/test_gpu.py makes a real
    # one on a GPU and loads it in a CPU-only process).
    est, X = _fitted(GRUClassifier)
    expected = est.predict_proba(SEQUENCES)
    state, saved = _saved_state(est)
    state["device"] = "cuda"
    saved["device"] = "cuda:0"
    restored = GRUClassifier.__new__(GRUClassifier)
    with pytest.warns(UserWarning, match="no CUDA device here: it is loaded on the CPU"):
        restored.__setstate__(state)
    assert str(restored.net_.device) == "cpu"
    np.testing.assert_array_equal(restored.predict_proba(SEQUENCES), expected)


def test_clone_of_a_loaded_model_is_unfitted_and_equal_in_parameters(tmp_path):
    est, _ = _fitted(GRUClassifier)
    restored = _skops_round_trip(est, tmp_path)
    assert clone(restored).get_params() == est.get_params()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pickle.loads(pickle.dumps(restored))  # loads again without warnings
