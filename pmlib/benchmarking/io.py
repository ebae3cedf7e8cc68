"""Read benchmark data and peer groups in the shapes council analysts actually download.

Benchmarking compares one council with others on the same measure. The numbers arrive in several
shapes — a tidy long table, the 7-column ``area_code, area_name, period, indicator, measure,
unit, value`` downloads, Oflog's published extracts, an LG Inform-style wide table with one
column per period — and each is turned into **one long table** (see :data:`BENCHMARK_COLUMNS`)
so the statistics in :mod:`pmlib.benchmarking.stats` never care where the numbers came from.

Reading follows the rest of pmlib: every problem in a file is collected (file, Excel row with
the header as row 1, column, value, fix) and raised once as a
:class:`~pmlib.core.errors.DataValidationError`. Conventional suppression markers (``:``, ``..``,
``x``, ``c``, ``[x]``, ``[c]``, blank, ...) are *not* errors: they become missing values, are
counted in warnings, and the marker is kept in the ``marker`` column so a missing peer can be
explained ("suppressed", not "forgotten").

The full contract is in ``docs/benchmarking.md``.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pmlib.core.errors import DataValidationError, ParameterError, PmlibError, Problem
from pmlib.core.periods import try_parse_period

#: Columns of the long table returned by :func:`read_benchmarks`, in order.
BENCHMARK_COLUMNS = (
    "area_code",
    "area_name",
    "metric",
    "period",
    "value",
    "numerator",
    "denominator",
    "metric_name",
    "measure",
    "unit",
    "polarity",
    "metric_source",
    "marker",
    "source_row",
)

#: Cell texts meaning "no figure published" (compared case-insensitively after stripping).
#: ONS/GSS use ``[x]`` not available, ``[c]`` confidential, ``[z]`` not applicable; older
#: tables use ``x``, ``c``, ``..`` and ``:``; NHS tables use ``*``.
SUPPRESSION_MARKERS = frozenset({"", ":", "..", "x", "c", "z", "*", "[x]", "[c]", "[z]"})

#: Accepted polarity words, mapped to pmlib's three benchmark polarities. ``band`` (a target
#: range in the indicator library) has no "better end" for ranking, so it benchmarks as ``none``.
POLARITY_WORDS: Mapping[str, str] = {
    "higher": "higher",
    "high": "higher",
    "desc": "higher",
    "descending": "higher",
    "lower": "lower",
    "low": "lower",
    "asc": "lower",
    "ascending": "lower",
    "none": "none",
    "neutral": "none",
    "band": "none",
}

#: Area-code prefixes of national and regional aggregates (England, English regions, UK, GB,
#: England & Wales, Wales, Scotland, Northern Ireland). They are comparators, not peers, so the
#: reserved ``all`` peer group leaves them out.
AGGREGATE_CODE_PREFIXES = ("E92", "E12", "K02", "K03", "K04", "W92", "S92", "N92")

_AREA_CODE_NAMES = (
    "area_code",
    "local_authority_code",
    "la_code",
    "ons_code",
    "gss_code",
    "geography_code",
    "areacode",
    "code",
)
_AREA_NAME_NAMES = (
    "area_name",
    "local_authority_name",
    "la_name",
    "area",
    "name",
    "geography_name",
    "local_authority",
    "areaname",
)
_SHAPES_HELP = (
    "use one of the shapes in docs/benchmarking.md: a long table 'area_code, area_name, metric, "
    "period, value', the 7-column download 'area_code, area_name, period, indicator, measure, "
    "unit, value', an Oflog extract, or a wide table with an area code column and one column "
    "per period"
)
_FY_DASH = re.compile(r"^(\d{4})-(\d{2})$")
_NUMBER_FIXES = {"n/a", "na", "-", "tbc", "nil", "none", "null", "nan"}


# -- small helpers ------------------------------------------------------------------------------
def slugify(text: object) -> str:
    """A stable lower-case id: ``'Household waste, recycled (%)'`` → ``household-waste-recycled``.

    Metric ids made from indicator titles must be stable across downloads because an indicator
    library links to them (``benchmark_metric``); punctuation and case are therefore dropped.
    """
    slug = re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")
    return slug or "metric"


def normalise_polarity(value: object) -> str | None:
    """Map a polarity word (``higher``, ``DESC``, ``band``...) to higher/lower/none; else None."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return None
    return POLARITY_WORDS.get(str(value).strip().lower())


