"""Where a dataset's table came from: a file, or a table (or query) in a database.

``Dataset.sources`` maps each table to its origin. For a data folder that is the file's
:class:`~pathlib.Path`; for a database it is a :class:`DatabaseTable`, which has no path to hash
or to take a folder from. Code that names or fingerprints a source goes through the two
functions here, so it works for both without asking which it has.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["DatabaseTable", "is_file_source", "source_digest", "source_location", "source_name"]


@dataclass(frozen=True)
class DatabaseTable:
    """One table read from a database.

    ``url`` is shown redacted (never a password); ``name`` is how messages name the table
    (``table 'actuals'``, or ``query for actuals`` when council.yaml maps it to a query) — the
    ``file`` of every :class:`~pmlib.core.errors.Problem` about it; ``digest`` is the SHA-256 of
    the rows as read, so provenance and skip-if-unchanged can tell when the data changed.
    """

    table: str
    url: str
    name: str
    digest: str = ""
    query: str | None = None

    def __str__(self) -> str:
        return f"{self.name} in {self.url}"

    @property
    def label(self) -> str:
        """As :class:`pmlib.data.load.Source` says it: how messages name the table."""
        return self.name

    @property
    def path(self) -> DatabaseTable:
        """What ``Dataset.sources`` records for it (as a file source records its path)."""
        return self


def is_file_source(source: object) -> bool:
    """Whether a source is a file on disk (a path), rather than a database table."""
    return not isinstance(source, DatabaseTable)


def source_name(source: object) -> str:
    """How messages name a source: the file's name, or the database table's label."""
    if isinstance(source, DatabaseTable):
        return source.name
    return Path(source).name


def source_location(source: object) -> Path | str:
    """Where a source's data lives: a file's folder, or the database's URL (never holding a
    password: pmlib refuses URLs with one, so the URL kept is the one to connect with)."""
    if isinstance(source, DatabaseTable):
        return source.url
    return Path(source).parent


def source_digest(source: object) -> str:
    """SHA-256 of a source: the file's bytes, or the database rows as read."""
    if isinstance(source, DatabaseTable):
        return source.digest
    from pmlib.core.files import sha256_file

    return sha256_file(Path(source))
