"""Tests of SequenceEncoder: values, alphabets, errors, sklearn API and pipelines."""

import copy
import inspect
import pickle
import warnings

import joblib
import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn import config_context
from sklearn.base import clone
from sklearn.exceptions import NotFittedError, SkipTestWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils import estimator_checks
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils._tags import get_tags
from sklearn.utils.estimator_checks import (
    check_do_not_raise_errors_in_init_or_set_params,
    check_estimator_cloneable,
    check_estimator_repr,
    check_estimator_tags_renamed,
    check_get_params_invariance,
    check_mixin_order,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_set_params,
    check_transformers_unfitted,
    check_valid_tag_types,
    estimator_checks_generator,
)
from sklearn.utils.validation import check_is_fitted

from sklearn_dl._sequence_encoder import SequenceEncoder

ONEHOT_ACGU = np.eye(4, dtype=np.float32)  # rows: A, C, G, U


def _mean_vector(sequences):
    """Each encoded sequence -> its mean one-hot row (the symbol composition)."""
    return np.stack([seq.mean(axis=0) for seq in sequences])


def _gc_dataset(n=60, seed=0):
    """Class 1: GC-rich sequences, class 0: AT-rich; lengths 8..20, mixed case."""
    rng = np.random.RandomState(seed)
    X, y = [], []
    for i in range(n):
        label = i % 2
        probs = [0.1, 0.4, 0.4, 0.1] if label else [0.4, 0.1, 0.1, 0.4]
        seq = "".join(rng.choice(list("ACGT"), size=rng.randint(8, 21), p=probs))
        X.append(seq.lower() if i % 3 == 0 else seq)
        y.append(label)
    return X, np.array(y)


# ------------------------------------------------------------------ values
def test_onehot_values_exact():
    Xt = SequenceEncoder(alphabet="rna").fit_transform(["ACGU", "GGA"])
    assert isinstance(Xt, list) and len(Xt) == 2
    assert Xt[0].dtype == np.float32 and Xt[0].shape == (4, 4)
    assert_array_equal(Xt[0], ONEHOT_ACGU)
    assert_array_equal(Xt[1], [[0, 0, 1, 0], [0, 0, 1, 0], [1, 0, 0, 0]])


def test_ordinal_values_exact():
    Xt = SequenceEncoder(alphabet="dna", encoding="ordinal").fit_transform(["GATTACA", "C"])
    assert Xt[0].dtype == np.int64 and Xt[0].shape == (7,)
    assert_array_equal(Xt[0], [2, 0, 3, 3, 0, 1, 0])
    assert_array_equal(Xt[1], [1])


def test_dtype_parameter():
    enc = SequenceEncoder(alphabet="rna", dtype=np.float64)
    assert enc.fit_transform(["ACGU"])[0].dtype == np.float64
    assert SequenceEncoder(dtype="uint8").fit_transform(["AC"])[0].dtype == np.uint8
    # ordinal ids stay int64 whatever dtype says
    enc = SequenceEncoder(encoding="ordinal", dtype=np.float64)
    assert enc.fit_transform(["AC"])[0].dtype == np.int64
    with pytest.raises(ValueError, match="numeric numpy dtype"):
        SequenceEncoder(dtype=object).fit(["AC"])
    with pytest.raises(ValueError, match="numeric numpy dtype"):
        SequenceEncoder(dtype="not-a-dtype").fit(["AC"])


def test_fit_transform_equals_fit_then_transform():
    X = ["acgtn", "TTAG", "GGGCN"]
    for params in [{}, {"alphabet": "dna", "handle_unknown": "unknown"}, {"encoding": "ordinal"}]:
        a = SequenceEncoder(**params).fit_transform(X)
        b = SequenceEncoder(**params).fit(X).transform(X)
        assert len(a) == len(b)
        for x, z in zip(a, b):
            assert x.dtype == z.dtype
            assert_array_equal(x, z)


