"""SequenceEncoder: biological sequences (strings or token lists) to per-timestep arrays."""

from collections import Counter
from itertools import chain
from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, RealNotInt, StrOptions
from sklearn.utils.validation import check_is_fitted

from sklearn_dl._doc_link import DocLinkMixin

PRESET_ALPHABETS = {
    "dna": "ACGT",
    "rna": "ACGU",
    "protein": "ACDEFGHIKLMNPQRSTVWY",
}

# How many unknown symbols an error message lists before it abbreviates.
_MAX_SYMBOLS_SHOWN = 10


def _sort_symbols(symbols):
    """Sorted symbols; mixed, unorderable token types are ordered by type name, then repr."""
    try:
        return sorted(symbols)
    except TypeError:
        return sorted(symbols, key=lambda s: (type(s).__name__, repr(s)))


def _fold_case(text):
    """Upper-case a string without changing its length (one symbol per character).

    ``str.upper`` turns a few characters into several (``"ß"`` -> ``"SS"``),
    which would shift every later timestep; those characters are kept as they are.
    """
    folded = text.upper()
    if len(folded) == len(text):
        return folded
    return "".join(c.upper() if len(c.upper()) == 1 else c for c in text)


def _fold_token(token):
    return _fold_case(token) if isinstance(token, str) else token


def _symbols_repr(symbols, limit=_MAX_SYMBOLS_SHOWN, sort=True):
    symbols = _sort_symbols(symbols) if sort else list(symbols)
    shown = ", ".join(repr(s) for s in symbols[:limit])
    more = len(symbols) - limit
    return f"[{shown}{f', ... ({more} more)' if more > 0 else ''}]"


def _is_hashable(obj):
    try:
        hash(obj)
    except TypeError:
        return False
    return True


def _check_hashable_tokens(sequences):
    for i, seq in enumerate(sequences):
        for token in seq:
            if not _is_hashable(token):
                raise TypeError(
                    f"Sequence {i} of X holds the unhashable token {token!r} "
                    f"({type(token).__name__}); tokens must be hashable (str, int, tuple, ...)."
                )


class _Vocabulary:
    """Symbol <-> id lookups of a fitted SequenceEncoder (symbols in id order).

    ``grouped`` symbols (the infrequent ones) all get the extra id
    ``len(symbols)``, which unknown symbols share with handle_unknown="unknown".
    """

    def __init__(self, symbols, is_str, grouped=()):
        self.symbols = list(symbols)
        self.is_str = is_str
        extra = len(self.symbols)
        self.index = {s: i for i, s in enumerate(self.symbols)}
        self.index.update((s, extra) for s in grouped)
        if is_str:
            # Code point -> id table; its last entry (-1) catches larger code points.
            codes = [ord(s) for s in self.index]
            self.table = np.full(max(codes) + 2, -1, dtype=np.int64)
            self.table[codes] = list(self.index.values())

    def ids(self, sequences, handle_unknown):
        """Ids of the symbols of all (case-folded) sequences: ``(flat ids, offsets)``.

        Sequence ``i`` is ``ids[offsets[i]:offsets[i + 1]]``. Unknown symbols
        raise a ValueError or get the id ``len(symbols)``, per ``handle_unknown``.
        """
        lengths = np.fromiter((len(s) for s in sequences), dtype=np.int64, count=len(sequences))
        offsets = np.concatenate([[0], np.cumsum(lengths)])
        if self.is_str:
            joined = "".join(sequences)
            codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype="<u4")
            ids = self.table[np.minimum(codes, len(self.table) - 1)]
        else:
            tokens = list(chain.from_iterable(sequences))
            try:
                ids = np.fromiter(
                    (self.index.get(t, -1) for t in tokens), dtype=np.int64, count=len(tokens)
                )
            except TypeError:
                _check_hashable_tokens(sequences)
                raise
        unknown = ids < 0
        if unknown.any():
            if handle_unknown == "error":
                positions = np.flatnonzero(unknown)
                first = int(np.searchsorted(offsets, positions[0], side="right") - 1)
                if self.is_str:
                    found = {chr(c) for c in np.unique(codes[positions]).tolist()}
                else:
                    found = {tokens[p] for p in positions.tolist()}
                raise ValueError(
                    f"Found unknown symbol(s) {_symbols_repr(found)} in X (first in sequence "
                    f"{first}), not in the alphabet "
                    f"{_symbols_repr(self.symbols, limit=30, sort=False)}. Give an "
                    "alphabet that includes them, or set handle_unknown='unknown' to map them "
                    "to an extra 'unknown' symbol."
                )
            ids[unknown] = len(self.symbols)
        return ids, offsets


