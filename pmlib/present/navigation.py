"""Finding your way in a long report: section anchors, a contents list, status marks, back links.

A Cabinet report runs to dozens of screens. A councillor preparing for a meeting jumps from the
contents to the scorecard, from a Red row to its exception and back, and from one report to the
quarter's other reports (the index). Everything here is plain HTML with no script, so it works
in email clients and council web systems that strip JavaScript, and in the PDF (Chromium keeps
the links).

The ids are computed once (:func:`anchor_id`): the renderer gives each report heading the id of
its text (:func:`pmlib.render.html.export_html`), and the contents list links to the same ids, so
the two cannot disagree.

>>> anchor_id("Appendix: methodology statements")
'appendix-methodology-statements'
>>> status_marks("draft", public=False)
[('DRAFT', 'not for publication: figures and commentary may still change'), ('INTERNAL', 'for officers only, not for publication')]
>>> status_marks("final", public=True)
[]
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pmlib.present.tables import Html

__all__ = [
    "MARKS_ATTRIBUTE",
    "anchor_id",
    "back_link",
    "contents_nav",
    "exception_anchor",
    "heading_ids",
    "marks_from_html",
    "row_anchor",
    "status_banner",
    "status_marks",
]

#: The attribute on the status banner that names the marks; the PDF printer reads it (so the
#: running header on every printed page says what the page's banner says).
MARKS_ATTRIBUTE = "data-pmlib-marks"
#: How the marks are joined in a running header.
MARKS_SEPARATOR = " · "


def esc(text: object) -> str:
    """HTML-escape text (here, not pmlib.present.text: the PDF printer imports this module and
    must not pay for pandas)."""
    return html.escape(str(text), quote=True)


def _html(fragment: str) -> Html:
    from pmlib.present.tables import Html  # lazy: pandas; the PDF printer needs no Html

    return Html(fragment)


_DRAFT = ("DRAFT", "not for publication: figures and commentary may still change")
_INTERNAL = ("INTERNAL", "for officers only, not for publication")
_MARKS_RE = re.compile(rf'<[a-z][^<>]*\b{MARKS_ATTRIBUTE}="([^"<>]*)"', re.I)


def anchor_id(text: str) -> str:
    """The fragment id of a heading: lower case, words joined by hyphens (ASCII letters and
    digits only, so an id never needs escaping in a URL or a CSS selector).

    >>> anchor_id("At a glance"), anchor_id("  Data   quality "), anchor_id("£k & 100%")
    ('at-a-glance', 'data-quality', 'k-100')
    """
    slug = re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")
    return slug or "section"


_HEADING = re.compile(r"<(h[1-4])>(.*?)</\1\s*>", re.I | re.S)
_ID = re.compile(r"""\bid\s*=\s*["']([^"']*)["']""", re.I)
_TAGS = re.compile(r"<[^>]*>")
_SCRIPT = re.compile(r"(<script\b.*?</script\s*>)", re.I | re.S)


def heading_ids(page: str) -> str:
    """Give every bare heading (``<h2>Scorecard</h2>``, as Markdown cells render) the id
    :func:`anchor_id` makes of its text, so a contents list can link to it.

    Headings that already have attributes, and anything inside ``<script>`` (the chart bundle
    holds heading templates), are left alone; an id already on the page is never reused (a
    second "Notes" heading becomes ``notes-2``).

    >>> heading_ids('<h2>At a glance</h2><h3 id="x">Kept</h3><h2>At a glance</h2>')
    '<h2 id="at-a-glance">At a glance</h2><h3 id="x">Kept</h3><h2 id="at-a-glance-2">At a glance</h2>'
    """
    taken = set(_ID.findall(page))

    def add(match: re.Match[str]) -> str:
        base = anchor_id(html.unescape(_TAGS.sub("", match.group(2))))
        ident, n = base, 1
        while ident in taken:
            n += 1
            ident = f"{base}-{n}"
        taken.add(ident)
        return f'<{match.group(1)} id="{ident}">{match.group(2)}</{match.group(1)}>'

    parts = _SCRIPT.split(page)  # odd parts are whole <script>…</script> elements
    return "".join(p if i % 2 else _HEADING.sub(add, p) for i, p in enumerate(parts))


def exception_anchor(ind_id: str) -> str:
    """The id of an indicator's exception section (its heading carries it)."""
    return f"ex-{ind_id}"


def row_anchor(ind_id: str) -> str:
    """The id of an indicator's row in the scorecard (where "back to the scorecard" returns)."""
    return f"sc-{ind_id}"


def status_marks(status: str, *, public: bool) -> list[tuple[str, str]]:
    """The marks a report carries, as (word, meaning): DRAFT until it is final, INTERNAL for
    an internal audience whatever its status (a final internal report is still internal)."""
    marks = [] if status == "final" else [_DRAFT]
    if not public:
        marks.append(_INTERNAL)
    return marks


def status_banner(marks: Sequence[tuple[str, str]]) -> Html:
    """A visible banner at the top of the page naming every mark (nothing when there is none).

    The banner carries :data:`MARKS_ATTRIBUTE`, which the PDF printer copies into the running
    header of every page: a page forwarded on its own still says DRAFT.
    """
    if not marks:
        return _html("")
    words = MARKS_SEPARATOR.join(w for w, _ in marks)
    items = "".join(
        f'<p><strong class="pmlib-mark">{esc(w)}</strong> – {esc(m)}.</p>' for w, m in marks
    )
    return _html(
        f'<div class="pmlib-banner" role="note" {MARKS_ATTRIBUTE}="{esc(words)}">{items}</div>'
    )


def marks_from_html(page: str) -> str:
    """The marks named by a page's status banner (``"DRAFT · INTERNAL"``), or ``""``.

    Only an attribute in a tag counts: officer text on the page is escaped, so it cannot
    forge or hide a mark.

    >>> marks_from_html('<div class="pmlib-banner" data-pmlib-marks="DRAFT">')
    'DRAFT'
    >>> marks_from_html('<p>data-pmlib-marks=&quot;FINAL&quot;</p>')
    ''
    """
    found = _MARKS_RE.search(page)
    return " ".join(found.group(1).split()) if found else ""


def contents_nav(
    sections: Sequence[tuple[str, str]], *, index_href: str | None = None, index_text: str = ""
) -> Html:
    """The contents list: one link per (id, title) section, then the way back to the index.

    The index link is relative (``index.html`` beside the report in the output folder), so it
    works from a file share, an intranet folder or a zip as well as from a web server.
    """
    items = "".join(f'<li><a href="#{esc(i)}">{esc(t)}</a></li>' for i, t in sections)
    index = ""
    if index_href:
        index = f'<p class="pmlib-index-link"><a href="{esc(index_href)}">{esc(index_text)}</a></p>'
    return _html(
        '<nav class="pmlib-contents" aria-labelledby="pmlib-contents-title">'
        '<h2 id="pmlib-contents-title">Contents</h2>'
        f"<ol>{items}</ol>{index}</nav>"
    )


def back_link(ind_id: str) -> Html:
    """After an exception: back to its row in the scorecard."""
    return _html(
        f'<p class="pmlib-back"><a href="#{esc(row_anchor(ind_id))}">Back to the scorecard'
        f'<span class="pmlib-visually-hidden"> ({esc(ind_id)})</span></a></p>'
    )
