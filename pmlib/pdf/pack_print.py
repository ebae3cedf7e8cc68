"""Print the agenda pack: one tagged PDF from one HTML document, its contents numbered.

:func:`print_pack` builds the pack's page (:func:`pmlib.pdf.pack_html.combine_reports`) and
prints it with Chromium like a report — tagged, A4, the house header and a footer whose
"Page n of N" now runs through the whole pack. CSS cannot print "the page this link leads to"
in Chromium (no ``target-counter()``), so the page is printed, each report's and exception's
first page read from the PDF's named destinations (the contents links to each), the numbers
written into the contents and the page printed again, in the same tab (no reload, charts stay
drawn), until the numbers stop moving — in practice twice.

The bookmarks are made here, not by Chromium (whose outline nests every heading): one per
report titled as the report, with one per exception beneath it, and one for the appendix.
pypdf edits the printed file in place (``clone_from``), which keeps its structure tree.
See ``docs/pdf.md``.
"""

from __future__ import annotations

import io
import logging
import os
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pmlib.core.errors import RenderError
from pmlib.core.files import write_bytes_atomic
from pmlib.pdf.pack_html import PackEntry, PackReport, PackTitle, combine_reports

log = logging.getLogger(__name__)

__all__ = ["PrintedPack", "page_texts", "print_pack", "start_pages"]


@dataclass(frozen=True)
class PrintedPack:
    """What :func:`print_pack` wrote: the file, its page count, and each entry's first page
    (1-based) by anchor id."""

    path: Path
    pages: int
    starts: dict[str, int]
    seconds: float


def start_pages(data: bytes) -> tuple[dict[str, tuple[int, Any]], int]:
    """Named destinations of a printed PDF: id → (1-based page, destination); and the page count."""
    from pypdf import PdfReader  # lazy: only when a pack is printed

    reader = PdfReader(io.BytesIO(data))
    found = {}
    for name, dest in reader.named_destinations.items():
        page = reader.get_destination_page_number(dest)
        if page is not None and page >= 0:
            found[str(name).lstrip("/")] = (page + 1, dest)
    return found, len(reader.pages)


def _pages_words(first: int, last: int) -> str:
    return f"page {first}" if last <= first else f"pages {first}–{last}"


def page_texts(entries: Sequence[PackEntry], starts: dict[str, int], total: int) -> dict[str, str]:
    """The contents' page texts: a report's page range (to the page before the next entry
    starts), an exception's first page, the appendix's range to the end."""
    texts: dict[str, str] = {}
    firsts = [starts.get(e.anchor) for e in entries]
    for i, entry in enumerate(entries):
        first = firsts[i]
        if first is None:
            continue
        following = [p for p in firsts[i + 1 :] if p is not None]
        last = (following[0] - 1) if following else total
        texts[entry.pages_id] = _pages_words(first, max(first, last))
        for child in entry.children:
            if child.anchor in starts:
                texts[child.pages_id] = f"page {starts[child.anchor]}"
    return texts


def _bookmarks(entries: Sequence[PackEntry], dests: dict[str, list]) -> list[Any]:
    """One bookmark per report (its exceptions beneath it) and one for the appendix, each
    leading to the spot its named destination marks."""
    from pmlib.pdf.pdf_update import Bookmark

    marks = []
    for entry in entries:
        if entry.anchor not in dests:
            log.warning("Pack bookmark for %r left out: its page was not found", entry.title)
            continue
        children = [Bookmark(c.title, dests[c.anchor]) for c in entry.children if c.anchor in dests]
        marks.append(Bookmark(entry.title, dests[entry.anchor], children))
    return marks


def _raw_dests(reader: Any) -> dict[str, list]:
    """The catalog's named destinations as raw arrays ``[page /XYZ left top zoom]``."""
    dests = reader.trailer["/Root"].get("/Dests")
    found = {}
    for name, value in (dests.get_object() if dests is not None else {}).items():
        value = value.get_object()
        if hasattr(value, "get") and "/D" in value:
            value = value["/D"].get_object()
        found[str(name).lstrip("/")] = list(value)
    return found


