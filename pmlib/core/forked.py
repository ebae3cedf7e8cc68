"""Work split across forked copies of this process: for a command that makes one large output
from a large table already in memory, then exits (``pmlib rate --out`` on a million actuals).

Why fork and not a process pool: the input (a validated dataset, near 1 GB for a million
actuals) is already in this process. A forked child shares it copy-on-write at no cost, where a
pool's worker would be sent a pickled copy (seconds) or re-read and re-validate the data. Each
child makes its part's output bytes and writes them to an anonymous in-memory file; meanwhile
this process makes the first part, then reads the others back in order.

It only ever saves time. Where forking is unavailable or unsafe (Windows; macOS, where a forked
copy of a process that has loaded system frameworks may crash), for a single part, or when a
child fails, or takes far longer than this process took for its own part (a child that hangs),
the part is made here instead — so a user's mistake is raised here, exactly as it would be in
one process, and the result is always the same as in one process.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import struct
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import BinaryIO, TypeVar

__all__ = ["Part", "aside", "can_fork", "usable_cores", "work_in_parts"]

T = TypeVar("T")

#: One part's output: how many things (rows) it holds, and its bytes as pieces in order.
Part = tuple[int, Sequence[bytes | memoryview]]

_COUNT = struct.Struct("<q")
_CHUNK = 4 << 20


def can_fork() -> bool:
    """Whether parts may be made in forked children here (Linux only: see the module)."""
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, else the machine's)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def work_in_parts(
    make: Callable[[int], Part],
    parts: int,
    *,
    patience: float = 3.0,
    grace: float = 10.0,
) -> list[tuple[int, Iterator[bytes | memoryview]]]:
    """``make(0)`` … ``make(parts - 1)``, parts 1 onwards made in forked children while this
    process makes part 0. Returns each part's count and an iterator over its bytes, in order.

    A child that exits with an error, or is still working ``patience`` times as long after
    part 0 was done as part 0 took (and at least ``grace`` seconds), is stopped and its part
    made here. ``make`` must not write to files or the terminal: a child's only output is its
    part's bytes.
    """
    if parts <= 1 or not can_fork():
        return [_here(make, i) for i in range(max(parts, 1))]
    children: dict[int, tuple[int, BinaryIO]] = {}
    try:
        for i in range(1, parts):
            sink = _anonymous_file()
            try:
                pid = _fork()
            except OSError:  # no memory or process slots for a child: this part is made here
                sink.close()
                continue
            if pid == 0:  # the child: make the part, write it, leave without clean-up
                _in_child(lambda out, i=i: _write_part(make(i), out), sink)
            children[i] = (pid, sink)
        start = time.monotonic()
        results = [_here(make, 0)]
        deadline = time.monotonic() + max(grace, patience * (time.monotonic() - start))
        for i in range(1, parts):
            child = children.pop(i, None)
            if child is not None and _succeeded(child[0], deadline):
                results.append(_read_back(child[1]))
                continue
            if child is not None:
                child[1].close()
            results.append(_here(make, i))
        return results
    finally:
        for pid, sink in children.values():  # an error here: stop the children still at work
            _stop(pid)
            sink.close()


def _here(make: Callable[[int], Part], i: int) -> tuple[int, Iterator[bytes | memoryview]]:
    count, pieces = make(i)
    return count, iter(pieces)


def _anonymous_file() -> BinaryIO:
    """A file in memory that disappears when closed (a temporary file where memfd is absent)."""
    if hasattr(os, "memfd_create"):
        with contextlib.suppress(OSError):
            return os.fdopen(os.memfd_create("pmlib-part", os.MFD_CLOEXEC), "w+b")
    return tempfile.TemporaryFile()


def _fork() -> int:
    for stream in (sys.stdout, sys.stderr):  # nothing buffered is written twice
        with contextlib.suppress(Exception):
            stream.flush()
    with warnings.catch_warnings():
        # Python 3.12+ warns when forking a process with threads (Arrow's idle pool): the
        # child only computes with numpy and Arrow, which reset their pools after a fork, and a
        # child that hangs anyway is stopped and its part made here (work_in_parts' deadline)
        warnings.simplefilter("ignore", DeprecationWarning)
        return os.fork()


def _write_part(part: Part, out: BinaryIO) -> None:
    count, pieces = part
    out.write(_COUNT.pack(count))
    for piece in pieces:
        out.write(piece)


def _in_child(write: Callable[[BinaryIO], None], sink: BinaryIO) -> None:
    """The forked child's whole life: ``write`` its result to ``sink``, then exit at once —
    0 when written, 1 on any error (the parent then does the work itself and reports it)."""
    code = 1
    try:
        write(sink)
        sink.flush()
        code = 0
    except BaseException:  # noqa: BLE001, S110 - the parent does it again and reports it
        pass
    finally:
        os._exit(code)  # no atexit handlers, no flushing the parent's buffers, no teardown


def _succeeded(pid: int, deadline: float) -> bool:
    """Wait for child ``pid`` until ``deadline``; whether it finished its part."""
    delay = 0.001
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status) == 0
        if time.monotonic() > deadline:
            _stop(pid)
            return False
        time.sleep(delay)
        delay = min(delay * 2, 0.02)


def _stop(pid: int) -> None:
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.waitpid(pid, 0)


def _read_back(sink: BinaryIO) -> tuple[int, Iterator[bytes]]:
    sink.seek(0)
    (count,) = _COUNT.unpack(sink.read(_COUNT.size))

    def pieces() -> Iterator[bytes]:
        with sink:
            while chunk := sink.read(_CHUNK):
                yield chunk

    return count, pieces()


def aside(
    compute: Callable[[], T], *, patience: float = 3.0, grace: float = 30.0
) -> Callable[[], T]:
    """``compute()`` in a forked child while this process goes on: returns a function that
    waits for the child and returns what it computed (sent back pickled; asked again, the same
    result). Call it before the process exits: it also reaps the child.

    Where forking is unavailable, or the child fails — including when ``compute`` raises — or
    is still at work ``patience`` times as long after the result was asked for as it had had
    until then (and at least ``grace`` seconds), ``compute()`` runs here when the result is
    asked for, so its exceptions are raised here as in one process. ``compute`` must not write
    to files or the terminal.
    """
    done: list = []

    def here() -> T:
        if not done:
            done.append(compute())
        return done[0]

    if not can_fork():
        return here
    sink = _anonymous_file()
    try:
        pid = _fork()
    except OSError:
        sink.close()
        return here
    if pid == 0:
        _in_child(lambda out: pickle.dump(compute(), out, protocol=pickle.HIGHEST_PROTOCOL), sink)
    started = time.monotonic()
    waiting = [pid]

    def result() -> T:
        if done or not waiting:
            return here()
        now = time.monotonic()
        ok = _succeeded(waiting.pop(), now + max(grace, patience * (now - started)))
        with sink:
            if ok:
                sink.seek(0)
                # written by our own child; one that cannot be read back (a result that does
                # not unpickle, a short file) is computed here instead, as a failed child is
                with contextlib.suppress(Exception):
                    done.append(pickle.load(sink))  # noqa: S301
        return here()

    return result