def is_aggregate_code(codes: pd.Series) -> pd.Series:
    """True for national/regional aggregate codes (see :data:`AGGREGATE_CODE_PREFIXES`)."""
    return codes.astype("string").str.upper().str.startswith(AGGREGATE_CODE_PREFIXES).fillna(False)


def _key(header: object) -> str:
    """Normalise a header for matching: ``'Local authority code '`` → ``local_authority_code``."""
    return re.sub(r"[^a-z0-9]+", "_", str(header).strip().lower()).strip("_")


def _cell_text(value: object) -> str:
    """A cell as text; blanks (None/NaN) as ``''``. Floats keep full precision (``repr``)."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value).strip()


# -- reading a file as a grid of text -----------------------------------------------------------
def _read_grid(path: Path) -> list[list[str]]:
    """Every cell of the file (first sheet of a workbook) as stripped text, row by row.

    Rows are records as Excel shows them, so list index + 1 is the Excel row number even when a
    CSV has title lines above the header or quoted line breaks inside a cell.
    """
    name = path.name
    if not path.exists():
        raise PmlibError(
            f"{path}: file not found. Fix: check the path, or pass the folder's "
            "file with --benchmarks."
        )
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            row = raw[: exc.start].count(b"\n") + 1
            raise DataValidationError(
                [
                    Problem(
                        name,
                        "is not UTF-8 text (perhaps saved as Windows-1252)",
                        "in Excel use File > Save As > 'CSV UTF-8 (Comma delimited)'",
                        row=row,
                        value=raw[exc.start : exc.start + 1],
                    )
                ]
            ) from exc
        return [[c.strip() for c in r] for r in csv.reader(io.StringIO(text, newline=""))]
    if suffix in (".xlsx", ".xlsm"):
        try:
            frame = pd.read_excel(path, sheet_name=0, header=None, dtype=object, engine="openpyxl")
        except Exception as exc:  # noqa: BLE001 - any openpyxl failure is a user file problem
            raise DataValidationError(
                [
                    Problem(
                        name,
                        f"cannot be opened as an Excel workbook ({type(exc).__name__})",
                        "re-save it from Excel as .xlsx",
                    )
                ]
            ) from exc
        return [[_cell_text(v) for v in row] for row in frame.itertuples(index=False)]
    if suffix == ".parquet":
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # noqa: BLE001 - pyarrow raises many types for a bad file
            raise DataValidationError(
                [
                    Problem(
                        name,
                        f"cannot be read as Parquet ({type(exc).__name__})",
                        "re-export the table",
                    )
                ]
            ) from exc
        header = [str(c) for c in frame.columns]
        return [header] + [
            [_cell_text(v) for v in row] for row in frame.astype(object).itertuples(index=False)
        ]
    raise PmlibError(
        f"{name}: pmlib reads benchmark files as .csv, .xlsx or .parquet. Fix: save "
        "the download in one of those formats."
    )


@dataclass(frozen=True)
class _Sheet:
    """A table of text cells under normalised headers, with each row's Excel row number."""

    file: str
    frame: pd.DataFrame  # normalised column names; object cells (str)
    headers: dict[str, str]  # normalised -> as written
    rows: pd.Series  # Excel row number per frame row
    header_row: int = 1  # Excel row number of the header

    def col(self, key: str) -> str:
        """The column name as the user wrote it (for messages)."""
        return self.headers.get(key, key)


def _sheet(
    path: Path,
    grid: list[list[str]],
    is_header: Callable[[set[str]], bool],
    shapes_help: str = _SHAPES_HELP,
) -> _Sheet:
    """Find the header row (the first of 20 rows ``is_header`` accepts) and build a sheet."""
    name = path.name
    rows = grid
    if not any(any(c for c in r) for r in rows):
        raise DataValidationError([Problem(name, "the file is empty", "add a header row and data")])
    header_at = next((i for i, r in enumerate(rows[:20]) if is_header({_key(c) for c in r})), None)
    if header_at is None:
        raise DataValidationError(
            [
                Problem(
                    name,
                    "no header row with the expected columns was found in the first 20 rows",
                    shapes_help,
                    row=1,
                )
            ]
        )
    header = rows[header_at]
    width = max(len(header), *(len(r) for r in rows[header_at + 1 :]), 0) if rows else 0
    header = header + [""] * (width - len(header))
    problems: list[Problem] = []
    keys: list[str] = []
    headers: dict[str, str] = {}
    for j, h in enumerate(header):
        k = _key(h) or f"_blank_{j}"
        if k in headers:
            problems.append(
                Problem(
                    name,
                    "the column appears twice",
                    "delete one of them",
                    row=header_at + 1,
                    column=h,
                )
            )
            k = f"{k}_{j}"
        headers[k] = h
        keys.append(k)
    if problems:
        raise DataValidationError(problems)
    body = [r + [""] * (width - len(r)) for r in rows[header_at + 1 :]]
    excel_rows = list(range(header_at + 2, header_at + 2 + len(body)))
    frame = pd.DataFrame(body, columns=keys, dtype=object)
    keep = [any(c for c in r) for r in body]  # drop fully blank rows (Excel leaves them)
    frame = frame[keep].reset_index(drop=True)
    row_numbers = pd.Series([n for n, k in zip(excel_rows, keep, strict=True) if k], dtype="Int64")
    return _Sheet(name, frame, headers, row_numbers, header_at + 1)


