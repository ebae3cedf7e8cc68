"""Bookmark titles get back the spaces Chromium drops where a heading wraps
(pmlib.pdf.outline_titles), by an incremental update that keeps the printed file."""

from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter

from pmlib.pdf.outline_titles import heading_texts, with_heading_titles

PAGE = """<main><h1 id="t">Environment Scrutiny Committee:<br>Performance report 2026/27 Q2</h1>
<h2>At a glance</h2><h2 class="x">Exceptions</h2>
<h3 id="ex-ENV01">ENV01 Household <span>waste</span> recycled &#9650; Amber</h3>
<h2>Data quality</h2></main>"""


def _printed(titles: list[tuple[str, int]]) -> bytes:
    """A two-page PDF with bookmarks (title, depth), as Chromium would write them."""
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_blank_page(595, 842)
    parents: dict[int, object] = {}
    for title, depth in titles:
        parents[depth] = writer.add_outline_item(
            title=title, page_number=0, parent=parents.get(depth - 1)
        )
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _titles(data: bytes) -> list[str]:
    def walk(items):
        for item in items:
            yield from walk(item) if isinstance(item, list) else [item.title]

    return list(walk(PdfReader(io.BytesIO(data)).outline))


def test_heading_texts_read_as_a_reader_hears_them():
    assert heading_texts(PAGE) == [
        "Environment Scrutiny Committee: Performance report 2026/27 Q2",
        "At a glance",
        "Exceptions",
        "ENV01 Household waste recycled ▲ Amber",
        "Data quality",
    ]


def test_titles_run_together_at_a_wrap_get_their_spaces_back():
    data = _printed(
        [
            ("Environment Scrutiny Committee:Performance report 2026/27 Q2", 0),
            ("At a glance", 1),
            ("Exceptions", 1),
            ("ENV01 Householdwaste recycled ▲ Amber", 2),
            ("Data quality", 1),
            ("Not a heading", 1),  # kept as printed
        ]
    )
    out = with_heading_titles(data, PAGE)
    assert out.startswith(data)  # an update appended: the printed bytes are kept
    assert _titles(out) == [
        "Environment Scrutiny Committee: Performance report 2026/27 Q2",
        "At a glance",
        "Exceptions",
        "ENV01 Household waste recycled ▲ Amber",
        "Data quality",
        "Not a heading",
    ]


def test_nothing_to_change_leaves_the_file_as_it_was():
    data = _printed([("At a glance", 0), ("Data quality", 0)])
    assert with_heading_titles(data, PAGE) == data
