"""The levers tried on the two sets where the recurrent defaults trail MiniRocket.

On ArrowHead (36 training series of 251 steps) and OSULeaf (200 of 427), the
default GRU reaches training accuracy 1.0 and trails MiniRocket by 0.1 or more
on the test split (part sequence_quality). This part fits the GRU with one
lever changed at a time, over the seeds of ``SEEDS``: a wider and deeper
front-end (FCN's kernel sizes), a bidirectional recurrence, dropout, stronger
weight decay, the front-end's global average pooling joined to the head (as in
LSTM-FCN; a prototype module defined here, not a package option), and an
ensemble averaging the predicted probabilities of several seeds.

Run one piece: ``python -m benchmarks.bench_sequence_levers ArrowHead``.
"""

import sys
import time

import numpy as np
import torch

from sklearn_dl import RecurrentClassifier
from sklearn_dl._recurrent import module_options
from sklearn_dl.nn._random import linear
from sklearn_dl.nn.recurrent import RecurrentModule

from ._common import markdown_table, silence
from .bench_sequence_quality import load

# OSULeaf's fits take about a minute each here: two seeds.
SEEDS = {"ArrowHead": (0, 1, 2), "OSULeaf": (0, 1)}
ENSEMBLE = {"ArrowHead": 5, "OSULeaf": 3}


class GlobalPoolJoinedModule(RecurrentModule):
    """RecurrentModule whose head also reads the mean of the front-end's features.

    LSTM-FCN's idea: the convolutional features, averaged over each sequence's
    valid (pooled) steps, reach the classifier beside the recurrence's vector.
    """

    def __init__(self, n_features, n_outputs, *, generator=None, **options):
        super().__init__(n_features, n_outputs, generator=generator, **options)
        width = self.head.in_features + options["conv_channels"]
        self.head = linear(width, n_outputs, generator)

    def forward(self, x, lengths=None, sample_weight=None):
        features, lengths = self.front(x, lengths, sample_weight)
        if lengths is None:
            average = features.mean(1)
        else:
            steps = torch.arange(features.shape[1], device=features.device)
            valid = (steps[None, :] < lengths[:, None]).unsqueeze(-1).to(features.dtype)
            average = (features * valid).sum(1) / valid.sum(1)
        pooled = self._recur_and_pool(features, lengths)
        return self.head(self.dropout(torch.cat([pooled, average], dim=-1)))


class GlobalPoolJoinedClassifier(RecurrentClassifier):
    def _build_module(self, spec, generator):
        return GlobalPoolJoinedModule(
            spec["n_features"], spec["n_outputs"], **module_options(spec), generator=generator
        )


LEVERS = {
    "defaults": (RecurrentClassifier, {}),
    "conv_channels=64, conv_kernel_sizes=(8, 5, 3)": (
        RecurrentClassifier,
        dict(conv_channels=64, conv_kernel_sizes=(8, 5, 3)),
    ),
    "bidirectional=True": (RecurrentClassifier, dict(bidirectional=True)),
    "dropout=0.3": (RecurrentClassifier, dict(dropout=0.3)),
    "alpha=1e-2": (RecurrentClassifier, dict(alpha=1e-2)),
    "front-end average joined to the head (prototype)": (GlobalPoolJoinedClassifier, {}),
    "same, dropout=0.3": (GlobalPoolJoinedClassifier, dict(dropout=0.3)),
}


def _fit(cls, params, seed, X, y):
    start = time.perf_counter()
    model = cls(cell="gru", random_state=seed, **params).fit(X, y)
    return model, time.perf_counter() - start


def run(names=None):
    silence()
    rows = []
    for name in names or list(SEEDS):
        (X, y), (X_test, y_test) = load(name)
        X, X_test = np.asarray(X), np.asarray(X_test)
        for label, (cls, params) in LEVERS.items():
            scores, seconds = [], []
            for seed in SEEDS[name]:
                model, fit_seconds = _fit(cls, params, seed, X, y)
                scores.append(model.score(X_test, y_test))
                seconds.append(fit_seconds)
            rows.append(
                [name, label, float(np.mean(scores)), min(scores), max(scores), np.median(seconds)]
            )
        size = ENSEMBLE[name]
        probabilities, seconds = [], 0.0
        for seed in range(size):
            model, fit_seconds = _fit(RecurrentClassifier, {}, seed, X, y)
            probabilities.append(model.predict_proba(X_test))
            seconds += fit_seconds
        predicted = model.classes_[np.mean(probabilities, axis=0).argmax(axis=1)]
        accuracy = float(np.mean(predicted == y_test))
        rows.append(
            [name, f"ensemble of {size} seeds (mean probability)", accuracy, "", "", seconds]
        )
    return (
        "GRU test accuracy with one lever changed (seeds: "
        + ", ".join(f"{name} {seeds}" for name, seeds in SEEDS.items())
        + "; the ensemble is one model made of seeds 0 to n-1, its fit time the sum of its "
        "members').\n\n"
        + markdown_table(["data set", "lever", "mean", "min", "max", "fit s (median)"], rows)
    )


if __name__ == "__main__":
    torch.set_num_threads(2)
    print(run(sys.argv[1:] or None))
