"""
Sequence classification: GRU on GunPoint, with its loss curves
==============================================================

:func:`~sklearn_dl.datasets.load_gunpoint` returns the UCR GunPoint series
as a 3-D array (univariate sequences of 150 steps, one feature; 50 for training). A
:class:`~sklearn_dl.GRUClassifier` reads it as sequences, holds out a
validation split for early stopping, and
:class:`~sklearn_dl.plotting.LossCurveDisplay` shows both losses per epoch.
"""

import matplotlib.pyplot as plt
from sklearn.neighbors import KNeighborsClassifier

from sklearn_dl import GRUClassifier
from sklearn_dl.datasets import load_gunpoint
from sklearn_dl.plotting import LossCurveDisplay

X, y = load_gunpoint(return_X_y=True)
X_test, y_test = load_gunpoint(split="test", return_X_y=True)

gru = GRUClassifier(max_iter=80, random_state=0).fit(X, y)
knn = KNeighborsClassifier(n_neighbors=1).fit(X.reshape(len(X), -1), y)
print(f"GRU test accuracy: {gru.score(X_test, y_test):.3f} after {gru.n_iter_} epochs")
print(f"1-NN test accuracy: {knn.score(X_test.reshape(len(X_test), -1), y_test):.3f}")

display = LossCurveDisplay.from_estimator(gru)
display.ax_.set_title("GRUClassifier on GunPoint")
plt.show()
