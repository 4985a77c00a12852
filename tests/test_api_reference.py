"""Every public class and function is in the API reference, with a runnable example.

The public names are the ``__all__`` of the package and of its public
subpackages; any other class or function defined in a public module fails
the test (it must be listed, or live in a private ``_module``). The examples
themselves run as doctests (``--doctest-modules``); here we check that each
public docstring has one.
"""

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import sklearn_dl

API_PAGE = Path(__file__).resolve().parents[1] / "docs" / "api.rst"
PUBLIC_PACKAGES = [
    "sklearn_dl",
    "sklearn_dl.datasets",
    "sklearn_dl.nn",
    "sklearn_dl.plotting",
    "sklearn_dl.utils",
]


def public_names():
    names = {}
    for package in PUBLIC_PACKAGES:
        module = importlib.import_module(package)
        for name in module.__all__:
            if not name.startswith("__"):
                names[f"{package}.{name}"] = getattr(module, name)
    return names


def public_modules():
    for info in pkgutil.walk_packages(sklearn_dl.__path__, prefix="sklearn_dl."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            yield importlib.import_module(info.name)


def documented_names():
    """``module.name`` for every entry of the autosummary tables in docs/api.rst."""
    names, module = set(), None
    for line in API_PAGE.read_text(encoding="utf-8").splitlines():
        if match := re.match(r"\.\. currentmodule:: (\S+)", line):
            module = match.group(1)
        elif re.match(r"   [A-Za-z_]\w*$", line):
            names.add(f"{module}.{line.strip()}")
    return names


def test_every_public_definition_is_exported():
    exported = {id(obj) for obj in public_names().values()}
    stray = [
        f"{module.__name__}.{name}"
        for module in public_modules()
        for name, obj in vars(module).items()
        if not name.startswith("_")
        and (inspect.isclass(obj) or inspect.isfunction(obj))
        and obj.__module__ == module.__name__
        and id(obj) not in exported
    ]
    assert not stray, f"public but in no __all__ (export it, or make it private): {stray}"


def test_api_reference_lists_exactly_the_public_names():
    documented, public = documented_names(), set(public_names())
    assert public - documented == set(), "missing from docs/api.rst"
    assert documented - public == set(), "in docs/api.rst but not public"


@pytest.mark.parametrize("name", sorted(public_names()))
def test_public_docstring_has_an_example(name):
    doc = inspect.getdoc(public_names()[name]) or ""
    section = doc.partition("\nExamples\n--------\n")[2]
    assert ">>> " in section, f"{name} has no runnable Examples section"