# -- cell parsing -------------------------------------------------------------------------------
def _number_fix(text: str) -> str:
    t = text.strip()
    if t.endswith("%"):
        return f"write the number without the % sign ({t.rstrip('%').strip()})"
    if "," in t:
        return "remove the thousands separator"
    if t.lower() in _NUMBER_FIXES:
        return "leave the cell blank (or use a suppression marker such as [x]) for a missing value"
    return "write a plain number such as 94.1"


def _numbers(sheet: _Sheet, key: str, problems: list[Problem]) -> tuple[pd.Series, pd.Series]:
    """Parse a column of numbers: (float values, marker text where a suppression marker stood).

    Suppression markers and blanks give NaN with the marker recorded; anything else that is not
    a number is a Problem naming the file, row, column and value.
    """
    if key not in sheet.frame:
        n = len(sheet.frame)
        return pd.Series([float("nan")] * n, dtype="float64"), pd.Series(
            [pd.NA] * n, dtype="string"
        )
    text = sheet.frame[key].astype("string").str.strip().fillna("")
    is_marker = text.str.lower().isin(SUPPRESSION_MARKERS)
    values = pd.to_numeric(text.where(~is_marker, None), errors="coerce").astype("float64")
    bad = ~is_marker & values.isna()
    for i in bad[bad].index:
        problems.append(
            Problem(
                sheet.file,
                "is not a number",
                _number_fix(text[i]),
                row=int(sheet.rows[i]),
                column=sheet.col(key),
                value=text[i],
            )
        )
    marker = text.where(is_marker).replace("", "blank").astype("string")
    return values, marker


def _periods(
    sheet: _Sheet, key: str, problems: list[Problem], *, fy_dash: bool, start_month: int
) -> pd.Series:
    """Canonical pmlib period labels where a label parses; otherwise the label as written.

    ``fy_dash`` says the column is known to hold financial years, so ``2011-12`` means 2011/12
    (pmlib otherwise refuses it: it could be December 2011). Blank periods are errors; a label
    that does not parse is a warning, once per label: it is kept, but cannot be put in time
    order.
    """
    text = _text(sheet, key)
    column = sheet.col(key)
    for i in text[text.isna()].index:
        problems.append(
            Problem(
                sheet.file,
                "a period is required here",
                "write a financial year such as 2023/24 or a quarter such as 2024/25 Q1",
                row=int(sheet.rows[i]),
                column=column,
            )
        )
    out: dict[str, str] = {}
    for u in text.dropna().unique():
        candidate = u
        m = _FY_DASH.match(u)
        if fy_dash and m and (int(m[1]) + 1) % 100 == int(m[2]):
            candidate = f"{m[1]}/{m[2]}"
        p = try_parse_period(candidate, start_month)
        out[u] = p.label if p is not None else u
        if p is None:
            i = text[text.eq(u).fillna(False)].index[0]
            problems.append(
                Problem(
                    sheet.file,
                    "is not a period pmlib can read, so it is kept as written and cannot "
                    "be placed in time order (no rank movement is computed for it)",
                    "write a financial year such as 2023/24 or a quarter such as 2024/25 Q1",
                    row=int(sheet.rows[i]),
                    column=column,
                    value=u,
                    severity="warning",
                )
            )
    return text.map(out, na_action="ignore").astype("string")


def _text(sheet: _Sheet, key: str | None) -> pd.Series:
    if key is None or key not in sheet.frame:
        return pd.Series([pd.NA] * len(sheet.frame), dtype="string")
    s = sheet.frame[key].astype("string").str.strip()
    return s.where(s.ne(""), pd.NA)


