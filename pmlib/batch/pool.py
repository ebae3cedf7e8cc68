"""The worker processes of a batch run: one warm kernel each, files written atomically.

:func:`run_pool` starts ``jobs`` processes (:class:`~concurrent.futures.ProcessPoolExecutor`;
on Linux forked from a fork server that has imported and warmed up what a worker needs,
:func:`_worker_context`, elsewhere spawned) and feeds them reports; the parent shows a
progress bar. A worker starts its kernel on its first report (or as soon as it starts, in a pool
started ahead by :func:`prestart_pool` while the parent still plans) and warms itself up while
the kernel imports its libraries; it reuses the kernel, reset, for every later report, and
replaces it after any failure. Each report runs through papermill with the ``pmlib`` engine in
that kernel (:func:`pmlib.render.notebook.run_report`). A worker writes a report's files itself
and returns its manifest entry (plain JSON values); report errors never escape a task. In a
pre-started pool of two workers or more, the kernels are forked from one process that imported
the report modules once (:mod:`pmlib.render.zygote`, Linux). A pool's worker ends without the
interpreter's teardown once its kernel is stopped (the parent waits for it).

Workers are never forked from the parent itself (which may have threads): spawned, or forked
from the single-threaded fork server. Either way a script calling
:func:`pmlib.batch.runner.run_batch` needs the ``if __name__ == "__main__":`` guard, as with any
``multiprocessing`` code.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
import multiprocessing
import multiprocessing.util
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pmlib.batch import manifest as mf
from pmlib.core.errors import RenderError
from pmlib.core.files import write_bytes_atomic, write_text_atomic

if TYPE_CHECKING:
    from pmlib.batch.runner import ReportSpec

log = logging.getLogger(__name__)

__all__ = [
    "WARM_WAIT",
    "prestart_pool",
    "render_report",
    "run_pool",
    "start_worker",
    "stop_worker",
    "warm_prestarted",
    "write_html",
]


def now() -> str:
    """Local time with its UTC offset, to the second (manifest timestamps)."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


_WORKER: dict[str, Any] = {}


def _init_worker(
    cwd: str, preload: tuple[str, ...], log_level: int, eager: bool = False,
    quick_exit: bool = False, zygote: str | None = None, env: dict[str, str] | None = None,
) -> None:  # fmt: skip
    """Pool initializer: remember settings; with ``eager``, start the kernel now and warm up
    while it imports (else the kernel starts with the first report). ``env``: the parent's
    environment when it made the pool, taken as this worker's (a worker forked from the fork
    server would otherwise have the server's, which may be older; see :func:`_worker_context`).

    A pool started ahead of its reports (:func:`prestart_pool`) is eager, so a worker is
    ready by the time the parent has planned. A kernel that fails to start here is simply
    started again by the first report, which then fails with the reason. ``quick_exit``
    (the pool's own processes, never a Dask worker): see :func:`_exit_quickly`. ``zygote``:
    the socket of the process kernels are forked from (:mod:`pmlib.render.zygote`), if any.
    """
    from pmlib.render.lean import skip_slow_optional_imports

    if env is not None and env != os.environ:
        os.environ.clear()
        os.environ.update(env)
    skip_slow_optional_imports()
    logging.basicConfig(level=log_level, format="%(processName)s: %(message)s")
    _WORKER.update(cwd=Path(cwd), preload=preload, kernel=None, zygote=zygote)
    multiprocessing.util.Finalize(None, _stop_kernel, exitpriority=10)
    if quick_exit:
        multiprocessing.util.Finalize(None, _exit_quickly, exitpriority=-100)
    if eager:
        if hasattr(signal, "SIGTERM") and os.name == "posix":  # see prestart_pool
            signal.signal(signal.SIGTERM, _exit_on_term)
        try:
            with contextlib.suppress(Exception):
                _kernel()
        except SystemExit:  # stopped while starting: exit quietly, leaving no kernel behind
            _stop_kernel()
            os._exit(0)


