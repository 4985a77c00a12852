"""
Autoencoder vs PCA: 2-D embeddings of the digits
=================================================

An :class:`~sklearn_dl.Autoencoder` starts at PCA's solution (``init="pca"``)
and then learns a non-linear correction. Both are transformers, so they sit in
a :class:`~sklearn.pipeline.Pipeline` after a scaler, and
:class:`~sklearn_dl.plotting.EmbeddingDisplay` draws the 2-D codes of
held-out digits coloured by their label.
"""

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from sklearn_dl import Autoencoder
from sklearn_dl.plotting import EmbeddingDisplay

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

models = {
    "PCA": make_pipeline(MinMaxScaler(), PCA(n_components=2)),
    "Autoencoder": make_pipeline(
        MinMaxScaler(), Autoencoder(n_components=2, max_iter=60, random_state=0)
    ),
}
fig, axes = plt.subplots(1, 2, figsize=(10, 4.5))
for ax, (name, model) in zip(axes, models.items()):
    model.fit(X_train)
    EmbeddingDisplay.from_estimator(model, X_test, y_test, ax=ax)
    error = ((model.inverse_transform(model.transform(X_test)) - X_test) ** 2).mean()
    ax.set_title(f"{name}: held-out MSE {error:.2f}")
fig.tight_layout()
plt.show()
