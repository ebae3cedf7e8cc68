"""The agenda pack as ONE HTML document: cover, contents, each report, the methodology once.

Joining finished PDFs (pypdf) drops every structure tree, so a joined pack is untagged, and its
page numbers restart with every report. Printing one HTML document with Chromium instead keeps
what the reports' own PDFs have — tags, headings, continuous "Page n of N" — and lets the
contents quote page numbers (:mod:`pmlib.pdf.pack_print` prints it twice to fill them in).

:func:`combine_reports` reads each rendered report page (``<name>.html``) with BeautifulSoup
and moves its ``<main>`` into an ``<article>`` of the pack. A report page was written to stand
alone, so three things change on the way in:

- **ids are prefixed** with the report's name (``environment--scorecard``), and every
  reference to them with it (links, ``aria-labelledby``, table ``headers``, SVG ``url(#…)``,
  great_tables' scoped ``<style>`` rules): two reports both have a ``#scorecard`` and an
  ``#ex-ENV01``, and a link must land in its own report;
- **its methodology appendix is taken out** (the section from the "Appendix: methodology
  statements" heading to the next section heading) and the statements it held are printed once,
  at the end, one per indicator of any report in the pack — the appendix was more than half of
  the Cabinet report and was repeated for every committee; the report's contents link to it
  now leads to the pack's appendix;
- its scripts are kept once (charts drawn by script draw in the pack as in the report).

Only the page text is read, never parsed as anything but HTML: officer-typed text arrives
already escaped by the report and is copied as it is.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup, NavigableString

from pmlib.present.navigation import marks_from_html

__all__ = [
    "PackDocument",
    "PackEntry",
    "PackReport",
    "PackTitle",
    "combine_reports",
    "css_string",
    "prefix_ids",
    "running_headers",
]

#: The pack's own element ids (never prefixed; report ids always carry ``<name>--``).
COVER_ID = "pmlib-pack-title"
CONTENTS_ID = "pmlib-pack-contents-title"
APPENDIX_ID = "pmlib-pack-methodology"
APPENDIX_TITLE = "Appendix: methodology statements"
#: Placeholder page numbers for the first printing: as wide as real ones, so the layout of the
#: contents does not move when they are filled in.
PLACEHOLDER = "000"
#: The heading id the shipped notebook's appendix gets (``## Appendix: methodology statements``).
APPENDIX_HEADING_ID = "appendix-methodology-statements"
#: Attributes holding a space-separated list of ids.
_ID_LIST_ATTRS = ("aria-labelledby", "aria-describedby", "aria-controls", "aria-owns",
                  "aria-flowto", "aria-details", "headers", "for", "list")  # fmt: skip
_URL_REF = re.compile(r"url\(\s*(['\"]?)#([^'\")\s]+)\1\s*\)")
_CSS_ID = re.compile(r"#(-?[A-Za-z_][\w-]*)")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class PackReport:
    """One report going into the pack: its name (file stem), title and rendered page."""

    name: str
    title: str
    path: Path


@dataclass(frozen=True)
class PackTitle:
    """What the pack says about itself: ``title`` (its ``<title>``, so the PDF's title, and
    the running header of the cover and contents) and, on the cover, the council's name, the
    ``heading`` (``title`` when blank), one sentence (``subtitle``) and (label, value) rows.

    One object handed from :func:`pmlib.pdf.pack_print.print_pack` to :func:`combine_reports`,
    so the two do not each repeat the list of cover fields.
    """

    title: str
    council: str = ""
    heading: str = ""
    subtitle: str = ""
    details: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:  # a list of pairs is accepted, kept as a tuple (frozen)
        object.__setattr__(self, "details", tuple((str(k), str(v)) for k, v in self.details))

    @classmethod
    def of(cls, cover: PackTitle | None, parts: dict[str, Any]) -> PackTitle:
        """``cover``, or one made from the keywords callers have always passed (``title=``,
        ``council=``, ...); both at once is a mistake."""
        if cover is None:
            return cls(**parts)
        if parts:
            raise TypeError(
                f"give the pack's title as a PackTitle or as keywords, not both "
                f"(also given: {', '.join(sorted(parts))})"
            )
        return cover


@dataclass(frozen=True)
class PackEntry:
    """A place in the pack the contents and the bookmarks point at.

    ``anchor`` is the element id (a named destination in the printed PDF); ``pages_id`` the id
    of the contents element that shows its page (range); ``children`` its exceptions.
    """

    title: str
    anchor: str
    pages_id: str
    children: tuple[PackEntry, ...] = ()


@dataclass(frozen=True)
class PackDocument:
    """The combined page and what to number: the reports (with their exceptions) and the
    appendix, in order."""

    html: str
    entries: tuple[PackEntry, ...]
    marks: str = ""
    methodology_count: int = 0
    scripts: int = 0


def _soup(text: str) -> Any:
    return BeautifulSoup(text, "html.parser")


def text_of(tag: Any) -> str:
    """A heading's words as a reader hears them: hidden symbols left out, spaces kept."""
    parts = []
    for node in tag.find_all(string=True):
        hidden = any(
            getattr(p, "get", lambda *_: None)("aria-hidden") == "true" for p in node.parents
        )
        if not hidden:
            parts.append(str(node))
    return _SPACES.sub(" ", "".join(parts)).strip()


