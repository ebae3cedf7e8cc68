"""One vl-convert engine for every kernel of a batch: a drawing process the kernels ask.

Each process that draws a chart starts vl-convert's JavaScript engine (~0.5 CPU-s) and then
pays for its JIT warming up over its first ~20 charts (~90 ms a chart instead of ~40): on a
two-kernel batch that was done twice, ~1.1 CPU-s of a cold demo pack's ~19. The zygote
(:mod:`pmlib.render.zygote`) forks one *drawer* before any kernel: it starts the engine at
once, while the batch is still planning, and draws every chart the kernels ask for, one at a
time, on a Unix socket named in the kernels' environment (:data:`ENV`). A kernel then never
starts an engine of its own.

The drawing is the same: the same vl-convert in a process forked from the same interpreter,
given the same spec (passed as JSON, which the spec already is: the SVG cache keys on its
JSON) and the same options. vl-convert's error for a spec it cannot draw comes back as the
same ``ValueError``. When there is no drawer, or it has gone, or a spec is not plain JSON,
:func:`draw` returns ``None`` and the caller draws in its own process, as before.

Module-level imports are standard library only: kernels import this module.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import struct
import sys
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

__all__ = ["ENV", "available", "draw", "engine", "fork_drawer", "serve"]

#: The environment variable naming the drawer's socket in a kernel.
ENV = "PMLIB_DRAWER"
_HEAD = struct.Struct("!I")
_TIMEOUT = 120.0  # seconds; a chart takes well under one
_REMEMBERED = 64  # replies the drawer keeps (~3 MB): enough for two kernels' overlap

_conn: dict[str, Any] = {"sock": None, "path": None, "broken": False}
_lock = threading.Lock()


# --- kernel side ----------------------------------------------------------------------------


def available() -> bool:
    """Whether a drawer draws for this process (named in its environment, not found gone)."""
    return bool(os.environ.get(ENV)) and not _conn["broken"]


def draw(spec: Mapping[str, Any], options: Mapping[str, Any]) -> str | None:
    """The drawer's SVG of ``spec``, or ``None`` when there is no drawer to ask (draw here).

    Raises ``ValueError`` with vl-convert's message when vl-convert cannot draw the spec.
    """
    try:
        request = json.dumps(
            {"op": "draw", "spec": spec, "options": options},
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode("utf-8")
    except (TypeError, ValueError):  # not plain JSON: only vl-convert itself can say
        return None
    reply = _ask(request)
    if reply is None:
        return None
    if "error" in reply:
        raise ValueError(reply["error"])
    return reply["svg"]


def engine() -> list[str] | None:
    """The drawer's vl-convert version, Vega and Vega-Lite versions and time zone (what its
    drawings depend on besides the fonts), or ``None`` when there is no drawer."""
    reply = _ask(b'{"op":"engine"}')
    return None if reply is None else reply["engine"]


def _ask(request: bytes) -> dict[str, Any] | None:
    path = os.environ.get(ENV)
    if not path or _conn["broken"]:
        return None
    with _lock:
        try:
            if _conn["sock"] is None or _conn["path"] != path:
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                sock.settimeout(_TIMEOUT)  # a drawer that stopped answering: draw here
                sock.connect(path)
                _conn.update(sock=sock, path=path)
            sock = _conn["sock"]
            _send(sock, request)
            body = _recv(sock)
            if body is None:
                raise OSError("the drawer closed the connection")
            return json.loads(body)
        except (OSError, ValueError):  # gone, or never there: draw here from now on
            with contextlib.suppress(Exception):
                if _conn["sock"] is not None:
                    _conn["sock"].close()
            _conn.update(sock=None, broken=True)
            return None


def _send(sock: socket.socket, data: bytes) -> None:
    sock.sendall(_HEAD.pack(len(data)) + data)


def _recv(sock: socket.socket) -> bytes | None:
    head = _read(sock, _HEAD.size)
    if head is None:
        return None
    (size,) = _HEAD.unpack(head)
    return _read(sock, size)


def _read(sock: socket.socket, size: int) -> bytes | None:
    chunks, left = [], size
    while left:
        chunk = sock.recv(min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


# --- the drawer process ---------------------------------------------------------------------


def serve(listener: socket.socket, parent: int, hold: int | None = None) -> None:
    """The drawer's main loop (a process of its own): start vl-convert's engine, then answer
    each connection on ``listener`` in a thread, one drawing at a time; exit when process
    ``parent`` (the zygote) has gone. With ``hold`` (a pipe's read end), the engine is
    started once the pipe ends, so that it does not compete with the zygote's imports for the
    CPU; a drawing asked for before then starts it at once."""
    import vl_convert as vlc

    drawing = threading.Lock()
    # replies by request: two kernels asking for the same chart at once (a report and another
    # showing the same indicator, before either has stored it) get one drawing
    answered: OrderedDict[bytes, bytes] = OrderedDict()

    def handle(conn: socket.socket) -> None:
        with conn:
            while True:
                body = _recv(conn)
                if body is None:
                    return
                with drawing:
                    reply = answered.get(body)
                    if reply is None:
                        answer = _answer(vlc, json.loads(body))
                        reply = json.dumps(answer, ensure_ascii=False).encode("utf-8")
                        if "error" not in answer:
                            answered[body] = reply
                            while len(answered) > _REMEMBERED:
                                answered.popitem(last=False)
                _send(conn, reply)

    def accept() -> None:
        while True:
            conn, _ = listener.accept()
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, name="pmlib-drawer", daemon=True).start()
    if hold is not None:
        with contextlib.suppress(OSError):
            while os.read(hold, 64):
                pass
            os.close(hold)
    # the engine started before the first kernel asks (they wait meanwhile)
    with drawing, contextlib.suppress(Exception):
        vlc.vegalite_to_svg(
            {
                "data": {"values": [{"x": 1}]},
                "mark": {"type": "point"},
                "encoding": {"x": {"field": "x", "type": "quantitative"}},
            }
        )
    while os.getppid() == parent:
        threading.Event().wait(0.5)
    os._exit(0)


def _answer(vlc: Any, request: dict[str, Any]) -> dict[str, Any]:
    if request.get("op") == "engine":
        return {
            "engine": [
                getattr(vlc, "__version__", "?"),
                vlc.get_vega_version(),
                ",".join(vlc.get_vegalite_versions()),
                str(vlc.get_local_tz()),
            ]
        }
    try:
        return {"svg": vlc.vegalite_to_svg(request["spec"], **request["options"])}
    except Exception as exc:  # vl-convert's ValueError, with Vega's message
        return {"error": str(exc)}


def fork_drawer(path: str, close: tuple[int, ...] = (), hold: int | None = None) -> int | None:
    """Fork the drawer listening on ``path`` (called by the zygote, before it has any thread;
    the drawer closes the descriptors ``close``, such as the zygote's own socket, and starts
    its engine when the pipe ``hold`` ends, see :func:`serve`); its pid, or ``None`` if it
    could not start."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(path)
        listener.listen(16)
    except OSError:
        listener.close()
        return None
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the drawer
        code = 1
        try:
            for fd in close:
                with contextlib.suppress(OSError):
                    os.close(fd)
            with contextlib.suppress(OSError):
                null = os.open(os.devnull, os.O_RDWR)
                os.dup2(null, 0)
            serve(listener, parent, hold)
            code = 0
        except BaseException:  # noqa: BLE001 - nothing to report to; kernels draw themselves
            pass
        finally:
            sys.stdout.flush()
            os._exit(code)
    listener.close()
    return pid