def _required_text(sheet: _Sheet, key: str, what: str, problems: list[Problem]) -> pd.Series:
    s = _text(sheet, key)
    for i in s[s.isna()].index:
        problems.append(
            Problem(
                sheet.file,
                f"{what} is required here",
                f"fill in '{sheet.col(key)}' for this row",
                row=int(sheet.rows[i]),
                column=sheet.col(key),
            )
        )
    return s


def _first(keys: set[str], names: tuple[str, ...]) -> str | None:
    return next((n for n in names if n in keys), None)


# -- the four shapes ----------------------------------------------------------------------------
def _shape(keys: set[str]) -> str | None:
    if {"financial_year", "local_authority_code", "code", "value"} <= keys:
        return "oflog"
    if {"area_code", "metric", "period", "value"} <= keys:
        return "long"
    if {"area_code", "period", "indicator", "value"} <= keys:
        return "download"
    if _first(keys, _AREA_CODE_NAMES) and any(_period_header(k) for k in keys):
        return "wide"
    return None


def _period_header(header: str) -> str | None:
    """The canonical period a wide-table header names, or None (headers arrive normalised)."""
    text = header.strip("_")
    m = re.match(r"^(?:(q[1-4])_)?(?:fy_?)?(\d{4})_(\d{2}|\d{4})(?:_?(q[1-4]))?$", text)
    if not m or (m[1] and m[4]):
        return None
    quarter = m[1] or m[4]
    label = f"{m[2]}/{m[3]}" + (f" {quarter.upper()}" if quarter else "")
    p = try_parse_period(label)
    return p.label if p is not None and p.kind in ("year", "quarter") else None


def _long(sheet: _Sheet, problems: list[Problem], start_month: int) -> pd.DataFrame:
    period = _periods(sheet, "period", problems, fy_dash=False, start_month=start_month)
    value, marker = _numbers(sheet, "value", problems)
    num, _ = _numbers(sheet, "numerator", problems)
    den, _ = _numbers(sheet, "denominator", problems)
    name_key = "metric_name" if "metric_name" in sheet.frame else "name"
    polarity = _polarities(sheet, "polarity", problems)
    return pd.DataFrame(
        {
            "area_code": _required_text(sheet, "area_code", "an area code", problems),
            "area_name": _text(sheet, "area_name"),
            "metric": _required_text(sheet, "metric", "a metric id", problems),
            "period": period,
            "value": value,
            "numerator": num,
            "denominator": den,
            "metric_name": _text(sheet, name_key),
            "measure": _text(sheet, "measure"),
            "unit": _text(sheet, "unit"),
            "polarity": polarity,
            "marker": marker,
        }
    )


def _download(sheet: _Sheet, problems: list[Problem], start_month: int) -> pd.DataFrame:
    period = _periods(sheet, "period", problems, fy_dash=False, start_month=start_month)
    indicator = _required_text(sheet, "indicator", "an indicator name", problems)
    measure = _text(sheet, "measure")
    # One indicator can come in several measures (a percentage and the tonnage behind it), so
    # the measure is always part of the id: stable whichever measures a download holds.
    combined = indicator.fillna("") + (" " + measure).fillna("")
    metric = combined.map(slugify, na_action="ignore").where(indicator.notna(), pd.NA)
    value, marker = _numbers(sheet, "value", problems)
    nan = pd.Series([float("nan")] * len(sheet.frame), dtype="float64")
    return pd.DataFrame(
        {
            "area_code": _required_text(sheet, "area_code", "an area code", problems),
            "area_name": _text(sheet, "area_name"),
            "metric": metric.astype("string"),
            "period": period,
            "value": value,
            "numerator": nan,
            "denominator": nan,
            "metric_name": indicator,
            "measure": measure,
            "unit": _text(sheet, "unit"),
            "polarity": pd.Series([pd.NA] * len(sheet.frame), dtype="string"),
            "marker": marker,
        }
    )


