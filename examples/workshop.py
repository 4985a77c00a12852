"""The sklearn-dl workshop: the package next to PCA, NMF and TSNE, end to end.

Run ``python -m examples.workshop [--out DIR]``. It prints each table as it
goes and writes ``DIR/report.md`` with PNG figures (2-D embeddings side by
side, loss curves, accuracy bars). About five to seven minutes on 2 CPU
cores. Run from the repository's root: sections 5 and 6 use the benchmarks'
data (``benchmarks/``).

1. Digits: 2-D embeddings from PCA, NMF, LDA (supervised), TSNE, UMAP (where
   umap-learn is installed) and the three autoencoders, each inside a
   Pipeline; trustworthiness and kNN accuracy; a GridSearchCV over the
   Autoencoder's hidden layers.
2. A small gene-expression-like matrix, then a real one (leukemia, Golub et
   al.): held-out reconstruction error of the autoencoders relative to PCA
   (the overfitting trap).
3. Sequence classification on the shipped UCR/UEA sets with RNN, LSTM, GRU.
4. A string task: DNA motif detection with SequenceEncoder + GRUClassifier.
5. Next word from the previous ten, on English text that ships with Python:
   GRU and LSTM classifiers with a learned word embedding, next to the most
   frequent words and a bigram model.
6. Outcome from simulated ICU-like records with gaps: ``missing="mask"``,
   forward filling, and summaries with gradient boosting.
"""

import argparse
import time
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.decomposition import NMF, PCA  # noqa: E402
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis  # noqa: E402
from sklearn.manifold import TSNE, trustworthiness  # noqa: E402
from sklearn.model_selection import (  # noqa: E402
    GridSearchCV,
    KFold,
    cross_val_score,
    train_test_split,
)
from sklearn.neighbors import KNeighborsClassifier  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import MinMaxScaler, StandardScaler  # noqa: E402

from benchmarks import bench_icu, bench_next_word  # noqa: E402
from sklearn_dl import (  # noqa: E402
    Autoencoder,
    DenoisingAutoencoder,
    GRUClassifier,
    LSTMClassifier,
    RNNClassifier,
    SequenceEncoder,
    VariationalAutoencoder,
)
from sklearn_dl.datasets import (  # noqa: E402
    load_basic_motions,
    load_gunpoint,
    load_italy_power_demand,
    load_leukemia,
)
from sklearn_dl.plotting import EmbeddingDisplay, LossCurveDisplay  # noqa: E402
from sklearn_dl.utils._evaluation import (  # noqa: E402
    held_out_mse,
    make_expression_like,
    markdown_table,
)

SEED = 0


class Report:
    """Collects sections; prints each as it is added."""

    def __init__(self, out):
        self.out = out
        self.parts = ["# sklearn-dl workshop report\n"]
        self.start = time.perf_counter()

    def progress(self, text):
        print(f"[{time.perf_counter() - self.start:6.1f}s] {text}", flush=True)

    def add(self, text):
        print("\n" + text + "\n", flush=True)
        self.parts.append(text + "\n")

    def figure(self, fig, name, caption):
        fig.savefig(self.out / name, dpi=110, bbox_inches="tight")
        plt.close(fig)
        self.parts.append(f"![{caption}]({name})\n\n*{caption}*\n")
        self.progress(f"wrote {self.out / name}")

    def write(self):
        path = self.out / "report.md"
        path.write_text("\n".join(self.parts))
        return path


def _umap_or_none(report):
    """``umap.UMAP`` (the optional extra umap-learn), or None with a printed note."""
    try:
        import numba
        from umap import UMAP
    except ImportError:
        report.progress("digits: umap-learn is not installed; UMAP is left out")
        return None
    # With numba's default OpenMP layer, its threads stay beside torch's once
    # UMAP has run and every later torch fit in this process slows down; the
    # workqueue layer leaves no threads behind.
    numba.config.THREADING_LAYER = "workqueue"
    return UMAP(n_components=2, random_state=SEED)


