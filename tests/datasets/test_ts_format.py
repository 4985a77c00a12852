import io

import numpy as np
import pytest

from sklearn_dl.datasets._ts_format import read_ts

UNIVARIATE = """\
# A tiny univariate problem.
#   Second comment line.
@problemName Tiny
@timeStamps false
@missing false
@univariate true
@equalLength true
@seriesLength 3
@classLabel true a b
@data
1,2,3:a
4.5,-5,6e1:b

0,0,0:a
"""

MULTIVARIATE = """\
@problemName Multi
@univariate false
@dimensions 2
@equalLength true
@seriesLength 4
@classLabel true up down
@data
1,2,3,4:10,20,30,40:up
5,6,7,8:50,60,70,80:down
"""

UNEQUAL = """\
@problemName Ragged
@univariate false
@dimensions 2
@equalLength false
@classLabel true x y
@data
1,2,3:4,5,6:x
7,8:9,10:y
"""


def _read(text):
    return read_ts(io.StringIO(text))


def test_univariate_is_3d_with_one_channel():
    X, y, meta = _read(UNIVARIATE)
    assert isinstance(X, np.ndarray)
    assert X.dtype == np.float64
    assert X.shape == (3, 3, 1)
    np.testing.assert_array_equal(X[1, :, 0], [4.5, -5.0, 60.0])
    np.testing.assert_array_equal(y, ["a", "b", "a"])


def test_header_and_description_in_meta():
    _, _, meta = _read(UNIVARIATE)
    assert meta["problem_name"] == "Tiny"
    assert meta["timestamps"] is False
    assert meta["univariate"] is True
    assert meta["equal_length"] is True
    assert meta["series_length"] == 3
    assert meta["dimensions"] == 1
    assert meta["class_labels"] == ["a", "b"]
    assert meta["description"] == "A tiny univariate problem.\nSecond comment line."


def test_multivariate_channels_go_last():
    X, y, meta = _read(MULTIVARIATE)
    assert X.shape == (2, 4, 2)
    np.testing.assert_array_equal(X[0], [[1, 10], [2, 20], [3, 30], [4, 40]])
    np.testing.assert_array_equal(X[1, :, 1], [50, 60, 70, 80])
    np.testing.assert_array_equal(y, ["up", "down"])
    assert meta["dimensions"] == 2
    assert meta["class_labels"] == ["up", "down"]


def test_unequal_length_returns_list():
    X, y, _ = _read(UNEQUAL)
    assert isinstance(X, list)
    assert [x.shape for x in X] == [(3, 2), (2, 2)]
    assert all(x.dtype == np.float64 for x in X)
    np.testing.assert_array_equal(X[1], [[7, 9], [8, 10]])
    np.testing.assert_array_equal(y, ["x", "y"])


def test_missing_values_become_nan():
    text = UNIVARIATE.replace("@missing false", "@missing true").replace("1,2,3:a", "1,?,3:a")
    X, _, meta = _read(text)
    assert meta["missing"] is True
    assert np.isnan(X[0, 1, 0])
    assert np.isnan(X).sum() == 1


def test_reads_from_path(tmp_path):
    path = tmp_path / "Multi_TRAIN.ts"
    path.write_text(MULTIVARIATE, encoding="utf-8")
    X_path, y_path, _ = read_ts(path)
    X_str, _, _ = read_ts(str(path))
    X_io, y_io, _ = _read(MULTIVARIATE)
    np.testing.assert_array_equal(X_path, X_io)
    np.testing.assert_array_equal(X_str, X_io)
    np.testing.assert_array_equal(y_path, y_io)


def test_no_class_label_gives_y_none():
    text = "@dimensions 2\n@classLabel false\n@data\n1,2:3,4\n5,6:7,8\n"
    X, y, meta = _read(text)
    assert y is None
    assert meta["class_labels"] is None
    assert X.shape == (2, 2, 2)


def test_channel_count_inferred_without_dimensions():
    X, _, meta = _read("@classLabel true a\n@data\n1,2:3,4:5,6:a\n")
    assert X.shape == (1, 2, 3)
    assert meta["dimensions"] == 3


@pytest.mark.parametrize(
    "text, match",
    [
        # a case with 3 channels where @dimensions says 2
        (MULTIVARIATE + "1,2,3,4:1,2,3,4:1,2,3,4:up\n", r"line 10: 3 channels.*@dimensions is 2"),
        # a univariate file with a second channel
        (UNIVARIATE.replace("4.5,-5,6e1:b", "4.5,-5,6e1:1,2,3:b"), r"line 12: 2 channels"),
        # a label not listed in @classLabel
        (UNIVARIATE.replace("0,0,0:a", "0,0,0:c"), r"line 14: class label 'c' is not one of"),
        # a value that is not a number
        (UNIVARIATE.replace("1,2,3:a", "1,x,3:a"), r"line 11: channel 0 holds a non-numeric value"),
        # channels of one case with different lengths
        (MULTIVARIATE.replace("5,6,7,8:", "5,6,7:"), r"line 9: channels of different lengths"),
        # length differing from @seriesLength in an equal-length file
        (UNIVARIATE.replace("0,0,0:a", "0,0,0,0:a"), r"line 14: length 4.*@seriesLength 3"),
        # a header line after @data
        (UNIVARIATE + "@univariate false\n", r"line 15: header line"),
        # data before @data
        ("@univariate true\n1,2,3:a\n@data\n", r"line 2: data line before @data"),
        # a bad boolean
        ("@univariate yes\n@data\n1:a\n", r"line 1: @univariate needs true or false"),
        # a bad integer
        ("@dimensions two\n@data\n1:a\n", r"line 1: @dimensions needs an integer"),
        # @classLabel true without labels
        ("@classLabel true\n@data\n1:a\n", r"line 1: @classLabel true lists no class labels"),
    ],
)
def test_malformed_lines_raise_naming_the_line(text, match):
    with pytest.raises(ValueError, match=match):
        _read(text)


def test_missing_data_section_raises():
    header_only = UNIVARIATE[: UNIVARIATE.index("@data")]
    with pytest.raises(ValueError, match="no @data line"):
        _read(header_only)
    # with cases but no @data, the first case is reported
    with pytest.raises(ValueError, match=r"line 10: data line before @data \(no @data line\?\)"):
        _read(UNIVARIATE.replace("@data\n", ""))


def test_no_cases_raises():
    with pytest.raises(ValueError, match="no cases after @data"):
        _read("@univariate true\n@classLabel true a\n@data\n# only a comment\n")


def test_timestamps_are_rejected():
    with pytest.raises(ValueError, match="not supported"):
        _read(UNIVARIATE.replace("@timeStamps false", "@timeStamps true"))
