"""A long table of series from a file, checked cell by cell, for ``pmlib spc --data``.

The file has one row per (series, date): ``series``, ``date`` (an ISO date ``2026-09-30`` or a
pmlib period label ``2026-09``, ``2026/27 Q2``, ``2026/27``), ``value``, and optionally the option
columns of :data:`~pmlib.spc.options.SERIES_OPTIONS` (constant within a series, blank = default)
and ``rebase`` (true on the first point of a new group). Other columns are carried through.

Every problem is collected as a :class:`~pmlib.core.errors.Problem` naming the file, the Excel
row (the header is row 1), the column, the value and the fix, and all of them are raised at
once, before anything is computed or written.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from pmlib.core.errors import DataValidationError, Problem, Problems
from pmlib.core.periods import parse_period_column
from pmlib.core.tables_io import read_frame
from pmlib.spc.options import OPTION_HELP, SERIES_OPTIONS, SpcOptions, read_option_column
from pmlib.spc.xmr import SpcResult, calculate_spc

REQUIRED = ("series", "date", "value")
#: The hidden column the points are ordered by (days since 1970 of the date or period start).
_ORDER = "_spc_order"
_DATE_FIX = (
    "write an ISO date such as 2026-09-30, or a period label such as 2026-09, '2026/27 Q2' "
    "or 2026/27, one kind per series"
)


def read_spc_table(path: Path, fy_start_month: int = 4) -> pd.DataFrame:
    """The file as a frame ready for :func:`~pmlib.spc.calculate_spc` (``value`` as numbers,
    ``rebase`` as true/false, a hidden order column), or :class:`DataValidationError` with
    every problem."""
    label = Path(path).name
    frame, problems = read_frame(Path(path), label)
    if frame is None:
        raise DataValidationError(problems)
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise DataValidationError(
            [
                Problem(
                    label,
                    f"has no '{c}' column",
                    f"add a '{c}' column (the file needs {', '.join(REQUIRED)})",
                    column=c,
                )
                for c in missing
            ]
        )
    frame = frame.reset_index(drop=True)
    rows = np.arange(len(frame)) + 2  # Excel rows: the header is row 1
    found: list = list(problems)

    series = frame["series"].astype("string").str.strip()
    blank = (series.isna() | series.eq("")).to_numpy(dtype=bool)
    found += _at(
        label,
        "has no series name",
        "name the series this row belongs to",
        rows,
        blank,
        frame["series"],
        "series",
    )
    frame["series"] = series

    value = pd.to_numeric(frame["value"], errors="coerce").astype(float)
    bad = ~np.isfinite(value.to_numpy())
    found += _at(
        label,
        "is not a number",
        "write the value as a plain number, e.g. 12.5",
        rows,
        bad,
        frame["value"],
        "value",
    )
    frame["value"] = value

    order, kind = _dates(frame["date"], fy_start_month)
    bad_date = np.isnan(order)
    found += _at(
        label, "is not a date or a period", _DATE_FIX, rows, bad_date, frame["date"], "date"
    )
    frame[_ORDER] = order

    ok = ~blank & ~bad_date
    found += _mixed_kinds(label, rows, ok, frame["series"], kind, frame["date"])
    dup = ok & frame.assign(_k=kind).duplicated(["series", _ORDER, "_k"]).to_numpy()
    found += _at(
        label,
        "repeats a date already given for this series",
        "keep one row per series and date",
        rows,
        dup,
        frame["date"],
        "date",
    )

    for name in (*SERIES_OPTIONS, "rebase"):
        if name not in frame.columns:
            continue
        read = read_option_column(name, frame[name])
        found += _at(
            label, "is not a valid value", OPTION_HELP[name], rows, read.bad, frame[name], name
        )
        if name == "rebase":
            frame[name] = read.given & (read.values == 1)
            continue
        given = read.given & ~blank
        keys = frame["series"].to_numpy(dtype=object)[given]
        vals = read.values[given]
        first = pd.Series(vals).groupby(keys, sort=False).transform("first").to_numpy()
        differs = np.zeros(len(frame), dtype=bool)
        differs[np.flatnonzero(given)[vals != first]] = True
        found += _at(
            label,
            "differs from the series' first value in this column",
            f"give one value per series: {OPTION_HELP[name]}",
            rows,
            differs,
            frame[name],
            name,
        )
    problems_all = Problems(found)
    if problems_all.has_errors():
        raise DataValidationError(problems_all)
    return frame


def spc_from_file(
    path: Path, options: SpcOptions | None = None, fy_start_month: int = 4
) -> SpcResult:
    """Read and check a long table of series (:func:`read_spc_table`) and chart every series.

    The points come back in the file's row order with the file's own columns (dates as typed);
    the summary and groups carry the series' first and last dates as typed too.
    """
    frame = read_spc_table(path, fy_start_month)
    typed = frame["date"]
    result = calculate_spc(frame, series="series", date=_ORDER, value="value", options=options)
    points = result.points.drop(columns=[_ORDER])
    # The summaries' dates: back from the order number to the date as the file gave it.
    as_typed = pd.Series(
        typed.to_numpy(),
        index=pd.MultiIndex.from_arrays(
            [frame["series"].to_numpy(dtype=object), frame[_ORDER].to_numpy()]
        ),
    )
    groups, summary = result.groups.copy(), result.summary.copy()
    for table, columns in ((groups, ("first_date", "last_date")), (summary, ("latest_date",))):
        for c in columns:
            keys = pd.MultiIndex.from_arrays(
                [table["series"].to_numpy(dtype=object), table[c].to_numpy()]
            )
            table[c] = as_typed.reindex(keys).to_numpy()
    return SpcResult(points=points, groups=groups, summary=summary)


def _dates(column: pd.Series, fy_start_month: int) -> tuple[np.ndarray, np.ndarray]:
    """Each cell's order (days since 1970 of the date, or of the period's first day) and kind
    (``date``, ``month``, ``quarter``, ``year``…); NaN and None where it is neither."""
    text = column.astype("string").str.strip()
    iso = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    days = ((iso - pd.Timestamp("1970-01-01")) / pd.Timedelta(days=1)).to_numpy(dtype=float)
    kind = np.where(np.isnan(days), None, "date").astype(object)
    parsed = parse_period_column(text.where(np.isnan(days)), fy_start_month)
    starts = np.array(
        [(p.start_date - pd.Timestamp("1970-01-01").date()).days for p in parsed.periods]
        + [np.nan],
        dtype=float,
    )
    kinds = np.array([p.kind for p in parsed.periods] + [None], dtype=object)
    use = np.isnan(days)
    days = np.where(use, starts[parsed.codes], days)
    kind = np.where(use, kinds[parsed.codes], kind)
    return days, kind


def _mixed_kinds(label, rows, ok, series, kind, dates) -> Problems:
    """A row whose date is another kind than the first in its series (a month among dates)."""
    keys = series.to_numpy(dtype=object)
    first = pd.Series(kind[ok]).groupby(keys[ok], sort=False).transform("first").to_numpy()
    wrong = np.zeros(len(kind), dtype=bool)
    wrong[np.flatnonzero(ok)[kind[ok] != first]] = True
    return _at(
        label,
        "is another kind of date than the series' first row",
        _DATE_FIX,
        rows,
        wrong,
        dates,
        "date",
    )


def _at(label, message, fix, rows, where, values, column) -> Problems:
    where = np.asarray(where, dtype=bool)
    return Problems.at_rows(
        label,
        message,
        fix,
        rows[where],
        pd.Series(values).to_numpy(dtype=object)[where],
        column=column,
    )
