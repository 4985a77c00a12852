"""Reader for the UCR/UEA time-series archive's ``.ts`` text format.

A file is a block of ``#`` comment lines, a header of ``@tag value`` lines
ending with ``@data``, then one case per line: channels separated by ``:``,
each channel a comma-separated list of values (``?`` for a missing one), and,
when ``@classLabel true``, the class label after the final ``:``.
"""

import os

import numpy as np

# Header tags (matched case-insensitively) -> (meta key, kind of value).
_HEADER_TAGS = {
    "problemname": ("problem_name", "str"),
    "timestamps": ("timestamps", "bool"),
    "missing": ("missing", "bool"),
    "univariate": ("univariate", "bool"),
    "dimensions": ("dimensions", "int"),
    "equallength": ("equal_length", "bool"),
    "serieslength": ("series_length", "int"),
    "classlabel": ("class_labels", "labels"),
}


def read_ts(path_or_file):
    """Read a ``.ts`` file of the UCR/UEA time-series archive.

    Parameters
    ----------
    path_or_file : str, path-like or text file object
        The file to read; a file object is read from its current position
        and is not closed.

    Returns
    -------
    X : ndarray of shape (n_cases, n_timesteps, n_channels) or list of ndarray
        The series as float64, missing values (``?``) as NaN. When the cases
        differ in length, a list of arrays of shape (n_timesteps_i, n_channels).

    y : ndarray of shape (n_cases,) of str, or None
        The class labels; None when the header says ``@classLabel false``.

    meta : dict
        The header: ``problem_name``, ``timestamps``, ``missing``,
        ``univariate``, ``dimensions``, ``equal_length``, ``series_length``,
        ``class_labels`` (list of str in header order, or None), as far as
        the file gives them (other tags are kept as strings under their
        lower-cased name); ``dimensions`` is always set (from the first case
        when the header lacks it), and ``description`` holds the text of the
        comment lines.

    Raises
    ------
    ValueError
        If the file is malformed; the message names the line.
    """
    if isinstance(path_or_file, str | os.PathLike):
        with open(path_or_file, encoding="utf-8") as f:
            return _read_lines(f)
    return _read_lines(path_or_file)


def _read_lines(lines):
    comments, meta = [], {}
    cases, labels = [], []
    in_data = False
    for lineno, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if not in_data:
                comments.append(line[1:].strip())
        elif in_data:
            if line.startswith("@"):
                raise ValueError(f"line {lineno}: header line {line[:40]!r} after @data")
            values, label = _parse_case(line, lineno, meta)
            cases.append(values)
            labels.append(label)
        elif line.lower() == "@data":
            in_data = True
            if meta.get("timestamps"):
                raise ValueError(f"line {lineno}: @timeStamps true data is not supported")
        elif line.startswith("@"):
            _parse_header(line, lineno, meta)
        else:
            raise ValueError(f"line {lineno}: data line before @data (no @data line?)")

    if not in_data:
        raise ValueError("no @data line: the header must end with @data before the cases")
    if not cases:
        raise ValueError("no cases after @data")
    meta["description"] = "\n".join(comments).strip()
    meta.setdefault("class_labels", None)

    if len({case.shape for case in cases}) == 1:
        X = np.stack(cases)
    else:
        X = cases
    y = None if meta["class_labels"] is None else np.array(labels, dtype=str)
    return X, y, meta


def _parse_header(line, lineno, meta):
    tag, _, value = line[1:].partition(" ")
    value = value.strip()
    key, kind = _HEADER_TAGS.get(tag.lower(), (tag.lower(), "str"))
    if kind == "str":
        meta[key] = value
    elif kind == "int":
        try:
            meta[key] = int(value)
        except ValueError:
            raise ValueError(f"line {lineno}: @{tag} needs an integer, got {value!r}") from None
    else:
        flag, *rest = value.split() or [""]
        if flag.lower() not in ("true", "false"):
            raise ValueError(f"line {lineno}: @{tag} needs true or false, got {value!r}")
        if kind == "bool":
            meta[key] = flag.lower() == "true"
        elif flag.lower() == "false":
            meta[key] = None
        elif not rest:
            raise ValueError(f"line {lineno}: @{tag} true lists no class labels")
        else:
            meta[key] = rest


def _parse_case(line, lineno, meta):
    """Parse one data line into an array of shape (n_timesteps, n_channels) and its label."""
    fields = line.split(":")
    class_labels = meta.get("class_labels")
    label = None
    if class_labels is not None:
        if len(fields) < 2:
            raise ValueError(f"line {lineno}: no class label after a final ':'")
        label = fields.pop().strip()
        if label not in class_labels:
            raise ValueError(
                f"line {lineno}: class label {label!r} is not one of @classLabel {class_labels}"
            )

    if "dimensions" not in meta:  # no @dimensions: univariate means 1, else the first case sets it
        meta["dimensions"] = 1 if meta.get("univariate") else len(fields)
    if len(fields) != meta["dimensions"]:
        raise ValueError(
            f"line {lineno}: {len(fields)} channels, but @dimensions is {meta['dimensions']}"
        )

    channels = []
    for i, field in enumerate(fields):
        items = [item.strip() for item in field.split(",")]
        try:
            channels.append(np.array([np.nan if v == "?" else float(v) for v in items]))
        except ValueError:
            raise ValueError(f"line {lineno}: channel {i} holds a non-numeric value") from None
    lengths = {len(channel) for channel in channels}
    if len(lengths) > 1:
        raise ValueError(f"line {lineno}: channels of different lengths {sorted(lengths)}")

    n_timesteps = lengths.pop()
    if meta.get("equal_length") and meta.get("series_length", n_timesteps) != n_timesteps:
        raise ValueError(
            f"line {lineno}: length {n_timesteps}, but the header says "
            f"@seriesLength {meta['series_length']}"
        )
    return np.column_stack(channels), label
