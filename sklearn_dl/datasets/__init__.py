"""Data sets shipped with the package: time-series classification, and one expression matrix."""

from sklearn_dl.datasets._expression import load_leukemia
from sklearn_dl.datasets._loaders import (
    load_basic_motions,
    load_gunpoint,
    load_italy_power_demand,
)

__all__ = [
    "load_basic_motions",
    "load_gunpoint",
    "load_italy_power_demand",
    "load_leukemia",
]