def _check_string_sequences(X):
    """X as ``(list of sequences, is_str)``, or a clear TypeError / ValueError.

    Each sequence is returned as given (a ``str``, or a list/tuple of tokens);
    X itself is never modified.
    """
    if isinstance(X, (str, bytes)):
        raise TypeError(
            f"X must be a collection of sequences, got a single {type(X).__name__}. "
            "Wrap one sequence in a list: [sequence]."
        )
    if hasattr(X, "ndim") and hasattr(X, "shape"):  # numpy array, pandas Series/DataFrame
        if X.ndim != 1:
            dtype = getattr(X, "dtype", None)
            raise TypeError(
                f"X must be a 1-D collection of sequences, got {type(X).__name__} of "
                f"shape {X.shape}{f' and dtype {dtype}' if dtype is not None else ''}. "
                "SequenceEncoder expects a list, tuple, 1-D array or pandas Series whose "
                "items are strings (one symbol per character) or lists/tuples of tokens."
            )
        sequences = list(X)
    elif isinstance(X, (list, tuple)):
        sequences = list(X)
    else:
        raise TypeError(
            f"X must be a list, tuple, 1-D numpy array or pandas Series of sequences, "
            f"got {type(X).__name__}."
        )
    if not sequences:
        raise ValueError(
            "Found 0 sequences in X, while a minimum of 1 is required by SequenceEncoder."
        )

    first_str = first_tokens = None
    for i, seq in enumerate(sequences):
        if isinstance(seq, str):
            if first_str is None:
                first_str = i
        elif isinstance(seq, (list, tuple)):
            if first_tokens is None:
                first_tokens = i
        else:
            shown = repr(seq)
            shown = shown if len(shown) <= 60 else shown[:57] + "..."
            raise TypeError(
                f"Sequence {i} of X is a {type(seq).__module__}.{type(seq).__qualname__} "
                f"({shown}); each sequence must be a str (one symbol per character) "
                "or a list/tuple of hashable tokens."
            )
        if len(seq) == 0:
            raise ValueError(
                f"Sequence {i} of X is empty; every sequence needs at least one symbol."
            )
    if first_str is not None and first_tokens is not None:
        raise TypeError(
            f"X mixes strings (e.g. sequence {first_str}) and token lists "
            f"(e.g. sequence {first_tokens}); give all sequences as str or all as "
            "lists/tuples of tokens."
        )
    return sequences, first_tokens is None