def _oflog(sheet: _Sheet, problems: list[Problem], start_month: int) -> pd.DataFrame:
    period = _periods(sheet, "financial_year", problems, fy_dash=True, start_month=start_month)
    value, marker = _numbers(sheet, "value", problems)
    metric = _required_text(sheet, "code", "a measure code", problems)
    order = _polarities(sheet, "rank_order", problems)
    # rank_order is blank on rows without a value; the metric's polarity is its one stated order.
    stated = pd.DataFrame({"metric": metric, "polarity": order}).dropna()
    by_metric = stated.groupby("metric")["polarity"].unique().map(lambda a: sorted(set(a)))
    for m, found in by_metric.items():
        if len(found) > 1:
            problems.append(
                Problem(
                    sheet.file,
                    f"metric {m} has conflicting rank_order values "
                    f"({', '.join(found)}); it is benchmarked as 'none'",
                    "give every row of a metric the same rank_order",
                    column=sheet.col("rank_order"),
                    severity="warning",
                )
            )
    polarity = metric.map({m: f[0] if len(f) == 1 else "none" for m, f in by_metric.items()})
    nan = pd.Series([float("nan")] * len(sheet.frame), dtype="float64")
    return pd.DataFrame(
        {
            "area_code": _required_text(sheet, "local_authority_code", "an area code", problems),
            "area_name": _text(sheet, "local_authority_name"),
            "metric": metric,
            "period": period,
            "value": value,
            "numerator": nan,
            "denominator": nan,
            "metric_name": _text(sheet, "measure"),
            "measure": pd.Series([pd.NA] * len(sheet.frame), dtype="string"),
            "unit": _text(sheet, "unit"),
            "polarity": polarity.astype("string"),
            "marker": marker,
        }
    )


def _wide(sheet: _Sheet, problems: list[Problem], metric: str) -> pd.DataFrame:
    keys = set(sheet.frame.columns)
    code_key = _first(keys, _AREA_CODE_NAMES)
    name_key = _first(keys, _AREA_NAME_NAMES)
    periods = {k: _period_header(k) for k in sheet.frame.columns if _period_header(k)}
    months = [
        sheet.col(k)
        for k in sheet.frame.columns
        if _FY_DASH.match(sheet.col(k).strip()) and k not in periods
    ]
    if months:
        # '2011-11' beside '2011-12' means months: the latter is December 2011, not 2011/12.
        raise DataValidationError(
            [
                Problem(
                    sheet.file,
                    "the period columns look like months (e.g. "
                    f"{months[0]!r}); a wide table needs financial-year or quarter columns",
                    "label the columns 2023/24 or 2024/25 Q1, or convert the file to the long table "
                    "area_code, metric, period, value",
                    row=sheet.header_row,
                    column=months[0],
                )
            ]
        )
    ignored = [
        sheet.col(k)
        for k in sheet.frame.columns
        if k not in periods and k not in (code_key, name_key) and sheet.col(k)
    ]
    if ignored:
        problems.append(
            Problem(
                sheet.file,
                "these columns are not periods and were ignored: " + ", ".join(ignored),
                "label period columns like 2023/24 or 2024/25 Q1",
                row=sheet.header_row,
                severity="warning",
            )
        )
    codes = _required_text(sheet, code_key, "an area code", problems)
    names = _text(sheet, name_key)
    parts = []
    for key, label in periods.items():
        value, marker = _numbers(sheet, key, problems)
        parts.append(
            pd.DataFrame(
                {
                    "area_code": codes,
                    "area_name": names,
                    "period": label,
                    "value": value,
                    "marker": marker,
                }
            )
        )
    out = pd.concat(parts, ignore_index=False).sort_index(kind="stable")
    n = len(out)
    return out.assign(
        metric=metric,
        numerator=float("nan"),
        denominator=float("nan"),
        metric_name=pd.Series([pd.NA] * n, dtype="string", index=out.index),
        measure=pd.Series([pd.NA] * n, dtype="string", index=out.index),
        unit=pd.Series([pd.NA] * n, dtype="string", index=out.index),
        polarity=pd.Series([pd.NA] * n, dtype="string", index=out.index),
    )


def _polarities(sheet: _Sheet, key: str, problems: list[Problem]) -> pd.Series:
    text = _text(sheet, key)
    mapped = text.map(normalise_polarity, na_action="ignore").astype("string")
    bad = text.notna() & mapped.isna()
    for i in bad[bad].index:
        problems.append(
            Problem(
                sheet.file,
                "is not a polarity",
                "use higher, lower or none (desc/asc are also accepted)",
                row=int(sheet.rows[i]),
                column=sheet.col(key),
                value=text[i],
            )
        )
    return mapped


