"""Run the ``python`` code blocks of the documentation pages (``docs/*.md``).

Each page is one test. Its blocks run in order in one fresh namespace, as a reader
would paste them into a session, in a temporary working directory (pages may
write files). A failing block's traceback names the Markdown file and the line in
it, because each block is compiled with its own line numbers in the page.
"""

import re
import warnings
from pathlib import Path

import pytest
import torch
from threadpoolctl import threadpool_limits

import sklearn_dl  # noqa: F401  (loads scipy's BLAS, so that threadpool_limits reaches it)

DOCS = Path(__file__).resolve().parents[1] / "docs"

# An opening ```python fence at the start of a line, the block, and the closing fence.
_BLOCK = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
# Markdown links to files of the repository or anchors: [text](target#anchor),
# not web addresses.
_LINK = re.compile(r"\]\((?!https?://|mailto:)([^)#\s]*)(?:#([^)\s]*))?\)")
_HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*$", re.MULTILINE)
_FENCED = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


def python_blocks(path):
    """``[(first line number, code), ...]`` of the ```python blocks of a Markdown file."""
    text = path.read_text(encoding="utf-8")
    return [
        (text.count("\n", 0, match.start(1)) + 1, match.group(1)) for match in _BLOCK.finditer(text)
    ]


# The README's quick start is documentation too.
PAGES = sorted(DOCS.glob("*.md")) + [DOCS.parent / "README.md"]
PAGES_WITH_CODE = [page for page in PAGES if python_blocks(page)]


def test_docs_have_pages_and_examples():
    # Guard against a silently empty parametrisation (moved folder, changed fences).
    assert PAGES, f"no Markdown pages in {DOCS}"
    assert PAGES_WITH_CODE, "no ```python blocks found in docs/*.md"


@pytest.fixture
def one_thread():
    # The examples work on tiny arrays and networks, where a second thread gains
    # nothing. On a busy machine, thread contention made them many times slower
    # (an OpenBLAS SVD of a 400 x 64 matrix took 1 s instead of 1 ms).
    torch_threads = torch.get_num_threads()
    torch.set_num_threads(1)
    with threadpool_limits(limits=1):
        yield
    torch.set_num_threads(torch_threads)


# ``print(...)  # value`` states what the line prints: a comment that starts
# like a value (True/False/None, a number, a bracket, a quote, a dtype) is
# checked against what the call really printed (the comment must start with
# it; words may follow, as in ``# True: bit-identical``).
_PRINT_WITH_VALUE = re.compile(
    r"^(?P<indent>[ \t]*)print\((?P<args>.*)\)[ \t]+#[ \t]*"
    r"(?P<value>(?:True|False|None|-?\d|[(\[{'\"]|torch\.|float|int|uint|array\().*)$",
    re.MULTILINE,
)


def _print_and_check(stated, *args):
    printed = " ".join(str(arg) for arg in args)
    print(printed)
    normalise = " ".join  # whitespace differences (numpy's line wrapping) do not count
    assert normalise(stated.split()).startswith(normalise(printed.split())), (
        f"the page says this prints {stated!r}, but it printed {printed!r}"
    )


def checked_source(code):
    """``code`` with every ``print(...)  # value`` line turned into a check of the value."""
    return _PRINT_WITH_VALUE.sub(
        lambda m: f"{m['indent']}_print_and_check({m['value']!r}, {m['args']})", code
    )


def test_stated_values_are_checked():
    namespace = {"_print_and_check": _print_and_check}
    exec(checked_source("print(1 + 1)  # 2: two"), namespace)
    exec(checked_source("print('a')  # prints a"), namespace)  # prose: not a value
    with pytest.raises(AssertionError, match="the page says this prints '3'"):
        exec(checked_source("print(1 + 1)  # 3"), namespace)


@pytest.mark.parametrize("page", PAGES_WITH_CODE, ids=[p.stem for p in PAGES_WITH_CODE])
def test_page_examples_run(page, tmp_path, monkeypatch, one_thread):
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": f"docs_{page.stem}", "_print_and_check": _print_and_check}
    with warnings.catch_warnings():
        # The examples train a few epochs on purpose; the rest of the warnings stay visible.
        warnings.filterwarnings("ignore", message="Maximum iterations")
        for first_line, code in python_blocks(page):
            # Pad with newlines so that tracebacks give the line numbers of the page.
            source = "\n" * (first_line - 1) + checked_source(code)
            exec(compile(source, str(page), "exec"), namespace)


def anchors(path):
    """The anchors GitHub gives the headings of a Markdown file (duplicates aside)."""
    text = _FENCED.sub("", path.read_text(encoding="utf-8"))
    slugs = set()
    for heading in _HEADING.findall(text):
        slug = re.sub(r"[^\w\- ]", "", heading.replace("`", "").lower())
        slugs.add(slug.replace(" ", "-"))
    return slugs


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_page_links_resolve(page):
    text = _FENCED.sub("", page.read_text(encoding="utf-8"))
    broken = []
    for target, anchor in _LINK.findall(text):
        path = (page.parent / target).resolve() if target else page
        if not path.exists():
            broken.append(target)
        elif anchor and path.suffix == ".md" and anchor not in anchors(path):
            broken.append(f"{target}#{anchor}")
    assert not broken, f"{page.name} has broken links: {broken}"
