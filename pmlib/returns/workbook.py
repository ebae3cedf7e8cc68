"""Write one return workbook (XlsxWriter): instructions, the return sheet, and the hidden key.

The workbook is built from the same contract as ``pmlib validate`` (allowed statuses, 0-100 for
percentages, numbers where numbers go), so what Excel lets an officer type and what the import
accepts cannot disagree. Only the input cells are unlocked and the sheet is protected, so rows
cannot be inserted or deleted in Excel; a very hidden ``_pmlib`` sheet keeps the council,
quarter, owner, one key per row and a checksum over them, so a workbook returned for the wrong
quarter or owner, or with rows added or removed by other means, is recognised on import.

The same writer makes the correction workbook: the officer's entries filled back in, each
problem cell highlighted with the problem as a comment, and a ``Problems`` sheet.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from pmlib.core.words import long_date
from pmlib.data.contract import STATUSES

#: Template version: part of the checksum, so an old template is recognised as such.
TEMPLATE = "pmlib-return-1"
RETURN_SHEET = "Return"
KEY_SHEET = "_pmlib"
PROBLEMS_SHEET = "Problems"
#: First data row of the return sheet (0-based; the header is the row above).
FIRST_ROW = 4
#: Narrative length guidance, in characters (about 150 words).
NARRATIVE_LIMIT = 1000
#: Statuses an officer may choose (approval is the reviewer's, never in the return).
OFFICER_STATUSES = tuple(s for s in ("submitted", "draft") if s in STATUSES)
OFF, ON, NOT_JUDGED = "Off target", "On target", "Not judged"
REQUIRED, OPTIONAL = "Required: off target", "Optional"

_POLARITY = {"higher": "Higher", "lower": "Lower", "band": "Within the band", "none": "Monitored"}
_INPUT = "#FFF2CC"
_SHADE = "#E7E6E6"
_PROBLEM = "#F4B6B6"


@dataclass(frozen=True)
class Column:
    """One column of the return sheet."""

    key: str
    title: str
    width: float = 12
    entry: bool = False  # an input cell


def columns(headings: Mapping[str, str]) -> list[Column]:
    """The return sheet's columns, left to right (narratives as the council heads them)."""
    fixed = [
        Column("key", "Key", 2),
        Column("indicator_id", "ID", 8),
        Column("name", "Indicator", 34),
        Column("period", "Period", 11),
        Column("definition", "Definition", 44),
        Column("unit", "Unit", 10),
        Column("decimals", "Decimals", 8),
        Column("polarity", "Better is", 10),
        Column("target", "Target", 10),
        *[Column(f"history_{i}", f"Previous {i}", 9) for i in range(8, 0, -1)],
        Column("history_periods", "Previous periods", 18),
        Column("last_year", "Same period last year", 12),
        Column("value", "Value", 11, True),
        Column("numerator", "Numerator", 11, True),
        Column("denominator", "Denominator", 11, True),
        Column("status", "Status", 11, True),
        Column("check", "On target?", 11),
    ]
    narrative = [Column(f"n:{k}", v, 40, True) for k, v in headings.items()]
    return [*fixed, *narrative, Column("needed", "Narrative", 18), Column("due", "Due by", 14)]


