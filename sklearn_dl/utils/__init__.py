"""Utilities: discovery of the package's estimators."""

from sklearn_dl.utils.discovery import all_estimators

__all__ = ["all_estimators"]
