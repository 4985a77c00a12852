"""Helpers shared by the benchmark parts: timing side by side, tables, machine facts."""

import os
import platform
import time
import warnings
from statistics import median

import numpy as np
import torch

from sklearn_dl.utils._evaluation import (  # noqa: F401 (shared with the workshop)
    held_out_mse,
    make_expression_like,
    markdown_table,
)


def silence():
    """Benchmarks run with default parameters; their warnings are expected noise."""
    warnings.filterwarnings("ignore")


def interleaved_timings(runners, repeats):
    """Time each ``runners[name]()`` ``repeats`` times, alternating runners each round.

    This machine is shared and noisy: alternating spreads any slow spell over
    all runners alike, and the median drops outliers.
    Returns ``{name: median seconds}``.
    """
    times = {name: [] for name in runners}
    for _ in range(repeats):
        for name, run in runners.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return {name: median(values) for name, values in times.items()}


def machine_description():
    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"torch {torch.__version__} ({torch.get_num_threads()} threads), "
        f"numpy {np.__version__}, Python {platform.python_version()}"
    )