def slug(text: str) -> str:
    """A file-name-safe form of a name: ``Waste and Recycling Manager`` → ``waste-and-...``."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "unassigned"


def workbook_name(quarter_slug: str, group: str) -> str:
    return f"{quarter_slug}-{slug(group)}.xlsx"


def row_key(indicator_id: str, period: str) -> str:
    return f"{indicator_id}|{period}"


def checksum(council: str, quarter: str, group: str, keys: list[str]) -> str:
    """SHA-256 over what identifies a template: council, quarter, owner and its rows in order."""
    text = "\n".join([TEMPLATE, council, quarter, group, *keys])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Fill:
    """What to write into the input cells, and which cells to mark (for a correction)."""

    entries: dict[str, dict[str, object]] = field(default_factory=dict)  # key -> column -> value
    marks: dict[tuple[str, str], str] = field(default_factory=dict)  # (key, column) -> problem
    problems: list[dict[str, str]] = field(default_factory=list)  # rows of the Problems sheet


def _num(value: object) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def _check_formula(row: pd.Series, cell: str) -> str:
    """The live "On target?" formula for one row, its target written in (see due.off_target)."""
    if not row["comparable"]:
        return f'=IF(ISNUMBER({cell}),"{NOT_JUDGED}","")'
    if row["polarity"] == "band":
        parts = []
        if _num(row["lower"]) is not None:
            parts.append(f"{cell}<{row['lower']!r}")
        if _num(row["upper"]) is not None:
            parts.append(f"{cell}>{row['upper']!r}")
        test = f"OR({','.join(parts)})" if parts else "FALSE"
    elif _num(row["target"]) is None:
        return f'=IF(ISNUMBER({cell}),"{NOT_JUDGED}","")'
    else:
        test = f"{cell}{'<' if row['polarity'] == 'higher' else '>'}{row['target']!r}"
    return f'=IF(ISNUMBER({cell}),IF({test},"{OFF}","{ON}"),"")'


def _target_text(row: pd.Series) -> object:
    if row["polarity"] == "band":
        lo, hi = _num(row["lower"]), _num(row["upper"])
        return f"{lo:g} to {hi:g}" if lo is not None and hi is not None else ""
    return _num(row["target"])


def write_return(
    path: Path,
    rows: pd.DataFrame,
    *,
    council: str,
    quarter: str,
    group: str,
    headings: Mapping[str, str],
    instructions: list[tuple[str, str]],
    fill: Fill | None = None,
) -> Path:
    """Write one owner's workbook to ``path`` (rows: :func:`pmlib.returns.due.return_rows`)."""
    fill = fill or Fill()
    cols = columns(headings)
    at = {c.key: i for i, c in enumerate(cols)}
    keys = [row_key(i, p) for i, p in zip(rows["indicator_id"], rows["period"], strict=True)]
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    f = _Formats(wb)
    _instructions(wb, f, council, quarter, group, instructions)
    ws = wb.add_worksheet(RETURN_SHEET)
    ws.activate()
    ws.freeze_panes(FIRST_ROW, at["period"] + 1)
    ws.write_string(0, 1, f"{council}: data return for {quarter}", f.title)
    ws.write_string(
        1, 1, f"For {group}. Yellow cells are yours to fill in; grey cells are read-only."
    )
    ws.merge_range(
        FIRST_ROW - 2, at["history_8"], FIRST_ROW - 2, at["history_1"],
        "Previous periods, oldest to latest (read-only)", f.head,
    )  # fmt: skip
    for i, c in enumerate(cols):
        ws.write_string(FIRST_ROW - 1, i, c.title, f.head)
        ws.set_column(i, i, c.width, None, {"hidden": c.key == "key"})
    first_of: dict[str, int] = {}
    for n, (key, (_, row)) in enumerate(zip(keys, rows.iterrows(), strict=True)):
        r = FIRST_ROW + n
        first_of.setdefault(row["indicator_id"], r)
        given = fill.entries.get(key, {})
        shade = f.shade_num(int(row["decimals"]))
        ws.write_string(r, at["key"], key, f.shade)
        for name in ("indicator_id", "name", "period", "definition", "unit", "decimals"):
            ws.write(r, at[name], row[name], f.shade_wrap if name == "definition" else f.shade)
        ws.write_string(r, at["polarity"], _POLARITY.get(row["polarity"], ""), f.shade)
        ws.write(r, at["target"], _target_text(row), shade)
        history = list(row["history"])[-8:]
        for i in range(1, 9):
            value = history[-i][1] if len(history) >= i else None
            ws.write(r, at[f"history_{i}"], _num(value), shade)  # a blank figure stays blank
        span = f"{history[0][0]} to {history[-1][0]}" if history else "none yet"
        ws.write_string(r, at["history_periods"], span, f.shade)
        ws.write(r, at["last_year"], _num(row["last_year"]), shade)
        entry = f.entry_num(int(row["decimals"]))
        _entry(ws, f, r, at["value"], given.get("value"), entry, (key, "value"), fill)
        ratio = row["aggregation"] == "ratio"
        for name in ("numerator", "denominator"):
            if ratio:
                _entry(ws, f, r, at[name], given.get(name), f.entry, (key, name), fill)
            else:
                ws.write_blank(r, at[name], None, f.shade)
        status = given.get("status") or "submitted"
        _entry(ws, f, r, at["status"], status, f.entry, (key, "status"), fill)
        value_cell = xl_rowcol_to_cell(r, at["value"])
        ws.write_formula(r, at["check"], _check_formula(row, value_cell), f.shade)
        ws.write(r, at["due"], long_date(row["due"]), f.shade)
        _validate_numbers(ws, r, at, row, ratio)
        ws.data_validation(
            r, at["status"], r, at["status"],
            {"validate": "list", "source": list(OFFICER_STATUSES),
             "error_title": "Status", "error_message": "Choose submitted or draft."},
        )  # fmt: skip
        ws.set_row(r, 45)
    for ind_id, first in first_of.items():
        last = FIRST_ROW + max(i for i, k in enumerate(keys) if k.split("|")[0] == ind_id)
        key = keys[last - FIRST_ROW]
        given = fill.entries.get(key, {})
        checks = (
            f"{xl_rowcol_to_cell(first, at['check'], True, True)}:"
            f"{xl_rowcol_to_cell(last, at['check'], True, True)}"
        )
        needed = xl_rowcol_to_cell(last, at["needed"], False, True)
        ws.write_formula(
            last, at["needed"], f'=IF(COUNTIF({checks},"{OFF}")>0,"{REQUIRED}","{OPTIONAL}")',
            f.shade,
        )  # fmt: skip
        for r in range(first, last + 1):
            if r != last:
                ws.write_string(r, at["needed"], "On the indicator's last row", f.shade)
            for k in headings:
                c = at[f"n:{k}"]
                if r != last:
                    ws.write_blank(r, c, None, f.shade)
                    continue
                _entry(ws, f, r, c, given.get(f"n:{k}"), f.entry_wrap, (key, f"n:{k}"), fill)
                ws.data_validation(
                    r, c, r, c,
                    {"validate": "length", "criteria": "<=", "value": NARRATIVE_LIMIT,
                     "input_title": headings[k][:32],
                     "input_message": f"About 150 words at most ({NARRATIVE_LIMIT} characters). "
                     "Required when the figure is off target.",
                     "error_type": "warning",
                     "error_message": f"Please keep to {NARRATIVE_LIMIT} characters."},
                )  # fmt: skip
                cell = xl_rowcol_to_cell(r, c)
                ws.conditional_format(
                    r, c, r, c,
                    {"type": "formula", "criteria": f'=AND({needed}="{REQUIRED}",LEN({cell})=0)',
                     "format": f.missing},
                )  # fmt: skip
    ws.protect("", {"format_columns": True, "format_rows": True})
    if fill.problems:
        _problems_sheet(wb, f, fill.problems)
    key_sheet = wb.add_worksheet(KEY_SHEET)
    meta = [
        ("template", TEMPLATE), ("council", council), ("quarter", quarter), ("owner", group),
        ("checksum", checksum(council, quarter, group, keys)), ("rows", str(len(keys))),
    ]  # fmt: skip
    for i, (k, v) in enumerate(meta):
        key_sheet.write_string(i, 0, k)
        key_sheet.write_string(i, 1, v)
    for i, key in enumerate(keys):
        key_sheet.write_string(len(meta) + i, 0, "row")
        key_sheet.write_string(len(meta) + i, 1, key)
    key_sheet.very_hidden()
    key_sheet.protect()
    wb.close()
    return path


