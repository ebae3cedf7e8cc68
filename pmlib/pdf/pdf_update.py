"""Small edits to a printed PDF as an *incremental update*: the file is kept byte for byte and
only the changed and new objects are appended, with their own cross-reference section
(ISO 32000-1, 7.5.6).

Chromium's tagged PDFs carry a structure tree of tens of thousands of objects; re-writing the
whole file with pypdf to add bookmarks took ~8 s for a 130-page agenda pack (pypdf copies every
object). Appending takes milliseconds, and because nothing before
the update changes, the structure tree, named destinations and everything else Chromium wrote
stay exactly as they were. pypdf reads the file (lazily) and serialises the new objects. (The
objects an update replaces stay in the file, superseded: do not use it to remove anything.)

Chromium writes a classic cross-reference table, which is what this appends to; a file with
cross-reference streams is refused with :class:`ValueError` (the caller then rewrites it
whole with pypdf).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

__all__ = ["PdfUpdate", "Bookmark"]

_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")


class Bookmark:
    """One outline item: its title, its destination array, and the items beneath it."""

    def __init__(self, title: str, dest: Any, children: Sequence[Bookmark] = ()) -> None:
        self.title = title
        self.dest = dest
        self.children = list(children)


class PdfUpdate:
    """Collect changed and new objects of ``data`` and append them (:meth:`to_bytes`)."""

    def __init__(self, data: bytes) -> None:
        from pypdf import PdfReader  # lazy: pypdf costs ~160 ms to import

        tail = _STARTXREF.search(data[-1024:])
        if tail is None:
            raise ValueError("no startxref at the end of the file")
        self.prev = int(tail.group(1))
        if not data[self.prev : self.prev + 4] == b"xref":
            raise ValueError("the file uses a cross-reference stream")
        self.data = data
        self.reader = PdfReader(io.BytesIO(data))
        self.size = int(self.reader.trailer["/Size"])
        self.objects: dict[int, tuple[int, Any]] = {}

    @property
    def root_ref(self) -> Any:
        return self.reader.trailer.raw_get("/Root")

    def new_ref(self) -> Any:
        """A fresh object number (its object is given with :meth:`put`)."""
        from pypdf.generic import IndirectObject

        ref = IndirectObject(self.size, 0, self.reader)
        self.size += 1
        return ref

    def put(self, ref: Any, obj: Any) -> None:
        """Make ``obj`` the (new) content of object ``ref``."""
        self.objects[ref.idnum] = (ref.generation, obj)

    def set_root(self, **entries: Any) -> None:
        """Add or replace entries of the document catalog (``/Outlines``, ``/PageMode``…)."""
        from pypdf.generic import DictionaryObject, NameObject

        ref = self.root_ref
        current = self.objects.get(ref.idnum, (ref.generation, None))[1]
        root = DictionaryObject(current if current is not None else self.reader.trailer["/Root"])
        for key, value in entries.items():
            root[NameObject(f"/{key}")] = value
        self.put(ref, root)

    def add_outline(self, bookmarks: Sequence[Bookmark]) -> int:
        """Replace the document's bookmarks with ``bookmarks`` (open, nested as given)."""
        from pypdf.generic import (
            ArrayObject,
            DictionaryObject,
            NameObject,
            NumberObject,
            TextStringObject,
        )

        def level(items: Sequence[Bookmark], parent: Any) -> tuple[list[Any], int]:
            refs = [self.new_ref() for _ in items]
            visible = len(items)
            for i, (item, ref) in enumerate(zip(items, refs, strict=True)):
                node = DictionaryObject(
                    {
                        NameObject("/Title"): TextStringObject(item.title),
                        NameObject("/Parent"): parent,
                        NameObject("/Dest"): ArrayObject(item.dest),
                    }
                )
                if i > 0:
                    node[NameObject("/Prev")] = refs[i - 1]
                if i < len(refs) - 1:
                    node[NameObject("/Next")] = refs[i + 1]
                if item.children:
                    kids, count = level(item.children, ref)
                    node[NameObject("/First")] = kids[0]
                    node[NameObject("/Last")] = kids[-1]
                    node[NameObject("/Count")] = NumberObject(count)
                    visible += count
                self.put(ref, node)
            return refs, visible

        outlines = self.new_ref()
        top, count = level(bookmarks, outlines) if bookmarks else ([], 0)
        root = DictionaryObject({NameObject("/Type"): NameObject("/Outlines")})
        if top:
            root[NameObject("/First")] = top[0]
            root[NameObject("/Last")] = top[-1]
            root[NameObject("/Count")] = NumberObject(count)
        self.put(outlines, root)
        self.set_root(Outlines=outlines, PageMode=NameObject("/UseOutlines"))
        return count

    def outline_items(self) -> list[tuple[Any, str]]:
        """The document's bookmarks as (reference, title), depth first in document order."""
        found: list[tuple[Any, str]] = []
        root = self.reader.trailer["/Root"]
        if "/Outlines" not in root:
            return found
        outlines = root["/Outlines"].get_object()
        stack = [outlines.raw_get("/First")] if "/First" in outlines else []
        while stack:
            ref = stack.pop()
            node = ref.get_object()
            found.append((ref, str(node["/Title"]) if "/Title" in node else ""))
            if "/Next" in node:
                stack.append(node.raw_get("/Next"))
            if "/First" in node:  # children before the next sibling
                stack.append(node.raw_get("/First"))
        return found

    def set_title(self, ref: Any, title: str) -> None:
        """Give the bookmark ``ref`` (from :meth:`outline_items`) a new title."""
        from pypdf.generic import DictionaryObject, NameObject, TextStringObject

        node = DictionaryObject(ref.get_object())
        node[NameObject("/Title")] = TextStringObject(title)
        self.put(ref, node)

    def to_bytes(self) -> bytes:
        """The original bytes, then the update: objects, cross-reference section, trailer."""
        from pypdf.generic import DictionaryObject, NameObject, NumberObject

        if not self.objects:
            return self.data
        out = io.BytesIO()
        out.write(self.data)
        if not self.data.endswith(b"\n"):
            out.write(b"\n")
        offsets: dict[int, tuple[int, int]] = {}
        for num in sorted(self.objects):
            generation, obj = self.objects[num]
            offsets[num] = (out.tell(), generation)
            out.write(f"{num} {generation} obj\n".encode())
            obj.write_to_stream(out)
            out.write(b"\nendobj\n")
        xref_at = out.tell()
        out.write(b"xref\n")
        numbers = sorted(offsets)
        start = 0
        while start < len(numbers):
            end = start
            while end + 1 < len(numbers) and numbers[end + 1] == numbers[end] + 1:
                end += 1
            out.write(f"{numbers[start]} {end - start + 1}\n".encode())
            for num in numbers[start : end + 1]:
                offset, generation = offsets[num]
                out.write(f"{offset:010d} {generation:05d} n\r\n".encode())
            start = end + 1
        trailer = DictionaryObject(
            {
                NameObject("/Size"): NumberObject(self.size),
                NameObject("/Root"): self.root_ref,
                NameObject("/Prev"): NumberObject(self.prev),
            }
        )
        for key in ("/Info", "/ID"):
            if key in self.reader.trailer:
                trailer[NameObject(key)] = self.reader.trailer.raw_get(key)
        out.write(b"trailer\n")
        trailer.write_to_stream(out)
        out.write(f"\nstartxref\n{xref_at}\n%%EOF\n".encode())
        return out.getvalue()
