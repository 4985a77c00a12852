"""sklearn-dl: deep-learning estimators that behave like scikit-learn's own."""

from sklearn_dl.autoencoder import Autoencoder, DenoisingAutoencoder, VariationalAutoencoder

__version__ = "0.1.0"

__all__ = [
    "Autoencoder",
    "DenoisingAutoencoder",
    "VariationalAutoencoder",
    "__version__",
]
