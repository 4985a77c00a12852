"""Training data sets on the training device: moved once per fit when they fit there."""

import numpy as np
import pytest
import scipy.sparse as sp
import torch

from sklearn_dl import Autoencoder, GRUClassifier, _data
from sklearn_dl._data import ArrayDataset, SequenceDataset, Sequences, offsets_of, place_on_device
from sklearn_dl._net import SkorchNet

RNG = np.random.RandomState(0)


def _sequences(lengths, n_features=2):
    lengths = np.asarray(lengths, dtype=np.int64)
    flat = RNG.randn(int(lengths.sum()), n_features)
    return Sequences(flat, lengths, offsets_of(lengths))


def _datasets():
    target, weight = torch.arange(6.0), torch.ones(6)
    return {
        "dense rows": ArrayDataset(torch.rand(6, 3), target, weight),
        "equal-length sequences": SequenceDataset(_sequences([4] * 6), target, weight),
    }


@pytest.mark.parametrize("name", list(_datasets()))
def test_dense_data_go_to_the_device_whole(name):
    # "meta" stands in for a GPU on a CPU-only machine: tensors moved there
    # say so, and batches sliced from them stay there (no per-batch copy).
    dataset = _datasets()[name]
    placed = place_on_device(dataset, "meta")
    assert placed is not dataset
    assert placed.target.device.type == placed.weight.device.type == "meta"
    assert dataset.target.device.type == "cpu"  # the original is left as it was
    generator = torch.Generator().manual_seed(0)
    # The validation split's parts stay there too.
    for part in (placed, placed.subset(np.array([0, 2, 3, 5]))):
        for inputs, (target, weight) in part.batches(3, shuffle=True, generator=generator):
            x = inputs["x"] if isinstance(inputs, dict) else inputs
            assert x.device.type == target.device.type == weight.device.type == "meta"


def test_sparse_rows_and_ragged_sequences_stay_on_the_host():
    sparse = ArrayDataset(sp.random(6, 3, density=0.5, format="csr"), torch.arange(6.0))
    placed = place_on_device(sparse, "meta")
    assert sp.issparse(placed.X) and placed.target.device.type == "meta"
    ragged = SequenceDataset(_sequences([2, 5, 3, 4]), torch.arange(4.0))
    placed = place_on_device(ragged, "meta")
    assert isinstance(placed.sequences.flat, np.ndarray)
    assert placed.target.device.type == "meta"


def test_data_too_large_for_the_device_stay_on_the_host(monkeypatch):
    dataset = _datasets()["dense rows"]
    # A fit holds up to about four copies of the data there: they go when
    # they take at most a fifth of the free memory.
    monkeypatch.setattr(_data, "free_device_memory", lambda device: 5 * dataset.nbytes - 1)
    assert place_on_device(dataset, "meta") is dataset
    monkeypatch.setattr(_data, "free_device_memory", lambda device: 5 * dataset.nbytes)
    assert place_on_device(dataset, "meta") is not dataset


def test_nothing_is_copied_on_the_cpu():
    dataset = _datasets()["dense rows"]
    assert place_on_device(dataset, "cpu") is dataset
    assert dataset.nbytes == (6 * 3 + 6 + 6) * 4


@pytest.mark.parametrize(
    "est, data",
    [
        (Autoencoder(2, hidden_layer_sizes=(4,)), (RNG.rand(40, 5),)),
        (GRUClassifier(hidden_size=4), (RNG.randn(30, 5, 2), np.arange(30) % 2)),
    ],
    ids=["Autoencoder", "GRUClassifier"],
)
def test_the_data_start_and_training_see_are_the_placed_ones(est, data, monkeypatch):
    # On a CPU placing is a no-op; a spy that returns a new object shows that
    # the data-driven start and skorch's training both get what it returned.
    placed, seen = [], {"init": [], "train": []}

    def spy_place(dataset, device):
        placed.append(dataset.subset(np.arange(len(dataset))))
        return placed[-1]

    init_module = type(est)._init_module

    def spy_init(self, module, dataset, randomness):
        seen["init"].append(dataset)
        return init_module(self, module, dataset, randomness)

    partial_fit = SkorchNet.partial_fit

    def spy_partial_fit(self, X, y=None, **kwargs):
        seen["train"].append(X)
        return partial_fit(self, X, y, **kwargs)

    monkeypatch.setattr("sklearn_dl._base.place_on_device", spy_place)
    monkeypatch.setattr(type(est), "_init_module", spy_init)
    monkeypatch.setattr(SkorchNet, "partial_fit", spy_partial_fit)
    est.set_params(max_iter=2, early_stopping=False).fit(*data)
    assert len(placed) == 1
    assert seen["init"] == seen["train"] == placed


def test_sequence_lengths_stay_on_the_host_when_a_batch_moves():
    # pack_padded_sequence takes lengths on the host: read back from a GPU at
    # every batch, they would make the host wait for the device.
    ragged = SequenceDataset(_sequences([2, 5, 3, 4]), torch.arange(4.0))
    inputs, (target, _) = next(iter(ragged.batches(4)))
    moved, (target, _) = _data.to_device((inputs, (target, None)), "meta")
    assert moved["x"].device.type == target.device.type == "meta"
    assert moved["lengths"].device.type == "cpu"
