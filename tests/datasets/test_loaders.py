import numpy as np
import pytest
from sklearn.utils import Bunch

from sklearn_dl.datasets import load_basic_motions, load_gunpoint, load_italy_power_demand

# loader, split -> (n_cases, n_timesteps, n_channels), class labels in header order
EXPECTED = {
    (load_gunpoint, "train"): ((50, 150, 1), ["1", "2"]),
    (load_gunpoint, "test"): ((150, 150, 1), ["1", "2"]),
    (load_italy_power_demand, "train"): ((67, 24, 1), ["1", "2"]),
    (load_italy_power_demand, "test"): ((1029, 24, 1), ["1", "2"]),
    (load_basic_motions, "train"): ((40, 100, 6), ["Standing", "Running", "Walking", "Badminton"]),
    (load_basic_motions, "test"): ((40, 100, 6), ["Standing", "Running", "Walking", "Badminton"]),
}
LOADERS = [load_gunpoint, load_italy_power_demand, load_basic_motions]


@pytest.mark.parametrize(
    "loader, split", list(EXPECTED), ids=[f"{f.__name__}-{s}" for f, s in EXPECTED]
)
def test_shapes_and_classes(loader, split):
    shape, class_labels = EXPECTED[loader, split]
    bunch = loader(split=split)

    assert isinstance(bunch, Bunch)
    assert isinstance(bunch.data, np.ndarray)
    assert bunch.data.dtype == np.float64
    assert bunch.data.shape == shape
    assert not np.isnan(bunch.data).any()

    assert bunch.target.shape == (shape[0],)
    assert bunch.target.dtype.kind == "U"
    assert bunch.target_names.tolist() == class_labels
    # every class occurs, and no label falls outside the header's
    assert set(bunch.target) == set(class_labels)


@pytest.mark.parametrize("loader", LOADERS)
def test_train_is_the_default_split(loader):
    np.testing.assert_array_equal(loader().data, loader(split="train").data)
    train, test = loader(split="train").data, loader(split="test").data
    assert train.shape[1:] == test.shape[1:]
    assert not np.array_equal(train[: len(test)], test[: len(train)])


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize("split", ["train", "test"])
def test_return_X_y_matches_bunch(loader, split):
    bunch = loader(split=split)
    X, y = loader(split=split, return_X_y=True)
    np.testing.assert_array_equal(X, bunch.data)
    np.testing.assert_array_equal(y, bunch.target)


@pytest.mark.parametrize("loader", LOADERS)
def test_descr_has_file_comments_and_attribution(loader):
    descr = loader().DESCR
    assert "timeseriesclassification.com" in descr
    assert "sktime" in descr
    # the file's comment text comes first, without the leading '#'
    first_line = descr.splitlines()[0]
    assert len(first_line) > 20
    assert not first_line.startswith("#")


def test_descr_is_the_data_set_own():
    assert "hand" in load_gunpoint().DESCR
    assert "Italy" in load_italy_power_demand().DESCR
    assert "accelerometer" in load_basic_motions().DESCR


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize("split", ["validation", "TRAIN", None])
def test_bad_split_raises(loader, split):
    with pytest.raises(ValueError, match=r"split must be one of \('train', 'test'\)"):
        loader(split=split)


@pytest.mark.parametrize("loader", LOADERS)
def test_arguments_are_keyword_only(loader):
    with pytest.raises(TypeError):
        loader("train")
