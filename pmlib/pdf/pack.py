"""Joining PDFs (pypdf): an index page and the committee PDFs into one agenda pack with a
bookmark per committee, and ``file:`` links rewritten relative so a moved folder still works.

Printing the pages is :mod:`pmlib.pdf.chromium`; see ``docs/pdf.md``.
"""

from __future__ import annotations

import io
import json
import logging
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from pmlib.core.errors import RenderError
from pmlib.core.files import write_bytes_atomic

log = logging.getLogger(__name__)

__all__ = ["assemble_pack"]


def _link_actions(writer: Any, pages: Sequence[int] | None = None) -> list[Any]:
    """The ``/URI`` action dictionaries of link annotations on the given pages (all if None)."""
    actions = []
    indices = range(len(writer.pages)) if pages is None else pages
    for i in indices:
        for annot in writer.pages[i].get("/Annots", None) or []:
            annot = annot.get_object()
            action = annot.get("/A")
            if annot.get("/Subtype") == "/Link" and action is not None:
                action = action.get_object()
                if action.get("/S") == "/URI" and "/URI" in action:
                    actions.append((annot, action))
    return actions


def _relative_links(data: bytes, folder: Path) -> bytes:
    """Rewrite ``file:`` links to files under ``folder`` as relative links (leave the rest).

    Chromium writes each link's URI as a literal string (``/URI (file:///srv/q2/index.html)``)
    in an uncompressed annotation; it is replaced where it stands by the relative path padded
    with spaces to the same length, so no byte offset moves and the file needs no rewriting
    (rewriting a tagged PDF with pypdf takes seconds: every structure element is copied). No
    trace of the server's folder is left in the file. A file written some other way is
    rewritten whole with pypdf.
    """
    base = folder.resolve().as_uri().rstrip("/") + "/"
    if b"file:" not in data:  # Chromium writes link URIs as plain strings: nothing to do
        return data
    literal = re.compile(rb"\(" + re.escape(base.encode("utf-8")) + rb"([^()\\\r\n]*)\)")

    def relative(match: re.Match[bytes]) -> bytes:
        text = b"(" + match.group(1) + b")"
        return text + b" " * (len(match.group(0)) - len(text))

    patched = literal.sub(relative, data)
    if base.encode("utf-8") not in patched:
        return patched
    return _relative_links_rewrite(data, base)


def _relative_links_rewrite(data: bytes, base: str) -> bytes:
    """:func:`_relative_links` by rewriting the whole file with pypdf (slow on tagged PDFs)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    changed = 0
    for _annot, action in _link_actions(writer):
        uri = str(action["/URI"])
        if uri.startswith(base):
            action[NameObject("/URI")] = TextStringObject(uri[len(base) :])
            changed += 1
    if not changed:
        return data
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _manifest_titles(out_dir: Path) -> dict[str, str]:
    try:
        manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {
        r["name"]: r["title"]
        for r in manifest.get("reports", [])
        if isinstance(r, dict) and r.get("name") and r.get("title")
    }


def assemble_pack(
    out_dir: Path,
    names: list[str],
    *,
    index_pdf: Path | None,
    title: str,
    out_name: str = "pack.pdf",
) -> Path:
    """Join ``index_pdf`` (if given) and ``<out_dir>/<name>.pdf`` for each name into one PDF.

    The pack has one top-level bookmark per report, in order, titled as in ``manifest.json``
    (else the PDF's own title, else the name), each with that report's own bookmarks (its
    headings) beneath; the index page's links to ``<name>.html``/``<name>.pdf`` jump to that
    report's first page. Written atomically to ``<out_dir>/<out_name>``; returns its path.
    """
    from pypdf import PdfReader, PdfWriter  # lazy: as above, only when a pack is bound
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    t0 = time.perf_counter()
    out_dir = Path(out_dir)
    missing = [n for n in names if not (out_dir / f"{n}.pdf").is_file()]
    if missing:
        raise RenderError(
            f"Cannot assemble {out_name}: no PDF for {', '.join(missing)} in {out_dir}. "
            "Fix: run with --format html,pdf."
        )
    if not names:
        raise RenderError(f"Cannot assemble {out_name}: no reports to put in it.")
    titles = _manifest_titles(out_dir)
    writer = PdfWriter()
    if index_pdf is not None:
        writer.append(PdfReader(index_pdf), import_outline=False)
    n_index = len(writer.pages)
    first_page: dict[str, int] = {}
    for name in names:
        reader = PdfReader(out_dir / f"{name}.pdf")
        own = reader.metadata.title if reader.metadata else None
        first_page[name] = len(writer.pages)
        writer.append(reader, outline_item=titles.get(name) or own or name)
    # The index's links to a report jump inside the pack instead.
    for annot, action in _link_actions(writer, range(n_index)):
        target = unquote(str(action["/URI"])).split("#")[0]
        stem = target[:-5] if target.endswith(".html") else target[:-4]
        if "/" not in target and target.endswith((".html", ".pdf")) and stem in first_page:
            page = writer.pages[first_page[stem]].indirect_reference
            annot[NameObject("/A")] = DictionaryObject(
                {
                    NameObject("/S"): NameObject("/GoTo"),
                    NameObject("/D"): ArrayObject([page, NameObject("/Fit")]),
                }
            )
    writer.add_metadata({"/Title": title, "/Creator": "pmlib"})
    writer._root_object[NameObject("/Lang")] = TextStringObject("en-GB")
    writer.page_mode = "/UseOutlines"
    writer.create_viewer_preferences().display_doctitle = True
    buf = io.BytesIO()
    writer.write(buf)
    path = write_bytes_atomic(out_dir / out_name, buf.getvalue())
    log.info(
        "Wrote %s: %d pages, %d reports, %.2f s",
        path,
        len(writer.pages),
        len(names),
        time.perf_counter() - t0,
    )
    return path