# -- metric metadata ----------------------------------------------------------------------------
def read_metric_metadata(path: Path | str) -> pd.DataFrame:
    """Read a ``metrics.csv`` (``metric, name, unit, polarity, source``): one row per metric.

    Benchmark downloads rarely say which way is good; a small hand-kept metadata file does, and
    it can sit beside every download in a folder.
    """
    path = Path(path)
    sheet = _sheet(
        path,
        _read_grid(path),
        lambda keys: "metric" in keys,
        "give metrics.csv a header row: metric, name, unit, polarity, source",
    )
    problems: list[Problem] = []
    meta = pd.DataFrame(
        {
            "metric": _required_text(sheet, "metric", "a metric id", problems),
            "metric_name": _text(sheet, "name"),
            "unit": _text(sheet, "unit"),
            "polarity": _polarities(sheet, "polarity", problems),
            "metric_source": _text(sheet, "source"),
        }
    )
    dupes = meta["metric"].duplicated(keep=False) & meta["metric"].notna()
    for i in dupes[dupes].index:
        problems.append(
            Problem(
                sheet.file,
                "this metric is described twice",
                "keep one row per metric",
                row=int(sheet.rows[i]),
                column="metric",
                value=meta.at[i, "metric"],
            )
        )
    if any(p.severity == "error" for p in problems):
        raise DataValidationError(problems)
    return meta.dropna(subset=["metric"]).reset_index(drop=True)


def metric_metadata(data: pd.DataFrame) -> pd.DataFrame:
    """One row per metric of a benchmark table: ``metric, metric_name, measure, unit, polarity``.

    The first non-blank value of each column is taken (the importers repeat them on every row).
    """
    cols = [c for c in ("metric_name", "measure", "unit", "polarity", "metric_source") if c in data]
    return data.groupby("metric", sort=True)[cols].first().reset_index()


def _apply_metadata(data: pd.DataFrame, meta: pd.DataFrame) -> pd.DataFrame:
    merged = data.merge(meta, on="metric", how="left", suffixes=("", "_meta"))
    for col in ("metric_name", "unit", "polarity", "metric_source"):
        if f"{col}_meta" in merged:
            merged[col] = (
                merged[f"{col}_meta"].astype("string").fillna(merged[col].astype("string"))
            )
            merged = merged.drop(columns=f"{col}_meta")
    return merged


# -- the public readers -------------------------------------------------------------------------
def read_benchmarks(
    path: Path | str,
    *,
    metric: str | None = None,
    metrics_path: Path | str | None = None,
    start_month: int = 4,
) -> pd.DataFrame:
    """Read a benchmark file into the long table of :data:`BENCHMARK_COLUMNS`.

    Parameters
    ----------
    path
        A ``.csv``, ``.xlsx`` (first sheet) or ``.parquet`` file in one of the accepted shapes
        (detected from the headers; title rows above the header are skipped): the canonical long
        table, the 7-column download, an Oflog extract or an LG Inform-style wide table.
    metric
        The metric id of a **wide** table (which has no metric column); defaults to the file
        name as a slug. Refused for the long shapes, whose rows name their own metrics.
    metrics_path
        A ``metrics.csv`` giving ``name, unit, polarity, source`` per metric. Defaults to a
        ``metrics.csv`` beside ``path`` if one exists; its values override the file's own.
    start_month
        First month of the financial year, for period parsing.

    Returns
    -------
    pandas.DataFrame
        One row per area × metric × period, period labels canonical where they parse
        (``2023/24``, ``2024/25 Q1``). ``value`` is NaN where the file had a suppression marker
        or a blank (kept in ``marker``); ``source_row`` is the Excel row. ``attrs["warnings"]``
        holds warning :class:`~pmlib.core.errors.Problem` records (suppressed counts, unreadable
        periods) and ``attrs["source"]`` the file name.

    Raises
    ------
    DataValidationError
        With every error found: text in a number column, blank area codes or periods,
        duplicate area × metric × period rows, unknown polarity words.
    """
    path = Path(path)
    grid = _read_grid(path)
    sheet = _sheet(path, grid, lambda keys: _shape(keys) is not None)
    shape = _shape(set(sheet.frame.columns))
    problems: list[Problem] = []
    if metric is not None and shape != "wide":
        raise ParameterError(
            f"metric={metric!r} names the metric of a wide table, but "
            f"{path.name} is a long table whose rows name their own metrics. "
            "Fix: leave metric out."
        )
    if shape == "oflog":
        frame = _oflog(sheet, problems, start_month)
        if "grouping" in sheet.frame:
            grouping = _text(sheet, "grouping")
            other = grouping.notna() & grouping.ne("LA_Raw")
            if other.any():
                problems.append(
                    Problem(
                        path.name,
                        f"{int(other.sum())} rows are not council rows (Grouping is not "
                        "LA_Raw) and were left out",
                        "nothing to do: Oflog's statistics are over councils only",
                        column=sheet.col("grouping"),
                        severity="warning",
                    )
                )
                frame = frame[~other]
    elif shape == "long":
        frame = _long(sheet, problems, start_month)
    elif shape == "download":
        frame = _download(sheet, problems, start_month)
    else:
        frame = _wide(sheet, problems, metric or slugify(path.stem))
    frame = frame.assign(
        source_row=sheet.rows.reindex(frame.index).to_numpy(),
        metric_source=pd.Series(pd.NA, index=frame.index, dtype="string"),
    )
    _check_duplicates(frame, path.name, problems)
    if any(p.severity == "error" for p in problems):
        raise DataValidationError(problems)
    meta_path = Path(metrics_path) if metrics_path is not None else path.with_name("metrics.csv")
    if (metrics_path is not None or meta_path.exists()) and meta_path.resolve() != path.resolve():
        frame = _apply_metadata(frame, read_metric_metadata(meta_path))
    out = frame.reset_index(drop=True)
    for col in (
        "area_code",
        "area_name",
        "metric",
        "period",
        "metric_name",
        "measure",
        "unit",
        "polarity",
        "metric_source",
        "marker",
    ):
        out[col] = out[col].astype("string")
    for col in ("value", "numerator", "denominator"):
        out[col] = out[col].astype("float64")
    out["source_row"] = out["source_row"].astype("Int64")
    out = out.loc[:, list(BENCHMARK_COLUMNS)]
    out.attrs["source"] = path.name
    out.attrs["warnings"] = tuple(problems) + _suppressed_warnings(out, path.name)
    return out


