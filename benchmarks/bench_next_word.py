"""Next word from the previous ten, on English text that ships with Python.

The text is the standard library's ``pydoc_data.topics`` (the help topics of
``help()``), present wherever Python is, tokenised into lower-case words. The
2000 most frequent words of the training part keep ids of their own, the rest
share one "unknown" id (``SequenceEncoder(max_categories=2001,
handle_unknown="unknown")``). Contexts are the ten previous words; the first
80% of the text trains, the rest tests. Top-1 and top-5 accuracy
(``sklearn.metrics.top_k_accuracy_score``) of GRU and LSTM classifiers with a
learned embedding, next to the most frequent words and a bigram model (the
previous word's most frequent successors, topped up with the most frequent
words).

Run it alone: ``python -m benchmarks.bench_next_word``.
"""

import re
import time
from collections import Counter, defaultdict

import numpy as np
from sklearn.metrics import top_k_accuracy_score

from sklearn_dl import GRUClassifier, LSTMClassifier, SequenceEncoder

from ._common import markdown_table, silence

CONTEXT, VOCABULARY, TRAIN_SHARE, KS = 10, 2000, 0.8, (1, 5)
# Sizes that keep one fit under 5 minutes on this 2-core machine.
MODEL_PARAMS = dict(
    embedding_dim=128,
    hidden_size=256,
    conv_channels=None,
    pooling="last",
    dropout=0.3,
    alpha=1e-3,
    batch_size=256,
    learning_rate_init=1e-2,
    max_iter=6,
    random_state=0,
)


def words():
    """The words of ``pydoc_data.topics``, lower case, in the order of its topics."""
    from pydoc_data.topics import topics

    text = "\n".join(topics[key] for key in sorted(topics))
    return re.findall(r"[a-z]+(?:'[a-z]+)?", text.lower())


def next_word_data(context=CONTEXT, vocabulary=VOCABULARY):
    """``(X, y), (X_test, y_test), encoder``: id contexts and next-word ids."""
    tokens = words()
    split = int(TRAIN_SHARE * len(tokens))
    encoder = SequenceEncoder(
        encoding="ordinal",
        case_sensitive=True,
        handle_unknown="unknown",
        max_categories=vocabulary + 1,
    )
    train_ids = encoder.fit_transform([tokens[:split]])[0]
    test_ids = encoder.transform([tokens[split:]])[0]

    def windows(ids):
        X = np.lib.stride_tricks.sliding_window_view(ids[:-1], context)
        return np.ascontiguousarray(X), ids[context:]

    return windows(train_ids), windows(test_ids), encoder


def _scores(proba_or_ranked, y_test, n_ids, ranked=False):
    """Top-k accuracies from probabilities over all ``n_ids`` ids (or id rankings)."""
    if ranked:
        return [float(np.mean((proba_or_ranked[:, :k] == y_test[:, None]).any(1))) for k in KS]
    return [top_k_accuracy_score(y_test, proba_or_ranked, k=k, labels=np.arange(n_ids)) for k in KS]


def baselines(X, y, X_test, y_test):
    """Top-k accuracies of the most frequent words and of the bigram model."""
    k = max(KS)
    common = [w for w, _ in Counter(y.tolist()).most_common(k)]
    frequent = np.tile(common, (len(y_test), 1))
    successors = defaultdict(Counter)
    for previous, word in zip(X[:, -1].tolist(), y.tolist()):
        successors[previous][word] += 1
    ranked = np.empty((len(y_test), k), dtype=np.int64)
    for i, previous in enumerate(X_test[:, -1].tolist()):
        top = [w for w, _ in successors[previous].most_common(k)]
        top += [w for w in common if w not in top][: k - len(top)]
        ranked[i] = top
    return {
        "most frequent words": _scores(frequent, y_test, None, ranked=True),
        "bigram (previous word's most frequent successors)": _scores(
            ranked, y_test, None, ranked=True
        ),
    }


def run():
    silence()
    (X, y), (X_test, y_test), encoder = next_word_data()
    n_ids = encoder.n_symbols_out_
    rows = [[name, *scores, ""] for name, scores in baselines(X, y, X_test, y_test).items()]
    for cls in (GRUClassifier, LSTMClassifier):
        start = time.perf_counter()
        model = cls(**MODEL_PARAMS).fit(X, y)
        seconds = time.perf_counter() - start
        proba = np.zeros((len(X_test), n_ids))
        proba[:, model.classes_] = model.predict_proba(X_test)
        rows.append([f"{cls.__name__}", *_scores(proba, y_test, n_ids), seconds])
    params = ", ".join(f"{k}={v!r}" for k, v in MODEL_PARAMS.items())
    return (
        f"`pydoc_data.topics`: {len(X) + len(X_test) + 2 * CONTEXT} words; contexts of "
        f"{CONTEXT} words; {len(X)} training and {len(X_test)} test contexts (first "
        f"{TRAIN_SHARE:.0%} of the text / the rest); {VOCABULARY} most frequent training words "
        f"plus one shared id for the rest (test words outside them: "
        f"{np.mean(y_test == n_ids - 1):.1%}). Models: `{params}`.\n\n"
        + markdown_table(["model", "top-1", "top-5", "fit s"], rows)
    )


if __name__ == "__main__":
    import torch

    torch.set_num_threads(2)
    print(run())
