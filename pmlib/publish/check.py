"""The last look before a site is published: nothing internal, nothing from the server.

``pmlib publish`` builds the site in a temporary folder and runs :func:`site_problems` over it
before it replaces the published folder, so a mistake upstream (an internal indicator reaching
a public report, a path in a footer) stops the publication instead of reaching the web. The
same function is what the tests run over the demo site (with PDF text too).

What is looked for, in every file's text:

* anything but web pages, PDFs, CSVs and the package and sitemap (no notebook, manifest or
  provenance record);
* the given *secrets*: server paths (data, parameters, output folders, the home folder) and
  what only internal readers may see (internal indicators' names, their owners when no public
  indicator shares the post, internal committees' titles, internal commentary);
* a SHA-256 hash (64 hexadecimal digits): hashes live in ``provenance.json``, not on the site.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path

from pmlib.core.model import Dataset

__all__ = ["ALLOWED_SUFFIXES", "internal_texts", "site_problems"]

#: The kinds of file a site holds.
ALLOWED_SUFFIXES = (".html", ".pdf", ".csv", ".json", ".xml")
FORBIDDEN_NAMES = ("manifest.json", "provenance.json")
HASH = re.compile(r"(?<![0-9a-fA-F])[0-9a-fA-F]{64}(?![0-9a-fA-F])")
#: Shorter texts are not looked for: a name like "ICT" would match ordinary words.
MIN_SECRET = 8


def internal_texts(dataset: Dataset, public_ids: Iterable[str]) -> list[str]:
    """What only internal readers may see, as texts to look for: the names of indicators not
    published, their owners (unless a published indicator has the same owner), the titles of
    internal committees, and the commentary on unpublished indicators (each part's first 60
    characters, enough to recognise it)."""
    ind = dataset.indicators
    public = ind["id"].isin(set(public_ids))
    hidden = ind[~public]
    texts = list(hidden["name"].dropna().astype(str))
    if "owner" in ind:
        shared = set(ind.loc[public, "owner"].dropna().astype(str))
        texts += [o for o in hidden["owner"].dropna().astype(str) if o not in shared]
    texts += [c.title for c in dataset.settings.committees.values() if not c.is_public]
    narr = dataset.narratives[dataset.narratives["indicator_id"].isin(set(hidden["id"]))]
    parts = [c for c, _ in dataset.council.narrative_headings if c in narr]
    for col in parts:
        texts += [t[:60] for t in narr[col].dropna().astype(str) if t.strip()]
    return sorted({t.strip() for t in texts if len(t.strip()) >= MIN_SECRET})


def site_problems(
    folder: Path,
    secrets: Iterable[str],
    *,
    pdf_text: Callable[[Path], str] | None = None,
) -> list[str]:
    """Every problem found in the site ``folder``, one line each (empty: fit to publish).

    ``secrets``: texts that must appear nowhere (server paths, internal names). ``pdf_text``:
    a function giving a PDF's text; without it PDFs are not read (they are printed from the
    web pages, which are).
    """
    folder = Path(folder)
    wanted = [s for s in dict.fromkeys(secrets) if s]
    problems: list[str] = []
    for path in sorted(folder.rglob("*")):
        if path.is_dir():
            continue
        rel = path.relative_to(folder).as_posix()
        if path.suffix.lower() not in ALLOWED_SUFFIXES or path.name in FORBIDDEN_NAMES:
            problems.append(f"{rel}: this kind of file is not published")
            continue
        if path.suffix.lower() == ".pdf":
            if pdf_text is None:
                continue
            text = pdf_text(path)
        else:
            text = path.read_text(encoding="utf-8-sig", errors="replace")
        found = [s for s in wanted if s in text]
        if found:
            problems.append(f"{rel}: holds {', '.join(repr(s) for s in found[:5])}")
        if HASH.search(text):
            problems.append(f"{rel}: holds a SHA-256 hash ({HASH.search(text).group(0)[:12]}…)")
    return problems
