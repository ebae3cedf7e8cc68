"""The audit trail: every change made by import, approve, reject, lock and unlock, hash-chained.

``audit_log.csv`` in the data folder, one row per change: who, when, action, table, key, column,
old value, new value, source file and its SHA-256, a note — plus ``prev_hash`` and ``hash``.
Each row's hash is the SHA-256 of its own fields and the previous row's hash, so editing or
deleting any row breaks the chain from that row on, and :func:`verify` names the first broken
entry. It is a CSV so an auditor can open it in Excel; text that would start a formula is
written with a leading apostrophe (as everywhere pmlib writes officer text to CSV).

The log is also where the state of a period lives: a quarter is locked when its latest
lock/unlock entry is a lock.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from pmlib.core.dburl import is_database_url
from pmlib.returns.textsafe import csv_safe

LOG_NAME = "audit_log.csv"
#: The log's table in a database source.
LOG_TABLE = "audit_log"
FIELDS = (
    "seq", "at", "who", "action", "period", "table", "key", "column", "old", "new",
    "source", "source_sha256", "note",
)  # fmt: skip
CHAIN = ("prev_hash", "hash")
GENESIS = "0" * 64


@dataclass(frozen=True)
class Entry:
    """One change, before it is numbered and chained."""

    who: str
    action: str
    period: str = ""
    table: str = ""
    key: str = ""
    column: str = ""
    old: object = ""
    new: object = ""
    source: str = ""
    source_sha256: str = ""
    note: str = ""


def log_path(data_dir: Path) -> Path:
    return Path(data_dir) / LOG_NAME


def _hash(fields: list[str], prev: str) -> str:
    text = "\x1f".join([*fields, prev])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return csv_safe(str(value))


def read_log(data_dir: Path | str) -> list[dict[str, str]]:
    """The log's rows as text (empty when there is no log yet). A database source keeps its
    log in its ``audit_log`` table (pmlib.data.sql_write), written with the data it describes."""
    if is_database_url(data_dir):
        from pmlib.data.sql import read_rows  # lazy: imports SQLAlchemy

        return read_rows(str(data_dir), LOG_TABLE, "seq")
    path = log_path(data_dir)
    if not path.exists():
        return []
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def appended(data_dir: Path, entries: list[Entry], now: dt.datetime | None = None) -> bytes:
    """The log's bytes with ``entries`` appended and chained (written by the caller, atomically
    and with the data it describes)."""
    path = log_path(data_dir)
    old = path.read_bytes() if path.exists() else b""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\n")
    if not old:
        writer.writerow([*FIELDS, *CHAIN])
    writer.writerows(chained(read_log(data_dir), entries, now))
    return old + buf.getvalue().encode("utf-8")


def chained(
    rows: list[dict[str, str]], entries: list[Entry], now: dt.datetime | None = None
) -> list[list[str]]:
    """``entries`` numbered and chained after the log's ``rows``: each new row's fields then
    ``prev_hash`` and ``hash`` (a file log and a database's ``audit_log`` table alike)."""
    prev = rows[-1]["hash"] if rows else GENESIS
    seq = int(rows[-1]["seq"]) if rows else 0
    when = (now or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    out = []
    for e in entries:
        seq += 1
        fields = [str(seq), when] + [_text(getattr(e, f)) for f in FIELDS[2:]]
        digest = _hash(fields, prev)
        out.append([*fields, prev, digest])
        prev = digest
    return out


def verify(data_dir: Path) -> tuple[bool, str]:
    """Check the chain: ``(True, summary)`` or ``(False, the first broken entry and why)``."""
    if is_database_url(data_dir):
        return _verify_rows(read_log(data_dir))
    path = log_path(data_dir)
    if not path.exists():
        return True, f"no audit log yet ({path})"
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header != [*FIELDS, *CHAIN]:
            return False, f"{path.name}, line 1: the header row has been changed"
        prev, seq = GENESIS, 0
        for line, row in enumerate(reader, start=2):
            if len(row) != len(FIELDS) + 2:
                return False, f"{path.name}, line {line}: the entry has the wrong number of fields"
            fields, (p, h) = row[: len(FIELDS)], row[len(FIELDS) :]
            where = f"{path.name}, line {line} (entry {fields[0]})"
            if fields[0] != str(seq + 1):
                return False, f"{where}: expected entry {seq + 1}; an entry was deleted or moved"
            if p != prev:
                return False, f"{where}: does not follow the entry before it (deleted or edited)"
            if _hash(fields, p) != h:
                return False, f"{where}: its contents were edited after it was written"
            prev, seq = h, seq + 1
    return True, f"{path.name}: {seq} entries, chain intact"


def _verify_rows(rows: list[dict[str, str]]) -> tuple[bool, str]:
    """:func:`verify` for a database's ``audit_log`` table (rows in ``seq`` order)."""
    prev, seq = GENESIS, 0
    for row in rows:
        fields = [row.get(f, "") for f in FIELDS]
        where = f"{LOG_TABLE} table, entry {fields[0]}"
        if fields[0] != str(seq + 1):
            return False, f"{where}: expected entry {seq + 1}; an entry was deleted or moved"
        if row.get("prev_hash") != prev:
            return False, f"{where}: does not follow the entry before it (deleted or edited)"
        if _hash(fields, prev) != row.get("hash"):
            return False, f"{where}: its contents were edited after it was written"
        prev, seq = row["hash"], seq + 1
    return True, f"{LOG_TABLE} table: {seq} entries, chain intact"


def is_locked(data_dir: Path, period: str) -> dict[str, str] | None:
    """The lock entry holding ``period`` locked, or ``None`` when it is open."""
    return lock_state(read_log(data_dir), period)


def lock_state(rows: list[dict[str, str]], period: str) -> dict[str, str] | None:
    """The lock entry among the log's ``rows`` holding ``period`` locked, or ``None``."""
    state = None
    for row in rows:
        if row["period"] == period and row["action"] in ("lock", "unlock"):
            state = row if row["action"] == "lock" else None
    return state