# --------------------------------------------------------------- alphabets
def test_learned_alphabet_is_sorted_set_of_seen_symbols():
    enc = SequenceEncoder().fit(["TTG", "CAT", "NTT"])
    assert_array_equal(enc.alphabet_, ["A", "C", "G", "N", "T"])
    assert enc.n_symbols_out_ == 5
    assert_array_equal(enc.transform(["N"])[0], [[0, 0, 0, 1, 0]])


@pytest.mark.parametrize(
    "preset, letters",
    [("dna", "ACGT"), ("rna", "ACGU"), ("protein", "ACDEFGHIKLMNPQRSTVWY")],
)
def test_preset_alphabets(preset, letters):
    enc = SequenceEncoder(alphabet=preset).fit([letters[:1]])  # alphabet not learned from X
    assert "".join(enc.alphabet_) == letters
    assert enc.n_symbols_out_ == len(letters)
    Xt = enc.transform([letters])[0]
    assert_array_equal(Xt, np.eye(len(letters)))


def test_given_alphabet_keeps_its_order():
    enc = SequenceEncoder(alphabet="TGCA", encoding="ordinal").fit(["ACGT"])
    assert_array_equal(enc.alphabet_, ["T", "G", "C", "A"])
    assert_array_equal(enc.transform(["ACGT"])[0], [3, 2, 1, 0])
    # list, tuple and array alphabets (e.g. a fitted alphabet_) are the same alphabet
    for alphabet in (["T", "G", "C", "A"], ("T", "G", "C", "A"), enc.alphabet_):
        other = SequenceEncoder(alphabet=alphabet, encoding="ordinal").fit(["A"])
        assert_array_equal(other.transform(["ACGT"])[0], [3, 2, 1, 0])


def test_invalid_alphabets():
    with pytest.raises(ValueError, match="duplicate symbols.*'A'"):
        SequenceEncoder(alphabet="ACA").fit(["A"])
    with pytest.raises(ValueError, match=r"duplicate symbols \(after upper-casing\)"):
        SequenceEncoder(alphabet="aA").fit(["A"])
    SequenceEncoder(alphabet="aA", case_sensitive=True).fit(["a"])  # distinct symbols
    with pytest.raises(ValueError, match="alphabet is empty"):
        SequenceEncoder(alphabet=[]).fit(["A"])
    with pytest.raises(TypeError, match="alphabet must be None.*got set"):
        SequenceEncoder(alphabet={"A", "C"}).fit(["A"])
    with pytest.raises(ValueError, match="single characters.*'AC'"):
        SequenceEncoder(alphabet=["AC", "G"]).fit(["ACG"])
    with pytest.raises(InvalidParameterError, match="'alphabet' parameter"):
        SequenceEncoder(alphabet=3).fit(["A"])


# ------------------------------------------------------------------ case
def test_case_insensitive_by_default():
    enc = SequenceEncoder(encoding="ordinal").fit(["acGT"])
    assert_array_equal(enc.alphabet_, ["A", "C", "G", "T"])
    assert_array_equal(enc.transform(["gcat"])[0], enc.transform(["GCAT"])[0])
    # a lower-case given alphabet is upper-cased too
    enc = SequenceEncoder(alphabet="acgt", encoding="ordinal").fit(["ACGT"])
    assert_array_equal(enc.alphabet_, ["A", "C", "G", "T"])


def test_case_sensitive():
    enc = SequenceEncoder(case_sensitive=True).fit(["aA"])
    assert_array_equal(enc.alphabet_, ["A", "a"])
    assert_array_equal(enc.transform(["a"])[0], [[0, 1]])
    # presets are upper-case: lower-case letters are outside them
    with pytest.raises(ValueError, match=r"unknown symbol\(s\) \['a'\]"):
        SequenceEncoder(alphabet="dna", case_sensitive=True).fit(["Ca"])


