"""
Strings: finding a DNA motif with SequenceEncoder and an LSTM
=============================================================

Biological sequences arrive as strings. :class:`~sklearn_dl.SequenceEncoder`
turns each one into a one-hot sequence (here with the preset DNA alphabet),
so a recurrent classifier can follow it in a pipeline. The sequences have
different lengths; they are never padded to the longest one. The task: does
the sequence contain ``TATA``?
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from sklearn_dl import LSTMClassifier, SequenceEncoder

rng = np.random.RandomState(0)


def random_dna(length):
    return "".join(rng.choice(list("ACGT"), size=length))


sequences, labels = [], []
for i in range(300):
    seq = random_dna(rng.randint(12, 30)).replace("TATA", "TAGA")
    if i % 2:  # half the sequences get the motif at a random place
        at = rng.randint(0, len(seq) - 4)
        seq = seq[:at] + "TATA" + seq[at + 4 :]
    sequences.append(seq)
    labels.append("motif" if "TATA" in seq else "none")

X_train, X_test, y_train, y_test = train_test_split(sequences, labels, random_state=0)
model = make_pipeline(
    SequenceEncoder(alphabet="dna"), LSTMClassifier(max_iter=60, random_state=0)
).fit(X_train, y_train)
print(f"held-out accuracy: {model.score(X_test, y_test):.3f}")

proba = model.predict_proba(X_test)[:, list(model.classes_).index("motif")]
has_motif = np.array(y_test) == "motif"
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.hist([proba[has_motif], proba[~has_motif]], bins=20, label=["TATA", "no TATA"])
ax.set_xlabel("predicted probability of the motif")
ax.set_ylabel("held-out sequences")
ax.legend()
fig.tight_layout()
plt.show()
