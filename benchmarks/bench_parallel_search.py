"""Model selection in parallel on one machine: serial, joblib's loky workers, a local Dask cluster.

The same ``GridSearchCV`` (12 fits each) runs three ways: serially in this
process (torch with this process's threads), with ``n_jobs=2`` (joblib's loky
workers, each given ``cpu_count() // 2`` threads by joblib), and through
joblib's dask backend on a ``LocalCluster`` of 2 worker processes with one
thread each. The cluster's start-up is timed apart from the searches. Needs the
``distributed`` extra for the Dask column.

Run it alone: ``python -m benchmarks.bench_parallel_search``.
"""

import time
from statistics import median

import joblib
import torch
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_dl import Autoencoder, GRUClassifier
from sklearn_dl.datasets import load_gunpoint

from ._common import markdown_table, silence


def searches():
    """``{name: (search, X, y)}``: 4 candidates x 3 folds each."""
    digits, _ = load_digits(return_X_y=True)
    X, y = load_gunpoint(return_X_y=True)
    return {
        "Pipeline(StandardScaler, Autoencoder) on digits": (
            GridSearchCV(
                make_pipeline(StandardScaler(), Autoencoder(max_iter=20, random_state=0)),
                {
                    "autoencoder__n_components": [2, 8],
                    "autoencoder__hidden_layer_sizes": [(64,), (256, 128)],
                },
                cv=3,
            ),
            digits,
            None,
        ),
        "GRUClassifier on GunPoint": (
            GridSearchCV(
                GRUClassifier(max_iter=30, random_state=0),
                {"hidden_size": [16, 32], "learning_rate_init": [3e-3, 1e-2]},
                cv=3,
            ),
            X,
            y,
        ),
    }


def _timed_fit(search, X, y):
    start = time.perf_counter()
    search.fit(X, y)
    return time.perf_counter() - start


def _import_package():
    import sklearn_dl  # noqa: F401  (what a worker's first task pays)


def _start_loky_workers():
    """Start joblib's 2 loky workers and import the package in them; seconds taken."""
    start = time.perf_counter()
    joblib.Parallel(n_jobs=2)(joblib.delayed(_import_package)() for _ in range(4))
    return time.perf_counter() - start


def run(repeats=3):
    silence()
    timings = {name: {"serial": [], "loky": [], "dask": []} for name in searches()}
    loky_startup = _start_loky_workers()
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        cluster = startup = None
    else:
        start = time.perf_counter()
        cluster = LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
        client.run(_import_package)
        startup = time.perf_counter() - start
    try:
        for _ in range(repeats):  # interleaved: a slow spell hits every way alike
            for name, (search, X, y) in searches().items():
                timings[name]["serial"].append(_timed_fit(search, X, y))
                timings[name]["loky"].append(_timed_fit(clone(search).set_params(n_jobs=2), X, y))
                if cluster is not None:
                    with joblib.parallel_backend("dask"):
                        timings[name]["dask"].append(_timed_fit(clone(search), X, y))
    finally:
        if cluster is not None:
            client.close()
            cluster.close()
    rows = []
    for name, runs in timings.items():
        seconds = {way: median(values) for way, values in runs.items() if values}
        serial, loky, dask = seconds["serial"], seconds["loky"], seconds.get("dask")
        rows.append(
            [
                name,
                serial,
                loky,
                serial / loky,
                "" if dask is None else dask,
                "" if dask is None else serial / dask,
            ]
        )
    cluster_note = (
        "Dask was not installed (extra `distributed`)."
        if startup is None
        else f"LocalCluster start-up (2 worker processes importing the package): {startup:.1f} s"
    )
    return (
        f"Each search: 4 candidates x 3 folds = 12 fits, then the refit of the best. Serial: this "
        f"process, torch with {torch.get_num_threads()} threads. loky: `n_jobs=2`, "
        f"{max(joblib.cpu_count() // 2, 1)} torch thread(s) per worker (joblib's rule, "
        "`cpu_count() // n_jobs`). Dask: `joblib.parallel_backend('dask')` on a LocalCluster "
        f"(2 processes x 1 thread). Medians of {repeats} interleaved runs. Start-up, not counted "
        f"in the searches: loky workers importing the package {loky_startup:.1f} s; "
        f"{cluster_note}.\n\n"
        + markdown_table(
            ["search", "serial s", "loky s", "speed-up", "dask s", "speed-up"],
            rows,
        )
    )


if __name__ == "__main__":
    torch.set_num_threads(2)
    print(run())