def _check_duplicates(frame: pd.DataFrame, file: str, problems: list[Problem]) -> None:
    keys = ["area_code", "metric", "period"]
    dup = frame.duplicated(keys, keep=False) & frame[keys].notna().all(axis=1)
    if not dup.any():
        return
    seen = frame[dup].groupby(keys, sort=False)["source_row"].agg(list)
    for (area, metric, period), rows in seen.items():
        problems.append(
            Problem(
                file,
                f"{area} has more than one value for {metric} in {period} (rows "
                f"{', '.join(str(r) for r in rows)})",
                "keep one row per area, metric and period",
                row=int(rows[-1]),
                column="area_code",
                value=area,
            )
        )


def _suppressed_warnings(data: pd.DataFrame, file: str) -> tuple[Problem, ...]:
    counts = Counter(data["marker"].dropna())
    if not counts:
        return ()
    detail = ", ".join(
        f"{n} × {m!r}" if m != "blank" else f"{n} blank" for m, n in counts.most_common()
    )
    total = sum(counts.values())
    return (
        Problem(
            file,
            f"{total} value{'s' if total != 1 else ''} not published ({detail}); "
            "treated as missing and reported as missing peers",
            "nothing to do unless you hold the figures",
            column="value",
            severity="warning",
        ),
    )