def _entry(ws, f, r: int, c: int, value: object, fmt, where: tuple[str, str], fill: Fill) -> None:
    problem = fill.marks.get(where)
    if problem:
        fmt = f.problem
        ws.write_comment(r, c, problem, {"x_scale": 2, "y_scale": 1.5})
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        ws.write_blank(r, c, None, fmt)
    elif isinstance(value, str):
        ws.write_string(r, c, value, fmt)  # text stays text, formulas included
    else:
        ws.write_number(r, c, float(value), fmt)


def _validate_numbers(ws, r: int, at: dict[str, int], row: pd.Series, ratio: bool) -> None:
    pct = row["unit"] == "percent"
    rule = {
        "validate": "decimal",
        "criteria": "between",
        "minimum": 0 if pct else -1e15,
        "maximum": 100 if pct else 1e15,
        "error_title": "Value",
        "error_message": "Type a percentage from 0 to 100 (94.1, not 0.941 or 94.1%)."
        if pct
        else "Type a number (leave the cell blank if there is no figure).",
        "input_title": "Value",
        "input_message": f"Reported to {int(row['decimals'])} decimal place(s)"
        + (", 0 to 100." if pct else "."),
    }
    ws.data_validation(r, at["value"], r, at["value"], rule)
    if ratio:
        for name in ("numerator", "denominator"):
            ws.data_validation(
                r, at[name], r, at[name],
                {"validate": "decimal", "criteria": ">=", "value": 0,
                 "error_message": "Type a count of 0 or more."},
            )  # fmt: skip