def _exit_on_term(signum: int, frame: Any) -> None:
    """SIGTERM in a pre-started worker: unwind (a kernel being started is stopped by
    ``ReportKernel.start``) and exit through the finalizers, which stop a started kernel, so
    that no kernel outlives its worker."""
    raise SystemExit(0)


def _exit_quickly() -> None:
    """The pool worker's last finalizer: end the process without tearing the interpreter down.

    Runs after every other finalizer (the kernel is stopped, the results were sent). Freeing
    the modules and objects of a worker that imported papermill, nbconvert and jupyter_client
    takes 0.3-0.5 s, and the batch's parent waits for its workers to exit before it writes
    the manifest: time nobody needs, since the process is ending anyway.
    """
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(0)


def _stop_kernel() -> None:
    kernel = _WORKER.get("kernel")
    _WORKER["kernel"] = None
    if kernel is not None:
        with _sigterm_deferred():
            kernel.shutdown()


@contextlib.contextmanager
def _sigterm_deferred() -> Iterator[None]:
    """Hold a SIGTERM back until the kernel is stopped, then act on it.

    A pool being discarded asks its workers to finish and sends them SIGTERM; a worker that
    was already stopping its kernel (its exit finalizer) would otherwise be interrupted half
    way, before the kernel was killed, and leave it to notice on its own that its parent
    had gone.
    """
    import threading

    if os.name != "posix" or threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
        if received and callable(previous):
            previous(signal.SIGTERM, None)
        elif received and previous == signal.SIG_DFL:
            os.kill(os.getpid(), signal.SIGTERM)


def _kernel() -> Any:
    from pmlib.render.kernel import ReportKernel

    if _WORKER.get("kernel") is None:
        from pmlib.render.notebook import warm_up

        zygote = _WORKER.get("zygote")
        if zygote and not _WORKER.get("warm"):
            warm_up()  # while the zygote imports (asking it now would only wait for that)
            _WORKER["warm"] = True
        kernel = ReportKernel(cwd=_WORKER["cwd"], preload=_WORKER["preload"], zygote=zygote)
        kernel.start(wait=False)
        _WORKER["kernel"] = kernel
        if not _WORKER.get("warm"):
            warm_up()  # overlaps with the kernel's own imports
            _WORKER["warm"] = True
    return _WORKER["kernel"]


def write_html(report: Any, out_dir: Path, name: str) -> list[Path]:
    """The ``html`` output format: ``<name>.html``."""
    path = out_dir / f"{name}.html"
    write_text_atomic(path, report.html)
    return [path]


def _warm_formats(formats: dict[str, str]) -> None:
    """Once per worker, let each output format's module start up (e.g. the PDF printer's
    browser) while the kernel runs the first report; a module opts in with ``warm_up()``."""
    warmed = _WORKER.setdefault("warmed", set())
    for target in formats.values():
        module = target.partition(":")[0]
        if module not in warmed:
            warmed.add(module)
            warm = getattr(importlib.import_module(module), "warm_up", None)
            if callable(warm):
                warm()


def _call(target: str) -> Any:
    module, _, func = target.partition(":")
    return getattr(importlib.import_module(module), func)