def prefix_ids(root: Any, prefix: str) -> dict[str, str]:
    """Prefix every id under ``root`` with ``prefix`` and rewrite every reference to one.

    References are fragment links (``href``/``xlink:href`` = ``#id``), id-list attributes
    (``aria-labelledby``, ``headers``, ``for``…), ``url(#id)`` in any attribute (SVG fills,
    clip paths, inline styles) and ``#id`` selectors in ``<style>`` elements. Only ids that
    exist in ``root`` are rewritten, so a colour such as ``#fff`` is never touched. Returns
    the old → new id map.
    """
    renamed: dict[str, str] = {}
    for tag in root.find_all(id=True):
        old = tag["id"]
        new = f"{prefix}{old}"
        renamed.setdefault(old, new)
        tag["id"] = new

    def url(match: re.Match[str]) -> str:
        target = renamed.get(match.group(2))
        return f"url({match.group(1)}#{target}{match.group(1)})" if target else match.group(0)

    for tag in root.find_all(True):
        for attr, value in list(tag.attrs.items()):
            if isinstance(value, list):  # class-like attributes: bs4 splits them
                if attr in _ID_LIST_ATTRS:
                    tag[attr] = [renamed.get(v, v) for v in value]
                continue
            if attr in ("href", "xlink:href") and value.startswith("#"):
                tag[attr] = "#" + renamed.get(value[1:], value[1:])
            elif attr in _ID_LIST_ATTRS:
                tag[attr] = " ".join(renamed.get(v, v) for v in value.split())
            elif "url(" in value:
                tag[attr] = _URL_REF.sub(url, value)
    for style in root.find_all("style"):
        css = style.string or ""
        new_css = _CSS_ID.sub(lambda m: "#" + renamed.get(m.group(1), m.group(1)), css)
        new_css = _URL_REF.sub(url, new_css)
        if new_css != css:
            style.string = new_css
    return renamed


def _cells(main: Any) -> list[Any]:
    """The page's top-level blocks (nbconvert's cells, or whatever ``<main>`` holds)."""
    return [c for c in main.children if getattr(c, "name", None)]


def _is_appendix_heading(tag: Any) -> bool:
    ident = tag.get("id", "")
    words = text_of(tag).lower()
    return ident.endswith(APPENDIX_HEADING_ID) or words.startswith("appendix: methodology")


