"""A disk cache of validated datasets, so that validation runs once per change of the data.

``pmlib run`` validates the data folder in the parent (to refuse bad data before anything
renders), then every report kernel reads the same folder again and, before this cache, validated
it again: on the demo council ~1.5 s per kernel, on the critical path of the first report of
each. Now the first process to validate a folder stores the :class:`~pmlib.core.model.Dataset`
under ``<cache dir>/datasets/`` (:func:`pmlib.core.cache.cache_dir`) and the others load it in a
few tens of milliseconds.

The key is :func:`pmlib.data.validate.read_dataset`'s own in-memory key (every data and parameter
file's path and SHA-256, and the day, which warnings depend on) plus what could make a stored
dataset wrong for this process: pmlib's version, a digest of the source of the modules that
validate (``pmlib/core``, ``config`` and ``data``, so an edited rule in a checkout is never
served a stale result), and the pandas, numpy and Python versions the pickle was written by.

Safety: an entry is written atomically (a temporary file renamed into place) and readable by its
owner only, since unpickling runs code; anything unreadable, truncated or written by other
versions is ignored and removed; at most :data:`MAX_ENTRIES` datasets are kept (the most
recently used). The cache only ever saves time: any error here falls back to validating.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import pickle
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

from pmlib.core.cache import cache_dir

log = logging.getLogger(__name__)

#: Datasets kept on disk (a council's quarter, perhaps a test folder or two).
MAX_ENTRIES = 4
#: A dataset whose tables take more memory than this is not stored: writing hundreds of MB
#: on every change of the data would cost a one-off command (``pmlib rate`` on a million
#: actuals: ~300 MB) more than the kernels it could spare, and fill the user's disk.
MAX_BYTES = 128 * 2**20
_FORMAT = 1  # bump when what is stored changes shape
_PACKAGE = Path(__file__).resolve().parents[1]

__all__ = ["MAX_BYTES", "MAX_ENTRIES", "cache_path", "load_dataset", "store_dataset"]


@functools.cache
def _code_digest() -> str:
    """SHA-256 of the validating modules' source (cached: the source does not change mid-run)."""
    h = hashlib.sha256()
    for sub in ("core", "config", "data"):
        for path in sorted((_PACKAGE / sub).glob("*.py")):
            h.update(f"{sub}/{path.name}".encode() + b"\0")
            with contextlib.suppress(OSError):
                h.update(path.read_bytes())
    return h.hexdigest()


def _versions() -> tuple[str, ...]:
    import numpy as np
    import pandas as pd

    from pmlib.core.version import __version__

    return (__version__, _code_digest(), pd.__version__, np.__version__, platform.python_version())


def cache_path(key: tuple[Any, ...]) -> Path:
    """The file that holds (or would hold) the dataset for ``read_dataset``'s ``key``."""
    text = repr((_FORMAT, _versions(), key)).encode("utf-8")
    return cache_dir() / "datasets" / f"{hashlib.sha256(text).hexdigest()[:32]}.pickle"


def load_dataset(key: tuple[Any, ...]) -> Any | None:
    """The stored dataset for ``key``, or ``None`` (missing, unreadable or stale: removed)."""
    try:
        path = cache_path(key)
        with open(path, "rb") as fh:
            stored = pickle.load(fh)  # noqa: S301 - our own file, in the user's cache folder
    except FileNotFoundError:
        return None
    except Exception as exc:  # truncated, corrupted, written by another pandas ...
        log.debug("Ignoring the cached dataset for this key: %s", exc)
        with contextlib.suppress(Exception):
            cache_path(key).unlink(missing_ok=True)
        return None
    if not (isinstance(stored, tuple) and len(stored) == 2 and stored[0] == repr(key)):
        return None  # a hash collision or a foreign file: never trust it
    with contextlib.suppress(OSError):
        os.utime(path)  # most recently used: kept when pruning
    return stored[1]


def store_dataset(key: tuple[Any, ...], dataset: Any) -> Path | None:
    """Store ``dataset`` for ``key`` atomically and prune old entries; ``None`` if it could not
    be written (a read-only home, a full disk: the next process validates again)."""
    try:
        if _table_bytes(dataset) > MAX_BYTES:
            log.debug("Not caching a dataset over %d bytes", MAX_BYTES)
            return None
        path = cache_path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = pickle.dumps((repr(key), dataset), protocol=pickle.HIGHEST_PROTOCOL)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:  # mkstemp: readable by the owner only
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _prune(path.parent, keep=path)
        return path
    except Exception as exc:
        log.debug("Could not cache the dataset: %s", exc)
        return None


def _table_bytes(dataset: Any) -> int:
    """Memory held by the dataset's tables (shallow: Arrow-backed text counts its buffers)."""
    import pandas as pd

    frames = [v for v in getattr(dataset, "__dict__", {}).values() if isinstance(v, pd.DataFrame)]
    return int(sum(f.memory_usage(index=True, deep=False).sum() for f in frames))


def _prune(folder: Path, keep: Path) -> None:
    """Keep the :data:`MAX_ENTRIES` most recently used entries (and ``keep``)."""
    entries = []
    for p in folder.glob("*.pickle"):
        with contextlib.suppress(OSError):
            entries.append((p.stat().st_mtime, p))
    entries.sort(reverse=True)
    for _, p in entries[MAX_ENTRIES:]:
        if p != keep:
            with contextlib.suppress(OSError):
                p.unlink()
    for tmp in folder.glob(".*.tmp"):  # left by a process killed mid-write, an hour ago or more
        with contextlib.suppress(OSError):
            if time.time() - tmp.stat().st_mtime > 3600:
                tmp.unlink()