def _instructions(wb, f, council: str, quarter: str, group: str, lines) -> None:
    ws = wb.add_worksheet("Instructions")
    ws.set_column(0, 0, 28)
    ws.set_column(1, 1, 100)
    ws.write_string(0, 0, f"{council}: data return for {quarter}", f.title)
    ws.write_string(1, 0, f"For {group}", f.bold)
    for i, (label, text) in enumerate(lines):
        ws.write_string(3 + i, 0, label, f.bold)
        ws.write_string(3 + i, 1, text, f.wrap)
    ws.protect()


def _problems_sheet(wb, f, problems: list[dict[str, str]]) -> None:
    ws = wb.add_worksheet(PROBLEMS_SHEET)
    heads = ["Sheet", "Cell", "Indicator", "Period", "Column", "Value", "Problem", "Fix"]
    widths = [10, 8, 10, 11, 18, 16, 50, 60]
    for i, (h, w) in enumerate(zip(heads, widths, strict=True)):
        ws.write_string(0, i, h, f.head)
        ws.set_column(i, i, w, f.wrap)
    for r, p in enumerate(problems, start=1):
        for i, h in enumerate(heads):
            ws.write_string(r, i, str(p.get(h.lower(), "")))
    ws.activate()


class _Formats:
    """The workbook's cell formats, made once."""

    def __init__(self, wb: xlsxwriter.Workbook):
        self.wb = wb
        self.title = wb.add_format({"bold": True, "font_size": 14})
        self.bold = wb.add_format({"bold": True, "valign": "top"})
        self.wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        self.head = wb.add_format(
            {"bold": True, "bg_color": "#1F4E79", "font_color": "#FFFFFF", "text_wrap": True,
             "valign": "top", "border": 1, "locked": True},
        )  # fmt: skip
        self.shade = wb.add_format({"bg_color": _SHADE, "valign": "top", "border": 1})
        self.shade_wrap = wb.add_format(
            {"bg_color": _SHADE, "valign": "top", "border": 1, "text_wrap": True}
        )
        self.entry = wb.add_format(
            {"bg_color": _INPUT, "locked": False, "border": 1, "valign": "top"}
        )
        self.entry_wrap = wb.add_format(
            {"bg_color": _INPUT, "locked": False, "border": 1, "text_wrap": True, "valign": "top"}
        )
        self.problem = wb.add_format(
            {"bg_color": _PROBLEM, "locked": False, "border": 2, "border_color": "#C00000",
             "text_wrap": True, "valign": "top"},
        )  # fmt: skip
        self.missing = wb.add_format({"bg_color": _PROBLEM})
        self._nums: dict[tuple[str, int], object] = {}

    def _num(self, kind: str, decimals: int):
        if (kind, decimals) not in self._nums:
            fmt = "0" + ("." + "0" * decimals if decimals > 0 else "")
            props = {"num_format": fmt, "border": 1, "valign": "top"}
            props |= (
                {"bg_color": _SHADE} if kind == "shade" else {"bg_color": _INPUT, "locked": False}
            )
            self._nums[(kind, decimals)] = self.wb.add_format(props)
        return self._nums[(kind, decimals)]

    def shade_num(self, decimals: int):
        return self._num("shade", decimals)

    def entry_num(self, decimals: int):
        return self._num("entry", decimals)


__all__ = [
    "KEY_SHEET",
    "RETURN_SHEET",
    "Column",
    "Fill",
    "checksum",
    "columns",
    "row_key",
    "write_return",
]
