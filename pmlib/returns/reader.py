"""Read a returned workbook: its key, and each row's entries as the officer left them.

Values are read as values (openpyxl ``data_only``): a number typed as a formula counts by its
result. Text is read as text: a formula typed into a narrative cell is kept as the formula's
text (``=SUM(A1)``), never evaluated. The template's own checks happen here: the hidden key
against its checksum, the quarter, and the rows on the sheet against the rows in the key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from pmlib.core.errors import Problem
from pmlib.returns.workbook import (
    FIRST_ROW,
    KEY_SHEET,
    RETURN_SHEET,
    TEMPLATE,
    checksum,
    columns,
)

#: Input columns read from each row (narratives as ``n:<column>``).
ENTRY = ("value", "numerator", "denominator", "status")


@dataclass
class ReturnedRow:
    key: str
    indicator_id: str
    period: str
    excel_row: int  # as Excel numbers rows (1-based)
    entries: dict[str, object] = field(default_factory=dict)


@dataclass
class Returned:
    """One returned workbook as read: its key, rows and the template's problems."""

    path: Path
    meta: dict[str, str] = field(default_factory=dict)
    keys: list[str] = field(default_factory=list)
    rows: list[ReturnedRow] = field(default_factory=list)
    cells: dict[str, int] = field(default_factory=dict)  # column key -> 1-based Excel column
    problems: list[Problem] = field(default_factory=list)

    @property
    def group(self) -> str:
        return self.meta.get("owner", "")

    @property
    def quarter(self) -> str:
        return self.meta.get("quarter", "")

    def cell(self, row: ReturnedRow, column: str) -> str:
        """The Excel cell (``T7``) of a row's column."""
        return f"{get_column_letter(self.cells[column])}{row.excel_row}"


def _problem(path: Path, message: str, fix: str, **kw) -> Problem:
    return Problem(path.name, message, fix, **kw)


def read_return(path: Path, quarter: str, headings: dict[str, str]) -> Returned:
    """Read ``path`` and check it is an unaltered template for ``quarter``."""
    out = Returned(Path(path))
    try:
        values = load_workbook(path, data_only=True, read_only=False)
        formulas = load_workbook(path, data_only=False, read_only=False)
    except Exception as exc:  # noqa: BLE001 - any openpyxl failure is a user file problem
        out.problems.append(
            _problem(path, f"cannot be opened as an Excel workbook ({type(exc).__name__})",
                     "save it from Excel as .xlsx (Excel Workbook) and send it again")
        )  # fmt: skip
        return out
    if KEY_SHEET not in values.sheetnames or RETURN_SHEET not in values.sheetnames:
        out.problems.append(
            _problem(path, "is not a pmlib return workbook (its hidden key sheet is missing)",
                     "fill in the workbook made by 'pmlib returns make', not a copy of its cells")
        )  # fmt: skip
        return out
    key_ws = values[KEY_SHEET]
    for k, v in key_ws.iter_rows(min_col=1, max_col=2, values_only=True):
        if k == "row":
            out.keys.append(str(v))
        elif k:
            out.meta[str(k)] = "" if v is None else str(v)
    expected = checksum(
        out.meta.get("council", ""), out.meta.get("quarter", ""), out.group, out.keys
    )
    where = {"column": "key", "severity": "error"}
    if out.meta.get("template") != TEMPLATE or out.meta.get("checksum") != expected:
        out.problems.append(
            _problem(path, "its hidden key has been changed, so pmlib cannot tell whose return "
                     "it is", "make a new workbook with 'pmlib returns make' and copy the "
                     "figures in", **where)
        )  # fmt: skip
        return out
    if out.quarter != quarter:
        out.problems.append(
            _problem(path, f"is the return for {out.quarter}, not {quarter}",
                     f"import it with --quarter \"{out.quarter}\", or fill in the {quarter} "
                     "workbook", value=out.quarter, **where)
        )  # fmt: skip
        return out
    ws, fws = values[RETURN_SHEET], formulas[RETURN_SHEET]
    header = [c.value for c in ws[FIRST_ROW]]
    titles = {c.title: c.key for c in columns(headings)}
    for i, title in enumerate(header, start=1):
        if title in titles and titles[title] not in out.cells:
            out.cells[titles[title]] = i
    missing = [c.title for c in columns(headings) if c.key not in out.cells]
    if missing:
        out.problems.append(
            _problem(path, f"has no column {', '.join(repr(m) for m in missing)} (the columns "
                     "were changed, or the narrative headings changed since it was made)",
                     "make a new workbook with 'pmlib returns make' and copy the figures in",
                     row=FIRST_ROW, **where)
        )  # fmt: skip
        return out
    key_col = out.cells["key"]
    found = []
    for r in range(FIRST_ROW + 1, ws.max_row + 1):
        key = ws.cell(r, key_col).value
        content = any(
            ws.cell(r, out.cells[c]).value not in (None, "") for c in ("indicator_id", "value")
        )
        if key is None and not content:
            continue
        found.append((r, "" if key is None else str(key)))
    sheet_keys = [k for _, k in found]
    if sheet_keys != out.keys:
        added = [(r, k) for r, k in found if k not in out.keys]
        removed = [k for k in out.keys if k not in sheet_keys]
        if added:
            for r, _k in added:
                out.problems.append(
                    _problem(path, "is a row added to the return", "delete the row: each "
                             "figure has its own row already", row=r,
                             value=ws.cell(r, out.cells["indicator_id"]).value, **where)
                )  # fmt: skip
        for k in removed:
            out.problems.append(
                _problem(path, f"the row for {k.replace('|', ' ')} was removed",
                         "use the workbook as made: rows cannot be added or removed",
                         value=k, **where)
            )  # fmt: skip
        if not added and not removed:
            out.problems.append(
                _problem(path, "its rows were moved", "put the rows back in the order made",
                         **where)
            )  # fmt: skip
        return out
    for r, key in found:
        indicator_id, _, period = key.partition("|")
        row = ReturnedRow(key, indicator_id, period, r)
        for name in (*ENTRY, *(f"n:{k}" for k in headings)):
            c = out.cells[name]
            raw = fws.cell(r, c)
            value = ws.cell(r, c).value
            if raw.data_type == "f":
                if name.startswith("n:") or name == "status":
                    value = str(raw.value)  # a formula in text is text, never evaluated
                elif value is None:
                    value = str(raw.value)  # reported as not a number, as typed
            if isinstance(value, str):
                value = value.strip()
                value = value or None
            row.entries[name] = value
        out.rows.append(row)
    return out
