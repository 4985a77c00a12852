"""Sphinx configuration: numpydoc API reference, Markdown pages (MyST), examples gallery.

Build (CI runs this through ``tests/test_docs_build.py``, warnings as errors)::

    .venv/bin/python -m sphinx -W --keep-going -b html docs docs/_build/html
"""

import os
import warnings

from numpydoc.xref import DEFAULT_LINKS

import sklearn_dl

project = "sklearn-dl"
author = "sklearn-dl developers"
copyright = "2026, sklearn-dl developers"
release = version = sklearn_dl.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "gallery/README.rst", "auto_examples/*.ipynb", "auto_examples/*.py"]
templates_path = ["_templates"]

# API reference: one generated page per public name (see api.rst).
autosummary_generate = True
autodoc_default_options = {"members": False, "inherited-members": False}
# numpydoc renders the Parameters/Attributes/Methods sections; autosummary's own
# member tables would list every inherited scikit-learn method a second time.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
# Types are parsed (so "shape (n_features_in_,)" is text, not an RST reference) but
# only the words below become links; the rest stays plain text.
numpydoc_xref_param_type = True
numpydoc_xref_ignore = "all"
# numpydoc's default aliases point into the Python and NumPy docs (intersphinx,
# which needs the network): keep the words, as plain unresolved names.
numpydoc_xref_aliases = {term: term for term in DEFAULT_LINKS}
# Docstrings are checked by numpydoc's validator for the sections that a reader
# relies on: a summary, parameters that match the signature, and examples.
numpydoc_validation_checks = {"PR01", "PR02", "GL08"}
numpydoc_validation_exclude = {
    # Methods inherited from scikit-learn, torch and skorch keep their own docstrings.
    r"\.set_output$",
    r"\.set_params$",
    r"\.get_params$",
    r"\.fit_transform$",
    r"\.forward$",
    r"\.__init__$",
}

# Pages written in Markdown (MyST): headings get anchors so that links between
# pages (``choosing.md#...``) resolve.
myst_heading_anchors = 3
suppress_warnings = ["myst.header"]

# The gallery runs every example at build time, with small data and few epochs
# so the whole build takes about a minute on 2 CPU cores.
sphinx_gallery_conf = {
    "examples_dirs": "gallery",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "min_reported_time": 1,
}
os.environ.setdefault("MPLBACKEND", "Agg")
warnings.filterwarnings("ignore", message="Maximum iterations", category=UserWarning)

html_theme = "pydata_sphinx_theme"
html_title = "sklearn-dl"
html_theme_options = {"navigation_with_keys": False, "show_toc_level": 2}
html_static_path = []
