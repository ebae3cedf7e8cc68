"""pmlib's version, read once from the installed package metadata."""

from __future__ import annotations

import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

try:
    __version__ = version("pmlib")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0+unknown"

__all__ = ["__version__", "git_commit"]


def git_commit(root: Path | None = None) -> str:
    """The commit of pmlib's own checkout, or "not a git checkout" (for ``provenance.json``).

    An installed pmlib (a wheel in a virtual environment) may sit inside some other repository
    (a council's project folder holding its ``.venv``); git would then answer with *that*
    repository's commit. So a commit is reported only when the repository's top level is the
    folder holding the ``pmlib`` package.
    """
    root = (root or Path(__file__).parents[2]).resolve()
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--show-toplevel", "--short=12", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return "not a git checkout"
    lines = out.stdout.split()
    if len(lines) != 2 or Path(lines[0]).resolve() != root:
        return "not a git checkout"
    commit = lines[1]
    dirty = subprocess.run(
        ["git", "-C", str(root), "status", "--porcelain", "--", "pmlib"],
        capture_output=True,
        text=True,
        timeout=5,
        check=False,
    ).stdout.strip()
    return commit + (" (with uncommitted changes to pmlib)" if dirty else "")
