"""The HTML exporter keeps its compiled templates in pmlib's cache folder (Jinja's bytecode
cache): a later process's first export reads them instead of compiling, and the page is the
same with the cache empty, filled, or damaged."""

from __future__ import annotations

import copy

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from pmlib.render import html

NB = new_notebook(
    cells=[
        new_markdown_cell("# Housing <b>&</b> homes"),
        new_code_cell(outputs=[new_output("display_data", {"text/html": "<p>12.5%</p>"})]),
    ]
)


def _page() -> str:
    html._exporter.cache_clear()  # a new exporter, as in a new process
    return html.export_html(nbformat.from_dict(copy.deepcopy(NB)), title="Housing")


def test_templates_compiled_once_are_reused_and_the_page_is_the_same(monkeypatch, tmp_path):
    monkeypatch.setenv("PMLIB_CACHE_DIR", str(tmp_path))
    first = _page()
    stored = sorted((tmp_path / "jinja").iterdir())
    assert stored  # the page's templates, compiled
    assert all(p.stat().st_mode & 0o077 == 0 for p in [tmp_path / "jinja", *stored])
    loads = []
    cls = type(html._template_cache())
    real = cls.load_bytecode
    monkeypatch.setattr(cls, "load_bytecode", lambda self, b: loads.append(b.key) or real(self, b))
    assert _page() == first
    assert loads and sorted((tmp_path / "jinja").iterdir()) == stored  # read, nothing new


def test_a_damaged_template_cache_compiles_afresh(monkeypatch, tmp_path):
    monkeypatch.setenv("PMLIB_CACHE_DIR", str(tmp_path))
    first = _page()
    for entry in (tmp_path / "jinja").iterdir():
        entry.write_bytes(b"not marshalled code")
    assert _page() == first


def test_an_unwritable_cache_folder_still_exports(monkeypatch, tmp_path):
    (tmp_path / "jinja").write_text("a file where the folder should be")
    monkeypatch.setenv("PMLIB_CACHE_DIR", str(tmp_path))
    assert "12.5%" in _page()
