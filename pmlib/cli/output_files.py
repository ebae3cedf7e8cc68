"""Files a command writes, named on its command line: a folder given by mistake is refused when
the arguments are read, and a file that cannot be written is a message naming it with a fix,
never a traceback."""

from __future__ import annotations

import argparse
import contextlib
import errno
from collections.abc import Iterator
from pathlib import Path

from pmlib.core.errors import ParameterError

__all__ = ["file_to_write", "path_problem", "writing"]


def file_to_write(text: str) -> Path:
    """An argument naming a file to write (``--out``, ``--problems``): not a folder."""
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(
            f"{text!r} is a folder; give a file name in it, such as {str(path / 'output.csv')!r}"
        )
    return path


@contextlib.contextmanager
def writing(path: Path) -> Iterator[None]:
    """A failure to write ``path`` (no such folder, no permission, a full disk) as a message
    naming the file and a fix, not a traceback."""
    try:
        yield
    except OSError as exc:
        raise ParameterError(
            f"Cannot write {path}: {_reason(exc)}. Fix: choose a file in a folder that "
            f"exists and that you can write to."
        ) from None


#: Failures that come from the path a user typed (or the place it points at), not from pmlib.
_PATH_ERRNOS = frozenset(
    {
        errno.ENOENT,
        errno.ENOTDIR,
        errno.EISDIR,
        errno.EEXIST,
        errno.EACCES,
        errno.EPERM,
        errno.EROFS,
        errno.ENOSPC,
        errno.ENAMETOOLONG,
    }
)


def path_problem(exc: OSError) -> str | None:
    """A one-line message with a fix for a file-system failure on a named path, or None.

    The last line of defence behind each command's own checks: any verb given an output path
    that is a folder where a file belongs, a file where a folder belongs, or a place it cannot
    write gets this message and exit 1 rather than a traceback. The path shown is the user's
    (``os.replace``'s destination, not the hidden temporary file beside it).
    """
    if exc.errno not in _PATH_ERRNOS or not (exc.filename2 or exc.filename):
        return None
    path = exc.filename2 or exc.filename
    return (
        f"Cannot use {path}: {_reason(exc)}. Fix: check the paths on the command line "
        f"(a folder where a file belongs, or a file where a folder belongs) and that you can "
        f"write there."
    )


def _reason(exc: OSError) -> str:
    """The OS's reason in the user's terms: "File exists" from making a folder means a file is
    where a folder must go."""
    if exc.errno == errno.EEXIST:
        return "a file is in the way where a folder is needed"
    if exc.errno == errno.ENOTDIR:
        return "part of the path is a file, not a folder"
    if exc.errno == errno.EISDIR:
        return "it is a folder, not a file"
    return str(exc.strerror or exc)