def test_case_folding_keeps_sequence_length():
    # "ß".upper() == "SS" would shift later timesteps: such characters stay as they are
    Xt = SequenceEncoder(encoding="ordinal").fit_transform(["aßc"])
    assert Xt[0].shape == (3,)


# --------------------------------------------------------------- unknown
def test_unknown_symbol_error_names_symbols_and_first_sequence():
    enc = SequenceEncoder(alphabet="dna").fit(["ACGT"])
    msg = r"unknown symbol\(s\) \['N', 'X'\] in X \(first in sequence 1\)"
    with pytest.raises(ValueError, match=msg):
        enc.transform(["ACGT", "ACNT", "XX"])
    # in fit too, when the alphabet is given
    with pytest.raises(ValueError, match=r"\['Z'\] in X \(first in sequence 2\)"):
        SequenceEncoder(alphabet="dna").fit(["A", "C", "GZ"])
    # a learned alphabet meets unseen symbols at transform
    with pytest.raises(ValueError, match=r"\['G'\] in X \(first in sequence 0\)"):
        SequenceEncoder().fit(["AC"]).transform(["GA"])


def test_unknown_column_absorbs_unseen_symbols():
    enc = SequenceEncoder(alphabet="dna", handle_unknown="unknown")
    Xt = enc.fit_transform(["ANX"])  # unknown symbols allowed in fit as well
    assert enc.n_symbols_out_ == 5
    assert_array_equal(enc.alphabet_, ["A", "C", "G", "T"])
    assert_array_equal(Xt[0], [[1, 0, 0, 0, 0], [0, 0, 0, 0, 1], [0, 0, 0, 0, 1]])
    enc.set_params(encoding="ordinal")
    assert_array_equal(enc.transform(["T?Nc"])[0], [3, 4, 4, 1])
    # learned alphabet: the unknown column is there (all zero) on the fit data
    enc = SequenceEncoder(handle_unknown="unknown").fit(["AC"])
    assert enc.n_symbols_out_ == 3
    assert_array_equal(enc.transform(["CAG"])[0], [[0, 1, 0], [1, 0, 0], [0, 0, 1]])


# ------------------------------------------------------------ token lists
def test_token_list_input():
    X = [["ATG", "gcc", "TAA"], ("GCC",)]
    enc = SequenceEncoder(encoding="ordinal")
    Xt = enc.fit_transform(X)
    assert_array_equal(enc.alphabet_, ["ATG", "GCC", "TAA"])
    assert_array_equal(Xt[0], [0, 1, 2])
    assert_array_equal(Xt[1], [1])
    assert enc.inverse_transform(Xt) == [["ATG", "GCC", "TAA"], ["GCC"]]
    with pytest.raises(TypeError, match="fitted on token lists, but X holds strings"):
        enc.transform(["ATG"])


def test_token_list_non_string_tokens_and_unknown():
    enc = SequenceEncoder(alphabet=[0, 1, 2], handle_unknown="unknown")
    Xt = enc.fit_transform([[2, 0], [1, 7]])
    assert_array_equal(Xt[1], [[0, 1, 0, 0], [0, 0, 0, 1]])
    assert enc.inverse_transform(Xt) == [[2, 0], [1, None]]  # unknown token -> None
    with pytest.raises(ValueError, match=r"unknown symbol\(s\) \[5, 9\].*sequence 1"):
        SequenceEncoder(alphabet=[0, 1]).fit([[0], [9, 5]])


def test_given_token_alphabet_with_string_sequences_of_single_chars():
    enc = SequenceEncoder(alphabet=["G", "C"], encoding="ordinal").fit(["GC"])
    assert_array_equal(enc.transform(["cg"])[0], [1, 0])


