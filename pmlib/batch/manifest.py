"""The record of a batch run: fingerprints, ``manifest.json`` and the skip check (``index.html``
is drawn from the manifest by :mod:`pmlib.batch.index_page`; ``render_index`` is importable here).

Everything here runs in the parent process before any kernel starts, so it imports nothing
heavy: hashing a quarter's inputs and outputs takes milliseconds, which is what makes a re-run
with nothing changed near instant.

A report's *fingerprint* is a SHA-256 over everything that can change its output: the hashes
of the files it reads (the batch's inputs and its own, ``ReportSpec.inputs``), its parameters
and title, the notebook's bytes, pmlib's own source and templates,
the versions of the libraries that draw it, and the output formats. A report is skipped when
its fingerprint equals the one recorded in the previous manifest and every file recorded for it
still has the recorded hash.

Checking that costs reading every output (1.6 MB a committee report) unless the file provably
has not changed since its hash was recorded: its record also keeps a *stamp* (inode, mtime and
ctime in nanoseconds, POSIX only). The ctime is set by the system on every change of a file's
contents and cannot be set back by tools that restore an mtime (``touch -r``, ``cp -p``,
``rsync -t``), and a file replaced by another has a new inode; so a file whose size and stamp
are as recorded still holds the recorded bytes. As in git's index, a stamp is trusted only when
the file last changed well before the manifest was written (:data:`SETTLED_NS`): an edit in the
same clock tick as the write it follows could keep the stamp. Any other file is hashed, as
before, and a stamp that changed with the bytes intact (``touch``, a copied folder) is renewed.

A national batch holds thousands of reports and inputs, so nothing here may cost reports x
inputs: each input is hashed once, the parts every report shares are serialised once
(:class:`Fingerprints`), and the previous entries are looked up by name.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from pmlib.batch.index_page import render_index  # the runner writes index.html with it
from pmlib.core.files import sha256_file
from pmlib.core.sources import is_file_source, source_digest
from pmlib.core.version import __version__

log = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1
STATUSES = ("ok", "failed", "skipped")
#: A stamp is trusted when the file last changed this long before the manifest was written
#: (ahead of any file system's timestamp granularity, ext4's ~4 ms to FAT's 2 s).
SETTLED_NS = 2_000_000_000
#: Stamps are kept where the ctime means "last changed" (on Windows it is the creation time).
STAMPS = os.name == "posix"
PACKAGE_DIR = Path(__file__).resolve().parents[1]  # the pmlib package
#: Libraries whose version changes what a report looks like (recorded, and fingerprinted).
KEY_PACKAGES = (
    "altair", "vl-convert-python", "great-tables", "pandas", "numpy",
    "papermill", "nbconvert", "nbclient", "ipykernel",
)  # fmt: skip

__all__ = [
    "Fingerprints",
    "code_fingerprint",
    "environment",
    "file_record",
    "fingerprint",
    "hash_inputs",
    "read_manifest",
    "render_index",
    "reports_by_name",
    "reusable",
    "reusable_entry",
]


def jsonable(value: Any) -> Any:
    """Parameters as plain JSON values (paths become text), so they hash and print stably."""
    return json.loads(json.dumps(value, default=str, sort_keys=True))


def _stamp(st: os.stat_result) -> list[int]:
    return [st.st_ino, st.st_mtime_ns, st.st_ctime_ns]


def file_record(path: Path, root: Path, kind: str) -> dict[str, Any]:
    """How the manifest lists one output file: relative POSIX path, kind, size and SHA-256,
    and its stamp (see the module docstring), taken before the hash: a change while hashing
    leaves a stamp that no longer matches."""
    st = path.stat()
    return {
        "path": path.relative_to(root).as_posix(),
        "kind": kind,
        "bytes": st.st_size,
        "sha256": sha256_file(path),
        **({"stamp": _stamp(st)} if STAMPS else {}),
    }


def display_path(path: Path) -> str:
    """A path relative to the current folder when it is inside it (manifests stay portable)."""
    return _shown(path.resolve(), Path.cwd().resolve())


def _shown(resolved: Path, here: Path) -> str:
    try:
        return resolved.relative_to(here).as_posix()
    except ValueError:
        return resolved.as_posix()


def hash_inputs(
    inputs: Iterable[Path], *, exclude: Path | None = None, cache: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """SHA-256 of every input file; folders are walked (hidden files and ``exclude`` skipped).

    ``cache`` (shown path -> record), shared by the calls of one run, hashes a file named by
    many reports' inputs once.
    """
    cache = {} if cache is None else cache
    skip = exclude.resolve() if exclude is not None else None
    here = Path.cwd().resolve()  # once: resolving a path is a system call per folder in it
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
            files[_shown(resolved, here)] = path
    records = []
    for name, path in sorted(files.items()):
        if name not in cache:
            cache[name] = {"path": name, "bytes": path.stat().st_size, "sha256": sha256_file(path)}
        records.append(cache[name])
    return records + tables


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


def _canonical(parts: Mapping[str, Any]) -> bytes:
    return json.dumps(jsonable(parts), sort_keys=True, separators=(",", ":")).encode("utf-8")


def fingerprint(**parts: Any) -> str:
    """SHA-256 of the canonical JSON of the given parts."""
    return hashlib.sha256(_canonical(parts)).hexdigest()


class Fingerprints:
    """Fingerprints of a batch's reports: the parts they all share (the batch's inputs, pmlib's
    code, the environment, the formats) serialised and hashed once, then each report's own
    parts added. A report's fingerprint changes with any of either."""

    def __init__(self, **common: Any) -> None:
        self._head = hashlib.sha256(_canonical(common))

    def of(self, **parts: Any) -> str:
        h = self._head.copy()
        h.update(b"\0")
        h.update(_canonical(parts))
        return h.hexdigest()


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