def print_pack(
    out_dir: Path,
    reports: Sequence[PackReport],
    cover: PackTitle | None = None,
    *,
    out_name: str = "pack.pdf",
    keep_html: bool = False,
    **parts: Any,
) -> PrintedPack:
    """Print ``reports`` (rendered pages in ``out_dir``) as one agenda pack ``<out_dir>/<out_name>``.

    ``cover`` is the pack's title and cover (:class:`pmlib.pdf.pack_html.PackTitle`); its
    fields may be given as keywords instead (``title=``, ``council=``, ``heading=``,
    ``subtitle=``, ``details=``), as callers written before it do.

    The pack is written atomically; its links to files beside it (``index.html``, the CSVs)
    stay relative. ``keep_html`` also leaves the combined page as ``<out_name>.html`` (for
    looking at it; it is not part of a run's output).
    """
    from pmlib.pdf.chromium import print_html_file, warm_up
    from pmlib.pdf.pdf_update import PdfUpdate

    t0 = time.perf_counter()
    cover = PackTitle.of(cover, parts)  # a mistaken keyword fails before the browser starts
    out_dir = Path(out_dir)
    warm_up()  # the browser starts in its own thread while the reports' pages are joined
    if not reports:
        raise RenderError(f"Cannot make {out_name}: no reports to put in it.")
    missing = [r.name for r in reports if not Path(r.path).is_file()]
    if missing:
        raise RenderError(
            f"Cannot make {out_name}: no rendered page for {', '.join(missing)} in {out_dir}. "
            "Fix: run with --format html,pdf."
        )
    doc = combine_reports(reports, cover)
    numbered: dict[str, int] = {}

    def revise(data: bytes) -> dict[str, str]:
        found, total = start_pages(data)
        numbered.clear()
        numbered.update({k: v[0] for k, v in found.items()})
        return page_texts(doc.entries, numbered, total)

    fd, tmp_name = tempfile.mkstemp(prefix=".pack-", suffix=".html", dir=out_dir)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(doc.html)
        # no header text: each page's own is in its top margin (pack_html.running_headers)
        data = print_html_file(tmp, marks=doc.marks, outline=False, revise=revise)
    finally:
        if keep_html:
            tmp.replace(out_dir / f"{out_name}.html")
        else:
            tmp.unlink(missing_ok=True)
    dests, total = start_pages(data)
    try:
        update = PdfUpdate(data)
        update.add_outline(_bookmarks(doc.entries, _raw_dests(update.reader)))
        result = update.to_bytes()
    except ValueError:  # not a file Chromium wrote: rewrite it whole
        result = _rewrite_with_outline(data, doc.entries, dests)
    path = write_bytes_atomic(out_dir / out_name, result)
    starts = {e.anchor: dests[e.anchor][0] for e in doc.entries if e.anchor in dests}
    seconds = time.perf_counter() - t0
    log.info("Wrote %s: %d pages, %d reports, %.2f s", path, total, len(reports), seconds)
    return PrintedPack(path=path, pages=total, starts=starts, seconds=seconds)


def _rewrite_with_outline(data: bytes, entries: Sequence[PackEntry], dests: dict) -> bytes:
    """Bookmarks by rewriting the whole file with pypdf (a PDF that cannot take an update).

    ``dests`` is :func:`start_pages`' first value (anchor -> (1-based page, destination)); each
    bookmark leads to the top of its entry's first page. pypdf takes ``add_outline_item``'s
    arguments by keyword (positional ones are deprecated from pypdf 7.1 and go in 8.0).
    """
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    for entry in entries:
        if entry.anchor in dests:
            parent = writer.add_outline_item(
                title=entry.title, page_number=dests[entry.anchor][0] - 1
            )
            for child in entry.children:
                if child.anchor in dests:
                    writer.add_outline_item(
                        title=child.title, page_number=dests[child.anchor][0] - 1, parent=parent
                    )
    writer.page_mode = "/UseOutlines"
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()
