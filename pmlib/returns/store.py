"""Write the data folder's tables back in the format they are kept in, all or nothing.

A table is read as stored (CSV cells as text, a workbook sheet's cells as values, Parquet typed),
changed by key, and written back in the same format: untouched rows keep exactly what they had.

:class:`Transaction` makes a change to several files (actuals, narratives, the audit log) one
change: it holds a lock file so imports and sign-offs run one at a time, copies each file it
replaces into ``previous/<timestamp>/`` first, writes a journal, then swaps the new files in. If
anything fails part-way — or the process is killed — the journal is found (now, or by the next
command to take the lock) and the previous files are put back, so the data is as it was.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
from pathlib import Path

import pandas as pd
from filelock import FileLock, Timeout

from pmlib.core.errors import PmlibError
from pmlib.core.files import write_bytes_atomic
from pmlib.core.periods import try_parse_period
from pmlib.data.load import Source, find_tables
from pmlib.returns.textsafe import csv_safe

LOCK_NAME = ".pmlib-returns.lock"
JOURNAL_NAME = ".pmlib-returns.journal"
PREVIOUS = "previous"


class BusyError(PmlibError):
    """Another import or sign-off holds the data folder."""


def sources(data_dir: Path) -> dict[str, Source]:
    found, problems = find_tables(Path(data_dir))
    if problems and any(p.severity == "error" for p in problems):
        from pmlib.core.errors import DataValidationError

        raise DataValidationError(problems)
    return found


def read_stored(source: Source) -> pd.DataFrame:
    """A table as stored: CSV as text (blank = ''), a sheet's values, Parquet typed."""
    suffix = source.path.suffix.lower()
    if suffix == ".csv":
        return pd.read_csv(source.path, dtype=object, keep_default_na=False, encoding="utf-8-sig")
    if suffix == ".parquet":
        return pd.read_parquet(source.path)
    return pd.read_excel(
        source.path, sheet_name=source.sheet, dtype=object, engine="openpyxl",
        keep_default_na=False, na_values=[""],
    )  # fmt: skip


def canonical_periods(frame: pd.DataFrame, start_month: int) -> pd.Series:
    """Each stored row's period as its canonical label ('' when it cannot be read)."""
    labels = {}
    for text in frame["period"].astype(str).unique():
        p = try_parse_period(text, start_month)
        labels[text] = p.label if p else ""
    return frame["period"].astype(str).map(labels)


def upsert_cells(
    stored: pd.DataFrame, writes: dict[str, dict[str, object]], start_month: int, suffix: str
) -> pd.DataFrame:
    """``stored`` with cells written by key (``indicator_id|period``): the row with that key has
    the given cells replaced (its other cells kept); a key with no row is appended. Columns a
    write brings that the table lacks are added at the end."""
    out = stored.copy()
    blank = "" if suffix == ".csv" else None
    for cols in writes.values():
        for c in cols:
            if c not in out.columns:
                out[c] = blank
    keys = out["indicator_id"].astype(str) + "|" + canonical_periods(out, start_month)
    position = {k: i for i, k in enumerate(keys)}
    new_rows = []
    for key, cols in writes.items():
        cell = {c: _csv_cell(v) if suffix == ".csv" else v for c, v in cols.items()}
        if key in position:
            i = position[key]
            for c, v in cell.items():
                out.iloc[i, out.columns.get_loc(c)] = v
        else:
            indicator_id, _, period = key.partition("|")
            new_rows.append(
                {c: blank for c in out.columns}
                | {"indicator_id": indicator_id, "period": period}
                | cell
            )
    if new_rows:
        out = pd.concat([out, pd.DataFrame(new_rows, columns=out.columns)], ignore_index=True)
    if suffix == ".parquet":
        for c in out.columns:
            out[c] = _like(out[c], stored[c]) if c in stored else out[c]
    return out


