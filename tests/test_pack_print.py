"""The agenda pack's bookmarks when the printed file cannot take an incremental update: the
whole file rewritten by pypdf (pmlib.pdf.pack_print._rewrite_with_outline)."""

from __future__ import annotations

import io
import warnings

from pypdf import PdfReader, PdfWriter

from pmlib.pdf.pack_html import PackEntry
from pmlib.pdf.pack_print import _rewrite_with_outline


def _pages(n: int) -> bytes:
    writer = PdfWriter()
    for _ in range(n):
        writer.add_blank_page(595, 842)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def test_the_rewritten_pack_has_a_bookmark_per_report_and_exception_without_warnings():
    entries = [
        PackEntry("Cabinet: Q2", "r-cabinet", "p-cabinet", children=(
            PackEntry("ENV01 Household waste recycled", "x-env01", "p-env01"),
            PackEntry("Not printed", "x-gone", "p-gone"),  # no page found: left out
        )),
        PackEntry("Lost report", "r-lost", "p-lost"),  # no page found: left out
        PackEntry("Methodology", "appendix", "p-appendix"),
    ]  # fmt: skip
    # 1-based first pages, as start_pages reads them from the printed file
    dests = {"r-cabinet": (1, None), "x-env01": (3, None), "appendix": (4, None)}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # pypdf's deprecations included
        data = _rewrite_with_outline(_pages(4), entries, dests)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 4
    assert reader.page_mode == "/UseOutlines"
    outline = reader.outline
    # [report, [its exceptions], appendix]: titles and 0-based pages
    assert [o.title for o in outline if not isinstance(o, list)] == ["Cabinet: Q2", "Methodology"]
    assert [reader.get_destination_page_number(o) for o in outline if not isinstance(o, list)] == [
        0,
        3,
    ]
    (children,) = [o for o in outline if isinstance(o, list)]
    assert [(c.title, reader.get_destination_page_number(c)) for c in children] == [
        ("ENV01 Household waste recycled", 2)
    ]
    assert outline.index(children) == 1  # nested under the report before it
