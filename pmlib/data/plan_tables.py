"""Validate the optional tables (key actions, risks, audit actions, finance) into typed frames.

Each table present in the data folder is checked against its contract
(:data:`pmlib.data.plan_contract.PLAN_CONTRACT`) by the same pandera machinery as the indicator
tables, so a bad cell gets the same message: file, Excel row, column, value, fix. Then the rules
that need more than one cell, collected, never raised one by one:

* keys: no duplicate action, risk or audit-action id; one update per action and period, one
  review per risk and period, one finance row per service, period and line;
* references: an update or review for an action or risk that does not exist, a linked indicator
  that is not in the indicator library, a committee that is not in committees.yaml;
* ranges: likelihood and impact within the council's scale (1-5 by default), a target score
  within scale², percent complete 0-100, a revised due date before the due date (a warning);
* finance: a ``variance`` that does not equal forecast − budget (to within rounding in the
  row's unit).

A table that is absent gives an empty frame with the contract's columns (typed), so every
function above this layer can filter it without asking whether it exists.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from pmlib.core.errors import Problem, Problems
from pmlib.core.model import Settings
from pmlib.data.checks import _check_duplicates, _check_periods, _problems_for_rows
from pmlib.data.plan_contract import ID_COLUMNS, PLAN_TABLES
from pmlib.data.schema import coerce_table, validate_table

__all__ = ["VARIANCE_TOLERANCE", "empty_table", "split_list", "validate_plan_tables"]

#: How far a given variance may differ from forecast − budget (rounding), by the row's unit:
#: one pound, one £k, or £10k for figures kept in £m (two decimals).
VARIANCE_TOLERANCE = {"currency": 1.0, "currency_thousands": 1.0, "currency_millions": 0.01}
#: Tables whose rows carry a period.
_PERIODIC = ("action_updates", "risk_reviews", "finance")
#: Tables warned about when they have no visibility column (finance is public by nature).
_AUDIENCE_WARNED = ("actions", "risks", "audit_actions")


def empty_table(table: str) -> pd.DataFrame:
    """The table with its contract's columns, typed, and no rows (what an absent table gives).

    Built once per table and copied (a council without the optional tables asks for six on
    every validation, ~25 ms each), so a caller that adds a column changes only its copy.
    """
    return _empty_table(table).copy(deep=True)


@functools.cache
def _empty_table(table: str) -> pd.DataFrame:
    frame = pd.DataFrame({"_row": pd.Series([], dtype="int64")})
    if table in _PERIODIC:
        frame["period"] = pd.Series([], dtype=object)
    typed = coerce_table(frame, table)
    if table in _PERIODIC:
        typed, _, _ = _check_periods(typed, table, 4)
    return typed.drop(columns="_row")


def split_list(values: pd.Series) -> pd.Series:
    """``"ENV01; ENV02"`` → one row per item (stripped, blanks dropped), index kept.

    >>> split_list(pd.Series(["A; B", None, "C"])).tolist()
    ['A', 'B', 'C']
    """
    items = values.dropna().astype(str).str.split(";").explode().str.strip()
    return items[items.ne("")]


def validate_plan_tables(
    frames: dict[str, pd.DataFrame],
    labels: dict[str, str],
    settings: Settings,
    indicator_ids: pd.Series,
) -> tuple[dict[str, pd.DataFrame], Problems]:
    """Check whichever optional tables are present; return typed frames for all six.

    ``frames``: raw frames by table name (as :func:`pmlib.data.load.read_tables` gives; the
    optional ones may be absent); ``labels``: how messages name each table's file;
    ``indicator_ids``: the library's ids, for linked indicators.
    """
    problems = Problems()
    typed: dict[str, pd.DataFrame] = {}
    start = settings.council.fy_start_month
    for table in PLAN_TABLES:
        if table not in frames:
            continue
        label = labels[table]
        frame, found = validate_table(frames[table], table, label)
        problems += found
        if frame is None:
            continue
        if table in _PERIODIC:
            frame, found, _ = _check_periods(frame, label, start)
            problems += found
        keys = list(ID_COLUMNS[table])
        what = " and ".join(k.replace("_", " ") for k in keys)
        problems += _check_duplicates(frame, keys, label, what)
        if table in _AUDIENCE_WARNED and "visibility" not in frames[table]:
            problems += [_no_visibility(label, table)]
        typed[table] = frame
    known = pd.Index(indicator_ids.dropna().astype(str).unique())
    for table in ("actions", "risks"):
        if table in typed:
            problems += _check_links(typed[table], labels[table], known)
    for table in ("actions", "risks", "audit_actions", "finance"):
        if table in typed:
            problems += _check_committees(typed[table], labels[table], settings)
    for child, parent, key in (
        ("action_updates", "actions", "action_id"),
        ("risk_reviews", "risks", "risk_id"),
    ):
        if child in typed:
            ids = typed[parent]["id"] if parent in typed else pd.Series([], dtype=object)
            problems += _check_parent(typed[child], labels[child], key, ids, parent)
    scale = settings.council.plan.risks.scale
    for table in ("risks", "risk_reviews"):
        if table in typed:
            problems += _check_scale(typed[table], labels[table], scale)
    for table in ("actions", "action_updates"):
        if table in typed:
            problems += _check_percent(typed[table], labels[table])
    for table in ("actions", "audit_actions"):
        if table in typed:
            problems += _check_revised(typed[table], labels[table])
    if "finance" in typed:
        unit = settings.council.plan.finance.unit
        typed["finance"] = typed["finance"].assign(unit=typed["finance"]["unit"].fillna(unit))
        problems += _check_variance(typed["finance"], labels["finance"])
    out = {
        t: typed[t].drop(columns="_row").reset_index(drop=True) if t in typed else empty_table(t)
        for t in PLAN_TABLES
    }
    return out, problems


def _no_visibility(label: str, table: str) -> Problem:
    return Problem(
        label,
        f"has no visibility column, so every row of {table} is treated as public",
        "add a visibility column and mark rows that must not reach a public committee "
        "'internal' (the others 'public')",
        row=1,
        column="visibility",
        severity="warning",
    )


def _check_links(frame: pd.DataFrame, label: str, known: pd.Index) -> list[Problem]:
    """Every id in ``linked_indicators`` must be in the indicator library."""
    items = split_list(frame["linked_indicators"])
    bad = items[~items.isin(known)]
    return [
        Problem(
            label,
            "links to an indicator that is not in the indicators table",
            "correct the id (ids are separated by ';') or add the indicator to the library",
            row=int(frame.at[idx, "_row"]),
            column="linked_indicators",
            value=value,
        )
        for idx, value in bad.items()
    ]


def _check_committees(frame: pd.DataFrame, label: str, settings: Settings) -> list[Problem]:
    slugs = set(settings.committees)
    items = split_list(frame["committees"])
    bad = items[~items.isin(slugs)]
    return [
        Problem(
            label,
            "names a committee that is not in committees.yaml",
            f"use one of: {', '.join(sorted(slugs))}",
            row=int(frame.at[idx, "_row"]),
            column="committees",
            value=value,
        )
        for idx, value in bad.items()
    ]


def _check_parent(
    frame: pd.DataFrame, label: str, key: str, ids: pd.Series, parent: str
) -> Problems:
    unknown = frame[key].notna() & ~frame[key].isin(set(ids.dropna()))
    return _problems_for_rows(
        frame,
        unknown,
        label,
        key,
        f"is not an id in the {parent} table",
        f"correct the id or add the row to {parent}",
    )


def _check_scale(frame: pd.DataFrame, label: str, scale: int) -> Problems:
    problems = Problems()
    cols = [
        c for c in ("likelihood", "impact", "inherent_likelihood", "inherent_impact") if c in frame
    ]
    for col in cols:
        values = frame[col].astype("Float64")
        bad = values.notna() & ((values < 1) | (values > scale))
        problems += _problems_for_rows(
            frame,
            bad,
            label,
            col,
            f"is outside the risk scale 1-{scale}",
            f"score {col.replace('inherent_', '')} from 1 to {scale} (or set risks: scale: in "
            "council.yaml)",
        )
    if "target_score" in frame:
        values = frame["target_score"].astype("Float64")
        bad = values.notna() & ((values < 1) | (values > scale * scale))
        problems += _problems_for_rows(
            frame,
            bad,
            label,
            "target_score",
            f"is outside the risk scores 1-{scale * scale} (likelihood × impact)",
            "write the target as a score, likelihood × impact",
        )
    return problems


def _check_percent(frame: pd.DataFrame, label: str) -> Problems:
    values = frame["percent_complete"]
    return _problems_for_rows(
        frame,
        values.notna() & ((values < 0) | (values > 100)),
        label,
        "percent_complete",
        "is not a percentage 0-100",
        "write how complete the action is, 0 to 100, without the % sign",
    )


def _check_revised(frame: pd.DataFrame, label: str) -> Problems:
    early = frame["revised_due"].notna() & (frame["revised_due"] < frame["due"])
    return _problems_for_rows(
        frame,
        early,
        label,
        "revised_due",
        "is before the original due date",
        "check the dates: a revised date normally moves the deadline later",
        severity="warning",
    )


def _check_variance(frame: pd.DataFrame, label: str) -> Problems:
    """A variance given must equal forecast − budget, to within rounding in the row's unit."""
    expected = frame["forecast_outturn"] - frame["budget"]
    tolerance = frame["unit"].map(VARIANCE_TOLERANCE).astype(float).fillna(1.0)
    off = frame["variance"].notna() & ((frame["variance"] - expected).abs() > tolerance + 1e-9)
    hit = np.flatnonzero(off.to_numpy(dtype=bool))
    return Problems(
        [
            Problem(
                label,
                f"does not add up: forecast_outturn − budget is {expected.iloc[i]:,.2f}".rstrip(
                    "0"
                ).rstrip("."),
                "correct the figures, or leave variance blank for pmlib to compute it",
                row=int(frame["_row"].iloc[i]),
                column="variance",
                value=frame["variance"].iloc[i],
            )
            for i in hit
        ]
    )
