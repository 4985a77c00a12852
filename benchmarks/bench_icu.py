"""Outcome from ICU-like records with gaps: ``missing="mask"``, forward filling, summaries.

No real ICU data set ships inside an installable package, so the records are
simulated (``icu_like_records``), with what makes real ones hard:

- five vitals (heart rate, respiratory rate, mean arterial pressure, SpO2,
  temperature) on an hourly grid, each hour measured or not, and three labs
  (lactate, creatinine, white cells) measured a few times a day;
- stays of 24 to 72 hours;
- a latent severity that drifts along each stay (a random walk whose drift
  differs between patients), read by the vitals and labs with noise;
- measurement frequency that rises with severity, as in real records (sicker
  patients are checked more often);
- an outcome drawn from the severity at the end of the stay and its trend
  over the last 12 hours, so the trajectory matters, not its average alone.

Compared on a held-out split over 3 seeds (ROC AUC): ``GRUClassifier(
missing="mask")``; forward filling (the training mean before the first
observation) then the same GRU; per-feature summaries (mean, last, min, max,
fraction observed) with ``HistGradientBoostingClassifier``.

Run it alone: ``python -m benchmarks.bench_icu``.
"""

import time
import warnings

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score

from sklearn_dl import GRUClassifier

from ._common import markdown_table, silence

VITALS = ("heart rate", "respiratory rate", "mean arterial pressure", "SpO2", "temperature")
LABS = ("lactate", "creatinine", "white cells")
# Per feature: baseline, change per unit of severity, noise.
READINGS = {
    "heart rate": (80, 12, 6),
    "respiratory rate": (16, 3, 2),
    "mean arterial pressure": (85, -8, 5),
    "SpO2": (97, -1.5, 1),
    "temperature": (37, 0.4, 0.3),
    "lactate": (1.2, 0.8, 0.3),
    "creatinine": (1.0, 0.3, 0.15),
    "white cells": (9, 2.5, 1.5),
}
SEEDS = (0, 1, 2)
N_TRAIN, N_TEST = 800, 800


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def icu_like_records(n, rng):
    """``(X, y)``: a list of (hours, 8) float arrays with NaN where not measured, and outcomes."""
    X, y = [], np.empty(n, dtype=int)
    for i in range(n):
        hours = rng.randint(24, 73)
        drift = rng.normal(0, 0.06)
        severity = rng.normal(0, 1) + np.cumsum(drift + rng.normal(0, 0.15, size=hours))
        values = np.empty((hours, len(READINGS)))
        for j, (base, per_unit, noise) in enumerate(READINGS.values()):
            values[:, j] = base + per_unit * severity + rng.normal(0, noise, size=hours)
        sick = _sigmoid(severity)[:, None]
        rate = np.concatenate(
            [
                np.broadcast_to(0.35 + 0.55 * sick, (hours, len(VITALS))),
                np.broadcast_to(0.04 + 0.2 * sick, (hours, len(LABS))),
            ],
            axis=1,
        )
        values[rng.rand(hours, len(READINGS)) >= rate] = np.nan
        X.append(values)
        trend = severity[-1] - severity[-12]
        y[i] = rng.rand() < _sigmoid(1.2 * severity[-1] + 2.0 * trend - 1.5)
    return X, y


def forward_filled(X, fill):
    """Each record with every gap holding the last measured value (``fill`` before the first)."""
    out = []
    for record in X:
        record = record.copy()
        previous = fill.copy()
        for t in range(len(record)):
            gap = np.isnan(record[t])
            record[t, gap] = previous[gap]
            previous = record[t]
        out.append(record)
    return out


def summaries(X):
    """Per feature: mean, last, min, max of the measured values, and the fraction measured."""
    rows = []
    for record in X:
        measured = ~np.isnan(record)
        last = np.array([col[m][-1] if m.any() else np.nan for col, m in zip(record.T, measured.T)])
        with warnings.catch_warnings():  # a lab never measured in a stay: NaN, no warning
            warnings.simplefilter("ignore", RuntimeWarning)
            stats = [np.nanmean(record, 0), last, np.nanmin(record, 0), np.nanmax(record, 0)]
        rows.append(np.concatenate([*stats, measured.mean(0)]))
    return np.array(rows)


def _auc(model, X, y, X_test, y_test):
    start = time.perf_counter()
    model.fit(X, y)
    seconds = time.perf_counter() - start
    return roc_auc_score(y_test, model.predict_proba(X_test)[:, 1]), seconds


def run(seeds=SEEDS):
    silence()
    results = {}
    for seed in seeds:
        rng = np.random.RandomState(seed)
        X, y = icu_like_records(N_TRAIN, rng)
        X_test, y_test = icu_like_records(N_TEST, rng)
        fill = np.nanmean(np.concatenate(X), axis=0)
        models = {
            'GRUClassifier(missing="mask")': (
                GRUClassifier(missing="mask", random_state=seed),
                X,
                X_test,
            ),
            "forward fill, then GRUClassifier()": (
                GRUClassifier(random_state=seed),
                forward_filled(X, fill),
                forward_filled(X_test, fill),
            ),
            "summaries + HistGradientBoostingClassifier": (
                HistGradientBoostingClassifier(random_state=seed),
                summaries(X),
                summaries(X_test),
            ),
        }
        for name, (model, train, test) in models.items():
            results.setdefault(name, []).append(_auc(model, train, y, test, y_test))
        if seed == seeds[0]:
            measured = (~np.isnan(np.concatenate(X))).mean(axis=0)
            share = f"{np.mean(y):.0%} positive outcomes; measured: " + ", ".join(
                f"{name} {m:.0%}" for name, m in zip(READINGS, measured)
            )
    rows = [
        [
            name,
            float(np.mean([a for a, _ in runs])),
            min(a for a, _ in runs),
            float(np.median([s for _, s in runs])),
        ]
        for name, runs in results.items()
    ]
    return (
        f"**Simulated** ICU-like records (see the module's docstring): {N_TRAIN} training and "
        f"{N_TEST} test stays per seed, seeds {seeds}; {share} (seed {seeds[0]}'s training "
        "set). ROC AUC on the test stays (mean and min over seeds), median fit seconds.\n\n"
        + markdown_table(["model", "ROC AUC (mean)", "min", "fit s (median)"], rows)
    )


if __name__ == "__main__":
    import torch

    torch.set_num_threads(2)
    print(run())
