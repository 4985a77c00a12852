"""The notebook HTML repr links each estimator box to its API page."""

from pathlib import Path

import pytest
from sklearn.pipeline import make_pipeline
from sklearn.utils import estimator_html_repr

import sklearn_dl
from sklearn_dl import Autoencoder, GRUClassifier, SequenceEncoder, _doc_link

DOCS = Path(__file__).resolve().parents[1] / "docs"
BASE = "https://docs.example.org/sklearn-dl"


@pytest.fixture
def hosted(monkeypatch):
    monkeypatch.setattr(_doc_link, "docs_url", lambda: BASE)


def test_each_box_links_to_its_api_page(hosted):
    html = estimator_html_repr(make_pipeline(SequenceEncoder(), GRUClassifier()))
    for name in ("SequenceEncoder", "GRUClassifier"):
        assert f'href="{BASE}/generated/sklearn_dl.{name}.html"' in html


@pytest.mark.parametrize("name", [n for n in sklearn_dl.__all__ if n[0].isupper()])
def test_link_names_a_page_the_docs_build_makes(hosted, name):
    # docs/api.rst lists the name for autosummary, which writes generated/sklearn_dl.<name>.
    api = (DOCS / "api.rst").read_text(encoding="utf-8")
    assert "currentmodule:: sklearn_dl\n" in api and f"\n   {name}\n" in api
    assert ":toctree: generated" in api
    link = getattr(sklearn_dl, name)()._get_doc_link()
    assert link == f"{BASE}/generated/sklearn_dl.{name}.html"


def test_no_link_without_hosted_docs(monkeypatch):
    monkeypatch.setattr(_doc_link, "docs_url", lambda: "")
    assert Autoencoder()._get_doc_link() == ""
    assert 'href="/generated' not in estimator_html_repr(Autoencoder())


def test_instance_template_override_as_in_scikit_learn(hosted):
    est = Autoencoder()
    est._doc_link_template = "https://mirror.local/{estimator_name}.html"
    assert est._get_doc_link() == "https://mirror.local/Autoencoder.html"
    assert Autoencoder()._get_doc_link().startswith(BASE)
