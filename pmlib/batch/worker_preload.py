"""Imported by the fork server pool workers are forked from: every worker then starts warm.

:func:`pmlib.batch.pool._worker_context` names this module in
:func:`multiprocessing.set_forkserver_preload`. Importing it does, once, in the fork server,
what each spawned worker used to do before its first report: keep jsonschema's slow optional
format checkers out, import papermill, nbclient, nbconvert and jupyter_client, and export a
warm-up page (templates compiled, the chart bundle read). Nothing here starts a thread, opens
a socket or starts a kernel (forking would copy them half-alive); the worker starts its kernel
itself, after the fork.

A failure here never stops the fork server (it would break every pool): it is logged, and
each worker then warms itself up as before. Imported anywhere but in a fork server, it only
warms up.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import sys

__all__: list[str] = []

log = logging.getLogger(__name__)


def _warm() -> None:
    from pmlib.render.lean import imports_frozen, skip_slow_optional_imports

    skip_slow_optional_imports()
    # in the fork server, what it imports is frozen for the workers forked from it
    with imports_frozen() if _in_fork_server() else contextlib.nullcontext():
        try:
            from pmlib.batch import pool
            from pmlib.render.notebook import warm_up

            warm_up()
            pool._WORKER["warm"] = True  # noqa: SLF001 - the worker's flag: skip its warm-up
        except Exception:  # noqa: BLE001 - see the module's docstring
            log.debug("Worker warm-up in the fork server failed", exc_info=True)


def _in_fork_server() -> bool:
    """Whether this module is being imported by multiprocessing's fork server (its ``main``
    is on this thread's stack)."""
    server = sys.modules.get("multiprocessing.forkserver")
    main = getattr(getattr(server, "main", None), "__code__", None)
    frame = sys._getframe()  # noqa: SLF001 - the only way to see who is importing us
    while frame is not None:
        if frame.f_code is main:
            return True
        frame = frame.f_back
    return False


def _exit_quickly() -> None:
    """The fork server's exit: no interpreter teardown (it imported papermill, nbconvert and
    jupyter_client; freeing them takes 0.3-0.5 s that the batch would wait for, see
    :func:`pmlib.batch.pool._stop_fork_server`). Registered last, so it runs first; the
    server has nothing to flush. Its workers never run it: multiprocessing ends a forked
    worker with ``os._exit``, after the worker's own finalizers."""
    os._exit(0)


_warm()
if _in_fork_server():
    atexit.register(_exit_quickly)