def _render_one(
    spec: ReportSpec, out_dir: Path, formats: dict[str, str], timeout: int,
    cwd: Path | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Worker task: render one report and write its files; never raises for report errors.
    ``cwd``: the folder the notebook runs in (default: the worker's)."""
    from pmlib.render.notebook import run_report

    t0 = time.perf_counter()
    entry: dict[str, Any] = {"started": now(), "files": [], "timings": {}, "error": None}
    failed_nb = out_dir / "notebooks" / f"{spec.name}.failed.ipynb"
    try:
        kernel = _kernel()
        _warm_formats(formats)
        report = run_report(
            spec.notebook, spec.parameters, title=spec.title, kernel=kernel, timeout=timeout,
            cwd=cwd or _WORKER["cwd"],
        )  # fmt: skip
        files: list[tuple[Path, str]] = []
        nb_path = out_dir / "notebooks" / f"{spec.name}.ipynb"
        write_bytes_atomic(nb_path, report.notebook_bytes())
        files.append((nb_path, "notebook"))
        csv = report.artifacts.get("scorecard_csv")
        if isinstance(csv, str):
            csv_path = out_dir / "data" / f"{spec.name}.csv"
            write_text_atomic(csv_path, csv)
            files.append((csv_path, "data"))
        plan = report.artifacts.get("plan_csv")  # key actions, risks, audit, finance tables
        for table, text in plan.items() if isinstance(plan, dict) else ():
            plan_path = out_dir / "data" / f"{spec.name}-{table}.csv"
            write_text_atomic(plan_path, text)
            files.append((plan_path, "data"))
        for fmt, target in formats.items():
            t = time.perf_counter()
            files += [(p, fmt) for p in _call(target)(report, out_dir, spec.name)]
            entry["timings"][f"write_{fmt}"] = round(time.perf_counter() - t, 3)
        failed_nb.unlink(missing_ok=True)
        entry.update(
            status="ok",
            files=[mf.file_record(p, out_dir, kind) for p, kind in files],
            timings={**{k: round(v, 3) for k, v in report.timings.items()}, **entry["timings"]},
            summary=report.artifacts.get("summary"),
            display_title=report.artifacts.get("title"),
            warnings=report.warnings,
        )
    except BaseException as exc:  # isolate every failure to this report
        _restart_kernel_later()  # a kernel that failed (or was interrupted) may hold anything
        if not isinstance(exc, Exception):  # Ctrl-C: let the pool see it
            raise
        entry.update(status="failed", error=str(exc) or type(exc).__name__)
        if not isinstance(exc, RenderError):
            entry["error"] = f"{type(exc).__name__}: {exc}"
            log.debug("Unexpected failure in %s", spec.name, exc_info=True)
        failure = getattr(exc, "failure", None)
        entry["failure"] = None if failure is None else {
            k: getattr(failure, k) for k in ("cell", "line", "ename", "evalue", "first_line")
        }  # fmt: skip
        notebook = getattr(exc, "notebook", None)
        if notebook is not None:
            import nbformat

            with contextlib.suppress(Exception):
                write_text_atomic(failed_nb, nbformat.writes(notebook))
                entry["files"] = [mf.file_record(failed_nb, out_dir, "failed-notebook")]
    entry["finished"] = now()
    entry["seconds"] = round(time.perf_counter() - t0, 3)
    return _plain(entry)


def _plain(entry: dict[str, Any]) -> dict[str, Any]:
    """The entry as plain JSON values (same order, same numbers).

    A notebook's artifacts (the summary) are ``nbformat.NotebookNode`` objects: returned as
    they are, unpickling them in the parent imports nbformat and jsonschema there (~1.4 CPU-s
    on the batch's critical path, in the pool's result thread), only to be written as JSON.
    """
    try:
        return json.loads(json.dumps(entry, ensure_ascii=False))
    except (TypeError, ValueError):  # not JSON: the manifest writer will say so
        return entry


def _restart_kernel_later() -> None:
    """After any failure the kernel may hold half-done state: replace it before the next one."""
    with contextlib.suppress(Exception):
        _stop_kernel()


# --- parent side ----------------------------------------------------------------------------


def _worker_died(exc: BaseException) -> str:
    hint = ""
    main = sys.modules.get("__main__")
    if getattr(main, "__file__", None) and isinstance(exc, BrokenProcessPool):
        hint = (
            " If you call run_batch from a script, put the call under "
            '`if __name__ == "__main__":` (worker processes are spawned and import the script).'
        )
    return f"the worker process stopped unexpectedly ({exc!r}).{hint}"


def run_pool(
    todo: list[ReportSpec], out_dir: Path, formats: dict[str, str], *, jobs: int, timeout: int,
    cwd: Path, preload: Sequence[str], progress: bool, done: dict[str, dict[str, Any]],
) -> None:  # fmt: skip
    """Render ``todo`` on ``jobs`` worker processes, filling ``done`` (name -> manifest entry)
    as reports finish, so that the caller keeps what finished even if this is interrupted."""
    from tqdm import tqdm

    bar = tqdm(total=len(todo), desc="Rendering", unit="report", disable=not progress)
    pool = _take_prestarted(jobs, preload) or _new_pool(jobs, cwd, preload)
    futures: dict[Future[dict[str, Any]], ReportSpec] = {
        pool.submit(_render_one, spec, out_dir, formats, timeout, cwd): spec for spec in todo
    }
    try:
        for future in as_completed(futures):
            spec = futures[future]
            try:
                done[spec.name] = future.result()
            except BaseException as exc:  # the worker process itself died
                done[spec.name] = {"status": "failed", "error": _worker_died(exc)}
            failed = sum(e.get("status") == "failed" for e in done.values())
            bar.set_postfix_str(f"{spec.name}, failed={failed}", refresh=False)
            bar.update(1)
    finally:  # on Ctrl-C: drop queued reports, wait for running ones, keep what finished
        pool.shutdown(wait=True, cancel_futures=True)
        bar.close()
        for future, spec in futures.items():
            finished = future.done() and not future.cancelled() and future.exception() is None
            if spec.name not in done and finished:
                done[spec.name] = future.result()
            done.setdefault(spec.name, {"status": "failed", "error": "run interrupted"})


def _new_pool(
    jobs: int, cwd: Path, preload: Sequence[str], *, eager: bool = False,
    zygote: str | None = None,
) -> ProcessPoolExecutor:  # fmt: skip
    return ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=_worker_context(),
        initializer=_init_worker,
        initargs=(
            str(cwd),
            tuple(preload),
            logging.getLogger().getEffectiveLevel(),
            eager,
            True,
            zygote,
            dict(os.environ),
        ),  # fmt: skip
    )


#: Imported once by the fork server that pool workers are forked from (see _worker_context).
WORKER_PRELOAD = "pmlib.batch.worker_preload"


def _worker_context() -> multiprocessing.context.BaseContext:
    """How pool workers start: forked from a *fork server* that has already imported and
    warmed up what a worker needs (Linux), else spawned.

    Every spawned worker imported papermill, nbclient, nbconvert and jupyter_client and ran a
    warm-up export (~0.7 CPU-s) before its first report: on a 2-core machine the second copy
    of that work delayed both. The standard library's fork server
    (:mod:`multiprocessing.forkserver`) pays it once, in a single-threaded process started
    on the first pool, and forks each worker from it, so every worker starts warm
    (:mod:`pmlib.batch.worker_preload`). A forked worker is as isolated as a spawned one: it
    starts in the parent's folder with the parent's ``sys.path`` (multiprocessing's
    preparation) and takes the environment the parent has when its pool is made
    (:func:`_init_worker`), not the one the fork server started with.
    """
    from pmlib.render.zygote import available

    if available() and "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["__main__", WORKER_PRELOAD])
        try:
            _start_fork_server()
        except Exception as exc:  # noqa: BLE001 - e.g. no Unix sockets here: spawn instead
            log.debug("No fork server (%s): spawning workers", exc)
        else:
            return context
    return multiprocessing.get_context("spawn")


def _start_fork_server() -> None:
    """Start this process's fork server (if not running) with this process's ``sys.path``.

    The fork server runs as ``python -c``, whose ``sys.path`` starts with the current folder,
    and Python 3.11 ignores the ``sys.path`` multiprocessing hands it; a worker then
    forked from it would keep the modules the server imported from there (a ``pmlib`` folder
    in the current folder, say, instead of the one this process runs). So the server is
    started with ``PYTHONSAFEPATH`` (nothing prepended) and this process's path as
    ``PYTHONPATH``, both only for that start; workers take the parent's own environment
    (:func:`_init_worker`).
    """
    from multiprocessing import forkserver

    from pmlib.core.environ import temporary_environ

    here = os.getcwd()
    path = os.pathsep.join(entry or here for entry in sys.path)
    with temporary_environ({"PYTHONSAFEPATH": "1", "PYTHONPATH": path}):
        forkserver.ensure_running()


def _stop_fork_server(workers: Sequence[Any] = (), timeout: float = 5.0) -> None:
    """Stop this process's fork server, if one runs, and wait for it (up to ``timeout``),
    after ``workers`` (processes of a pool being discarded) have ended.

    It would otherwise end on its own only after this process, unwaited for: a batch would
    leave a process behind it, and whatever timed the command (its children's CPU) would
    miss the server's and its workers' CPU. It ends as soon as every worker forked from it
    has ended, without the interpreter's teardown (:mod:`pmlib.batch.worker_preload`).
    Uses the fork server's own stop (a private method multiprocessing's tests use), checked
    for first; waited for from a thread so a worker that never ends cannot hang the caller.
    """
    from multiprocessing import forkserver

    server = getattr(forkserver, "_forkserver", None)
    stop = getattr(server, "_stop", None)
    if not callable(stop) or getattr(server, "_forkserver_pid", None) is None:
        return
    from multiprocessing.connection import wait

    deadline = time.monotonic() + timeout
    # the server reports a worker's exit code (on the worker's sentinel) only while it runs:
    # wait until each has been reported, without reading it (the pool's own thread reads it;
    # two readers of one sentinel race, and the loser records 255)
    waiting = []
    for worker in workers:
        with contextlib.suppress(Exception):
            waiting.append(worker.sentinel)
    while waiting and time.monotonic() < deadline:
        ready = wait(waiting, max(0.0, deadline - time.monotonic()))
        waiting = [s for s in waiting if s not in ready]
    stopper = threading.Thread(target=stop, name="pmlib-fork-server-stop", daemon=True)
    stopper.start()
    stopper.join(max(0.0, deadline - time.monotonic()))


#: A pool started by :func:`prestart_pool`, waiting for :func:`run_pool` to take it.
_PRESTARTED: dict[str, Any] = {}


def _ready() -> int:
    return 0


def _take_prestarted(jobs: int, preload: Sequence[str]) -> ProcessPoolExecutor | None:
    """The pre-started pool, if it fits this run (enough workers, the same preload)."""
    if not _PRESTARTED:
        return None
    fits = _PRESTARTED["jobs"] >= jobs and _PRESTARTED["preload"] == tuple(preload)
    zygote = _PRESTARTED.get("zygote")
    if zygote is not None:
        zygote.warm()  # not told what to work out ahead (if it was, this does nothing)
    _PRESTARTED["starter"].join()
    pool = _PRESTARTED.pop("pool")
    _PRESTARTED.clear()
    if fits:
        return pool
    _discard(pool)
    return None


@contextlib.contextmanager
def prestart_pool(jobs: int, cwd: Path, preload: Sequence[str]) -> Iterator[None]:
    """Start ``jobs`` workers, each starting its kernel, while the caller still plans.

    In a cold ``pmlib run`` the parent spends seconds reading and validating the data before
    it knows what to render; workers started first spend them spawning, importing and
    starting their kernels instead, on the other cores. The next :func:`run_pool` in this
    process takes the pool if it fits (at least as many workers, the same preload; ``cwd``
    is only where the kernels start: each report runs in its own). A pool not taken (bad
    data, nothing to render) is shut down on exit; its workers stop their kernels first,
    so a refused run may take a few seconds longer to end. Spawning needs ``jobs``
    submissions (one worker is spawned per task while none is idle), hence the no-op tasks.

    With two workers or more (on Linux), their kernels are forked from one process that
    imports the preload modules once (:mod:`pmlib.render.zygote`), instead of each kernel
    importing them: on two cores that copy of the imports delayed both kernels. It is
    stopped when the block ends (the kernels it forked belong to their workers).
    """
    from pmlib.render.zygote import start_zygote

    zygote = start_zygote(preload, await_warm=WARM_WAIT) if jobs >= 2 else None
    pool = _new_pool(
        jobs, cwd, preload, eager=True, zygote=zygote.address if zygote is not None else None
    )
    ready: list[Future[int]] = []  # each done once a worker has its kernel

    def start() -> None:
        # a pool that cannot start fails the run's own submissions, which report it
        with contextlib.suppress(Exception):
            ready.extend(pool.submit(_ready) for _ in range(jobs))

    # Starting a worker from the fork server waits until the server has warmed up (~1 s on a
    # busy machine): the caller plans meanwhile, and the run joins this thread (_take_prestarted)
    starter = threading.Thread(target=start, name="pmlib-pool-start", daemon=True)
    starter.start()
    _PRESTARTED.update(
        pool=pool, jobs=jobs, preload=tuple(preload), ready=ready, starter=starter, zygote=zygote
    )
    try:
        yield
    finally:
        discarded: list[Any] = []
        if _PRESTARTED.get("pool") is pool:
            _PRESTARTED.clear()
            starter.join()
            discarded = _discard(pool)
        if zygote is not None:
            zygote.stop()
        _stop_fork_server(discarded)


#: Seconds a pre-started pool's zygote waits for :func:`warm_prestarted` before forking its
#: kernels anyway (planning a large library can take longer: its kernels then start cold).
WARM_WAIT = 30.0


def warm_prestarted(call: str, **kwargs: Any) -> bool:
    """Have the pre-started pool's zygote call ``call`` (``"module:function"``, JSON keyword
    arguments) before it forks the kernels, which then inherit its results; whether there was
    such a zygote to tell.

    A batch's kernels each began their first report by working out what every report of the
    batch shares (the library rated at the period, the benchmark positions: ~0.8 CPU-s each
    on the demo council, on both cores at once); the zygote now works it out once. Until it
    is told (this, or the pool being taken by :func:`run_pool`, or :data:`WARM_WAIT`), the
    workers' kernels wait: a caller that pre-starts a pool and knows what its reports share
    calls this as soon as the data it names is validated.
    """
    zygote = _PRESTARTED.get("zygote")
    if zygote is None:
        return False
    zygote.warm(call, **kwargs)
    return True


def _discard(pool: ProcessPoolExecutor) -> list[Any]:
    """Stop a pool that was never used, promptly: a refused run (bad data) must not wait for
    its workers to finish starting kernels. On POSIX they are asked to exit with SIGTERM,
    which they turn into a clean exit (:func:`_exit_on_term`); elsewhere they finish starting
    and exit when the pool shuts down."""
    processes = list((getattr(pool, "_processes", None) or {}).values())  # private: guarded
    pool.shutdown(wait=False, cancel_futures=True)
    if os.name != "posix":
        return processes
    for process in processes:
        with contextlib.suppress(Exception):
            process.terminate()
    return processes


# --- executor hook: the same worker-side steps for other executors (pmlib.batch.cluster) -----


def start_worker(cwd: Path, preload: Sequence[str]) -> None:
    """Make this process a report worker, as the pool's initializer does (kernel on first use)."""
    _init_worker(str(cwd), tuple(preload), logging.getLogger().getEffectiveLevel())


def render_report(
    spec: ReportSpec, out_dir: Path, formats: dict[str, str], timeout: int
) -> dict[str, Any]:
    """The pool's task: render one report into ``out_dir``, return its manifest entry."""
    return _render_one(spec, out_dir, formats, timeout)


def stop_worker() -> None:
    """Stop this worker's kernel (if one was started)."""
    _stop_kernel()
