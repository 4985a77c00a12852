"""Time-series classification data sets shipped with the package."""

from sklearn_dl.datasets._loaders import (
    load_basic_motions,
    load_gunpoint,
    load_italy_power_demand,
)

__all__ = [
    "load_basic_motions",
    "load_gunpoint",
    "load_italy_power_demand",
]