def digits_section(report):
    X, y = load_digits(return_X_y=True)
    lda = LinearDiscriminantAnalysis(n_components=2)
    reducers = {
        "PCA": make_pipeline(StandardScaler(), PCA(2, random_state=SEED)),
        "NMF": make_pipeline(
            MinMaxScaler(), NMF(2, init="nndsvda", max_iter=1000, random_state=SEED)
        ),
        "LDA (supervised)": make_pipeline(StandardScaler(), lda),
        "TSNE": make_pipeline(StandardScaler(), TSNE(2, random_state=SEED)),
        "UMAP": make_pipeline(StandardScaler(), _umap_or_none(report)),
        "Autoencoder": make_pipeline(StandardScaler(), Autoencoder(2, random_state=SEED)),
        "DenoisingAutoencoder": make_pipeline(
            StandardScaler(), DenoisingAutoencoder(2, random_state=SEED)
        ),
        "VariationalAutoencoder": make_pipeline(
            StandardScaler(), VariationalAutoencoder(2, random_state=SEED)
        ),
    }
    if reducers["UMAP"][-1] is None:
        del reducers["UMAP"]
    rows, embeddings = [], {}
    for name, pipe in reducers.items():
        report.progress(f"digits: fitting {name}")
        start = time.perf_counter()
        supervised = pipe[-1] is lda
        # Only LDA gets the labels (UMAP given y would run its supervised variant).
        embedding = pipe.fit_transform(X, y) if supervised else pipe.fit_transform(X)
        seconds = time.perf_counter() - start
        embeddings[name] = embedding
        if supervised:
            # LDA saw the labels: its kNN accuracy is cross-validated with LDA
            # refitted inside each fold, else it would be scored on its own training labels.
            knn = cross_val_score(make_pipeline(*pipe, KNeighborsClassifier(10)), X, y, cv=5)
        else:
            knn = cross_val_score(KNeighborsClassifier(10), embedding, y, cv=5)
        rows.append([name, trustworthiness(X, embedding, n_neighbors=10), knn.mean(), seconds])
    report.add(
        "## Digits: 2-D embeddings (1797 images, 64 pixels)\n\n"
        "Each model inside a Pipeline with its scaler; trustworthiness (10 neighbours) and 5-fold "
        "kNN accuracy on the 2-D embedding. LDA is supervised (it is fitted to the digit labels): "
        "its kNN accuracy refits LDA inside each fold, the others are embeddings of all images "
        "made without the labels.\n\n"
        + markdown_table(["model", "trustworthiness", "kNN accuracy", "fit time (s)"], rows)
    )
    fig, axes = plt.subplots(2, 4, figsize=(17, 8.5))
    for ax in axes.ravel()[len(embeddings) :]:
        ax.set_visible(False)
    for ax, (name, embedding) in zip(axes.ravel(), embeddings.items()):
        EmbeddingDisplay(embedding=embedding, labels=y, estimator_name=name).plot(
            ax=ax, robust_limits=True
        )
        ax.set_xticks([])
        ax.set_yticks([])
        ax.get_legend().remove()
    axes[0, 0].legend(*axes[0, 0].get_legend_handles_labels(), ncols=2, fontsize="small")
    report.figure(fig, "digits_embeddings.png", "Digits in 2-D, coloured by digit")

    report.progress("digits: GridSearchCV over the Autoencoder's hidden layers")
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=SEED)
    grid = GridSearchCV(
        make_pipeline(
            StandardScaler(),
            Autoencoder(8, max_iter=60, random_state=SEED),
            KNeighborsClassifier(10),
        ),
        {"autoencoder__hidden_layer_sizes": [(32,), (256, 128)]},
        cv=3,
    ).fit(X_train, y_train)
    grid_rows = [
        [str(p["autoencoder__hidden_layer_sizes"]), s]
        for p, s in zip(grid.cv_results_["params"], grid.cv_results_["mean_test_score"])
    ]
    report.add(
        "### GridSearchCV: Pipeline(StandardScaler, Autoencoder(8), kNN)\n\n"
        + markdown_table(["hidden_layer_sizes", "mean CV accuracy"], grid_rows)
        + f"\n\nBest: {grid.best_params_}; held-out accuracy {grid.score(X_test, y_test):.3f}."
    )
    fig, ax = plt.subplots(figsize=(6, 4))
    LossCurveDisplay.from_estimator(
        reducers["Autoencoder"][-1], ax=ax, name="Autoencoder (digits, 2-D)"
    )
    report.figure(fig, "autoencoder_loss.png", "Autoencoder training and validation loss on digits")


