"""sklearn-dl: deep-learning estimators that behave like scikit-learn's own."""

from sklearn_dl._autoencoder import Autoencoder, DenoisingAutoencoder, VariationalAutoencoder
from sklearn_dl._recurrent import (
    GRUClassifier,
    GRURegressor,
    LSTMClassifier,
    LSTMRegressor,
    RecurrentClassifier,
    RecurrentRegressor,
    RNNClassifier,
    RNNRegressor,
)
from sklearn_dl._sequence_encoder import SequenceEncoder
from sklearn_dl._version import __version__

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