# --------------------------------------------------------- inverse, pickle
@pytest.mark.parametrize("encoding", ["onehot", "ordinal"])
def test_inverse_transform_round_trip(encoding):
    X = ["ACGU", "uu", "GaC"]
    enc = SequenceEncoder(alphabet="rna", encoding=encoding)
    assert enc.inverse_transform(enc.fit_transform(X)) == ["ACGU", "UU", "GAC"]
    enc = SequenceEncoder(alphabet="rna", encoding=encoding, handle_unknown="unknown")
    assert enc.inverse_transform(enc.fit_transform(["AXN"])) == ["A??"]


def test_inverse_transform_scores_and_errors():
    enc = SequenceEncoder(alphabet="rna").fit(["A"])
    # row-wise argmax: soft scores (e.g. a decoder's softmax) decode too
    assert enc.inverse_transform([np.array([[0.1, 0.7, 0.1, 0.1]])]) == ["C"]
    with pytest.raises(ValueError, match="has 3 columns.*n_symbols_out_=4"):
        enc.inverse_transform([np.zeros((2, 3))])
    with pytest.raises(ValueError, match=r"ids outside 0\.\.3"):
        enc.inverse_transform([np.array([0, 4])])
    with pytest.raises(ValueError, match="not integer ids"):
        enc.inverse_transform([np.array([0.5])])
    with pytest.raises(ValueError, match="Found 0 sequences in Xt"):
        enc.inverse_transform([])
    with pytest.raises(NotFittedError):
        SequenceEncoder().inverse_transform([np.array([0])])


def test_pickle_round_trip():
    X = ["ACGTN", "ggt"]
    enc = SequenceEncoder(alphabet="dna", handle_unknown="unknown").fit(X)
    restored = pickle.loads(pickle.dumps(enc))
    assert restored.get_params() == enc.get_params()
    assert_array_equal(restored.alphabet_, enc.alphabet_)
    assert restored.n_symbols_out_ == enc.n_symbols_out_
    for a, b in zip(restored.transform(X), enc.transform(X)):
        assert_array_equal(a, b)
    assert restored.inverse_transform(restored.transform(X)) == ["ACGT?", "GGT"]


def test_clone_is_unfitted_with_same_params():
    enc = SequenceEncoder(alphabet=["A", "C"], encoding="ordinal", dtype=np.float64).fit(["AC"])
    cloned = clone(enc)
    assert cloned.get_params() == enc.get_params()
    assert cloned.alphabet is not enc.alphabet  # the list is copied
    assert not hasattr(cloned, "alphabet_")
    with pytest.raises(NotFittedError):
        cloned.transform(["A"])


# ------------------------------------------------------------------ input
def test_accepted_containers():
    pd = pytest.importorskip("pandas")
    expected = [[0, 1], [2]]
    containers = [
        ["AC", "G"],
        ("AC", "G"),
        np.array(["AC", "G"]),
        np.array(["AC", "G"], dtype=object),
        pd.Series(["AC", "G"], index=[10, 3]),
        pd.Series(["AC", "G"], dtype="string"),
    ]
    for X in containers:
        enc = SequenceEncoder(alphabet="ACG", encoding="ordinal")
        Xt = enc.fit_transform(X)
        assert [x.tolist() for x in Xt] == expected, type(X)
        assert enc.inverse_transform(Xt) == ["AC", "G"]
        assert all(type(s) is str for s in enc.inverse_transform(Xt))


def test_bad_sequence_types():
    enc = SequenceEncoder()
    with pytest.raises(TypeError, match=r"Sequence 1 of X is a builtins\.int.*must be a str"):
        enc.fit(["AC", 5])
    with pytest.raises(TypeError, match=r"Sequence 0 of X is a numpy\.float64"):
        enc.fit(np.array([1.0, 2.0]))
    with pytest.raises(TypeError, match=r"shape \(20, 3\) and dtype float64.*expects a list"):
        enc.fit(np.random.RandomState(0).uniform(size=(20, 3)))
    with pytest.raises(TypeError, match="got a single str"):
        enc.fit("ACGT")
    with pytest.raises(TypeError, match="got NoneType"):
        enc.fit(None)
    with pytest.raises(TypeError, match="unhashable token"):
        enc.fit([["A", ["B"]]])
    with pytest.raises(TypeError, match="unhashable token"):
        SequenceEncoder(alphabet=["A"]).fit([["A", {"B": 1}]])