# -- peer groups --------------------------------------------------------------------------------
class PeerGroups(dict[str, list[str]]):
    """Named peer groups (``{name: [area codes]}``) with the warnings found reading them.

    A plain ``dict`` to its users; ``warnings`` lists tidy-ups made on the way (duplicate codes
    dropped), ``names`` any area names the file gave, and ``source`` the file name.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.warnings: tuple[Problem, ...] = ()
        self.names: dict[str, str] = {}
        self.source = ""


def read_peer_groups(path: Path | str) -> PeerGroups:
    """Read named peer groups from one file (CSV, XLSX or Parquet).

    Accepted shapes, detected from the headers:

    * long form ``group, area_code[, area_name]`` — one row per member;
    * ``subject_area_code, subject_area_name, list, neighbour_area_code, neighbour_area_name``
      (e.g. Trafford's CIPFA neighbours): the group is named by ``list`` and **includes the
      subject area itself**, first, because a nearest-neighbour comparison ranks the council
      among its neighbours. If one ``list`` name is used for several subjects the groups are
      named ``list:subject_code``;
    * ``la_code, neighbour_code, includes_self, list_size`` (Oflog's nearest neighbours): one
      group per council named ``nn:<la_code>``, the council included.

    Member order is kept; a code listed twice in a group is kept once (with a warning).
    ``all`` is reserved (every area in the data) and may not be defined in the file.
    """
    path = Path(path)
    grid = _read_grid(path)

    def is_header(keys: set[str]) -> bool:
        return (
            {"group", "area_code"} <= keys
            or {"subject_area_code", "list", "neighbour_area_code"} <= keys
            or {"la_code", "neighbour_code"} <= keys
        )

    sheet = _sheet(
        path,
        grid,
        is_header,
        "use the columns 'group, area_code[, area_name]' (see docs/benchmarking.md#peer-groups)",
    )
    keys = set(sheet.frame.columns)
    problems: list[Problem] = []
    subjects = None  # (group, subject code, subject name): a subject heads its own group
    if {"group", "area_code"} <= keys:
        listed = pd.DataFrame(
            {
                "group": _required_text(sheet, "group", "a group name", problems),
                "area_code": _required_text(sheet, "area_code", "an area code", problems),
                "area_name": _text(sheet, "area_name"),
            }
        )
    elif {"subject_area_code", "list", "neighbour_area_code"} <= keys:
        subject = _required_text(sheet, "subject_area_code", "the subject area code", problems)
        lst = _required_text(sheet, "list", "a list name", problems)
        per_list = pd.DataFrame({"l": lst, "s": subject}).drop_duplicates().groupby("l").size()
        group = lst.where(lst.map(per_list).eq(1), lst + ":" + subject)
        listed = pd.DataFrame(
            {
                "group": group,
                "area_code": _required_text(sheet, "neighbour_area_code", "an area code", problems),
                "area_name": _text(sheet, "neighbour_area_name"),
            }
        )
        subjects = pd.DataFrame(
            {"group": group, "area_code": subject, "area_name": _text(sheet, "subject_area_name")}
        )
    else:
        la = _required_text(sheet, "la_code", "a council code", problems)
        listed = pd.DataFrame(
            {
                "group": "nn:" + la,
                "area_code": _required_text(sheet, "neighbour_code", "an area code", problems),
                "area_name": pd.Series(pd.NA, index=la.index, dtype="string"),
            }
        )
        subjects = pd.DataFrame(
            {
                "group": "nn:" + la,
                "area_code": la,
                "area_name": pd.Series(pd.NA, index=la.index, dtype="string"),
            }
        )
    if listed["group"].str.strip().str.lower().eq("all").any():
        problems.append(
            Problem(
                path.name,
                "'all' is a reserved peer group name (every area in the data)",
                "rename this group",
                column="group",
                value="all",
            )
        )
    if any(p.severity == "error" for p in problems):
        raise DataValidationError(problems)
    dupes = listed.duplicated(["group", "area_code"])
    for g, repeated in listed[dupes].groupby("group", sort=False):
        codes = list(dict.fromkeys(repeated["area_code"]))
        problems.append(
            Problem(
                path.name,
                f"peer group {g} lists {len(codes)} area code"
                f"{'s' if len(codes) != 1 else ''} more than once; each is kept once",
                "remove the repeated rows",
                row=int(sheet.rows[repeated.index[0]]),
                column=sheet.col(
                    "neighbour_code"
                    if "la_code" in keys
                    else "neighbour_area_code"
                    if subjects is not None
                    else "area_code"
                ),
                value=", ".join(codes[:5]) + (" ..." if len(codes) > 5 else ""),
                severity="warning",
            )
        )
    members = listed[~dupes]
    if subjects is not None:
        members = pd.concat([subjects.drop_duplicates("group"), members])
        members = members.drop_duplicates(["group", "area_code"])
    # Groups in the order the file first names them; members in file order, subject first.
    first = {g: i for i, g in reversed(list(enumerate(listed["group"])))}
    members = members.sort_values("group", key=lambda s: s.map(first), kind="stable")
    groups = PeerGroups()
    for g, codes in members.groupby("group", sort=False)["area_code"]:
        groups[str(g)] = [str(c) for c in codes]
    groups.names = {
        str(c): str(n)
        for c, n in zip(members["area_code"], members["area_name"], strict=True)
        if pd.notna(n)
    }
    groups.warnings = tuple(problems)
    groups.source = path.name
    return groups


# -- the council's benchmark files and its latest positions --------------------------------------
#: File stems looked for in ``council.yaml``'s ``benchmark_dir``, in order of preference.