def _take_appendix(main: Any) -> list[Any]:
    """Remove the report's methodology appendix; return its blocks (heading left out).

    The appendix runs from its ``<h2>`` to the next ``<h1>``/``<h2>`` (the next section), cell
    by cell. A page laid out some other way loses only its ``.pmlib-methodology`` block.
    """
    cells = _cells(main)
    start = next(
        (i for i, c in enumerate(cells) for h in c.find_all("h2") if _is_appendix_heading(h)),
        None,
    )
    taken: list[Any] = []
    if start is not None:
        end = len(cells)
        for j in range(start + 1, len(cells)):
            if cells[j].find(["h1", "h2"]) is not None:
                end = j
                break
        for cell in cells[start:end]:
            taken.append(cell.extract())
    else:
        taken = [m.extract() for m in main.select(".pmlib-methodology")]
    blocks: list[Any] = []
    for part in taken:
        holders = part.select(".pmlib-methodology")
        for holder in holders:
            blocks.extend(c.extract() for c in list(holder.children) if getattr(c, "name", None))
            holder.decompose()
        for out in part.select(".jp-RenderedMarkdown, .jp-OutputArea-output") or [part]:
            for child in list(out.children):
                if getattr(child, "name", None) is None:
                    continue
                if child.name in ("h1", "h2") and _is_appendix_heading(child):
                    continue
                if text_of(child):
                    blocks.append(child)
    return blocks


def _block_key(block: Any) -> str:
    caption = block.find("caption") if block.name != "caption" else block
    return "caption:" + text_of(caption) if caption is not None else "text:" + text_of(block)


def _exceptions(article: Any, prefix: str) -> tuple[PackEntry, ...]:
    found = []
    for section in article.select("section.exception"):
        heading = section.find(["h2", "h3", "h4"], id=True)
        if heading is None:
            continue
        rag = heading.select_one(".rag")
        if rag is not None:  # "HSG01 Households in temporary accommodation – Red"
            dash = NavigableString("– ")
            rag.insert_before(dash)
            title = text_of(heading)
            dash.extract()
        else:
            title = text_of(heading)
        found.append(PackEntry(title, heading["id"], f"pmlib-pack-pages-{heading['id']}"))
    return tuple(found)


def _head_parts(soup: Any, styles: dict[str, None], scripts: dict[str, None]) -> None:
    for style in soup.head.find_all("style") if soup.head else []:
        styles.setdefault(style.string or "", None)
    main = soup.find("main")
    for script in soup.body.find_all("script", recursive=False) if soup.body else []:
        if main is None or main not in script.parents:
            scripts.setdefault(str(script), None)


def _contents(entries: Sequence[PackEntry]) -> str:
    def item(e: PackEntry, children: str = "") -> str:
        what = "pages" if children or e.anchor == APPENDIX_ID else "page"
        return (
            f'<li><span class="pmlib-pack-line"><a href="#{html.escape(e.anchor)}">'
            f"{html.escape(e.title)}</a> "
            f'<span class="pmlib-pack-pages" id="{html.escape(e.pages_id)}">'
            f"{what} {PLACEHOLDER}{'–' + PLACEHOLDER if what == 'pages' else ''}</span>"
            f"</span>{children}</li>"
        )

    rows = []
    for e in entries:
        sub = ""
        if e.children:
            sub = (
                '<p class="pmlib-pack-sub">Exceptions</p><ol class="pmlib-pack-exceptions">'
                + "".join(item(c) for c in e.children)
                + "</ol>"
            )
        rows.append(item(e, sub) if e.anchor != APPENDIX_ID else item(e))
    return (
        f'<nav class="pmlib-pack-contents" aria-labelledby="{CONTENTS_ID}">'
        f'<h2 id="{CONTENTS_ID}">Contents</h2><ol>{"".join(rows)}</ol></nav>'
    )


