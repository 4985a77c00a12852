"""How fit time and memory grow with the data, and inference on a million rows.

Every measurement runs in a fresh Python process. Its peak resident memory
is reset just before the timed call (Linux: ``/proc/self/clear_refs``; a
child process otherwise starts with its parent's peak, which hid every
figure when this part ran after another in one ``benchmarks.run``); the
figure reported is the peak during the call (``VmHWM``) minus the resident
size just before it (data already in memory, libraries loaded, one tiny
warm-up fit done). Elsewhere ``ru_maxrss`` stands in for both.

1. ``Autoencoder.fit`` and ``GRUClassifier.fit`` (fixed epochs, no early
   stopping) as n_samples grows 1e3 -> 1e5: time should grow linearly (time
   per 1000 rows flat) and memory at most linearly.
2. ``GRUClassifier.fit`` as sequence length grows (same number of sequences).
3. ``Autoencoder.transform`` and ``GRUClassifier.predict`` on 1e6 rows, next
   to a raw no-grad forward over the whole tensor: ours runs in batches, so
   its extra memory stays bounded while the raw call's grows with the rows.
"""

import json
import subprocess
import sys
import textwrap

from ._common import markdown_table

_PRELUDE = """
import json, resource, time, warnings
import numpy as np, torch
warnings.filterwarnings("ignore")
torch.set_num_threads(2)
from sklearn_dl import Autoencoder, GRUClassifier

def _status_mb(field):
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")  # resets VmHWM to the current resident size
    except OSError:
        pass

def rss_mb():
    return _status_mb("VmRSS")

def peak_mb():
    return _status_mb("VmHWM")

rng = np.random.default_rng(0)
def table(n, d):
    return rng.standard_normal((n, d), dtype=np.float32)
def sequences(n, t, f):
    return rng.standard_normal((n, t, f), dtype=np.float32)
def autoencoder(epochs=3):
    return Autoencoder(8, hidden_layer_sizes=(64,), init="random", batch_size=256,
                       max_iter=epochs, early_stopping=False, n_iter_no_change=99, random_state=0)
def gru(epochs=2):
    return GRUClassifier(hidden_size=32, batch_size=128, max_iter=epochs, early_stopping=False,
                         n_iter_no_change=99, random_state=0)
# warm-up: load every library and kernel before measuring
autoencoder(1).fit(table(300, 50)); gru(1).fit(sequences(300, 10, 3), np.arange(300) % 2)
"""

_MEASURE = """
{setup}
reset_peak()
before = rss_mb()
start = time.perf_counter()
{call}
seconds = time.perf_counter() - start
print(json.dumps({{"seconds": seconds, "extra_mb": peak_mb() - before}}))
"""


def _probe(setup, call):
    code = _PRELUDE + _MEASURE.format(setup=textwrap.dedent(setup), call=textwrap.dedent(call))
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr)
    return json.loads(result.stdout.strip().splitlines()[-1])


def rows_scaling():
    rows = []
    for n in (1_000, 10_000, 100_000):
        ae = _probe(f"X = table({n}, 50)", "autoencoder().fit(X)")
        rnn = _probe(f"X = sequences({n}, 20, 3); y = np.arange({n}) % 2", "gru().fit(X, y)")
        for name, m in (
            ("Autoencoder 50-64-8, 3 epochs", ae),
            ("GRUClassifier h32, 20 steps x 3, 2 epochs", rnn),
        ):
            rows.append([name, n, m["seconds"], 1000 * m["seconds"] / n, m["extra_mb"]])
    rows.sort(key=lambda row: row[0])
    return rows


def length_scaling():
    rows = []
    for t in (25, 50, 100, 200, 400):
        m = _probe(f"X = sequences(2000, {t}, 3); y = np.arange(2000) % 2", "gru().fit(X, y)")
        rows.append([t, m["seconds"], 1e6 * m["seconds"] / (2000 * t), m["extra_mb"]])
    return rows


def million_rows():
    setup_ae = "X = table({n}, 50); model = autoencoder(1).fit(X[:5000])"
    setup_rnn = "X = sequences({n}, 20, 3); model = gru(1).fit(X[:5000], np.arange(5000) % 2)"
    raw_ae = """
        module = model.module_.eval()
        mean = torch.as_tensor(model.mean_, dtype=torch.float32)
        with torch.no_grad():
            out = module.encode((torch.from_numpy(X) - mean) / float(model.scale_)).numpy()
    """
    raw_rnn = """
        module = model.module_.eval()
        mean = torch.as_tensor(model.mean_, dtype=torch.float32)
        scale = torch.as_tensor(model.scale_, dtype=torch.float32)
        with torch.no_grad():
            out = module((torch.from_numpy(X) - mean) / scale).argmax(1).numpy()
    """
    runs = [
        # The raw GRU forward over 1e6 sequences at once needs ~12 GB: shown at 1e5 only.
        ("Autoencoder.transform", "x 50 float32", setup_ae, "out = model.transform(X)", (5, 6)),
        ("raw encode, whole tensor", "x 50 float32", setup_ae, raw_ae, (5, 6)),
        (
            "GRUClassifier.predict",
            "x 20 steps x 3 float32",
            setup_rnn,
            "out = model.predict(X)",
            (5, 6),
        ),
        ("raw GRU forward, whole tensor", "x 20 steps x 3 float32", setup_rnn, raw_rnn, (5,)),
    ]
    rows = []
    for name, shape, setup, call, exponents in runs:
        for e in exponents:
            n = 10**e
            m = _probe(setup.format(n=n), call)
            input_mb = n * (50 if "50" in shape else 60) * 4 / 2**20
            rows.append([name, f"1e{e} {shape} ({input_mb:.0f} MB)", m["seconds"], m["extra_mb"]])
    return rows


def run():
    size_rows = rows_scaling()
    length_rows = length_scaling()
    big_rows = million_rows()
    return (
        "Each figure comes from a fresh process; 'extra memory' is the peak resident size "
        "during the call minus the resident size just before it (data loaded, libraries "
        "warmed up). Fixed epochs, no early stopping, batch 256 (autoencoder) / 128 (GRU).\n\n"
        "Fit as n_samples grows: linear growth means a flat 's per 1000 rows'.\n\n"
        + markdown_table(
            ["estimator", "n_samples", "fit (s)", "s per 1000 rows", "extra memory (MB)"],
            size_rows,
        )
        + "\n\n`GRUClassifier(hidden_size=32)` fit, 2000 sequences of 3 features, 2 epochs, as "
        "the sequence length grows: linear growth means a flat 'us per time step'.\n\n"
        + markdown_table(
            ["steps per sequence", "fit (s)", "us per sequence step", "extra memory (MB)"],
            length_rows,
        )
        + "\n\nInference on 1e5 and 1e6 rows: ours runs in batches of 4096 rows into one "
        "preallocated output, so its extra memory is a constant (torch's workspace) plus the "
        "output and a few bytes per row of bookkeeping (sequence lengths and order); the raw "
        "call pushes the whole tensor through at once and its memory grows with the rows.\n\n"
        + markdown_table(["call", "input", "time (s)", "extra memory (MB)"], big_rows)
    )
