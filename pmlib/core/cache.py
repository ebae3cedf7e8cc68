"""pmlib's one cache folder, shared by every layer (the chart bundle, recorded plans, datasets).

Module-level imports are standard library only: report kernels and the CLI's start-up use it.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["cache_dir"]


def cache_dir() -> Path:
    """pmlib's cache folder: ``$PMLIB_CACHE_DIR``, else ``$XDG_CACHE_HOME/pmlib`` or
    ``~/.cache/pmlib`` (the chart bundle, the batch's recorded plans, validated datasets; safe
    to delete: everything in it is rebuilt when missing).

    Read on every call, not once, so that a test (or a caller) can point it elsewhere.
    """
    env = os.environ.get("PMLIB_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "pmlib"
