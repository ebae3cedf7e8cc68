"""Report kernels forked from one process that has already imported what reports need (Linux).

A batch on two workers started two kernels, and each imported IPython, numpy, pandas, altair,
great_tables and pmlib's report modules (~1.5 CPU-s) before its first report: on a 2-core
machine, the second copy of that work delayed both. Here one *zygote* process imports them
once, before it has any thread, socket to a kernel or event loop, and forks a kernel for each
request; the child becomes an ordinary IPython kernel (:mod:`ipykernel`) on the connection
file jupyter_client wrote, so the worker talks to it exactly as to a kernel it launched. The
warm-ups of the preload list (``module:function``, e.g. starting vl-convert's engine, which
starts threads) run in each kernel after the fork, as before.

:func:`kernel_manager_class` is jupyter_client's ``AsyncKernelManager`` with one change: its
launch asks the zygote for a kernel and falls back to launching one as usual when there is no
zygote, it has gone, or the kernel command is not the standard Python one. The forked kernel
is not the worker's child, so it watches the worker and exits when the worker does (as a
launched kernel does when its parent goes), and the worker stops it by signal, as before.

Used only where ``fork`` is safe and cheap (Linux): elsewhere :func:`start_zygote` returns
``None`` and kernels are launched as before. Module-level imports are standard library only.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["Zygote", "available", "kernel_manager_class", "start_zygote"]

_LAUNCHER = "ipykernel_launcher"


def available() -> bool:
    """Forking a pre-imported interpreter is safe here (Linux; not macOS, not Windows)."""
    return sys.platform.startswith("linux") and hasattr(os, "fork")


# --- parent side: start and stop the zygote -------------------------------------------------


class Zygote:
    """A running zygote process: ``address`` is its socket; :meth:`stop` ends it (its kernels
    are unaffected: each lives as long as the worker that asked for it)."""

    def __init__(self, process: subprocess.Popen[bytes], folder: str) -> None:
        self.process = process
        self.folder = folder
        self.address = str(Path(folder) / "zygote.sock")
        self._told = False

    def warm(self, call: str | None = None, **kwargs: Any) -> None:
        """Tell a zygote started with ``await_warm`` to go on forking kernels, first calling
        ``call`` (``"module:function"``, with ``kwargs``: JSON values) so that every kernel
        forked afterwards inherits what it computed. Said once; later calls do nothing."""
        if self._told:
            return
        self._told = True
        line = json.dumps({"call": call, "kwargs": kwargs} if call else {}) + "\n"
        with contextlib.suppress(Exception):  # a zygote gone: kernels are launched instead
            self.process.stdin.write(line.encode("utf-8"))  # type: ignore[union-attr]
            self.process.stdin.flush()  # type: ignore[union-attr]

    def stop(self) -> None:
        """Tell the zygote to exit (EOF on its stdin). It first collects the kernels it forked,
        which their workers have stopped by the end of a batch, and is waited for briefly: a
        batch refused early may leave kernels still stopping, and the zygote then ends on its
        own when they have."""
        with contextlib.suppress(Exception):
            self.process.stdin.close()  # type: ignore[union-attr]
        with contextlib.suppress(Exception):
            self.process.wait(timeout=3)
        for name in (self.address, str(Path(self.folder) / DRAWER_SOCKET)):
            with contextlib.suppress(OSError):
                Path(name).unlink()
        with contextlib.suppress(OSError):
            os.rmdir(self.folder)


def start_zygote(preload: Sequence[str], *, await_warm: float = 0.0) -> Zygote | None:
    """Start a zygote importing ``preload``'s modules (entries ``module:function`` contribute
    only their module); ``None`` where kernels are not forked (see :func:`available`) or it
    could not start. It exits when :meth:`Zygote.stop` is called or this process ends.

    ``await_warm`` (seconds): once imported, fork no kernel until :meth:`Zygote.warm` is
    called, or for at most that long (then kernels are forked as usual): see :func:`serve`.
    """
    if not available():
        return None
    folder = tempfile.mkdtemp(prefix="pmlib-zygote-")  # owner-only: only we can connect
    modules = list(dict.fromkeys(e.partition(":")[0] for e in preload))
    # bound and listening before the zygote starts: workers may connect at once (and wait in
    # the backlog for its imports); once it has gone, connecting fails and they launch
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(str(Path(folder) / "zygote.sock"))
        listener.listen(16)
        process = subprocess.Popen(
            [sys.executable, "-m", "pmlib.render.zygote", str(listener.fileno()),
             f"--await={float(await_warm)}", *modules],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=[listener.fileno()],
            env={**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1", "MPLBACKEND": "agg"},
        )  # fmt: skip
    except OSError:
        with contextlib.suppress(OSError):
            Path(folder, "zygote.sock").unlink()
        os.rmdir(folder)
        return None
    finally:
        listener.close()  # the zygote's copy is the only one
    return Zygote(process, folder)


# --- the zygote process ---------------------------------------------------------------------


def serve(fd: int, modules: Sequence[str], await_warm: float = 0.0) -> None:
    """The zygote's main loop: import, then fork a kernel per request on the listening
    socket ``fd`` until stdin ends.

    With ``await_warm`` (seconds), kernels asked for meanwhile wait in the socket's backlog
    until the batch's parent writes one line on stdin (:meth:`Zygote.warm`, at most that
    long): a call to make first (:func:`_warm`), whose results every kernel then inherits.
    """
    listener = socket.socket(fileno=fd)
    if sys.path and sys.path[0] in ("", os.getcwd()):  # as ipykernel_launcher does
        del sys.path[0]
    from pmlib.render.lean import skip_slow_optional_imports

    skip_slow_optional_imports()
    # first (a small process: the drawer needs none of what follows); it starts its engine
    # once this process has imported (``hold``): the kernels wait for those imports, the
    # first drawing comes later, after a report is built
    hold, go = os.pipe()
    drawer = _start_drawer(listener, modules, hold=hold, close=(go,))
    os.close(hold)
    import importlib

    from pmlib.render.lean import imports_frozen

    with imports_frozen():
        for name in (*KERNEL_MODULES, *modules):
            with contextlib.suppress(Exception):  # as preload_modules: a missing one is skipped
                importlib.import_module(name)
    os.close(go)  # the drawer may start its engine now

    def end() -> None:
        if drawer is not None:
            with contextlib.suppress(OSError):
                os.kill(drawer, signal.SIGKILL)
        _reap(block=True)  # the batch ended (or died); its kernels were stopped
        os._exit(0)  # no teardown needed

    if await_warm > 0 and not _warm(await_warm):
        end()
    while True:
        ready, _, _ = select.select([listener, sys.stdin], [], [], 0.5)
        _reap()
        if sys.stdin in ready and not os.read(sys.stdin.fileno(), 1024):
            end()
        if listener in ready:
            conn, _ = listener.accept()
            with conn, contextlib.suppress(Exception):
                _fork_kernel(listener, conn)


def _warm(seconds: float) -> bool:
    """Wait up to ``seconds`` for the parent's line on stdin and make the call it names
    (:meth:`Zygote.warm`); ``False`` when stdin ended instead (the batch is over).

    The call only ever saves the kernels time: whatever it raises is ignored (a report meets
    the same problem itself and reports it), and it must start no thread, since kernels are
    forked after it. Its objects are frozen with the imports (:func:`gc.freeze`).
    """
    import gc
    import importlib
    import time

    text = b""
    end = time.monotonic() + seconds
    while b"\n" not in text:
        left = end - time.monotonic()
        if left <= 0:
            return True  # never told: fork kernels as they are asked for
        ready, _, _ = select.select([sys.stdin], [], [], left)
        if ready:
            chunk = os.read(sys.stdin.fileno(), 65536)
            if not chunk:
                return False
            text += chunk
    with contextlib.suppress(Exception):
        request = json.loads(text.split(b"\n", 1)[0])
        module, _, name = str(request.get("call") or "").partition(":")
        if module and name:
            getattr(importlib.import_module(module), name)(**request.get("kwargs", {}))
    gc.freeze()
    return True


#: What a forked kernel imports as it starts, imported once here instead: the kernel class and
#: its debugger support (debugpy's pydevd; ~0.09 CPU-s of a kernel's ~0.12 s start). Neither
#: starts a thread when imported.
KERNEL_MODULES = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.debugger")


def _start_drawer(
    listener: socket.socket, modules: Sequence[str], hold: int | None = None,
    close: tuple[int, ...] = (),
) -> int | None:  # fmt: skip
    """Fork the kernels' chart drawer (:mod:`pmlib.present.drawer`) beside the zygote's own
    socket, when the preload includes pmlib's figures (so reports will draw); its pid. The
    drawer starts its engine when ``hold`` (a pipe's read end) ends; ``close``: other
    descriptors it must not keep."""
    if "pmlib.present.figures" not in modules:
        return None
    from pmlib.present.drawer import fork_drawer

    global _DRAWER
    path = str(Path(listener.getsockname()).with_name(DRAWER_SOCKET))
    pid = fork_drawer(path, close=(listener.fileno(), sys.stdin.fileno(), *close), hold=hold)
    _DRAWER = path if pid is not None else None
    return pid


#: The drawer's socket file, in the zygote's folder beside its own.
DRAWER_SOCKET = "drawer.sock"
#: The drawer's socket, named in each kernel's environment (``None``: kernels draw themselves).
_DRAWER: str | None = None


def _reap(block: bool = False) -> None:
    """Collect ended kernels. Waited for, not ignored, so that their CPU time is counted in
    this process's children's (and so in the batch's: ``getrusage``, ``time``)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, 0 if block else os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _fork_kernel(listener: socket.socket, conn: socket.socket) -> None:
    request = json.loads(conn.makefile("rb").readline())
    pid = os.fork()
    if pid == 0:  # the kernel
        code = 1
        try:
            listener.close()
            conn.close()
            _become_kernel(request)
            code = 0
        finally:
            os._exit(code)
    conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")


def _become_kernel(request: dict[str, Any]) -> None:
    """In the forked child: take the environment, folder and output a launched kernel would
    have, watch the worker, then run ipykernel on the connection file."""
    os.setsid()  # its own process group, as jupyter_client launches kernels
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    if _DRAWER is not None:
        from pmlib.present.drawer import ENV

        os.environ[ENV] = _DRAWER
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    log = os.open(request["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    os.dup2(log, 1)
    os.dup2(log, 2)
    _watch(int(request["watch"]))
    import importlib.util

    from ipykernel import kernelapp

    launcher = importlib.util.find_spec(_LAUNCHER)  # argv[0] as in a launched kernel
    sys.argv = [getattr(launcher, "origin", None) or _LAUNCHER, *request["argv"]]
    kernelapp.launch_new_instance()


def _watch(pid: int) -> None:
    """End this kernel when process ``pid`` (the worker) ends, as a launched kernel ends with
    its parent."""

    def run() -> None:
        try:
            fd = os.pidfd_open(pid)
        except (AttributeError, OSError):
            fd = None
        while True:
            if fd is not None:
                select.select([fd], [], [])
                os._exit(1)
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                os._exit(1)
            except OSError:
                pass
            threading.Event().wait(1.0)

    threading.Thread(target=run, name="pmlib-worker-watch", daemon=True).start()


# --- worker side: a kernel manager that asks the zygote -------------------------------------


class _Forked:
    """What jupyter_client's local provisioner needs of a ``Popen``, for a forked kernel (not
    our child: its exit is seen through a pidfd, or by signalling it)."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        try:
            self._fd: int | None = os.pidfd_open(pid)
        except (AttributeError, OSError):
            self._fd = None

    def poll(self) -> int | None:
        if self.returncode is None:
            if self._fd is not None:
                ended = bool(select.select([self._fd], [], [], 0)[0])
            else:
                try:
                    os.kill(self.pid, 0)
                    ended = False
                except ProcessLookupError:
                    ended = True
                except OSError:
                    ended = False
            if ended:
                self.returncode = -signal.SIGKILL  # the zygote reaped it: status unknown
                if self._fd is not None:
                    os.close(self._fd)
                    self._fd = None
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        while self.poll() is None:
            if self._fd is not None:
                select.select([self._fd], [], [], timeout)
            else:
                threading.Event().wait(0.05)
            if timeout is not None and self.poll() is None:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
        return self.returncode  # type: ignore[return-value]

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def _request(address: str, kernel_cmd: list[str], kw: dict[str, Any], timeout: float) -> int:
    """Ask the zygote for a kernel; its pid. Raises OSError/ValueError when it cannot."""
    log = getattr(kw.get("stdout"), "name", None) or os.devnull
    request = {
        "argv": kernel_cmd[3:],
        "cwd": str(kw.get("cwd") or Path.cwd()),
        "env": dict(kw.get("env") or os.environ),
        "log": str(log),
        "watch": os.getpid(),
    }
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(address)
        sock.sendall(json.dumps(request).encode() + b"\n")
        reply = json.loads(sock.makefile("rb").readline() or b"{}")
    return int(reply["pid"])


def _forkable(kernel_cmd: list[str]) -> bool:
    """The standard Python kernel of this very interpreter (what the zygote imported)."""
    return (
        len(kernel_cmd) >= 3
        and kernel_cmd[1:3] == ["-m", _LAUNCHER]
        and os.path.realpath(kernel_cmd[0]) == os.path.realpath(sys.executable)
    )


@functools.cache
def kernel_manager_class() -> type:
    """jupyter_client's ``AsyncKernelManager`` that launches from a zygote when given one
    (built on first use: jupyter_client is not light)."""
    from jupyter_client.manager import AsyncKernelManager

    class ForkingKernelManager(AsyncKernelManager):
        """``AsyncKernelManager`` launching from a zygote when given one (``zygote`` = its
        socket), else as usual."""

        zygote: str | None = None
        zygote_timeout: float = 60.0

        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            pid = None
            if self.zygote and _forkable(kernel_cmd):
                with contextlib.suppress(OSError, ValueError, KeyError):  # gone: launch
                    pid = _request(self.zygote, kernel_cmd, kw, self.zygote_timeout)
            if pid is None:
                await super()._async_launch_kernel(kernel_cmd, **kw)
                return
            provisioner = self.provisioner
            provisioner.process = _Forked(pid)
            provisioner.pid = provisioner.pgid = pid
            provisioner.cwd = kw.get("cwd", Path.cwd())
            self._reconcile_connection_info(provisioner.connection_info)

    return ForkingKernelManager


if __name__ == "__main__":
    _args = sys.argv[2:]
    _await = (
        float(_args.pop(0).partition("=")[2])
        if _args[:1] and _args[0].startswith("--await=")
        else 0.0
    )
    serve(int(sys.argv[1]), _args, _await)