def manifest_written_ns(out_dir: Path) -> int | None:
    """When the folder's manifest was last written (its mtime), or None without one."""
    try:
        return (Path(out_dir) / MANIFEST_NAME).stat().st_mtime_ns
    except OSError:
        return None


def intact_files(
    entry: Mapping[str, Any], out_dir: Path, written_ns: int | None = None
) -> list[dict[str, Any]] | None:
    """The report's file records when every file recorded for it is still there with the
    recorded bytes, else None. ``written_ns``: when the manifest holding ``entry`` was written
    (:func:`manifest_written_ns`); without it every file is hashed. A file whose stamp proves
    it unchanged is not read; a stamp found stale on intact bytes is renewed in the records
    returned."""
    files = entry.get("files") or []
    settled = None if written_ns is None or not STAMPS else written_ns - SETTLED_NS
    records = []
    for rec in files:
        path = out_dir / rec["path"]
        try:
            st = path.stat()
            if st.st_size != rec["bytes"]:
                return None
            stamp = _stamp(st)
            if settled is not None and rec.get("stamp") == stamp and st.st_ctime_ns < settled:
                records.append(rec)  # unchanged since hashed, provably: not read
                continue
            if sha256_file(path) != rec["sha256"]:
                return None
        except (OSError, KeyError):
            return None
        records.append(rec if not STAMPS or rec.get("stamp") == stamp else {**rec, "stamp": stamp})
    return records or None


def reports_by_name(previous: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The previous manifest's entries by report name (the first, should a name repeat)."""
    found: dict[str, dict[str, Any]] = {}
    for entry in previous.get("reports", []):
        found.setdefault(entry.get("name"), entry)
    return found


def reusable(
    entry: Mapping[str, Any] | None, expected: str, out_dir: Path, written_ns: int | None = None
) -> dict[str, Any] | None:
    """A copy of a previous manifest ``entry`` if its outputs can be kept as they are: it
    succeeded, had the ``expected`` fingerprint, and its files are intact
    (:func:`intact_files`; ``written_ns`` as there)."""
    if entry is None:
        return None
    if entry.get("status") not in ("ok", "skipped") or entry.get("fingerprint") != expected:
        return None
    files = intact_files(entry, out_dir, written_ns)
    return None if files is None else {**entry, "files": files}


def reusable_entry(
    previous: Mapping[str, Any], name: str, expected: str, out_dir: Path
) -> dict[str, Any] | None:
    """The previous manifest entry for ``name`` if its outputs can be kept as they are."""
    return reusable(reports_by_name(previous).get(name), expected, out_dir)
