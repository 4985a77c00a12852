"""Dimensionality reduction on sklearn's digits: the three autoencoders next to PCA, NMF, TSNE.

- Held-out reconstruction error (mean squared, pixel units) at n_components
  2, 8, 16, every model with default parameters, fitted on 75% of the rows.
- 2-D embeddings of all 1797 rows: trustworthiness (10 neighbours), 5-fold
  kNN accuracy on the embedding, and fit time as a ratio to TSNE's.
"""

import time

from sklearn.datasets import load_digits
from sklearn.decomposition import NMF, PCA
from sklearn.manifold import TSNE, trustworthiness
from sklearn.model_selection import cross_val_score, train_test_split
from sklearn.neighbors import KNeighborsClassifier

from sklearn_dl import Autoencoder, DenoisingAutoencoder, VariationalAutoencoder

from ._common import held_out_mse, markdown_table

SEED = 0


def reducers(k):
    return {
        "PCA": PCA(k, random_state=SEED),
        "NMF": NMF(k, init="nndsvda", max_iter=1000, random_state=SEED),
        "Autoencoder": Autoencoder(k, random_state=SEED),
        "DenoisingAutoencoder": DenoisingAutoencoder(k, random_state=SEED),
        "VariationalAutoencoder": VariationalAutoencoder(k, random_state=SEED),
    }


def held_out_errors(X, ks=(2, 8, 16)):
    X_train, X_test = train_test_split(X, test_size=0.25, random_state=SEED)
    rows = []
    for k in ks:
        errors, times = {}, {}
        for name, model in reducers(k).items():
            start = time.perf_counter()
            model.fit(X_train)
            times[name] = time.perf_counter() - start
            errors[name] = held_out_mse(model, X_test)
        for name in errors:
            rows.append([k, name, errors[name], errors[name] / errors["PCA"], times[name]])
    return rows


def embeddings_2d(X, y):
    models = {**reducers(2), "TSNE": TSNE(2, random_state=SEED)}
    results = {}
    for name, model in models.items():
        start = time.perf_counter()
        embedding = model.fit_transform(X)
        seconds = time.perf_counter() - start
        knn = cross_val_score(KNeighborsClassifier(10), embedding, y, cv=5).mean()
        trust = trustworthiness(X, embedding, n_neighbors=10)
        results[name] = (embedding, trust, knn, seconds)
    return results


def run():
    X, y = load_digits(return_X_y=True)
    error_rows = held_out_errors(X)
    embedded = embeddings_2d(X, y)
    tsne_seconds = embedded["TSNE"][3]
    embed_rows = [
        [name, trust, knn, seconds, seconds / tsne_seconds]
        for name, (_, trust, knn, seconds) in embedded.items()
    ]
    at8 = {row[1]: row[3] for row in error_rows if row[0] == 8}
    verdict = "met" if at8["Autoencoder"] <= 0.6 else "NOT met"
    return (
        "Held-out reconstruction error on digits (1347 train / 450 test rows, default "
        "parameters, random_state=0). Target at n_components=8: Autoencoder <= 0.6 x PCA "
        f"({verdict}: {at8['Autoencoder']:.3f}).\n\n"
        + markdown_table(
            ["n_components", "model", "test MSE", "MSE / PCA's", "fit time (s)"], error_rows
        )
        + "\n\n2-D embeddings of all 1797 digits: trustworthiness (10 neighbours), 5-fold kNN "
        "(k=10) accuracy on the embedding, fit time and its ratio to TSNE's.\n\n"
        + markdown_table(
            ["model", "trustworthiness", "kNN accuracy", "fit time (s)", "time / TSNE's"],
            embed_rows,
        )
    )
