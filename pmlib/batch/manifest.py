"""The record of a batch run: fingerprints, ``manifest.json``, the skip check and ``index.html``.

Everything here runs in the parent process before any kernel starts, so it imports nothing
heavy: hashing a quarter's inputs and outputs takes milliseconds, which is what makes a re-run
with nothing changed near instant.

A report's *fingerprint* is a SHA-256 over everything that can change its output: the input
files' hashes, its parameters and title, the notebook's bytes, pmlib's own source and templates,
the versions of the libraries that draw it, and the output formats. A report is skipped when
its fingerprint equals the one recorded in the previous manifest and every file recorded for it
still has the recorded hash.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import platform
from collections.abc import Iterable, Mapping
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from pmlib.core.files import sha256_file
from pmlib.core.sources import is_file_source, source_digest
from pmlib.core.version import __version__

log = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1
STATUSES = ("ok", "failed", "skipped")
PACKAGE_DIR = Path(__file__).resolve().parents[1]  # the pmlib package
TEMPLATES_DIR = PACKAGE_DIR / "render" / "templates"
#: Libraries whose version changes what a report looks like (recorded, and fingerprinted).
KEY_PACKAGES = (
    "altair", "vl-convert-python", "great-tables", "pandas", "numpy",
    "papermill", "nbconvert", "nbclient", "ipykernel",
)  # fmt: skip
#: Summary labels drawn as RAG badges: css modifier, symbol (colour is never the only cue).
RAG_BADGES = {
    "green": ("green", "●"),
    "amber": ("amber", "▲"),
    "red": ("red", "■"),
    "grey": ("grey", "◆"),
    "gray": ("grey", "◆"),
    "no data": ("nodata", "○"),
}

__all__ = [
    "code_fingerprint",
    "environment",
    "file_record",
    "fingerprint",
    "hash_inputs",
    "read_manifest",
    "render_index",
    "reusable_entry",
]


def jsonable(value: Any) -> Any:
    """Parameters as plain JSON values (paths become text), so they hash and print stably."""
    return json.loads(json.dumps(value, default=str, sort_keys=True))


def file_record(path: Path, root: Path, kind: str) -> dict[str, Any]:
    """How the manifest lists one output file: relative POSIX path, kind, size and SHA-256."""
    return {
        "path": path.relative_to(root).as_posix(),
        "kind": kind,
        "bytes": path.stat().st_size,
        "sha256": sha256_file(path),
    }


def display_path(path: Path) -> str:
    """A path relative to the current folder when it is inside it (manifests stay portable)."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def hash_inputs(inputs: Iterable[Path], *, exclude: Path | None = None) -> list[dict[str, Any]]:
    """SHA-256 of every input file; folders are walked (hidden files and ``exclude`` skipped)."""
    skip = exclude.resolve() if exclude is not None else None
    files: dict[str, Path] = {}
    tables = []  # a database's tables: by the digest of their rows, as read
    for item in inputs:
        if not is_file_source(item):
            tables.append({"path": str(item), "bytes": 0, "sha256": source_digest(item)})
            continue
        item = Path(item)
        if not item.exists():
            log.warning("Input %s does not exist; it is left out of the fingerprint.", item)
            continue
        found = [item] if item.is_file() else sorted(p for p in item.rglob("*") if p.is_file())
        for path in found:
            resolved = path.resolve()
            rel_parts = path.relative_to(item).parts if path != item else ()
            if any(part.startswith(".") or part == "__pycache__" for part in rel_parts):
                continue
            if skip is not None and resolved.is_relative_to(skip):
                continue
            files[display_path(path)] = path
    return [
        {"path": name, "bytes": path.stat().st_size, "sha256": sha256_file(path)}
        for name, path in sorted(files.items())
    ] + tables


def code_fingerprint() -> str:
    """SHA-256 over pmlib's own source files and templates (any edit re-renders everything)."""
    h = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".j2", ".css", ".js", ".json"):
            if "__pycache__" in path.parts:
                continue
            h.update(path.relative_to(PACKAGE_DIR).as_posix().encode())
            h.update(b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def pmlib_version() -> str:
    """pmlib's version, as recorded in manifests."""
    return __version__


def environment() -> dict[str, Any]:
    """Python and key library versions, for the manifest and the fingerprint."""
    packages = {}
    for name in KEY_PACKAGES:
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            packages[name] = None
    return {"python": platform.python_version(), "packages": packages}


def fingerprint(**parts: Any) -> str:
    """SHA-256 of the canonical JSON of the given parts."""
    text = json.dumps(jsonable(parts), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_manifest(out_dir: Path) -> dict[str, Any]:
    """The previous run's manifest, or an empty one if missing or unreadable (then nothing is
    skipped, which is always safe)."""
    path = out_dir / MANIFEST_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        log.warning("Ignoring unreadable %s (%s): every report will be rendered.", path, exc)
        return {}
    if not isinstance(data, dict) or data.get("manifest_version") != MANIFEST_VERSION:
        return {}
    return data


def files_intact(entry: Mapping[str, Any], out_dir: Path) -> bool:
    """True when every file recorded for a report is still there with the recorded hash."""
    files = entry.get("files") or []
    for rec in files:
        path = out_dir / rec["path"]
        try:
            if path.stat().st_size != rec["bytes"] or sha256_file(path) != rec["sha256"]:
                return False
        except (OSError, KeyError):
            return False
    return bool(files)


def reusable_entry(
    previous: Mapping[str, Any], name: str, expected: str, out_dir: Path
) -> dict[str, Any] | None:
    """The previous manifest entry for ``name`` if its outputs can be kept as they are."""
    for entry in previous.get("reports", []):
        if entry.get("name") != name:
            continue
        ok = entry.get("status") in ("ok", "skipped") and entry.get("fingerprint") == expected
        return dict(entry) if ok and files_intact(entry, out_dir) else None
    return None


def _badges(summary: Any) -> list[dict[str, str]]:
    if not isinstance(summary, Mapping):
        return []
    badges = []
    for label, count in summary.items():
        key = " ".join(str(label).replace("_", " ").replace("-", " ").lower().split())
        modifier, symbol = RAG_BADGES.get(key, ("other", ""))
        badges.append({"label": str(label), "count": str(count), "mod": modifier, "sym": symbol})
    return badges


def render_index(manifest: Mapping[str, Any], *, title: str) -> str:
    """``index.html``: every report with its status, RAG summary and files (autoescaped)."""
    import jinja2  # lazy: ~90 ms, only for index.html, not for workers' fingerprints

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(
            [TEMPLATES_DIR / "pmlib_index", TEMPLATES_DIR / "pmlib_report"]
        ),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    rows = []
    for entry in manifest.get("reports", []):
        files = entry.get("files") or []
        main = next((f["path"] for f in files if f.get("kind") == "html"), None)
        rows.append(
            {
                **entry,
                "href": main if entry.get("status") in ("ok", "skipped") else None,
                "others": [f for f in files if f["path"] != main],
                "badges": _badges(entry.get("summary")),
            }
        )
    finished = manifest.get("finished") or ""
    with contextlib.suppress(ValueError):
        when = datetime.fromisoformat(finished)
        finished = f"{when.day} {when:%B %Y} at {when:%H:%M}"
    return env.get_template("index.html.j2").render(
        title=title, manifest=manifest, rows=rows, finished=finished
    )
