"""Report batches on a dask.distributed cluster: ``pmlib run --scheduler ADDRESS|local[:N]``.

The local pool (:mod:`pmlib.batch.pool`) stays the default; this is the same batch spread over
the workers of a cluster, for packs that outgrow one machine's cores. :func:`run_cluster` takes
the place of :func:`pmlib.batch.pool.run_pool` in :func:`pmlib.batch.runner.run_batch`, which
still decides what to render (skip-if-unchanged) and writes ``manifest.json`` and the index, so
both executors produce the same folder.

How a report travels:

1. The client submits one task per report, heaviest first. A worker lost mid-run has its
   reports rescheduled on the others by the scheduler (up to dask's
   ``distributed.scheduler.allowed-failures``, 3 by default, before a report is given up as
   failed). A report that fails in its notebook is *not* retried: it would fail again.
2. Each worker holds one warm kernel in :class:`WarmKernel`, a ``WorkerPlugin`` registered on
   the cluster (so workers that join or restart later get it too). The plugin owns one thread
   that runs every report of that worker: the kernel is only ever touched from that thread, and
   a worker started with several threads still renders one report at a time (start workers with
   ``--nthreads 1``, one worker per core).
3. The worker renders through the local pool's own task (:func:`pmlib.batch.pool.render_report`)
   into a private temporary folder, so the files are the local pool's byte for byte; it sends
   them back as bytes with the manifest entry and removes the folder.
4. The client writes each file into the output folder atomically (:mod:`pmlib.core.files`).
   Workers need no shared filesystem for outputs.

Inputs are *read* by the workers where the client sees them: the data folder, parameters and
notebooks must be readable at the same absolute path on every worker (a read-only network mount,
or the same folder synced to each machine). Reports record those paths (the notebook's
parameters, papermill's metadata), so rendering them from copies elsewhere would change the
reports. Before each report a worker checks that every input file and the notebook has the
SHA-256 the client hashed, and that its pmlib code and key library versions are the client's;
any difference fails that report with a message saying what to fix, instead of rendering from
stale data or other code. ``docs/scaling.md`` says how to set a cluster up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from dask.distributed import WorkerPlugin

from pmlib.batch import manifest as mf
from pmlib.batch import pool
from pmlib.batch.address import parse_scheduler  # re-exported: checked before any import of dask
from pmlib.core.errors import RenderError
from pmlib.core.files import sha256_file, write_bytes_atomic

if TYPE_CHECKING:
    from pmlib.batch.spec import ReportSpec

log = logging.getLogger(__name__)

PLUGIN_NAME = "pmlib-warm-kernel"
#: Seconds to wait for a scheduler to answer, and then for its first worker.
CONNECT_TIMEOUT = 30

__all__ = ["PLUGIN_NAME", "WarmKernel", "connect", "parse_scheduler", "run_cluster"]


# --- choosing and reaching the cluster --------------------------------------------------------


@contextlib.contextmanager
def connect(scheduler: str, *, workers: int | None = None) -> Iterator[Any]:
    """A ``dask.distributed.Client`` for ``scheduler``, closed on exit.

    ``local`` / ``local:N`` starts a ``LocalCluster`` on the loopback interface (N worker
    processes with one thread each; N defaults to ``workers``, else the number of cores) and
    stops it on exit. Any other text is the address of a running scheduler; its workers are left
    running.
    """
    from dask.distributed import Client, LocalCluster

    address, n = parse_scheduler(scheduler)
    if address is None:
        with _quiet():
            cluster = LocalCluster(
                n_workers=n or workers or os.cpu_count() or 1,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",  # loopback only: nothing listens on the network
                dashboard_address=":0",  # no dashboard; its HTTP server on a free port
                scheduler_kwargs={"dashboard": False},
                silence_logs=logging.ERROR,
            )
            try:
                with Client(cluster) as client:
                    yield client
            finally:
                cluster.close()
        return
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as exc:
        raise RenderError(
            f"Cannot reach the dask scheduler at {address} ({exc}). Fix: start one with "
            "`dask scheduler` and point workers at it (docs/scaling.md), check the address and "
            "any TLS settings, or use --scheduler local:N to run on this machine."
        ) from None
    try:
        try:
            client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
        except TimeoutError:
            raise RenderError(
                f"The dask scheduler at {address} has no workers. Fix: start some with "
                f"`dask worker {address} --nthreads 1` on each worker machine (docs/scaling.md)."
            ) from None
        yield client
    finally:
        client.close()


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Keep an in-process scheduler's chatter (workers joining and leaving, event-loop
    warnings on a busy machine) off the terminal unless pmlib runs with ``--verbose``."""
    logger = logging.getLogger("distributed")
    before = logger.level
    if logging.getLogger().getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(before)


