"""What ``--scheduler`` may say, checked before anything is read (no dask import).

``local`` / ``local:N`` asks for a ``LocalCluster`` of N workers; anything else is the address of
a running dask scheduler, ``[protocol://]host:port`` as ``dask scheduler`` prints it. A typo
(``tcp://`` with no host, a port that is not a number) is refused here, in one line with the
fix, instead of after the data has been read and validated and a connection has timed out.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from pmlib.core.errors import ParameterError

_LOCAL = re.compile(r"^local(?::(\d+))?$", re.IGNORECASE)
#: dask's network protocols that take ``host:port`` (``inproc://`` is one process only).
PROTOCOLS = ("tcp", "tls", "ws", "wss", "ucx")

__all__ = ["PROTOCOLS", "parse_scheduler"]


def _refuse(text: str, why: str) -> ParameterError:
    return ParameterError(
        f"--scheduler {text!r} is not a scheduler address ({why}). Fix: give the address "
        "printed by `dask scheduler` (e.g. tls://10.0.0.5:8786 or 10.0.0.5:8786), or local / "
        "local:N for N local workers."
    )


def parse_scheduler(text: str) -> tuple[str | None, int | None]:
    """``"local"`` / ``"local:N"`` -> ``(None, N or None)``; a scheduler address ->
    ``(address, None)``, after checking its protocol, host and port.

    >>> parse_scheduler("local:4"), parse_scheduler("tcp://10.0.0.5:8786")
    ((None, 4), ('tcp://10.0.0.5:8786', None))
    >>> parse_scheduler("tcp://")
    Traceback (most recent call last):
    ...
    pmlib.core.errors.ParameterError: --scheduler 'tcp://' is not a scheduler address (no host)...
    """
    text = (text or "").strip()
    match = _LOCAL.match(text)
    if match:
        n = int(match.group(1)) if match.group(1) else None
        if n is not None and n < 1:
            raise ParameterError(f"--scheduler {text}: N must be 1 or more (e.g. local:2).")
        return None, n
    if not text or any(c.isspace() for c in text):
        raise _refuse(text, "empty" if not text else "it contains a space")
    scheme = text.partition("://")[0].lower() if "://" in text else "tcp"
    if scheme not in PROTOCOLS:
        raise _refuse(text, f"unknown protocol {scheme!r}; dask's are {', '.join(PROTOCOLS)}")
    parts = urlsplit(text if "://" in text else f"tcp://{text}")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise _refuse(text, "only protocol://host:port, no path")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        raise _refuse(text, "the port must be a number from 1 to 65535") from None
    if not host:
        raise _refuse(text, "no host")
    if port is None or port == 0:
        raise _refuse(text, "no port; dask's default is 8786")
    return text, None