def test_mixing_strings_and_token_lists():
    with pytest.raises(TypeError, match=r"mixes strings \(e\.g\. sequence 0\) and token lists"):
        SequenceEncoder().fit(["AC", ["A", "C"]])


def test_empty_sequence_and_empty_X():
    with pytest.raises(ValueError, match="Sequence 2 of X is empty"):
        SequenceEncoder().fit(["A", "C", ""])
    with pytest.raises(ValueError, match="Sequence 0 of X is empty"):
        SequenceEncoder().fit([[]])
    with pytest.raises(ValueError, match="Found 0 sequences in X"):
        SequenceEncoder().fit([])
    with pytest.raises(ValueError, match="Found 0 sequences in X"):
        SequenceEncoder().fit(np.array([], dtype=object))
    enc = SequenceEncoder().fit(["A"])
    with pytest.raises(ValueError, match="Found 0 sequences in X"):
        enc.transform([])


def test_input_not_modified():
    X_str = ["acgt", "GgA"]
    X_tok = [["atg", "TAA"], ("gcc",)]
    X_arr = np.array(["acgt", "gga"], dtype=object)
    snapshots = [copy.deepcopy(X) for X in (X_str, X_tok, X_arr)]
    for X in (X_str, X_tok, X_arr):
        enc = SequenceEncoder(handle_unknown="unknown")
        enc.fit_transform(X)
        enc.transform(X)
    assert X_str == snapshots[0]
    assert X_tok == snapshots[1] and isinstance(X_tok[1], tuple)
    assert_array_equal(X_arr, snapshots[2])


def test_outputs_do_not_share_memory():
    Xt = SequenceEncoder(alphabet="dna").fit_transform(["AC", "GT"])
    Xt[0][:] = 7
    assert_array_equal(Xt[1], [[0, 0, 1, 0], [0, 0, 0, 1]])


# ----------------------------------------------------- sklearn API and tags
def test_tags():
    tags = get_tags(SequenceEncoder())
    assert tags.input_tags.string and not tags.input_tags.two_d_array
    assert not tags.input_tags.one_d_array and not tags.input_tags.sparse
    assert not tags.input_tags.allow_nan
    assert tags.requires_fit
    assert tags.transformer_tags is not None
    assert tags.transformer_tags.preserves_dtype == []


def test_no_feature_names_and_no_set_output():
    enc = SequenceEncoder()
    assert not hasattr(enc, "get_feature_names_out")
    # TransformerMixin offers set_output only when get_feature_names_out exists
    assert not hasattr(enc, "set_output")
    # ... so a global pandas output config leaves the ragged list alone
    with config_context(transform_output="pandas"):
        Xt = enc.fit_transform(["AC", "G"])
        assert isinstance(Xt, list) and isinstance(enc.transform(["C"]), list)


def test_no_n_features_in():
    # X is not a (n_samples, n_features) matrix: there is no n_features_in_
    enc = SequenceEncoder().fit(["ACG", "T"])
    assert not hasattr(enc, "n_features_in_")
    assert not hasattr(enc, "feature_names_in_")


def test_param_validation():
    for params, name in [
        ({"encoding": "embedding"}, "encoding"),
        ({"handle_unknown": "ignore"}, "handle_unknown"),
        ({"case_sensitive": "yes"}, "case_sensitive"),
        ({"dtype": 3}, "dtype"),
    ]:
        with pytest.raises(InvalidParameterError, match=f"'{name}' parameter"):
            SequenceEncoder(**params).fit(["A"])
        with pytest.raises(InvalidParameterError, match=f"'{name}' parameter"):
            SequenceEncoder(**params).fit_transform(["A"])


