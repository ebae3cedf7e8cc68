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

from collections import Counter
from pathlib import Path

import pandas as pd

from pmlib.benchmarking.grid import (
    AGGREGATE_CODE_PREFIXES,
    POLARITY_WORDS,
    SUPPRESSION_MARKERS,
    _read_grid,
    _required_text,
    _sheet,
    _text,
    is_aggregate_code,
    normalise_polarity,
    slugify,
)
from pmlib.benchmarking.peers import PeerGroups, read_peer_groups
from pmlib.benchmarking.shapes import (
    _download,
    _long,
    _oflog,
    _polarities,
    _shape,
    _wide,
)
from pmlib.core.errors import DataValidationError, ParameterError, Problem

__all__ = [
    "AGGREGATE_CODE_PREFIXES",
    "BENCHMARK_COLUMNS",
    "POLARITY_WORDS",
    "SUPPRESSION_MARKERS",
    "PeerGroups",
    "is_aggregate_code",
    "metric_metadata",
    "normalise_polarity",
    "read_benchmarks",
    "read_metric_metadata",
    "read_peer_groups",
    "slugify",
]

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


# -- the council's benchmark files and its latest positions --------------------------------------
#: File stems looked for in ``council.yaml``'s ``benchmark_dir``, in order of preference.
