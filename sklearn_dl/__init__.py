"""sklearn-dl: deep-learning estimators that behave like scikit-learn's own."""

from sklearn_dl._version import __version__
from sklearn_dl.autoencoder import Autoencoder, DenoisingAutoencoder, VariationalAutoencoder
from sklearn_dl.recurrent import (
    GRUClassifier,
    GRURegressor,
    LSTMClassifier,
    LSTMRegressor,
    RecurrentClassifier,
    RecurrentRegressor,
    RNNClassifier,
    RNNRegressor,
)
from sklearn_dl.sequence_encoder import SequenceEncoder

__all__ = [
    "Autoencoder",
    "DenoisingAutoencoder",
    "GRUClassifier",
    "GRURegressor",
    "LSTMClassifier",
    "LSTMRegressor",
    "RNNClassifier",
    "RNNRegressor",
    "RecurrentClassifier",
    "RecurrentRegressor",
    "SequenceEncoder",
    "VariationalAutoencoder",
    "__version__",
]
