"""Links from an estimator's notebook HTML repr to its API page.

scikit-learn's ``BaseEstimator`` links each box of the HTML diagram to
``_doc_link_template`` when the class lives under ``_doc_link_module``. Our
pages are the Sphinx build of ``docs/`` (``docs/generated/sklearn_dl.<Name>``);
where that build is hosted is the ``Documentation`` entry of the installed
distribution's project URLs. Without one, boxes carry no link (a link to a
page that does not exist would be worse).
"""

from functools import cache
from importlib import metadata


@cache
def docs_url():
    """The ``Documentation`` project URL of the installed sklearn-dl, or ``""``."""
    try:
        entries = metadata.metadata("sklearn-dl").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return ""
    for entry in entries:
        label, _, url = entry.partition(",")
        if label.strip().lower() == "documentation":
            return url.strip().rstrip("/")
    return ""


class DocLinkMixin:
    """Points scikit-learn's HTML repr at this package's API pages."""

    _doc_link_module = "sklearn_dl"

    @property
    def _doc_link_template(self):
        # An instance may set its own template, as scikit-learn's mixin allows.
        if "_doc_link_template_override" in self.__dict__:
            return self.__dict__["_doc_link_template_override"]
        base = docs_url()
        return f"{base}/generated/{{estimator_module}}.{{estimator_name}}.html" if base else ""

    @_doc_link_template.setter
    def _doc_link_template(self, value):
        self.__dict__["_doc_link_template_override"] = value