def expression_section(report):
    report.progress("expression: fitting PCA and the autoencoders")
    X = make_expression_like(seed=SEED)
    X_train, X_test = train_test_split(X, test_size=0.25, random_state=SEED)
    models = {
        "PCA": PCA(5, random_state=SEED),
        "Autoencoder": Autoencoder(5, random_state=SEED),
        "DenoisingAutoencoder": DenoisingAutoencoder(5, random_state=SEED),
        "VariationalAutoencoder": VariationalAutoencoder(5, random_state=SEED),
    }
    errors = {}
    for name, model in models.items():
        model.fit(X_train)
        errors[name] = held_out_mse(model, X_test)
    rows = [[name, err, err / errors["PCA"]] for name, err in errors.items()]
    report.add(
        "## A small gene-expression-like matrix\n\n"
        "300 samples x 1000 genes, 5 true factors, heavy gene-specific noise. "
        "Held-out reconstruction error at 5 components, default parameters. Autoencoder and "
        "DenoisingAutoencoder start at PCA and keep their best validation epoch, so they do not "
        "overfit; the VariationalAutoencoder has no PCA start.\n\n"
        + markdown_table(["model", "held-out MSE", "ratio to PCA"], rows)
    )

    report.progress("expression: the leukemia matrix (real), 5-fold held-out error")
    leukemia = load_leukemia()
    X = np.log2(leukemia.data)
    errors = {name: [] for name in models}
    folds = KFold(5, shuffle=True, random_state=SEED)
    for train, test in folds.split(X):
        for name, model in models.items():
            pipe = make_pipeline(StandardScaler(), clone(model)).fit(X[train])
            errors[name].append(held_out_mse(pipe, X[test]))
    pca_error = np.mean(errors["PCA"])
    rows = [[name, np.mean(err), np.mean(err) / pca_error] for name, err in errors.items()]
    report.add(
        "### A real one: leukemia (Golub et al., 1999)\n\n"
        f"`load_leukemia()`: {X.shape[0]} bone marrow samples x {X.shape[1]} genes, log2 "
        "intensities, each model after a StandardScaler in a Pipeline; reconstruction error at "
        "5 components on held-out samples (log2 intensities), mean over 5 folds.\n\n"
        + markdown_table(["model", "held-out MSE", "ratio to PCA"], rows)
    )


def sequences_section(report):
    sets = {
        "GunPoint": load_gunpoint,
        "ItalyPowerDemand": load_italy_power_demand,
        "BasicMotions": load_basic_motions,
    }
    classifiers = {"RNN": RNNClassifier, "LSTM": LSTMClassifier, "GRU": GRUClassifier}
    rows, scores, gru_fits = [], {}, {}
    for set_name, load in sets.items():
        X, y = load(return_X_y=True)
        X_test, y_test = load(split="test", return_X_y=True)
        baseline = KNeighborsClassifier(1).fit(X.reshape(len(X), -1), y)
        scores[(set_name, "1-NN")] = baseline.score(X_test.reshape(len(X_test), -1), y_test)
        for cell, cls in classifiers.items():
            report.progress(f"sequences: {cell} on {set_name} {X.shape}")
            start = time.perf_counter()
            clf = cls(random_state=SEED).fit(X, y)
            seconds = time.perf_counter() - start
            scores[(set_name, cell)] = clf.score(X_test, y_test)
            rows.append([set_name, cell, scores[(set_name, cell)], clf.n_iter_, seconds])
            if cell == "GRU":
                gru_fits[set_name] = clf
        rows.append([set_name, "1-NN (baseline)", scores[(set_name, "1-NN")], "", ""])
    report.add(
        "## Sequence classification (official train/test splits, default parameters)\n\n"
        + markdown_table(["data set", "model", "test accuracy", "epochs", "fit time (s)"], rows)
    )
    fig, ax = plt.subplots(figsize=(8, 4))
    names = ["1-NN", *classifiers]
    width = 0.2
    for i, name in enumerate(names):
        values = [scores[(s, name)] for s in sets]
        ax.bar(np.arange(len(sets)) + (i - 1.5) * width, values, width, label=name)
    ax.set_xticks(np.arange(len(sets)), list(sets))
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("test accuracy")
    ax.legend(ncols=4, fontsize="small", loc="lower center", bbox_to_anchor=(0.5, 1.0))
    report.figure(fig, "sequence_accuracy.png", "Test accuracy per data set and model")
    fig, axes = plt.subplots(1, 3, figsize=(14, 3.8))
    for ax, (set_name, clf) in zip(axes, gru_fits.items()):
        LossCurveDisplay.from_estimator(clf, ax=ax, name=f"GRU on {set_name}")
    report.figure(fig, "sequence_loss_curves.png", "GRUClassifier loss curves")