# --- worker side ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    """What the client rendered against, for workers to check before each report."""

    code: str  # pmlib.batch.manifest.code_fingerprint()
    packages: dict[str, str | None]  # KEY_PACKAGES versions
    files: tuple[tuple[str, str], ...]  # (absolute path, sha256) of inputs and the notebook


class WarmKernel(WorkerPlugin):
    """Worker plugin: one warm report kernel per worker, used from one thread, reused across
    tasks and batches (restarted only when a batch needs another folder or preload list).

    ``idempotent``: registering it again (every ``pmlib run``) keeps the workers' kernels warm.
    """

    name = PLUGIN_NAME
    idempotent = True

    def setup(self, worker: Any) -> None:
        self.address = worker.address
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pmlib-kernel")
        self._settings: tuple[str, tuple[str, ...]] | None = None
        self._checked: dict[tuple[str, int, int], str] = {}  # (path, size, mtime) -> sha256
        self._own: tuple[str, dict[str, str | None]] | None = None

    async def teardown(self, worker: Any) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wrap_future(self._thread.submit(pool.stop_worker))
        self._thread.shutdown(wait=False)

    def render(
        self, spec: ReportSpec, formats: dict[str, str], timeout: int, cwd: str,
        preload: tuple[str, ...], expected: Expected,
    ) -> dict[str, Any]:  # fmt: skip
        """Render one report on this worker's kernel thread; see :meth:`_render`."""
        return self._thread.submit(
            self._render, spec, formats, timeout, cwd, preload, expected
        ).result()

    def _render(
        self, spec: ReportSpec, formats: dict[str, str], timeout: int, cwd: str,
        preload: tuple[str, ...], expected: Expected,
    ) -> dict[str, Any]:  # fmt: skip
        problem = self._mismatch(expected)
        if problem:
            entry = {"status": "failed", "error": problem, "files": [], "started": pool.now()}
            return {"entry": entry | {"finished": pool.now(), "seconds": 0.0}, "files": {}}
        if self._settings != (cwd, preload):
            pool.stop_worker()  # another batch's folder or preload list: a fresh kernel
            pool.start_worker(Path(cwd), preload)
            self._settings = (cwd, preload)
        scratch = Path(tempfile.mkdtemp(prefix="pmlib-cluster-"))
        try:
            entry = pool.render_report(spec, scratch, formats, timeout)
            files = {
                rec["path"]: (scratch / rec["path"]).read_bytes() for rec in entry.get("files", [])
            }
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        return {"entry": {**entry, "worker": self.address}, "files": files}

    def _mismatch(self, expected: Expected) -> str | None:
        """Why this worker cannot render what the client asked for, or None."""
        if self._own is None:
            self._own = (mf.code_fingerprint(), mf.environment()["packages"])
        code, packages = self._own
        fix = "Fix: install the same pmlib and libraries on every worker (docs/scaling.md)."
        if code != expected.code:
            return f"worker {self.address} runs different pmlib code from the client. {fix}"
        differ = sorted(k for k in expected.packages if packages.get(k) != expected.packages[k])
        if differ:
            shown = ", ".join(
                f"{k} {packages.get(k)} (client {expected.packages[k]})" for k in differ
            )
            return f"worker {self.address} has other library versions: {shown}. {fix}"
        for path, sha in expected.files:
            found = self._sha256(path)
            if found != sha:
                why = "cannot read" if found is None else "sees a different copy of"
                return (
                    f"worker {self.address} {why} {path}. Fix: make the data folder, parameters "
                    "and notebooks readable at the same path on every worker, with the same "
                    "contents (docs/scaling.md)."
                )
        return None

    def _sha256(self, path: str) -> str | None:
        try:
            st = os.stat(path)
            key = (path, st.st_size, st.st_mtime_ns)
            if key not in self._checked:
                self._checked[key] = sha256_file(path)
            return self._checked[key]
        except OSError:
            return None


def render_task(
    spec: ReportSpec, formats: dict[str, str], timeout: int, cwd: str,
    preload: tuple[str, ...], expected: Expected,
) -> dict[str, Any]:  # fmt: skip
    """The task the client submits: hand the report to this worker's :class:`WarmKernel`."""
    from dask.distributed import get_worker

    worker = get_worker()
    plugin = worker.plugins.get(PLUGIN_NAME)
    if plugin is None:  # registered before the worker started but not set up: do it now
        plugin = WarmKernel()
        plugin.setup(worker)
        worker.plugins[PLUGIN_NAME] = plugin
    return plugin.render(spec, formats, timeout, cwd, preload, expected)


