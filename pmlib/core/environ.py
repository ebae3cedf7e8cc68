"""Environment variables set for one block of code, then put back.

For settings a library reads once, at a moment we choose: pyarrow's allocator options when it
loads (:mod:`pmlib.cli.main`), the path a fork server starts with (:mod:`pmlib.batch.pool`).
Standard library only: imported on the command line's start-up path.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping

__all__ = ["temporary_environ"]


@contextlib.contextmanager
def temporary_environ(values: Mapping[str, str], *, keep_set: bool = False) -> Iterator[None]:
    """Set ``values`` in ``os.environ`` for the block, then restore each variable as it was
    (unset if it was unset). ``keep_set``: leave a variable that is already set alone (the
    user's own setting wins).

    >>> import os
    >>> with temporary_environ({"PMLIB_DOCTEST_X": "1"}):
    ...     os.environ["PMLIB_DOCTEST_X"]
    '1'
    >>> "PMLIB_DOCTEST_X" in os.environ
    False
    """
    saved = {name: os.environ.get(name) for name in values}
    for name, value in values.items():
        if not (keep_set and name in os.environ):
            os.environ[name] = value
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