def _cover(heading: str, council: str, subtitle: str, marks: str, details: Sequence[tuple]) -> str:
    banner = ""
    if "DRAFT" in marks.split():
        banner = (
            '<div class="pmlib-banner" role="note" data-pmlib-marks="DRAFT"><p>'
            '<strong class="pmlib-mark">DRAFT</strong> – not for publication: figures and '
            "commentary may still change.</p></div>"
        )
    rows = "".join(
        f'<tr><th scope="row">{html.escape(k)}</th><td>{html.escape(v)}</td></tr>'
        for k, v in details
    )
    return (
        f'<header class="pmlib-cover pmlib-pack-cover">{banner}'
        + (f'<p class="pmlib-council">{html.escape(council)}</p>' if council else "")
        + f'<h1 id="{COVER_ID}">{html.escape(heading)}</h1>'
        + (f"<p>{html.escape(subtitle)}</p>" if subtitle else "")
        + (
            f'<table class="pmlib-deflist"><caption>About this pack</caption><tbody>{rows}'
            "</tbody></table>"
            if rows
            else ""
        )
        + "</header>"
    )


#: Print rules for the pack only (pmlib.css holds the ones every printed report shares).
PACK_CSS = """
.pmlib-pack-report, .pmlib-pack-appendix { break-before: page; page-break-before: always; }
.pmlib-pack-contents ol { padding-left: 1.5em; max-width: none; }
.pmlib-pack-contents li { margin: 0.25em 0; max-width: none; }
.pmlib-pack-line { display: flex; gap: 1em; justify-content: space-between; align-items: baseline; }
.pmlib-pack-pages { white-space: nowrap; font-variant-numeric: tabular-nums; }
.pmlib-pack-sub { margin: 0.25em 0 0; font-size: 0.875rem; color: var(--pm-secondary, #505a5f); }
.pmlib-pack-exceptions { font-size: 0.875rem; }
.pmlib-pack-appendix .pmlib-deflist { margin-bottom: 1.5em; }
"""

#: The running header at the top left of every page of the pack, drawn in the page's top
#: margin (a CSS page-margin box) in the house header's type; Chromium's own header template is
#: the same on every page, so it keeps only the status marks at the right. The box starts 15 pt
#: from the top of the page, where Chromium draws the template's line.
_HEADER_BOX = (
    "font-family: system-ui, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Noto Sans', "
    "'Liberation Sans', 'DejaVu Sans', sans-serif; font-size: 8pt; color: #505a5f; "
    "vertical-align: top; padding-top: 15pt; white-space: nowrap;"
)


def css_string(text: str) -> str:
    """``text`` as a CSS string, every character but letters, digits and spaces escaped, so
    no title can close the string or the ``<style>`` it is in.

    >>> print(css_string('A "B" </style>'))
    "A \\22 B\\22  \\3c \\2f style\\3e "
    """
    # an escape's hex digits end at the space after them, which CSS consumes with the escape
    body = "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in text)
    return f'"{body}"'


def running_headers(title: str, sections: Sequence[str]) -> str:
    """CSS giving each page the header of the part of the pack it belongs to: ``title`` for
    the cover and contents, and ``sections[i]`` for the pages of the element with class
    ``pmlib-pack-part-<i>`` (a report, or the appendix): its own named page (``@page``)."""
    css = [f"@page {{ @top-left {{ content: {css_string(title)}; {_HEADER_BOX} }} }}"]
    for i, text in enumerate(sections):
        css.append(
            f"@page pmlib-part-{i} {{ @top-left {{ content: {css_string(text)}; {_HEADER_BOX} }} }}"
            f" .pmlib-pack-part-{i} {{ page: pmlib-part-{i}; }}"
        )
    return "\n".join(css)


