"""A warm IPython kernel for report notebooks, and the reset that makes reuse safe.

Starting a kernel and importing pandas/altair costs far more than running a report (NOTES: a
warm kernel runs one in 0.5-0.8 s), so :class:`ReportKernel` keeps one alive across reports.
Reuse is only safe if nothing leaks between reports: before every report the kernel's namespace
and the process-wide state that notebooks commonly change are put back to a baseline taken
once, right after start-up (:func:`reset_kernel_state`, which runs inside the kernel). After a
failed report the caller restarts the kernel, since a half-run cell may have left anything.

Module-level imports are standard library only: the kernel imports this module for the reset.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from pmlib.core.errors import RenderError
from pmlib.render.lean import skip_slow_optional_imports

#: Imported in every fresh kernel before its baseline is taken: the import cost is paid once
#: per worker instead of once per report. Missing modules are skipped.
DEFAULT_PRELOAD = ("numpy", "pandas", "altair", "great_tables", "pmlib.present.figures")
SEED = 0  # random, numpy.random (and so great_tables' table ids) start here for every report

__all__ = [
    "DEFAULT_PRELOAD",
    "ReportKernel",
    "preload_modules",
    "reset_kernel_state",
    "warm_charts",
]


# --- kernel side: runs inside the kernel process ------------------------------------------------

_BASELINE: dict[str, Any] | None = None
_REGISTRIES = ("renderers", "data_transformers", "theme")


def preload_modules(names: list[str]) -> None:
    """Import modules into the kernel process ahead of the first report (runs in the kernel).

    An entry ``"module:function"`` also calls that function (no arguments) once imported: a
    warm-up such as :func:`warm_charts`. A module that is not installed is skipped, and a
    warm-up that fails is ignored: preloading only saves time.
    """
    import importlib

    skip_slow_optional_imports()
    for entry in names:
        name, _, func = entry.partition(":")
        with contextlib.suppress(ImportError):
            module = importlib.import_module(name)
            if func:
                with contextlib.suppress(Exception):
                    getattr(module, func)()


def warm_charts() -> None:
    """Draw one tiny chart the way reports do (runs in the kernel, as a preload warm-up).

    The first chart a process draws pays for starting vl-convert's JavaScript engine and
    loading Vega-Lite into it (0.5-1.5 s); paid here, while the batch's parent is still
    planning, not by the kernel's first report. The spec is written as a dict: report charts
    are (:mod:`pmlib.present.vegalite`) and are not validated, so building altair's schema
    validator here (~50 ms a kernel) warmed nothing a report uses.
    """
    from pmlib.present.figures import static_svg

    static_svg(
        {
            "data": {"values": [{"x": 1}]},
            "mark": {"type": "point"},
            "encoding": {"x": {"field": "x", "type": "quantitative"}},
        }
    )


def _snapshot(ip: Any) -> dict[str, Any]:
    import locale
    import logging
    import warnings

    snap: dict[str, Any] = {
        "environ": dict(os.environ),
        "path": list(sys.path),
        "warnings": list(warnings.filters),
        "locale": locale.setlocale(locale.LC_ALL),
        "log_level": logging.root.level,
        "log_handlers": list(logging.root.handlers),
        "formatters": {
            mime: (dict(f.type_printers), dict(f.deferred_printers))
            for mime, f in ip.display_formatter.formatters.items()
        },
    }
    if "numpy" in sys.modules:
        np = sys.modules["numpy"]
        snap["numpy"] = (np.get_printoptions(), np.geterr())
    if "pandas" in sys.modules:
        snap["pandas"] = _pandas_options()
    if "altair" in sys.modules:
        alt = sys.modules["altair"]
        snap["altair"] = {
            n: (getattr(alt, n).active, dict(getattr(alt, n).options)) for n in _REGISTRIES
        }
    if "matplotlib" in sys.modules:
        snap["matplotlib"] = dict(sys.modules["matplotlib"].rcParams)
    return snap


def _pandas_options(defaults: bool = False) -> dict[str, Any]:
    """Every registered pandas option with its value (or default); pandas lists them privately."""
    pd = sys.modules["pandas"]
    registry = getattr(
        getattr(getattr(pd, "_config", None), "config", None), "_registered_options", {}
    )
    return {k: (o.defval if defaults else pd.get_option(k)) for k, o in registry.items()}


def _restore_pandas_options(base: dict[str, Any] | None) -> None:
    """Set back only the options that changed (``reset_option("all")`` would validate
    ``plotting.backend``, which imports matplotlib)."""
    import warnings

    pd = sys.modules["pandas"]
    if base is None:  # pandas first imported by a report: its defaults are the baseline
        base = _pandas_options(defaults=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for key, value in base.items():
            with contextlib.suppress(Exception):
                if pd.get_option(key) != value:
                    pd.set_option(key, value)


def reset_kernel_state(cwd: str, seed: int = SEED) -> None:
    """Put the kernel back to its start-up state before the next report (runs in the kernel).

    The first call records the baseline. Each call then clears the user namespace and output
    history (``%reset -f``) and restores: environment variables (and the time zone), the
    locale, ``sys.path``, the working folder, warning filters (and their once-only
    registries), the root logger, IPython display formatters, pandas options, and - for
    libraries loaded at baseline, i.e. preloaded - numpy print/error options, altair's active
    renderer, theme and data transformer with their options, matplotlib rcParams; and seeds
    ``random`` and ``numpy.random`` so that random ids (great_tables) repeat run to run.

    Not undone: attributes a notebook sets on imported modules, and import-time side effects
    of a module first imported by an earlier report. Keep reports free of both (configure
    state by calling functions, not by importing).
    """
    import gc
    import locale
    import logging
    import random
    import time
    import warnings

    from IPython import get_ipython

    global _BASELINE
    ip = get_ipython()
    if _BASELINE is None:
        _BASELINE = _snapshot(ip)
        # Move the preloaded libraries out of the collector's view: %reset's full collections
        # then scan only what reports allocate (0.2 s -> a few ms per reset).
        gc.collect()
        gc.freeze()
    base = _BASELINE
    ip.run_line_magic("reset", "-f")
    ip.execution_count = 1
    os.environ.clear()
    os.environ.update(base["environ"])
    if hasattr(time, "tzset"):
        time.tzset()  # TZ may have changed back
    with contextlib.suppress(locale.Error):
        locale.setlocale(locale.LC_ALL, base["locale"])
    sys.path[:] = base["path"]
    os.chdir(cwd)
    warnings.resetwarnings()  # also invalidates every module's "shown once" registry
    warnings.filters[:] = base["warnings"]
    logging.root.setLevel(base["log_level"])
    logging.root.handlers[:] = base["log_handlers"]
    for mime, fmt in ip.display_formatter.formatters.items():
        types, deferred = base["formatters"].get(mime, ({}, {}))
        fmt.type_printers.clear()
        fmt.type_printers.update(types)
        fmt.deferred_printers.clear()
        fmt.deferred_printers.update(deferred)
    if "pandas" in sys.modules:
        _restore_pandas_options(base.get("pandas"))
    if "numpy" in sys.modules:
        np = sys.modules["numpy"]
        printopts, errs = base.get("numpy", (None, None))
        if printopts is not None:
            np.set_printoptions(**printopts)
            np.seterr(**errs)
        np.random.seed(seed)
    if "altair" in sys.modules:
        alt = sys.modules["altair"]
        for name, (active, options) in base.get("altair", {}).items():
            getattr(alt, name).enable(active, **options)
    if "matplotlib" in sys.modules:
        mpl = sys.modules["matplotlib"]
        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close("all")
        if "matplotlib" in base:
            mpl.rcParams.update(base["matplotlib"])
        else:
            mpl.rcdefaults()
    random.seed(seed)


# --- runner side ----------------------------------------------------------------------------


async def _wait_for_ready(kc: Any, timeout: float) -> None:
    """Return once the kernel answers ``kernel_info`` on its shell channel and publishes on
    IOPub: jupyter_client's ``wait_for_ready`` without its last step.

    That step reads IOPub until it has been quiet for 0.2 s, to drop the start-up's status
    messages: 0.2 s more (of ~0.4) before every kernel is ready, on the path of every batch's
    first reports. Those messages need no dropping here: every request the kernel gets later
    (``execute_interactive``, nbclient's cells) reads only the messages that answer it, by
    their parent's message id.
    """
    import asyncio
    import time
    from queue import Empty

    deadline = time.monotonic() + timeout
    while True:
        msg_id = kc.kernel_info()
        try:
            reply = await kc.shell_channel.get_msg(timeout=1)
        except Empty:
            reply = None
        if (
            reply is not None
            and reply.get("msg_type") == "kernel_info_reply"
            and reply.get("parent_header", {}).get("msg_id") == msg_id
        ):
            try:  # IOPub connected: the kernel's status for this request arrives on it
                await kc.iopub_channel.get_msg(timeout=0.2)
            except Empty:
                pass  # not yet subscribed (ZeroMQ's slow joiner): ask again
            else:
                kc._handle_kernel_info_reply(reply)
                return
        if not await kc._async_is_alive():
            raise RuntimeError("Kernel died before replying to kernel_info")
        if time.monotonic() > deadline:
            raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")
        await asyncio.sleep(0)


class ReportKernel:
    """One warm IPython kernel owned by the caller, reused for many reports.

    Uses ZeroMQ's IPC transport (a socket file) on POSIX, with a private connection folder, so
    that several kernels never collide and it works in a network namespace with no interfaces.

    Parameters
    ----------
    cwd
        The working folder a report starts in (reset before every report).
    preload
        Modules imported once at start-up, before the baseline is taken.
    zygote
        The socket of a :mod:`pmlib.render.zygote` process to fork the kernel from (its
        modules already imported); ``None``, or a zygote that has gone: launched as usual.
    """

    def __init__(
        self,
        *,
        cwd: Path | None = None,
        preload: tuple[str, ...] = DEFAULT_PRELOAD,
        kernel_name: str = "python3",
        startup_timeout: float = 60.0,
        zygote: str | None = None,
    ) -> None:
        self.cwd = Path(cwd or Path.cwd())
        self.preload = tuple(preload)
        self.zygote = zygote
        self.kernel_name = kernel_name
        self.startup_timeout = startup_timeout
        self.km: Any = None
        self.kc: Any = None
        self._dir: tempfile.TemporaryDirectory[str] | None = None

    def __enter__(self) -> ReportKernel:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    @property
    def alive(self) -> bool:
        return self.km is not None and self.kc is not None

    def start(self, *, wait: bool = True) -> None:
        """Start the kernel and have it import the preload modules.

        With ``wait=False`` this returns as soon as the kernel answers, while it is still
        importing: the caller can warm itself up meanwhile (the next request queues behind).
        """
        from jupyter_core.utils import run_sync

        if self.alive:
            return
        try:
            run_sync(self._start)()
            if self.preload:
                code = (
                    "import pmlib.render.kernel as _pmlib_kernel\n"
                    f"_pmlib_kernel.preload_modules({list(self.preload)!r})\n"
                    "del _pmlib_kernel\n"
                )
                if wait:
                    self._run_silent(code, timeout=self.startup_timeout)
                else:
                    self.kc.execute(code, silent=True, store_history=False)
        except BaseException:
            self.shutdown()
            raise

    async def _start(self) -> None:
        if self.zygote:
            from pmlib.render.zygote import kernel_manager_class

            Manager = kernel_manager_class()  # noqa: N806 - a class
        else:
            from jupyter_client.manager import AsyncKernelManager as Manager

        self._dir = tempfile.TemporaryDirectory(prefix="pmlib-kernel-")
        folder = Path(self._dir.name)
        ipc = os.name == "posix"
        self.km = Manager(
            kernel_name=self.kernel_name,
            transport="ipc" if ipc else "tcp",
            connection_file=str(folder / "kernel.json"),
        )
        if self.zygote:
            self.km.zygote = self.zygote
            self.km.zygote_timeout = self.startup_timeout
        env = {**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1", "MPLBACKEND": "agg"}
        self._log = open(folder / "kernel.log", "wb")  # noqa: SIM115 - closed in shutdown()
        await self.km.start_kernel(
            cwd=str(self.cwd),
            env=env,
            extra_arguments=["--HistoryManager.hist_file=:memory:"],
            stdout=self._log,
            stderr=self._log,
        )
        self.kc = self.km.client()
        self.kc.start_channels()
        try:
            await _wait_for_ready(self.kc, self.startup_timeout)
        except RuntimeError as exc:
            log_text = (folder / "kernel.log").read_text(errors="replace")[-2000:]
            raise RenderError(f"The report kernel did not start: {exc}\n{log_text}") from exc
        self.kc.allow_stdin = False

    def _run_silent(self, code: str, timeout: float = 60.0) -> None:
        from jupyter_core.utils import run_sync

        async def go() -> dict[str, Any]:
            return await self.kc.execute_interactive(
                code,
                silent=True,
                store_history=False,
                allow_stdin=False,
                timeout=timeout,
                output_hook=lambda msg: None,
            )

        reply = run_sync(go)()
        content = reply.get("content", {})
        if content.get("status") != "ok":
            raise RenderError(
                f"Kernel housekeeping failed: {content.get('ename')}: {content.get('evalue')}"
            )

    def reset(self, cwd: Path | None = None, seed: int = SEED) -> None:
        """Clear everything a previous report left in the kernel (see reset_kernel_state)."""
        self._run_silent(
            "import pmlib.render.kernel as _pmlib_kernel\n"
            f"_pmlib_kernel.reset_kernel_state({str(cwd or self.cwd)!r}, seed={seed!r})\n"
        )

    def info(self, timeout: float = 60.0) -> dict[str, Any]:
        """The kernel's ``kernel_info`` reply (protocol, language and implementation versions)."""
        from jupyter_core.utils import run_sync

        async def ask() -> dict[str, Any]:
            msg_id = self.kc.kernel_info()
            while True:
                reply = await self.kc.get_shell_msg(timeout=timeout)
                if reply.get("parent_header", {}).get("msg_id") == msg_id:
                    return reply.get("content", {})

        return run_sync(ask)()

    def shutdown(self) -> None:
        """Stop the kernel and remove its connection and socket files."""
        from jupyter_core.utils import run_sync

        async def stop() -> None:
            if self.kc is not None:
                self.kc.stop_channels()
            if self.km is not None:
                with contextlib.suppress(Exception):
                    if self.km.has_kernel:
                        await _kill_now(self.km)
                        await self.km.shutdown_kernel(now=True)
                    else:
                        await self.km.cleanup_resources()

        try:
            run_sync(stop)()
        finally:
            self.km = self.kc = None
            if getattr(self, "_log", None) is not None:
                self._log.close()
                self._log = None
            if self._dir is not None:
                self._dir.cleanup()
                self._dir = None

    def restart(self) -> None:
        """A fresh kernel (new process, new baseline): used after a failed report."""
        self.shutdown()
        self.start()


async def _kill_now(km: Any, timeout: float = 5.0) -> None:
    """Kill the kernel and wait until it has ended, looking every 5 ms.

    ``shutdown_kernel(now=True)`` kills it too, but then sleeps 0.1 s between looks (twice:
    the manager's wait and the provisioner's), and a batch's last step waits for its workers
    to stop their kernels. Called first, the kernel is already gone when jupyter_client looks,
    and its shutdown only cleans up (same signals: a kernel is killed, never asked to stop).
    """
    import asyncio
    import time

    provisioner = km.provisioner
    await provisioner.kill()
    deadline = time.monotonic() + timeout
    while await provisioner.poll() is None and time.monotonic() < deadline:
        await asyncio.sleep(0.005)