# scikit-learn's common checks. With tags.input_tags.two_d_array=False,
# parametrize_with_checks / check_estimator run only check_estimator_cloneable
# and skip everything else with a SkipTestWarning (as for CountVectorizer);
# test_sklearn_generator_selects_only_cloneable pins that. So the checks are
# called directly: these need no data, or (check_transformers_unfitted) only
# need transform to raise NotFittedError before looking at X.
SKLEARN_CHECKS = [
    check_estimator_cloneable,
    check_estimator_tags_renamed,
    check_valid_tag_types,
    check_estimator_repr,
    check_no_attributes_set_in_init,
    check_do_not_raise_errors_in_init_or_set_params,
    check_mixin_order,
    check_parameters_default_constructible,
    check_get_params_invariance,
    check_set_params,
    check_transformers_unfitted,
]

# The other API checks (scikit-learn 1.9) build numeric 2-D X (random,
# make_blobs, iris) and fit on it; _enforce_estimator_tags_X has no string
# conversion, so they would only hit our TypeError for 2-D numeric X. Each is
# replaced by a string-input test of its own here.
NOT_APPLICABLE_API_CHECKS = {
    "check_fit_score_takes_y": "numeric X; test_fit_signature_and_returns_self",
    "check_estimators_overwrite_params": "numeric X; test_fit_does_not_mutate_params",
    "check_dont_overwrite_parameters": "numeric X; test_fit_only_sets_private_or_fitted_attrs",
    "check_estimators_fit_returns_self": "numeric X; test_fit_signature_and_returns_self",
    "check_readonly_memmap_input": "memmaps of numeric X; strings cannot be memmapped",
    "check_n_features_in_after_fitting": "returns at once for two_d_array=False; test_no_n_"
    "features_in",
    "check_positive_only_tag_during_fit": "numeric iris X; no positivity on strings",
    "check_estimators_unfitted": "checks predict/decision_function only; "
    "check_transformers_unfitted is run instead",
}


@pytest.mark.parametrize("check", SKLEARN_CHECKS, ids=lambda c: c.__name__)
def test_sklearn_check(check):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. check_set_params warns on eager validation
        check("SequenceEncoder", SequenceEncoder())
        check("SequenceEncoder", SequenceEncoder("dna", encoding="ordinal", dtype=np.float64))


def test_sklearn_generator_selects_only_cloneable():
    with pytest.warns(SkipTestWarning, match="Can't test estimator SequenceEncoder"):
        checks = [check for _, check in estimator_checks_generator(SequenceEncoder())]
    assert [check.func.__name__ for check in checks] == ["check_estimator_cloneable"]


def test_every_api_check_is_run_or_replaced():
    yield_api_checks = getattr(estimator_checks, "_yield_api_checks", None)
    if yield_api_checks is None:  # private helper: other scikit-learn versions
        pytest.skip("scikit-learn has no _yield_api_checks")
    api = {check.__name__ for check in yield_api_checks(SequenceEncoder())}
    run = {check.__name__ for check in SKLEARN_CHECKS}
    assert api - run - set(NOT_APPLICABLE_API_CHECKS) == set()
    assert set(NOT_APPLICABLE_API_CHECKS) <= api


# String-input versions of the checks scikit-learn cannot feed strings.
def test_fit_only_sets_private_or_fitted_attrs():
    # as check_dont_overwrite_parameters
    enc = SequenceEncoder(alphabet=["a", "c", "g", "t"], handle_unknown="unknown")
    before = enc.__dict__.copy()
    enc.fit(["acgtn", "GG"], [0, 1])
    public = [k for k in vars(enc) if not (k.startswith("_") or k.endswith("_"))]
    assert [k for k in public if k not in before] == []
    assert [k for k in public if enc.__dict__[k] is not before[k]] == []


