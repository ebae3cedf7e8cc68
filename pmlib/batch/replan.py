"""A re-run's plan from the last run's record, when nothing it was made from has changed.

Why: :func:`pmlib.batch.pack.plan_pack` validates the whole dataset before anything renders
(pandas, pandera and every cross-table rule: ~1.5 s for the demo council, most of a re-run in
which every report is then skipped). A plan is a pure function of the command's options, the
files it read and pmlib's code, so after a successful plan its result is recorded with a
fingerprint of all of those; the next identical command whose files and code are unchanged
reuses it and goes straight to the batch, whose own skip check (:mod:`pmlib.batch.manifest`)
then decides report by report exactly as before. Nothing here imports pandas.

What the fingerprint covers, so a reused plan is the plan ``plan_pack`` would make again:

* the options (period, cycle, committees, status, sign-off, folders, formats) and the folder
  the command runs in (relative paths and the notebook search start there);
* every file directly in the data folder, the parameters folder and the benchmark folder
  (names, sizes and SHA-256: a new optional table or a new benchmark file is a change), the
  report notebook and the notebooks a search would find first;
* the date (validation reads it, as ``read_dataset``'s cache key does);
* pmlib's source (:func:`pmlib.batch.manifest.code_fingerprint`) and the versions of the
  libraries that validate and draw (``environment``, plus pandera).

The record lives in pmlib's cache folder (``$PMLIB_CACHE_DIR`` or ``~/.cache/pmlib``, beside the
chart bundle), never in the outputs. Any doubt (a missing or unreadable record, a changed file)
means "plan again", which is always safe. A plan whose data came from a database (a URL rather
than a folder) is never recorded: its tables can change with no file changing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import re
from dataclasses import asdict, fields
from importlib import metadata
from pathlib import Path
from typing import Any

from pmlib.batch import manifest as mf
from pmlib.batch.pack import NOTEBOOK, PackPlan
from pmlib.core.cache import cache_dir
from pmlib.core.files import sha256_file, write_text_atomic

log = logging.getLogger(__name__)

RECORD_VERSION = 1
#: A URL scheme, also once a path has folded its "//" ("duckdb:///x" as a Path is "duckdb:/x")
_URL = re.compile(r"(?:^|[/\\])[A-Za-z][A-Za-z0-9+.-]+:/")
#: Records kept (the newest); one per distinct command and folder, so a handful in practice.
KEEP = 64

__all__ = ["load_plan", "plan_key", "save_plan"]


def plan_key(options: dict[str, Any]) -> str:
    """The record's name for one command: its options and the folder it runs in."""
    return mf.fingerprint(options=options, cwd=str(Path.cwd().resolve()))


def _record_path(key: str) -> Path:
    return cache_dir() / "plans" / f"{key}.json"


def _watched(plan: PackPlan, benchmark_dir: Path | None) -> list[Path]:
    """The files whose change could change the plan (see the module docstring)."""
    folders = [plan.data_dir, plan.params_dir, *([benchmark_dir] if benchmark_dir else [])]
    files = {Path(p) for p in plan.inputs} | {plan.notebook}
    for folder in folders:
        with contextlib.suppress(OSError):
            files |= {p for p in Path(folder).iterdir() if p.is_file()}
    # notebooks a search would find before the one used (pack.find_notebook's order)
    for folder in (Path.cwd() / "notebooks", plan.params_dir.parent / "notebooks"):
        files.add((folder / NOTEBOOK).resolve())
    return sorted(files)


def _state(plan: PackPlan, benchmark_dir: Path | None) -> dict[str, Any]:
    """What the plan was made from: watched files (missing ones as None), folders, code."""
    seen = {}
    for path in _watched(plan, benchmark_dir):
        try:
            seen[str(path)] = [path.stat().st_size, sha256_file(path)]
        except OSError:
            seen[str(path)] = None
    folders = [plan.data_dir, plan.params_dir, *([benchmark_dir] if benchmark_dir else [])]
    listing = {}
    for folder in folders:
        try:
            listing[str(folder)] = sorted(p.name for p in Path(folder).iterdir())
        except OSError:
            listing[str(folder)] = None
    try:
        pandera = metadata.version("pandera")
    except metadata.PackageNotFoundError:
        pandera = None
    return {
        "today": dt.date.today().isoformat(),  # validation reads the date (read_dataset's key)
        "files": seen,
        "folders": listing,
        "code": mf.code_fingerprint(),
        "environment": mf.environment(),
        "pandera": pandera,
    }


def save_plan(key: str, plan: PackPlan) -> None:
    """Record ``plan`` for the next identical command (best effort: a cache, never required)."""
    from pmlib.config.settings import read_settings  # the plan was just made: already loaded

    council = read_settings(plan.params_dir).council
    if not _folder_source(plan, council.data_dir):
        return  # a database's tables change without any file changing: always plan
    benchmark_dir = council.benchmark_dir
    plan_fields = json.loads(json.dumps(asdict(plan), default=str))  # Paths as text
    record = {
        "version": RECORD_VERSION,
        "plan": plan_fields,
        "benchmark_dir": str(benchmark_dir) if benchmark_dir else None,
        "state": _state(plan, benchmark_dir),
    }
    try:
        write_text_atomic(_record_path(key), json.dumps(record, ensure_ascii=False) + "\n")
        _prune(_record_path(key).parent)
    except OSError as exc:  # a read-only home: plan every time, as before
        log.info("Could not record the plan for a quick re-run (%s).", exc)


def _prune(folder: Path) -> None:
    """Keep the newest :data:`KEEP` records (commands not repeated for a while fall out)."""
    records = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in records[KEEP:]:
        with contextlib.suppress(OSError):
            old.unlink()


def _folder_source(plan: PackPlan, configured: object) -> bool:
    """True when the data was read from a folder of files (not a database URL)."""
    texts = [str(plan.data_dir), str(configured or "")]
    return Path(plan.data_dir).is_dir() and not any(_URL.search(t) for t in texts)


def _restore(kind: str, value: Any) -> Any:
    """A field read back from JSON as its declared type (annotations are text here)."""
    if value is None:
        return None
    if kind.startswith("Path"):
        return Path(value)
    if kind.startswith("tuple[Path"):
        return tuple(Path(v) for v in value)
    if kind.startswith("tuple[tuple"):
        return tuple(tuple(v) for v in value)
    if kind.startswith("tuple"):
        return tuple(value)
    if kind.startswith("dict[str, tuple"):
        return {k: tuple(v) for k, v in value.items()}
    return value


def _as_plan(data: dict[str, Any]) -> PackPlan:
    return PackPlan(**{f.name: _restore(str(f.type), data[f.name]) for f in fields(PackPlan)})


def load_plan(key: str) -> PackPlan | None:
    """The recorded plan for this command if nothing it was made from has changed, else None."""
    try:
        record = json.loads(_record_path(key).read_text(encoding="utf-8"))
        if record.get("version") != RECORD_VERSION:
            return None
        plan = _as_plan(record["plan"])
        bench = Path(record["benchmark_dir"]) if record.get("benchmark_dir") else None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if _state(plan, bench) != record["state"]:
        return None
    return plan
