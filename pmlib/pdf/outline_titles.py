"""Bookmark titles of a printed report as its headings read, spaces and all.

Chromium builds a report PDF's bookmarks from its headings, but takes each title from the laid
out lines: where a heading wraps, the space at the break is lost ("Environment and Climate
Scrutiny Committee:Performance report 2026/27 Q2"), and a screen reader reads the run-together
words as one. The headings are in the page itself, so each bookmark whose title is a heading
less some spaces gets the heading's own text back; the file is changed by an incremental update
(:class:`pmlib.pdf.pdf_update.PdfUpdate`), which keeps everything Chromium wrote (its tags).
"""

from __future__ import annotations

import html
import logging
import re

__all__ = ["heading_texts", "with_heading_titles"]

log = logging.getLogger(__name__)

_HEADING = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1\s*>", re.S | re.I)
_BREAK = re.compile(r"<br\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def heading_texts(page: str) -> list[str]:
    """The text of every ``<h1>``–``<h6>`` of an HTML page, in order, spaces as a reader sees
    them (a line break is a space; runs of spaces are one).

    >>> heading_texts('<h1 id="t">Cabinet:<br>Performance   report</h1><p>x</p><h2>A &amp; B</h2>')
    ['Cabinet: Performance report', 'A & B']
    """
    out = []
    for _, inner in _HEADING.findall(page):
        text = html.unescape(_TAG.sub("", _BREAK.sub(" ", inner)))
        out.append(" ".join(text.split()))
    return out


def _squashed(text: str) -> str:
    return _SPACE.sub("", text)


def with_heading_titles(data: bytes, page: str) -> bytes:
    """``data`` (a PDF Chromium printed from ``page``) with each bookmark titled as its heading.

    Bookmarks are matched to headings in order, by their text without spaces; a bookmark with
    no such heading keeps its title. A file that cannot take an incremental update is returned
    unchanged.
    """
    from pmlib.pdf.pdf_update import PdfUpdate

    try:
        update = PdfUpdate(data)
    except ValueError:
        log.debug("bookmark titles left as printed: not a file Chromium wrote")
        return data
    headings = [(_squashed(h), h) for h in heading_texts(page)]
    at = 0
    for ref, title in update.outline_items():
        key = _squashed(title)
        match = next((i for i in range(at, len(headings)) if headings[i][0] == key), None)
        if match is None:
            continue
        at = match + 1
        if headings[match][1] != title:
            update.set_title(ref, headings[match][1])
    return update.to_bytes()