def combine_reports(
    reports: Sequence[PackReport], cover: PackTitle | None = None, **parts: Any
) -> PackDocument:
    """The pack's page: a cover, contents, each report as an ``<article>``, the appendix.

    Parameters
    ----------
    reports
        The reports in pack order (the caller chooses which: only public ones go in a pack).
    cover
        The pack's title and cover (:class:`PackTitle`). A report's pages are headed with its
        own title, the appendix's with the appendix's (:func:`running_headers`).
    **parts
        Instead of ``cover``, its fields as keywords (``title=``, ``council=``, ``heading=``,
        ``subtitle=``, ``details=``), as callers written before :class:`PackTitle` pass them.
    """
    cover = PackTitle.of(cover, parts)
    title = cover.title
    styles: dict[str, None] = {}
    scripts: dict[str, None] = {}
    articles: list[str] = []
    entries: list[PackEntry] = []
    appendix: dict[str, Any] = {}
    marks: set[str] = set()
    lang = "en-GB"
    for report in reports:
        page = Path(report.path).read_text(encoding="utf-8")
        marks.update(marks_from_html(page).replace("·", " ").split())
        soup = _soup(page)
        if soup.html is not None and soup.html.get("lang"):
            lang = soup.html["lang"]
        _head_parts(soup, styles, scripts)
        main = soup.find("main") or soup.body or soup
        prefix = f"{report.name}--"
        renamed = prefix_ids(main, prefix)
        for block in _take_appendix(main):
            appendix.setdefault(_block_key(block), block)
        kept = {tag["id"] for tag in main.find_all(id=True)}
        gone = set(renamed.values()) - kept
        for link in main.find_all("a", href=True):
            if link["href"].startswith("#") and link["href"][1:] in gone:
                link["href"] = f"#{APPENDIX_ID}"
        for script in main.find_all("script"):
            if script.get("type") not in ("application/json",):
                scripts.setdefault(str(script.extract()), None)
        h1 = main.find("h1")
        anchor = f"pmlib-pack-report-{report.name}"
        label = f' aria-labelledby="{h1["id"]}"' if h1 is not None and h1.get("id") else ""
        entry = PackEntry(
            title=" ".join(report.title.split()) or (text_of(h1) if h1 else report.name),
            anchor=anchor,
            pages_id=f"pmlib-pack-pages-{report.name}",
            children=_exceptions(main, prefix),
        )
        entries.append(entry)
        body = "".join(str(c) for c in main.contents)
        part = f"pmlib-pack-part-{len(articles)}"
        articles.append(
            f'<article class="pmlib-pack-report {part}" id="{anchor}"{label}>{body}</article>'
        )
    if appendix:
        entries.append(PackEntry(APPENDIX_TITLE, APPENDIX_ID, "pmlib-pack-pages-methodology"))
        blocks = "".join(str(b) for b in appendix.values())
        articles.append(
            f'<section class="pmlib-pack-appendix pmlib-pack-part-{len(articles)}" '
            f'id="{APPENDIX_ID}" '
            f'aria-labelledby="{APPENDIX_ID}-title"><h1 id="{APPENDIX_ID}-title">'
            f'{APPENDIX_TITLE}</h1><div class="pmlib-methodology">{blocks}</div></section>'
        )
    mark_text = " · ".join(m for m in ("DRAFT", "INTERNAL") if m in marks)
    done = "" if scripts else ' data-pmlib-charts="done"'
    headers = running_headers(title, [e.title for e in entries])  # one per article, in order
    css = "".join(f"<style>{s}</style>" for s in styles) + f"<style>{PACK_CSS}{headers}</style>"
    page = (
        f'<!DOCTYPE html>\n<html lang="{html.escape(lang)}"{done}><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="generator" content="pmlib"><title>{html.escape(title)}</title>{css}'
        '</head><body class="pmlib-report pmlib-pack"><main id="main-content">'
        + _cover(cover.heading or title, cover.council, cover.subtitle, mark_text, cover.details)
        + _contents(entries)
        + "".join(articles)
        + "</main>"
        + "".join(scripts)
        + "</body></html>\n"
    )
    n_methodology = sum(1 for k in appendix if k.startswith("caption:"))
    return PackDocument(
        page, tuple(entries), marks=mark_text, methodology_count=n_methodology, scripts=len(scripts)
    )
