"""The four shapes of benchmark file, each turned into the one long table.

A tidy long table; the 7-column ``area_code, area_name, period, indicator, measure, unit,
value`` download; Oflog's published extracts; and an LG Inform-style wide table with one column
per period. :func:`_shape` tells them apart from the headers.
"""

from __future__ import annotations

import re

import pandas as pd

from pmlib.benchmarking.grid import (
    _FY_DASH,
    _first,
    _numbers,
    _periods,
    _required_text,
    _Sheet,
    _text,
    normalise_polarity,
    slugify,
)
from pmlib.core.errors import DataValidationError, Problem
from pmlib.core.periods import try_parse_period

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