# --- client side ------------------------------------------------------------------------------


def _expected(todo: Sequence[ReportSpec], inputs: Sequence[dict[str, Any]]) -> Expected:
    """Absolute paths and hashes of the files the reports read (the manifest's input records are
    relative to the current folder where they can be), plus the notebooks. A database table's
    record (``"actuals in postgresql+psycopg://..."``) is not a file: each worker reads the
    database itself."""
    here = Path.cwd()
    files = {
        str((here / rec["path"]).resolve()): rec["sha256"]
        for rec in inputs
        if "://" not in rec["path"]
    }
    for spec in todo:
        nb = str(Path(spec.notebook).resolve())
        files.setdefault(nb, sha256_file(nb))
    return Expected(mf.code_fingerprint(), mf.environment()["packages"], tuple(files.items()))


def _write(result: dict[str, Any], out_dir: Path, name: str) -> dict[str, Any]:
    """Write a report's files (atomically) where the local pool would have, and return its
    manifest entry with the records taken from the written files."""
    entry = dict(result["entry"])
    records = []
    for rec in entry.get("files", []):
        rel = PurePosixPath(rec["path"])
        if rel.is_absolute() or ".." in rel.parts:
            raise RenderError(f"A worker sent a file outside the output folder: {rel}.")
        path = out_dir.joinpath(*rel.parts)
        write_bytes_atomic(path, result["files"][rec["path"]])
        records.append(mf.file_record(path, out_dir, rec["kind"]))
    entry["files"] = records
    if entry.get("status") == "ok":  # as the pool does: a good report clears an old failure
        (out_dir / "notebooks" / f"{name}.failed.ipynb").unlink(missing_ok=True)
    return entry


def _lost(exc: BaseException) -> str:
    from dask.distributed import KilledWorker

    if isinstance(exc, KilledWorker):
        return (
            f"the workers rendering it stopped unexpectedly, too often to try again ({exc!r}). "
            "Fix: check the workers' logs and memory (a report may be too large for one)."
        )
    return f"the worker process stopped unexpectedly ({exc!r})."


def run_cluster(
    todo: list[ReportSpec], out_dir: Path, formats: dict[str, str], *, jobs: int, timeout: int,
    cwd: Path, preload: Sequence[str], progress: bool, done: dict[str, dict[str, Any]],
    scheduler: str, inputs: Sequence[dict[str, Any]] = (),
) -> int:  # fmt: skip
    """Render ``todo`` on a dask cluster, filling ``done`` (name -> manifest entry) as reports
    come back: the same contract as :func:`pmlib.batch.pool.run_pool`, plus ``scheduler``
    (see :func:`connect`; ``jobs`` is the worker count of ``local``) and ``inputs`` (the
    manifest's input records, checked by each worker before it renders). Returns the number of
    workers the batch started on (the manifest's ``jobs``)."""
    from dask.distributed import as_completed
    from tqdm import tqdm

    expected = _expected(todo, inputs)
    batch = uuid.uuid4().hex[:8]
    with connect(scheduler, workers=jobs) as client:
        client.register_plugin(WarmKernel())
        workers = len(client.nthreads())
        # once to each worker, not pickled into every task: the input list of a national
        # batch (every council's files) is hundreds of KB, and a batch has thousands of tasks
        shared = client.scatter(expected, broadcast=True, hash=False)
        bar = tqdm(total=len(todo), desc="Rendering", unit="report", disable=not progress)
        futures = {
            client.submit(
                render_task, spec, formats, timeout, str(cwd), tuple(preload), shared,
                key=f"pmlib-{spec.name}-{batch}", priority=len(todo) - i, pure=False,
            ): spec
            for i, spec in enumerate(todo)
        }  # fmt: skip
        try:
            for future in as_completed(futures):
                spec = futures[future]
                try:
                    result = future.result()
                except Exception as exc:  # the worker (or the connection to it) was lost
                    done[spec.name] = {"status": "failed", "error": _lost(exc)}
                else:
                    try:
                        done[spec.name] = _write(result, out_dir, spec.name)
                    except (RenderError, OSError) as exc:
                        done[spec.name] = {"status": "failed", "error": f"not written: {exc}"}
                future.release()
                failed = sum(e.get("status") == "failed" for e in done.values())
                bar.set_postfix_str(f"{spec.name}, failed={failed}", refresh=False)
                bar.update(1)
        finally:  # on Ctrl-C: drop what has not come back, keep what was written
            with contextlib.suppress(Exception):
                client.cancel([f for f, s in futures.items() if s.name not in done])
            bar.close()
            for spec in futures.values():
                done.setdefault(spec.name, {"status": "failed", "error": "run interrupted"})
    return workers
