"""The Sphinx documentation builds with warnings as errors.

Runs the same build as ``python -m sphinx -W -b html docs docs/_build/html``
(API reference, Markdown pages, and the examples gallery, whose scripts run),
into a temporary folder, then checks that every public name got its page and
every gallery example its figure.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_api_reference import public_names

DOCS = Path(__file__).resolve().parents[1] / "docs"
GALLERY = sorted((DOCS / "gallery").glob("plot_*.py"))


@pytest.fixture(scope="module")
def html(tmp_path_factory):
    pytest.importorskip("sphinx", reason="the docs extra is installed by scripts/setup.sh")
    out = tmp_path_factory.mktemp("html")
    env = {**os.environ, "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html"]
    command += ["-d", str(out / ".doctrees"), str(DOCS), str(out)]
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    assert result.returncode == 0, f"sphinx-build failed:\n{result.stdout}\n{result.stderr}"
    return out


def test_every_public_name_has_an_api_page(html):
    missing = [
        name for name in public_names() if not (html / "generated" / f"{name}.html").exists()
    ]
    assert not missing, f"no API page for {missing}"


def test_gallery_examples_ran_and_drew_figures(html):
    assert GALLERY, "no gallery scripts in docs/gallery"
    for script in GALLERY:
        page = html / "auto_examples" / f"{script.stem}.html"
        assert page.exists(), f"{script.name} has no gallery page"
        figures = list((html / "_images").glob(f"sphx_glr_{script.stem}_*.png"))
        assert figures, f"{script.name} drew no figure"


def test_pages_are_in_the_site(html):
    for page in DOCS.glob("*.md"):
        assert (html / f"{page.stem}.html").exists(), f"{page.name} is not in the built site"