def test_fit_does_not_mutate_params():
    # as check_estimators_overwrite_params; a lower-case list alphabet must not be
    # upper-cased in place
    enc = SequenceEncoder(alphabet=["a", "c", "g", "t"], handle_unknown="unknown")
    hashes = {k: joblib.hash(v) for k, v in enc.get_params().items()}
    enc.fit(["ACGTN"])
    enc.transform(["acg"])
    assert {k: joblib.hash(v) for k, v in enc.get_params().items()} == hashes
    assert enc.alphabet == ["a", "c", "g", "t"]


def test_fit_signature_and_returns_self():
    # as check_estimators_fit_returns_self and check_fit_score_takes_y
    enc = SequenceEncoder()
    assert enc.fit(["AC"], [1]) is enc
    assert isinstance(enc.fit_transform(["AC"], [1]), list)
    for method in (enc.fit, enc.fit_transform):
        assert list(inspect.signature(method).parameters)[:2] == ["X", "y"]


def test_transform_leaves_state_unchanged():
    # as check_dict_unchanged
    enc = SequenceEncoder(handle_unknown="unknown").fit(["ACG"])
    before = pickle.dumps(enc)
    enc.inverse_transform(enc.transform(["ACGT", "TT"]))
    assert pickle.dumps(enc) == before


def test_fit_check_is_fitted_and_refit_resets():
    # as check_fit_check_is_fitted and check_fit_idempotent
    enc = SequenceEncoder()
    with pytest.raises(NotFittedError):
        check_is_fitted(enc)
    with pytest.raises(NotFittedError):
        enc.transform(["A"])
    enc.fit(["CA"])
    check_is_fitted(enc)
    first = enc.transform(["AC"])
    enc.fit(["CA"])
    assert_array_equal(enc.transform(["AC"])[0], first[0])
    enc.fit([["x", "y", "z"]])  # refit on other data learns anew
    assert_array_equal(enc.alphabet_, ["X", "Y", "Z"])
    assert enc.n_symbols_out_ == 3


def test_failed_fit_keeps_previous_state():
    enc = SequenceEncoder(alphabet="dna").fit(["AC"])
    with pytest.raises(ValueError, match="unknown symbol"):
        enc.fit(["ACN"])
    assert_array_equal(enc.transform(["T"])[0], [[0, 0, 0, 1]])
    with pytest.raises(ValueError, match="unknown symbol"):
        SequenceEncoder(alphabet="dna").fit(["N"]).transform(["A"])
    unfitted = SequenceEncoder(alphabet="dna")
    with pytest.raises(ValueError):
        unfitted.fit(["N"])
    assert not hasattr(unfitted, "alphabet_")


def test_subset_and_order_invariance():
    # as check_methods_subset_invariance and check_methods_sample_order_invariance
    X, _ = _gc_dataset(n=12)
    enc = SequenceEncoder().fit(X)
    full = enc.transform(X)
    order = np.random.RandomState(1).permutation(len(X))
    for i, part in zip(order, enc.transform([X[i] for i in order])):
        assert_array_equal(part, full[i])
    for i in range(len(X)):
        assert_array_equal(enc.transform(X[i : i + 1])[0], full[i])


# -------------------------------------------------------------- pipelines
def _composition_pipeline(**encoder_params):
    return Pipeline(
        [
            ("encode", SequenceEncoder(**encoder_params)),
            ("mean", FunctionTransformer(_mean_vector)),
            ("clf", LogisticRegression()),
        ]
    )


def test_pipeline_with_function_transformer_and_logistic_regression():
    X, y = _gc_dataset()
    pipe = _composition_pipeline(alphabet="dna").fit(X, y)
    composition = pipe[:-1].transform(["AACG"])
    assert_array_equal(composition, [[0.5, 0.25, 0.25, 0.0]])
    assert pipe.score(X, y) > 0.9
    assert_array_equal(pipe.predict(["GCGCGCGCGC", "ATATATATTA"]), [1, 0])