class SequenceEncoder(TransformerMixin, DocLinkMixin, BaseEstimator):
    """Encode biological sequences as per-timestep one-hot or ordinal arrays.

    Turns sequences given as strings (DNA, RNA or protein letters) or as
    lists of tokens into a list of numeric arrays, one per sequence, with one
    row (or id) per symbol: the input format of the package's recurrent
    models. Sequences keep their own lengths (the output is ragged), so the
    encoder is the first step of a pipeline such as
    ``Pipeline([("encode", SequenceEncoder()), ("clf", GRUClassifier())])``.

    Parameters
    ----------
    alphabet : None, str or list of hashable, default=None
        The symbols, in the order of their ids.

        - None: the sorted set of symbols seen in ``fit``.
        - ``"dna"`` (ACGT), ``"rna"`` (ACGU) or ``"protein"`` (the 20 standard
          amino acids ACDEFGHIKLMNPQRSTVWY): a preset. Preset names are
          lower-case and take precedence over reading the string as symbols.
        - any other string: its characters, e.g. ``"ACGTN"``.
        - a list, tuple or 1-D array of tokens (hashable, unique), e.g. codons.

    encoding : {"onehot", "ordinal"}, default="onehot"
        "onehot": each sequence becomes an array of shape
        ``(length, n_symbols_out_)`` of dtype ``dtype``. "ordinal": an int64
        array of shape ``(length,)`` of symbol ids ``0 .. n_symbols_out_ - 1``
        (for an embedding layer).

    handle_unknown : {"error", "unknown"}, default="error"
        "error": a symbol outside the alphabet raises a ValueError naming it.
        "unknown": an extra "unknown" symbol (the last one-hot column, id
        ``len(alphabet_)``) absorbs every symbol outside the alphabet, in
        ``fit`` too when the alphabet is given. It is the id of the
        infrequent symbols too (``min_frequency``, ``max_categories``), as
        OneHotEncoder's ``"infrequent_if_exist"``.

    case_sensitive : bool, default=False
        When False, strings (and string tokens), as well as a given alphabet,
        are upper-cased before encoding, so ``"acgt"`` reads as ``"ACGT"``.
        Presets are upper-case: with ``case_sensitive=True`` lower-case letters
        are outside them.

    min_frequency : int, float or None, default=None
        As in :class:`~sklearn.preprocessing.OneHotEncoder`: symbols seen in
        ``fit`` fewer times than this (an int), or than this fraction of all
        the symbols seen (a float in (0, 1)), are infrequent and share one id,
        ``len(alphabet_)``. None: no symbol is grouped by frequency.

    max_categories : int or None, default=None
        As in :class:`~sklearn.preprocessing.OneHotEncoder`: at most this many
        ids, the shared infrequent one included; the least frequent symbols
        join the infrequent ones (among equal counts, those earlier in the
        alphabet first). With ``max_categories=2001`` a text's 2000 most
        frequent words keep ids of their own. None: no limit.

    dtype : numpy dtype, default=np.float32
        Dtype of the one-hot arrays: a numpy dtype, its name or its scalar type,
        as the estimators' ``dtype`` (``float32`` is what PyTorch models take).
        Ordinal ids are always int64.

    Attributes
    ----------
    alphabet_ : ndarray of shape (n_symbols,)
        The symbols in id order: symbol ``alphabet_[i]`` has id ``i`` (one-hot
        column ``i``). Does not include the "unknown" symbol, nor the
        infrequent ones.

    infrequent_symbols_ : ndarray or None
        The symbols grouped under the shared id ``len(alphabet_)`` by
        ``min_frequency`` / ``max_categories``; None when there are none.

    n_symbols_out_ : int
        Number of one-hot columns / distinct ids: ``len(alphabet_)``, plus one
        with ``handle_unknown="unknown"`` or infrequent symbols.

    See Also
    --------
    sklearn.preprocessing.OneHotEncoder : One-hot encoding of tabular categories.

    Notes
    -----
    The input X is a list, tuple, 1-D array or pandas Series of sequences,
    all strings or all lists/tuples of tokens, not a 2-D feature matrix;
    hence ``n_features_in_`` is not defined, and neither are
    ``get_feature_names_out`` and ``set_output`` (ragged output has no
    columns to name).

    With a learned alphabet (``alphabet=None``) in cross-validation, a rare
    symbol missing from a training fold is unknown at ``transform``: give the
    alphabet explicitly or use ``handle_unknown="unknown"``.

    Examples
    --------
    >>> from sklearn_dl import SequenceEncoder
    >>> enc = SequenceEncoder(alphabet="rna")
    >>> Xt = enc.fit_transform(["ACGU", "gg"])
    >>> [x.shape for x in Xt]
    [(4, 4), (2, 4)]
    >>> Xt[1]
    array([[0., 0., 1., 0.],
           [0., 0., 1., 0.]], dtype=float32)
    >>> enc.alphabet_
    array(['A', 'C', 'G', 'U'], dtype='<U1')
    >>> enc.inverse_transform(Xt)
    ['ACGU', 'GG']
    >>> SequenceEncoder(alphabet="dna", encoding="ordinal").fit_transform(["GATTACA"])
    [array([2, 0, 3, 3, 0, 1, 0])]
    >>> words = SequenceEncoder(encoding="ordinal", max_categories=3)
    >>> words.fit_transform([["to", "be", "or", "not", "to", "be"]])
    [array([1, 0, 2, 2, 1, 0])]
    >>> words.alphabet_, words.infrequent_symbols_
    (array(['BE', 'TO'], dtype='<U2'), array(['NOT', 'OR'], dtype='<U3'))
    """

    _parameter_constraints = {
        "alphabet": [None, str, "array-like"],
        "encoding": [StrOptions({"onehot", "ordinal"})],
        "handle_unknown": [StrOptions({"error", "unknown"})],
        "case_sensitive": ["boolean"],
        "min_frequency": [
            Interval(Integral, 1, None, closed="left"),
            Interval(RealNotInt, 0, 1, closed="neither"),
            None,
        ],
        "max_categories": [Interval(Integral, 1, None, closed="left"), None],
        # A numpy scalar type (np.float32), a Python type (float), a dtype or its
        # name; that it is a numeric dtype is checked in ``_check_dtype``.
        "dtype": [type, np.dtype, str],
    }

    def __init__(
        self,
        alphabet=None,
        *,
        encoding="onehot",
        handle_unknown="error",
        case_sensitive=False,
        min_frequency=None,
        max_categories=None,
        dtype=np.float32,
    ):
        self.alphabet = alphabet
        self.encoding = encoding
        self.handle_unknown = handle_unknown
        self.case_sensitive = case_sensitive
        self.min_frequency = min_frequency
        self.max_categories = max_categories
        self.dtype = dtype

    # ---------------------------------------------------------------- helpers
    def _check_dtype(self):
        try:
            dtype = np.dtype(self.dtype)
        except TypeError as e:
            raise ValueError(f"dtype must be a numeric numpy dtype, got {self.dtype!r}.") from e
        if dtype.kind not in "biuf":
            raise ValueError(f"dtype must be a numeric numpy dtype, got {dtype}.")
        return dtype

    def _fold(self, sequences, is_str):
        """Sequences upper-cased unless case_sensitive (new objects; X is never changed)."""
        if is_str:
            return [str(s) if self.case_sensitive else _fold_case(s) for s in sequences]
        if self.case_sensitive:
            return sequences
        return [[_fold_token(t) for t in s] for s in sequences]

    def _given_alphabet(self):
        """The alphabet parameter as a list of unique symbols, or None to learn it."""
        alphabet = self.alphabet
        if alphabet is None:
            return None
        if isinstance(alphabet, str):
            symbols = list(PRESET_ALPHABETS.get(alphabet, alphabet))
        elif isinstance(alphabet, (list, tuple)) or (
            isinstance(alphabet, np.ndarray) and alphabet.ndim == 1
        ):
            symbols = list(alphabet.tolist() if isinstance(alphabet, np.ndarray) else alphabet)
        else:
            raise TypeError(
                "alphabet must be None, a preset name ('dna', 'rna', 'protein'), a string "
                "of symbols or a list, tuple or 1-D array of tokens (in id order), got "
                f"{type(alphabet).__name__}."
            )
        if not symbols:
            raise ValueError("alphabet is empty; give at least one symbol.")
        for symbol in symbols:
            if not _is_hashable(symbol):
                raise TypeError(
                    f"alphabet symbols must be hashable, got {symbol!r} ({type(symbol).__name__})."
                )
        if not self.case_sensitive:
            symbols = [_fold_token(s) for s in symbols]
        seen, duplicates = set(), set()
        for symbol in symbols:
            (duplicates if symbol in seen else seen).add(symbol)
        if duplicates:
            case_note = "" if self.case_sensitive else " (after upper-casing)"
            raise ValueError(
                f"alphabet has duplicate symbols{case_note}: {_symbols_repr(duplicates)}."
            )
        return symbols

    def _fit(self, X):
        """Fit and return the (flat ids, offsets) of X; attributes are set only on success."""
        self._check_dtype()
        sequences, is_str = _check_string_sequences(X)
        folded = self._fold(sequences, is_str)
        symbols = self._given_alphabet()
        if symbols is None:
            if is_str:
                symbols = sorted(set("".join(folded)))
            else:
                _check_hashable_tokens(folded)
                symbols = _sort_symbols(set(chain.from_iterable(folded)))
        elif is_str:
            bad = [s for s in symbols if not (isinstance(s, str) and len(s) == 1)]
            if bad:
                raise ValueError(
                    f"X holds strings, whose symbols are single characters, but the alphabet "
                    f"has the symbol(s) {_symbols_repr(bad)}. Give each sequence as a list of "
                    "tokens to use multi-character symbols."
                )
        infrequent = self._infrequent(symbols, folded, is_str)
        if infrequent:
            grouped = set(infrequent)
            symbols = [s for s in symbols if s not in grouped]
        vocabulary = _Vocabulary(symbols, is_str, infrequent)
        encoded = vocabulary.ids(folded, self.handle_unknown)  # raises before any attribute is set

        self._vocabulary = vocabulary
        self.infrequent_symbols_ = None
        if infrequent:
            self.infrequent_symbols_ = np.empty(len(infrequent), dtype=object)
            self.infrequent_symbols_[:] = infrequent
            if all(isinstance(s, str) for s in infrequent):
                self.infrequent_symbols_ = self.infrequent_symbols_.astype(str)
        if is_str:
            self.alphabet_ = np.array(symbols, dtype=str)
        else:
            self.alphabet_ = np.empty(len(symbols), dtype=object)
            self.alphabet_[:] = symbols  # tuples stay tokens, not a second axis
            if all(isinstance(s, str) for s in symbols):
                self.alphabet_ = self.alphabet_.astype(str)
        has_extra_id = self.handle_unknown == "unknown" or bool(infrequent)
        self.n_symbols_out_ = len(symbols) + int(has_extra_id)
        return encoded

    def _infrequent(self, symbols, sequences, is_str):
        """The symbols to group by frequency (in alphabet order), as OneHotEncoder does."""
        if self.min_frequency is None and self.max_categories is None:
            return []
        counts = Counter(chain.from_iterable(sequences))
        count = np.array([counts.get(s, 0) for s in symbols], dtype=np.int64)
        if self.min_frequency is None:
            rare = np.zeros(len(symbols), dtype=bool)
        elif isinstance(self.min_frequency, Integral):
            rare = count < self.min_frequency
        else:
            rare = count < self.min_frequency * sum(counts.values())
        frequent = len(symbols) - int(rare.sum())
        if self.max_categories is not None and self.max_categories < frequent + 1:
            # The least frequent first; among equal counts, alphabet order (stable sort).
            keep = self.max_categories - 1
            order = np.argsort(count, kind="mergesort")
            rare[order[: len(symbols) - keep] if keep else order] = True
        return [s for s, r in zip(symbols, rare) if r]

    def _encode(self, ids, offsets):
        if self.encoding == "ordinal":
            out = ids
        else:
            out = np.zeros((len(ids), self.n_symbols_out_), dtype=self._check_dtype())
            out[np.arange(len(ids)), ids] = 1
        # Views into one array: one allocation for the whole batch, no overlap.
        return list(np.split(out, offsets[1:-1]))

    # ------------------------------------------------------------------- API
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn (or check) the alphabet.

        Parameters
        ----------
        X : list, tuple, 1-D ndarray or pandas Series of sequences
            Each sequence is a str (one symbol per character) or a list/tuple of
            hashable tokens; all of the same kind.

        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : object
            The fitted encoder.
        """
        # n_features_in_ is deliberately not set: X is a collection of
        # variable-length sequences, not a 2-D (n_samples, n_features) matrix,
        # so it has no number of features to check at transform.
        self._fit(X)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X, y=None):
        """Fit to X and encode it; the same as ``fit(X).transform(X)``.

        Parameters
        ----------
        X : list, tuple, 1-D ndarray or pandas Series of sequences
            Strings or lists/tuples of tokens.

        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        Xt : list of ndarray
            One array per sequence, see :meth:`transform`.
        """
        return self._encode(*self._fit(X))

    def transform(self, X):
        """Encode each sequence.

        Parameters
        ----------
        X : list, tuple, 1-D ndarray or pandas Series of sequences
            Strings or lists/tuples of tokens, the same kind as in ``fit``.

        Returns
        -------
        Xt : list of ndarray
            For each sequence of length ``T``, an array of shape
            ``(T, n_symbols_out_)`` and dtype ``dtype`` (one-hot), or of shape
            ``(T,)`` and dtype int64 (ordinal).
        """
        check_is_fitted(self)
        sequences, is_str = _check_string_sequences(X)
        vocabulary = self._vocabulary
        if is_str != vocabulary.is_str:
            kinds = ("strings", "token lists")
            fitted, given = kinds if vocabulary.is_str else kinds[::-1]
            raise TypeError(
                f"SequenceEncoder was fitted on {fitted}, but X holds {given}; "
                "give sequences of the same kind as in fit."
            )
        return self._encode(*vocabulary.ids(self._fold(sequences, is_str), self.handle_unknown))

    def inverse_transform(self, Xt):
        """Decode encoded sequences back to strings or token lists.

        Parameters
        ----------
        Xt : list of ndarray
            One-hot (or score) arrays of shape ``(T, n_symbols_out_)``, decoded
            by their row-wise argmax, or ordinal id arrays of shape ``(T,)``.

        Returns
        -------
        sequences : list of str or list of list
            Strings if the encoder was fitted on strings (the unknown symbol
            reads ``"?"``), otherwise lists of tokens (the unknown one is None).
        """
        check_is_fitted(self)
        if isinstance(Xt, (str, bytes)) or not hasattr(Xt, "__len__"):
            raise TypeError(f"Xt must be a list of encoded sequences, got {type(Xt).__name__}.")
        if len(Xt) == 0:
            raise ValueError("Found 0 sequences in Xt, while a minimum of 1 is required.")
        vocabulary = self._vocabulary
        lookup = np.empty(self.n_symbols_out_, dtype=object)
        lookup[: len(vocabulary.symbols)] = vocabulary.symbols
        if self.n_symbols_out_ > len(vocabulary.symbols):
            lookup[-1] = "?" if vocabulary.is_str else None
        decoded = []
        for i, seq in enumerate(Xt):
            arr = np.asarray(seq)
            if arr.ndim == 2:
                if arr.shape[1] != self.n_symbols_out_:
                    raise ValueError(
                        f"Sequence {i} of Xt has {arr.shape[1]} columns; the encoder has "
                        f"n_symbols_out_={self.n_symbols_out_}."
                    )
                ids = arr.argmax(axis=1)
            elif arr.ndim == 1:
                if arr.dtype.kind in "iu":
                    ids = arr.astype(np.int64)
                elif arr.dtype.kind == "f" and np.all(np.mod(arr, 1) == 0):
                    ids = arr.astype(np.int64)
                elif arr.size == 0:
                    ids = np.zeros(0, dtype=np.int64)
                else:
                    raise ValueError(
                        f"Sequence {i} of Xt is 1-D but not integer ids (dtype {arr.dtype})."
                    )
                if ids.size and (ids.min() < 0 or ids.max() >= self.n_symbols_out_):
                    raise ValueError(
                        f"Sequence {i} of Xt holds ids outside 0..{self.n_symbols_out_ - 1}."
                    )
            else:
                raise ValueError(
                    f"Sequence {i} of Xt has {arr.ndim} dimensions; expected a one-hot array "
                    "(T, n_symbols_out_) or an id array (T,)."
                )
            symbols = lookup[ids]
            decoded.append("".join(symbols) if vocabulary.is_str else symbols.tolist())
        return decoded

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # X is a 1-D collection of strings / token lists, like the text
        # vectorizers' input. one_d_array stays False: to scikit-learn's
        # checks it means a numeric 1-D array, which is not valid input here.
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.input_tags.allow_nan = False
        tags.requires_fit = True
        # The output dtype is set by `dtype` (one-hot) or int64 (ordinal), not by X.
        tags.transformer_tags.preserves_dtype = []
        return tags
