"""``provenance.json``: what produced each report of a run, for an auditor, never for the public.

A report used to end with a table of SHA-256 hashes, raw parameters and the git commit. That
record matters (it lets anyone check that a published file came from given inputs, and
reproduce it), but it is no reading for a councillor and holds server paths and versions that do
not belong on a council website. So the report's footer now says only who made it and when
(:mod:`pmlib.reports.provenance`), and the batch writes the full record here, beside
``manifest.json`` in the internal output folder. ``pmlib publish`` adds what it copied to the
public site (``publication``), so any published file can be traced by its hash to the run, the
inputs and the parameters that made it.

Per report: its parameters, the notebook's hash, the inputs it read (data tables, parameter
files, benchmark files), the hashes of every file it wrote, when it was rendered and how long
each step took; for the run: pmlib's version and git commit, Python and the key libraries'
versions.

Format 2 records each input once: ``inputs`` at the top maps a key (the input's path, as the
manifest shows it) to ``{"path", "bytes", "sha256"}``, and each report's ``inputs`` lists the
keys of those it read. (Format 1 repeated the batch's input records under every report: for a
national batch, 1,600 reports x 5,120 inputs, that was 1.8 GB.) An input carried over from an
earlier run with other contents than today's file of the same path is keyed
``<path>@<first 12 digits of its SHA-256>``. :func:`report_inputs` gives a report's input
records from a file of either format, so a folder whose earlier runs wrote format 1 still reads.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pmlib.core.files import write_text_atomic
from pmlib.core.version import git_commit

PROVENANCE_NAME = "provenance.json"
PROVENANCE_VERSION = 2
#: What the file is, said in the file itself (it is read by people who did not write it).
ABOUT = (
    "What produced each report in this folder: its parameters, the SHA-256 of every input and "
    "output file, the versions of pmlib and the libraries that drew it, and timings. Internal: "
    "it holds server paths; `pmlib publish` never copies it to the public site."
)

__all__ = [
    "PROVENANCE_NAME",
    "add_publication",
    "provenance_record",
    "read_provenance",
    "report_inputs",
    "write_provenance",
]


def read_provenance(out_dir: Path) -> dict[str, Any]:
    """The folder's ``provenance.json``, or an empty record when missing or unreadable."""
    try:
        data = json.loads((Path(out_dir) / PROVENANCE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def report_inputs(record: Mapping[str, Any], report: Mapping[str, Any]) -> list[dict] | None:
    """The input records (``path``, ``bytes``, ``sha256``) a report of a provenance ``record``
    read, whichever format the record has; ``None`` when none were recorded for it."""
    listed = report.get("inputs")
    if listed is None:
        return None
    table = record.get("inputs")
    if isinstance(table, dict):  # format 2: keys into the record's inputs
        return [table[key] for key in listed if isinstance(key, str) and key in table]
    return [i for i in listed if isinstance(i, dict)]  # format 1: the records themselves


class _Inputs:
    """The record's input table: each distinct input once, keyed by its path."""

    def __init__(self) -> None:
        self.table: dict[str, dict[str, Any]] = {}

    def key(self, rec: Mapping[str, Any]) -> str:
        clean = {k: rec.get(k) for k in ("path", "bytes", "sha256")}
        key = str(clean["path"])
        if self.table.setdefault(key, clean) != clean:  # the same path, other contents
            key = f"{key}@{str(clean['sha256'])[:12]}"
            self.table.setdefault(key, clean)
        return key


def _report_record(entry: Mapping[str, Any], inputs: list[str] | None) -> dict[str, Any]:
    outputs = [
        {k: f.get(k) for k in ("path", "kind", "bytes", "sha256")} for f in entry.get("files") or []
    ]
    return {
        "name": entry.get("name"),
        "title": entry.get("title"),
        "status": entry.get("status"),
        "rendered": entry.get("finished"),
        "parameters": entry.get("parameters"),
        "notebook": entry.get("notebook"),
        "inputs": inputs,
        "outputs": outputs,
        "seconds": entry.get("seconds"),
        "timings": entry.get("timings") or {},
    }


def provenance_record(
    manifest: Mapping[str, Any], previous: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The provenance record of a run, from its manifest.

    A report rendered or skipped in this run read this run's inputs (skipping needs the same
    input hashes): those its manifest entry lists (``inputs``: paths), or else all of the
    manifest's. A report carried over from an earlier run keeps the inputs recorded for it
    then (``previous``: the folder's earlier ``provenance.json``, either format), or ``None``
    when no record of them survives.
    """
    table = _Inputs()
    run_inputs = manifest.get("inputs") or []
    every = [table.key(i) for i in run_inputs]  # this run's, first: keyed by their paths
    by_path = {str(i.get("path")): key for i, key in zip(run_inputs, every, strict=True)}
    previous = previous or {}
    earlier = {r.get("name"): r for r in previous.get("reports", [])}
    reports = []
    for entry in manifest.get("reports", []):
        keys: list[str] | None
        if entry.get("carried_over"):
            old = report_inputs(previous, earlier.get(entry.get("name")) or {})
            keys = None if old is None else [table.key(i) for i in old]
        elif entry.get("inputs") is not None:
            keys = [by_path[p] for p in entry["inputs"] if p in by_path]
        else:
            keys = every  # one list for all: json writes it per report, but builds it once
        reports.append(_report_record(entry, keys))
    env = manifest.get("environment") or {}
    return {
        "provenance_version": PROVENANCE_VERSION,
        "about": ABOUT,
        "run": {
            **dict(manifest.get("run") or {}),
            "started": manifest.get("started"),
            "finished": manifest.get("finished"),
            "seconds": manifest.get("seconds"),
            "formats": manifest.get("formats"),
        },
        "pmlib_version": manifest.get("pmlib_version"),
        "git_commit": git_commit(),
        "python": env.get("python"),
        "packages": env.get("packages") or {},
        "inputs": table.table,
        "reports": reports,
        # kept from an earlier `pmlib publish` until the next one replaces it
        **({"publication": previous["publication"]} if "publication" in previous else {}),
    }


def write_provenance(out_dir: Path, manifest: Mapping[str, Any]) -> Path:
    """Write ``provenance.json`` (atomically) for the run ``manifest`` describes."""
    out_dir = Path(out_dir)
    record = provenance_record(manifest, read_provenance(out_dir))
    path = out_dir / PROVENANCE_NAME
    write_text_atomic(path, json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    return path


def add_publication(out_dir: Path, publication: Mapping[str, Any]) -> Path:
    """Record in ``provenance.json`` what ``pmlib publish`` wrote to the site (its folder and
    every file's SHA-256, each copied file with the run output it came from)."""
    out_dir = Path(out_dir)
    record = read_provenance(out_dir)
    record["publication"] = dict(publication)
    path = out_dir / PROVENANCE_NAME
    write_text_atomic(path, json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    return path