def test_cross_val_score_and_grid_search_on_list_of_strings():
    X, y = _gc_dataset()
    assert isinstance(X, list) and isinstance(X[0], str)
    scores = cross_val_score(_composition_pipeline(alphabet="dna"), X, y, cv=3)
    assert scores.shape == (3,) and scores.min() > 0.8
    search = GridSearchCV(
        _composition_pipeline(),
        {"encode__alphabet": [None, "dna", "ACGTN"], "encode__encoding": ["onehot"]},
        cv=3,
        error_score="raise",
    ).fit(X, y)
    assert np.all(search.cv_results_["mean_test_score"] > 0.8)
    assert search.predict(["GGCCGCGCGG"]).tolist() == [1]


# ------------------------------------------------------ infrequent symbols
@pytest.mark.parametrize(
    "min_frequency, max_categories",
    [(3, None), (0.2, None), (None, 3), (None, 1), (2, 3), (None, 10), (5, 2)],
)
def test_infrequent_symbols_are_onehotencoders(min_frequency, max_categories):
    from sklearn.preprocessing import OneHotEncoder

    # One token per sequence: the same data as a OneHotEncoder column, with
    # ties in the counts (b and d) to pin the order among equals.
    words = list("aaaaaabbbcccccdddeef")
    onehot = OneHotEncoder(min_frequency=min_frequency, max_categories=max_categories)
    onehot.fit(np.array(words)[:, None])
    expected = onehot.infrequent_categories_[0]
    enc = SequenceEncoder(
        encoding="ordinal",
        case_sensitive=True,
        min_frequency=min_frequency,
        max_categories=max_categories,
    )
    ids = np.concatenate(enc.fit_transform([[w] for w in words]))
    if expected is None:
        assert enc.infrequent_symbols_ is None
        assert enc.n_symbols_out_ == 6
        return
    assert_array_equal(enc.infrequent_symbols_, expected)
    assert enc.n_symbols_out_ == len(enc.alphabet_) + 1 == onehot.transform([["a"]]).shape[1]
    shared = len(enc.alphabet_)
    for word, i in zip(words, ids):
        assert (i == shared) == (word in expected)
        if word not in expected:
            assert enc.alphabet_[i] == word


def test_infrequent_tokens_share_the_unknown_id_in_token_lists():
    X = [["the", "cat", "sat"], ["the", "dog", "sat"], ["the", "cat", "ran"]]
    enc = SequenceEncoder(encoding="ordinal", handle_unknown="unknown", max_categories=4)
    Xt = enc.fit_transform(X)
    assert_array_equal(enc.alphabet_, ["CAT", "SAT", "THE"])
    assert_array_equal(enc.infrequent_symbols_, ["DOG", "RAN"])
    assert enc.n_symbols_out_ == 4
    assert_array_equal(Xt[1], [2, 3, 1])
    # Unknown tokens get the same shared id; decoding names it None.
    assert_array_equal(enc.transform([["a", "cat", "ran"]])[0], [3, 0, 3])
    assert enc.inverse_transform(Xt)[1] == ["THE", None, "SAT"]


def test_infrequent_symbols_in_strings_one_hot():
    enc = SequenceEncoder(min_frequency=2)
    Xt = enc.fit_transform(["ACGTA", "CCAN"])
    assert_array_equal(enc.alphabet_, ["A", "C"])
    assert_array_equal(enc.infrequent_symbols_, ["G", "N", "T"])
    assert Xt[0].shape == (5, 3)
    assert_array_equal(Xt[0].argmax(axis=1), [0, 1, 2, 2, 0])
    # Outside the alphabet and not infrequent: still an error by default.
    with pytest.raises(ValueError, match="unknown symbol"):
        enc.transform(["ACX"])


@pytest.mark.parametrize(
    "params", [{"min_frequency": 0}, {"min_frequency": 1.5}, {"max_categories": 0}]
)
def test_infrequent_parameters_are_validated(params):
    with pytest.raises(InvalidParameterError):
        SequenceEncoder(**params).fit(["ACGT"])
