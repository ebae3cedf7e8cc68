"""A quarter's reports: parallel warm-kernel workers, skip-if-unchanged, manifest and index.

:func:`run_batch` decides in the parent, cheaply, which reports need rendering (see
:mod:`pmlib.batch.manifest`), then hands those to a pool of ``jobs`` worker processes. Each worker
starts one kernel on its first report and reuses it (reset between reports, restarted after a
failure). A worker writes its report's files itself, atomically, and returns their hashes; a
failing report is recorded with the cell and error and never stops the others. The parent
writes ``manifest.json`` and ``index.html`` last, also atomically, even after Ctrl-C.

Output formats are pluggable: each maps to ``"module:function"`` called in the worker as
``function(report, out_dir, name) -> list[Path]`` (see :func:`pmlib.batch.pool.write_html`), so
a PDF writer is one more entry in :data:`OUTPUT_FORMATS` (or :func:`register_output_format`),
with its own files and ``write_<format>`` timing in the manifest. The runner never writes into
its inputs and never leaves temporary files behind.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import logging
import os
import re
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from pmlib.batch import index_page
from pmlib.batch import manifest as mf
from pmlib.batch.pool import now, run_pool, warm_prestarted
from pmlib.batch.provenance import write_provenance
from pmlib.batch.schedule import schedule
from pmlib.batch.spec import (
    OUTPUT_FORMATS,
    BatchResult,
    ReportResult,
    ReportSpec,
    register_output_format,
)
from pmlib.core.errors import RenderError
from pmlib.core.files import sha256_file, write_text_atomic
from pmlib.render.html import chart_bundle_js, chart_bundle_path
from pmlib.render.kernel import DEFAULT_PRELOAD
from pmlib.render.notebook import DEFAULT_TIMEOUT

log = logging.getLogger(__name__)

#: Manifest entry keys in reading order (the most useful first).
_ENTRY_ORDER = (
    "name", "title", "status", "seconds", "error", "failure", "summary", "files", "timings",
    "warnings", "notebook", "parameters", "inputs", "fingerprint", "started", "finished",
)  # fmt: skip
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")

__all__ = [
    "OUTPUT_FORMATS",
    "BatchResult",
    "ReportResult",
    "ReportSpec",
    "register_output_format",
    "run_batch",
]


# --- parent process ---------------------------------------------------------------------------


@contextlib.contextmanager
def _locked(out_dir: Path) -> Iterator[None]:
    """One run per output folder at a time (POSIX advisory lock; no-op elsewhere)."""
    try:
        import fcntl  # lazy: POSIX only; on Windows the lock is a no-op
    except ImportError:
        yield
        return
    with open(out_dir / ".pmlib.lock", "a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RenderError(
                f"Another pmlib run is writing to {out_dir}. Fix: wait for it to finish."
            ) from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _check_specs(reports: Sequence[ReportSpec], formats: Sequence[str]) -> None:
    names = [r.name for r in reports]
    bad = [n for n in names if not _NAME.match(n)]
    dupes = sorted({n for n in names if names.count(n) > 1})
    unknown = [f for f in formats if f not in OUTPUT_FORMATS]
    missing = [str(r.notebook) for r in reports if not Path(r.notebook).is_file()]
    problems = [
        f"report names must be letters, digits, '-', '_' or '.': {bad}" if bad else "",
        f"report names must be unique: {dupes}" if dupes else "",
        f"unknown output format(s) {unknown}; known: {sorted(OUTPUT_FORMATS)}" if unknown else "",
        f"notebook(s) not found: {missing}" if missing else "",
    ]
    problems = [p for p in problems if p]
    if problems:
        raise RenderError("Cannot run the batch: " + "; ".join(problems) + ".")


def _remove_stale_temp(out_dir: Path) -> None:
    """Temporary files left by a run that was killed mid-write (ours: ``.<name>.<rand>.tmp``)."""
    for folder in (out_dir, out_dir / "notebooks", out_dir / "data"):
        for tmp in folder.glob(".*.tmp"):
            with contextlib.suppress(OSError):
                tmp.unlink()


def run_batch(
    reports: Sequence[ReportSpec],
    out_dir: Path,
    *,
    jobs: int | None = None,
    force: bool = False,
    inputs: Sequence[Path] = (),
    formats: Sequence[str] = ("html",),
    extra_manifest: dict[str, Any] | None = None,
    title: str = "Performance reports",
    timeout: int | None = None,
    cwd: Path | None = None,
    preload: Sequence[str] | None = None,
    progress: bool = True,
    scheduler: str | None = None,
    warm: tuple[str, dict[str, Any]] | None = None,
) -> BatchResult:
    """Render a set of reports into ``out_dir``, skipping those whose inputs have not changed.

    Parameters
    ----------
    reports
        What to render; ``name`` must be unique and file-safe.
    out_dir
        Receives ``<name>.html``, ``notebooks/<name>.ipynb``, ``data/<name>.csv`` (when the
        notebook publishes a ``scorecard_csv`` artifact), ``index.html``, ``manifest.json`` and
        ``provenance.json`` (:mod:`pmlib.batch.provenance`).
        Reports of earlier runs that are not in ``reports`` stay listed in the index.
    jobs
        Worker processes, each with its own kernel (default: the number of cores).
    force
        Render every report even if nothing changed.
    inputs
        Data and parameter files or folders every report reads: hashed into the manifest and
        the fingerprints, never written to. A report's own inputs (``ReportSpec.inputs``, e.g.
        its council's files in a batch of many councils) are added to these for it alone.
    formats
        Output formats, keys of :data:`OUTPUT_FORMATS`.
    extra_manifest
        Run-level facts for the manifest (e.g. quarter, council), stored under ``"run"``.
    title
        Heading of ``index.html``.
    timeout
        Seconds allowed per notebook cell (default 300).
    cwd
        The folder notebooks run in (default: the current folder).
    preload
        Modules each kernel imports once (default :data:`pmlib.render.kernel.DEFAULT_PRELOAD`).
    progress
        Show a progress bar on stderr.
    scheduler
        Render on a dask.distributed cluster instead of the local pool: a scheduler address,
        or ``local`` / ``local:N`` for a ``LocalCluster`` (see :mod:`pmlib.batch.cluster`).
    warm
        ``("module:function", kwargs)``: what the reports share, worked out once before the
        kernels of a pre-started local pool are forked, when any report is to be rendered
        (:func:`pmlib.batch.pool.warm_prestarted`).

    Returns
    -------
    BatchResult
        Per-report status; the caller chooses the exit code (see ``BatchResult.exit_code``).
    """
    t0 = time.perf_counter()
    started = now()
    version = mf.pmlib_version()
    formats = list(dict.fromkeys(formats))
    _check_specs(reports, formats)
    out_dir = Path(out_dir).resolve()
    for sub in ("notebooks", "data"):
        (out_dir / sub).mkdir(parents=True, exist_ok=True)
    with _locked(out_dir):
        _remove_stale_temp(out_dir)
        previous = mf.read_manifest(out_dir)
        written_ns = mf.manifest_written_ns(out_dir) if previous else None
        earlier = mf.reports_by_name(previous)
        hashed: dict[str, Any] = {}  # every input file hashed once, whoever names it
        input_records = mf.hash_inputs(inputs, exclude=out_dir, cache=hashed)
        own_inputs = _own_inputs(reports, input_records, out_dir, hashed)
        env = mf.environment()
        prints = mf.Fingerprints(
            inputs=[[r["path"], r["sha256"]] for r in input_records],
            code=mf.code_fingerprint(),
            pmlib=version,
            environment=env,
            formats=formats,
        )
        notebooks: dict[Path, tuple[str, str]] = {}  # resolved path -> (shown path, sha256)
        entries: dict[str, dict[str, Any]] = {}
        todo: list[ReportSpec] = []
        for spec in reports:
            notebook = Path(spec.notebook).resolve()
            if notebook not in notebooks:
                notebooks[notebook] = (mf.display_path(notebook), sha256_file(notebook))
            nb_path, nb_sha = notebooks[notebook]
            params = mf.jsonable(spec.parameters)
            own = own_inputs.get(spec.name)
            print_ = prints.of(
                parameters=params, title=spec.title, notebook=nb_sha,
                **({"own_inputs": [[r["path"], r["sha256"]] for r in own]} if own else {}),
            )  # fmt: skip
            entries[spec.name] = {
                "name": spec.name,
                "title": spec.title,
                "notebook": {"path": nb_path, "sha256": nb_sha},
                "parameters": params,
                "fingerprint": print_,
            }
            reuse = (
                None if force else mf.reusable(earlier.get(spec.name), print_, out_dir, written_ns)
            )
            if reuse is not None:
                entries[spec.name] = {**reuse, "status": "skipped", "seconds": 0.0}
            if own is not None:  # what it read: the batch's inputs and its own
                entries[spec.name]["inputs"] = [r["path"] for r in input_records + own]
            if reuse is None:
                todo.append(dataclasses.replace(spec, notebook=notebook, parameters=params))
        every_input = _union(input_records, own_inputs.values()) if own_inputs else input_records
        n_jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo) or 1))
        done: dict[str, dict[str, Any]] = {}
        interrupted = False
        try:
            if todo:
                if not chart_bundle_path().exists():  # build once here, not in every worker
                    chart_bundle_js()
                heaviest_first = schedule(todo, n_jobs, _expected_length(previous, todo))
                # the index page's template compiled while the reports render, not after
                threading.Thread(target=index_page.warm_up, name="pmlib-index", daemon=True).start()
                if warm is not None and scheduler is None:
                    warm_prestarted(warm[0], **warm[1])
                execute: Any = run_pool
                if scheduler is not None:  # executor hook: the same reports on a dask cluster
                    from pmlib.batch.cluster import run_cluster

                    execute = functools.partial(
                        run_cluster, scheduler=scheduler, inputs=every_input
                    )
                used = execute(
                    heaviest_first, out_dir, {f: OUTPUT_FORMATS[f] for f in formats}, jobs=n_jobs,
                    timeout=timeout or DEFAULT_TIMEOUT, cwd=Path(cwd or Path.cwd()).resolve(),
                    preload=DEFAULT_PRELOAD if preload is None else preload, progress=progress,
                    done=done,
                )  # fmt: skip
                n_jobs = used if isinstance(used, int) else n_jobs  # a cluster's worker count
        except KeyboardInterrupt:
            interrupted = True
        finally:
            for name, outcome in done.items():
                entry = entries[name]
                entry.update(outcome)
                entry["title"] = entry.pop("display_title", None) or entry["title"]
                if entry["status"] != "ok":
                    entry["fingerprint"] = None  # never skip a failed report next time
            result = _finish(
                reports, entries, previous, out_dir, started=started, t0=t0, title=title,
                formats=formats, jobs=n_jobs, force=force, inputs=every_input, env=env,
                extra=extra_manifest, version=version, written_ns=written_ns,
            )  # fmt: skip
        if interrupted:
            raise KeyboardInterrupt
    return result


def _own_inputs(
    reports: Sequence[ReportSpec], common: list[dict[str, Any]], out_dir: Path,
    hashed: dict[str, Any],
) -> dict[str, list[dict[str, Any]]]:  # fmt: skip
    """Each report naming inputs of its own -> the records of those not among the batch's
    ``common`` ones (reports naming the same inputs share one list, hashed once)."""
    shared = {r["path"] for r in common}
    by_inputs: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    found = {}
    for spec in reports:
        if not spec.inputs:
            continue
        key = tuple(spec.inputs)
        if key not in by_inputs:
            records = mf.hash_inputs(key, exclude=out_dir, cache=hashed)
            by_inputs[key] = [r for r in records if r["path"] not in shared]
        found[spec.name] = by_inputs[key]
    return found


def _union(
    common: list[dict[str, Any]], own: Iterable[list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    """Every input record of the batch, once each (the manifest's ``inputs``): the batch's
    own first, as given, then the reports' in order of first appearance."""
    every = {r["path"]: r for r in common}
    seen: set[int] = set()
    for records in own:
        if id(records) in seen:  # reports sharing one list (one council's reports)
            continue
        seen.add(id(records))
        for r in records:
            every.setdefault(r["path"], r)
    return list(every.values())


def _expected_length(previous: dict[str, Any], todo: Sequence[ReportSpec]) -> Any:
    """A report's expected length, for :func:`pmlib.batch.schedule.schedule` (longest first, so
    that the last ones to start are short and the workers finish together; reports reusing
    others' charts after them).

    A report's length is its seconds in the previous run into this folder when every report
    to render has one (measured beats guessed); else its ``weight`` (the pack's number of
    indicators). Mixing the two would compare seconds with counts.
    """
    seconds = {
        e.get("name"): float(e["seconds"])
        for e in previous.get("reports", [])
        if e.get("status") == "ok" and isinstance(e.get("seconds"), (int, float)) and e["seconds"]
    }
    if all(spec.name in seconds for spec in todo):
        return lambda spec: seconds[spec.name]
    return lambda spec: spec.weight


def _remove_superseded(
    entries: list[dict[str, Any]], previous: dict[str, Any], out_dir: Path
) -> None:
    """Delete files an earlier run wrote for a report that this run re-rendered without them
    (``report.pdf`` after ``--format html,pdf`` then ``--format html``), so the folder holds
    only what the manifest lists. Only files recorded by the earlier manifest and still
    byte-identical to what it recorded are removed: nothing a person has edited or added."""
    before = {e.get("name"): e for e in previous.get("reports", [])}
    for entry in entries:
        old = before.get(entry["name"])
        if entry.get("status") != "ok" or not old:
            continue
        kept = {f["path"] for f in entry.get("files", [])}
        for record in old.get("files", []):
            path = out_dir / record.get("path", "")
            if record.get("path") in kept or not path.is_file():
                continue
            if record.get("sha256") and sha256_file(path) == record["sha256"]:
                path.unlink()


def _finish(
    reports: Sequence[ReportSpec], entries: dict[str, dict[str, Any]], previous: dict[str, Any],
    out_dir: Path, *, started: str, t0: float, title: str, formats: list[str], jobs: int,
    force: bool, inputs: list[dict[str, Any]], env: dict[str, Any], extra: dict[str, Any] | None,
    version: str, written_ns: int | None = None,
) -> BatchResult:  # fmt: skip
    """Write manifest.json then index.html (atomically) and build the result."""
    ordered = []
    for spec in reports:
        entry = entries[spec.name]
        entry.setdefault("status", "failed")
        entry.setdefault("error", "run interrupted before this report started")
        entry.setdefault("files", [])
        first = {k: entry[k] for k in _ENTRY_ORDER if k in entry}
        ordered.append(first | {k: v for k, v in entry.items() if k not in first})
    _remove_superseded(ordered, previous, out_dir)
    requested = {r.name for r in reports}
    for old in previous.get("reports", []):  # earlier reports not asked for this time
        if old.get("name") in requested:
            continue
        files = mf.intact_files(old, out_dir, written_ns)
        if files is not None:
            ordered.append({**old, "files": files, "carried_over": True})
    counts = {s: sum(e["status"] == s for e in ordered[: len(reports)]) for s in mf.STATUSES}
    manifest = {
        "manifest_version": mf.MANIFEST_VERSION,
        "pmlib_version": version,
        "title": title,
        "started": started,
        "finished": now(),
        "seconds": round(time.perf_counter() - t0, 3),
        "formats": formats,
        "jobs": jobs,
        "force": force,
        "run": mf.jsonable(extra or {}),
        "environment": env,
        "inputs": inputs,
        "counts": counts,
        "reports": ordered,
    }
    manifest_path = out_dir / mf.MANIFEST_NAME
    write_text_atomic(manifest_path, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    write_provenance(out_dir, manifest)  # the auditor's record, beside the manifest
    index_path = out_dir / "index.html"
    write_text_atomic(index_path, mf.render_index(manifest, title=title))
    results = [
        ReportResult(e["name"], e["status"], float(e.get("seconds") or 0.0), e.get("error"), e)
        for e in ordered[: len(reports)]
    ]
    return BatchResult(out_dir, results, manifest["seconds"], manifest_path, index_path)