def strings_section(report):
    rng = np.random.RandomState(SEED)

    def random_dna(with_motif):
        while True:
            seq = "".join(rng.choice(list("ACGT"), size=rng.randint(20, 60)))
            if with_motif:
                at = rng.randint(0, len(seq) - 4)
                seq = seq[:at] + "GATA" + seq[at + 4 :]
            if ("GATA" in seq) == with_motif:
                return seq

    labels = np.array(["motif", "none"] * 300)
    seqs = [random_dna(label == "motif") for label in labels]
    train, test, y_train, y_test = train_test_split(
        seqs, labels, random_state=SEED, stratify=labels
    )
    report.progress("strings: SequenceEncoder + GRUClassifier on DNA, motif GATA")
    pipe = make_pipeline(
        SequenceEncoder(alphabet="dna"), GRUClassifier(random_state=SEED, verbose=1)
    ).fit(train, y_train)
    majority = max(np.mean(y_test == c) for c in set(y_test))
    report.add(
        "## Strings: does a DNA sequence contain the motif GATA?\n\n"
        "600 random sequences of length 20-60, half with the motif planted at a random place; "
        "`make_pipeline(SequenceEncoder(alphabet='dna'), GRUClassifier())`. Held-out accuracy: "
        f"{pipe.score(test, y_test):.3f} (majority class: {majority:.3f})."
    )


def next_word_section(report):
    report.progress("next word: GRU and LSTM with a learned embedding (about a minute each)")
    report.add(
        "## Next word from the previous ten (English text that ships with Python)\n\n"
        "Integer word ids in, a learned `embedding_dim` inside the recurrent classifier; "
        "`SequenceEncoder(encoding='ordinal', max_categories=2001)` keeps the 2000 most frequent "
        "training words and one shared id for the rest. Held-out top-k accuracy on the last 20% "
        "of the text.\n\n" + bench_next_word.run()
    )


def icu_section(report):
    report.progress("ICU-like records: missing='mask', forward filling, summaries (one seed)")
    report.add(
        "## Outcome from ICU-like records with gaps (simulated)\n\n"
        "No real ICU data ships with any installable package: these stays are simulated by "
        "`benchmarks/bench_icu.py` (hourly vitals and rare labs with gaps, measured more often "
        "when the patient is sicker). `GRUClassifier(missing='mask')` reads each feature's last "
        "value, whether it was measured, and the hours since (GRU-D's inputs); the benchmark "
        "part `icu` runs three seeds.\n\n" + bench_icu.run(seeds=(SEED,))
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="workshop_output", help="output folder")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    torch.set_num_threads(2)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    report = Report(out)
    report.progress(f"writing the report and figures to {out.resolve()}")
    sections = (
        digits_section,
        expression_section,
        sequences_section,
        strings_section,
        next_word_section,
        icu_section,
    )
    for section in sections:
        section(report)
    path = report.write()
    report.progress(f"done: {path.resolve()}")


if __name__ == "__main__":
    main()
