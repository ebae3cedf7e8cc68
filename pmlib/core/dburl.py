"""Database URLs where a data folder may be named: recognise, check, fill in and redact them.

A data source is a folder of files unless it is written as a SQLAlchemy URL
(``postgresql+psycopg://reporting@warehouse/perf``, ``mssql+pyodbc://...``,
``duckdb:///data/perf.duckdb``, ``sqlite:///perf.db``). This module holds the text rules only
(no SQLAlchemy import), so the parameters reader and the CLI can tell a URL from a folder
cheaply; :mod:`pmlib.data.sql` does the reading.

Credentials never live in a file under version control: a URL may name the user and host, and
take the password from the environment — ``PGPASSWORD`` or a ``.pgpass`` file for PostgreSQL
(libpq reads both), or a ``${NAME}`` placeholder filled in from the environment when pmlib
connects. A URL with a literal password is refused with that fix (:func:`literal_password`).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import quote

from pmlib.core.errors import ParameterError

__all__ = [
    "DataSourceError",
    "data_location",
    "fill_environment",
    "is_database_url",
    "literal_password",
    "local_file",
    "redact",
]

#: ``dialect://`` or ``dialect+driver://`` at the start: what makes text a URL, not a folder.
_URL = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9_]*(?:\+[A-Za-z0-9_]+)?)://")
#: ``${NAME}`` placeholders, filled in from the environment when connecting.
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
#: Dialects whose database is a local file (``dialect:///path``).
FILE_DIALECTS = ("sqlite", "duckdb")


class DataSourceError(ParameterError):
    """A database data source cannot be used: a bad URL, a missing driver, no connection."""


def is_database_url(value: object) -> bool:
    """Whether a data source is written as a URL rather than a folder.

    >>> is_database_url("duckdb:///perf.duckdb"), is_database_url("data/demo")
    (True, False)
    >>> is_database_url(r"C:\\data")  # a Windows drive is a folder, not a scheme
    False
    """
    return isinstance(value, str) and bool(_URL.match(value.strip()))


def scheme(url: str) -> str:
    """The dialect (and driver) part: ``postgresql+psycopg``."""
    match = _URL.match(url.strip())
    return match.group("scheme").lower() if match else ""


def _userinfo(url: str) -> tuple[int, int]:
    """Start and end of the ``user:password`` part of the URL (empty span when none)."""
    start = url.find("://") + 3
    end = len(url)
    for stop in "/?#":
        i = url.find(stop, start)
        if i != -1:
            end = min(end, i)
    at = url.rfind("@", start, end)
    return (start, at) if at != -1 else (start, start)


def literal_password(url: str) -> bool:
    """Whether the URL carries a password written out (not a ``${NAME}`` placeholder).

    >>> literal_password("postgresql+psycopg://ana:secret@db/perf")
    True
    >>> literal_password("postgresql+psycopg://ana:${PMLIB_DB_PASSWORD}@db/perf")
    False
    >>> literal_password("postgresql+psycopg://ana@db/perf")
    False
    """
    start, end = _userinfo(url)
    user, sep, password = url[start:end].partition(":")
    return bool(sep and password and not _PLACEHOLDER.fullmatch(password))


def redact(url: str) -> str:
    """The URL as messages may show it: any password replaced by ``***``.

    >>> redact("postgresql+psycopg://ana:secret@db/perf")
    'postgresql+psycopg://ana:***@db/perf'
    """
    start, end = _userinfo(url)
    user, sep, password = url[start:end].partition(":")
    if not (sep and password):
        return url
    return f"{url[:start]}{user}:***{url[end:]}"


def fill_environment(url: str) -> str:
    """The URL with each ``${NAME}`` replaced by that environment variable.

    A value put into the user or password is percent-encoded, so a password holding ``@`` or
    ``/`` cannot change where the URL points.

    >>> os.environ["PMLIB_DOCTEST_PW"] = "p@ss/word"
    >>> fill_environment("postgresql+psycopg://ana:${PMLIB_DOCTEST_PW}@db/perf")
    'postgresql+psycopg://ana:p%40ss%2Fword@db/perf'
    """
    missing = sorted({m for m in _PLACEHOLDER.findall(url) if m not in os.environ})
    if missing:
        raise DataSourceError(
            f"The data source {redact(url)} uses ${{{missing[0]}}}, but the environment "
            f"variable {missing[0]} is not set. Fix: set it before running pmlib (e.g. export "
            f"{missing[0]}=...), or keep the password in a .pgpass file instead."
        )
    start, end = _userinfo(url)

    def filled(text: str, encode: bool) -> str:
        return _PLACEHOLDER.sub(
            lambda m: quote(os.environ[m.group(1)], safe="") if encode else os.environ[m.group(1)],
            text,
        )

    return filled(url[:start], False) + filled(url[start:end], True) + filled(url[end:], False)


def local_file(url: str) -> str | None:
    """The database file of a ``sqlite:///`` or ``duckdb:///`` URL (``None``: in memory, or a
    server dialect).

    >>> local_file("duckdb:///data/perf.duckdb"), local_file("sqlite://")
    ('data/perf.duckdb', None)
    """
    if scheme(url).split("+")[0] not in FILE_DIALECTS:
        return None
    rest = url.strip().split("://", 1)[1]
    path = rest[1:] if rest.startswith("/") else rest
    path = path.split("?", 1)[0]
    return path if path and path != ":memory:" else None


def data_location(text: str) -> Path | str:
    """A ``--data`` argument: a database URL kept as text, anything else a folder path.

    (``Path`` would fold a URL's ``//``, so the CLI parses ``--data`` with this.)

    >>> data_location("duckdb:///perf.duckdb"), data_location("data/demo")
    ('duckdb:///perf.duckdb', PosixPath('data/demo'))
    """
    return text.strip() if is_database_url(text) else Path(text)