def _csv_cell(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return csv_safe(str(value))


def _like(values: pd.Series, model: pd.Series) -> pd.Series:
    """New Parquet cells in the stored column's type."""
    if pd.api.types.is_datetime64_any_dtype(model.dtype):
        return pd.to_datetime(values, errors="coerce").astype(model.dtype)
    if pd.api.types.is_numeric_dtype(model.dtype):
        return pd.to_numeric(values, errors="coerce").astype("float64")
    return values.map(lambda v: None if v is None or v != v else str(v)).astype(model.dtype)


def serialise(path: Path, tables: list[tuple[Source, pd.DataFrame]]) -> bytes:
    """The bytes of ``path`` holding each (source, frame): one table for CSV and Parquet, one or
    more sheets of a workbook (the other sheets kept as they are)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return tables[0][1].to_csv(index=False, lineterminator="\n").encode("utf-8")
    if suffix == ".parquet":
        buf = io.BytesIO()
        tables[0][1].to_parquet(buf, index=False)
        return buf.getvalue()
    from openpyxl import load_workbook

    wb = load_workbook(path)
    for source, frame in tables:
        ws = wb[source.sheet]
        ws.delete_rows(1, ws.max_row)
        ws.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            ws.append([None if v is None or (isinstance(v, float) and v != v) else v for v in row])
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"  # officer text that looks like a formula stays text
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def stage_tables(tx: Transaction, changed: dict[str, tuple[Source, pd.DataFrame]]) -> None:
    """Stage changed tables, one file write per file (a workbook may hold several)."""
    by_path: dict[Path, list[tuple[Source, pd.DataFrame]]] = {}
    for source, frame in changed.values():
        by_path.setdefault(source.path, []).append((source, frame))
    for path, tables in by_path.items():
        tx.stage(path, serialise(path, tables))


class Transaction:
    """Stage new file contents, then swap them in together (see the module docstring)."""

    def __init__(self, data_dir: Path, *, timeout: float = 60):
        self.data_dir = Path(data_dir)
        self.lock = FileLock(str(self.data_dir / LOCK_NAME), timeout=timeout)
        self.staged: dict[Path, bytes] = {}

    def __enter__(self) -> Transaction:
        try:
            self.lock.acquire()
        except Timeout:
            raise BusyError(
                f"Another import or sign-off is changing {self.data_dir} (lock file "
                f"{LOCK_NAME}). Fix: wait for it to finish and run the command again."
            ) from None
        recover(self.data_dir)
        return self

    def __exit__(self, *exc) -> None:
        self.lock.release()

    def stage(self, path: Path, data: bytes) -> None:
        self.staged[Path(path)] = data

    def commit(self, stamp: str | None = None) -> Path | None:
        """Swap the staged files in; on any failure put the previous files back and re-raise."""
        if not self.staged:
            return None
        stamp = stamp or dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        keep = self.data_dir / PREVIOUS / stamp
        keep.mkdir(parents=True, exist_ok=True)
        plan = []
        for path in self.staged:
            backup = keep / path.name
            existed = path.exists()
            if existed:
                shutil.copy2(path, backup)
            plan.append({"path": str(path), "backup": str(backup), "existed": existed})
        journal = self.data_dir / JOURNAL_NAME
        write_bytes_atomic(journal, json.dumps(plan).encode("utf-8"))
        try:
            for path, data in self.staged.items():
                write_bytes_atomic(path, data)
        except BaseException:
            recover(self.data_dir)
            raise
        journal.unlink()
        self.staged = {}
        return keep


def recover(data_dir: Path) -> bool:
    """Put back the files of an interrupted change (if a journal is left); True if it did."""
    journal = Path(data_dir) / JOURNAL_NAME
    if not journal.exists():
        return False
    for item in json.loads(journal.read_text(encoding="utf-8")):
        path, backup = Path(item["path"]), Path(item["backup"])
        if item["existed"] and backup.exists():
            write_bytes_atomic(path, backup.read_bytes())
        elif not item["existed"]:
            path.unlink(missing_ok=True)
    os.replace(journal, journal.with_suffix(".recovered"))
    return True
