"""Files a command writes, named on its command line: a folder given by mistake is refused when
the arguments are read, and a file that cannot be written is a message naming it with a fix,
never a traceback."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator
from pathlib import Path

from pmlib.core.errors import ParameterError

__all__ = ["file_to_write", "writing"]


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
            f"Cannot write {path}: {exc.strerror or exc}. Fix: choose a file in a folder that "
            f"exists and that you can write to."
        ) from None
