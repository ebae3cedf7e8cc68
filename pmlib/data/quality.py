"""Data-quality findings for a report: what a reviewer should not take on trust.

The seeds' data-quality dimensions (accuracy, validity, reliability, timeliness, relevance,
completeness) become concrete checks on one committee's indicators for one period: missing or
incomplete figures, late and unapproved submissions, collector = reviewer, definitions not
reviewed for 12 months, low-confidence collection methods, and off-track indicators without the
officer narrative the framework requires.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from pmlib.core.model import Dataset
from pmlib.core.periods import Period

#: South Derbyshire methodology statement: system = Green, manual = Amber, project = Red.
CONFIDENCE = {"system": "Green", "manual": "Amber", "project": "Red"}

ISSUES = (
    "Missing data",
    "Incomplete data",
    "Not yet approved",
    "Submitted late",
    "Collector is also reviewer",
    "Narrative not provided",
    "Definition not reviewed in 12 months",
    "Low-confidence collection method",
)

NARRATIVE_PARTS = ("performance_update", "approach", "future_plans", "issues")


def has_narrative(narratives: pd.DataFrame) -> pd.Series:
    """True for narrative rows with at least one of the four parts written."""
    present = [
        narratives[c].notna() & narratives[c].astype("string").str.strip().ne("")
        for c in NARRATIVE_PARTS
        if c in narratives
    ]
    if not present:
        return pd.Series(False, index=narratives.index)
    out = present[0]
    for p in present[1:]:
        out = out | p
    return out.fillna(False).astype(bool)


def quality_findings(
    dataset: Dataset, rated: pd.DataFrame, period: Period, *, as_of: dt.date | None = None
) -> pd.DataFrame:
    """One row per finding: ``indicator_id, name, issue, detail`` in a stable order.

    ``rated`` is the rating frame for the report's indicators at ``period``.
    """
    as_of = as_of or dt.date.today()
    ids = rated["indicator_id"]
    ind = dataset.indicators.set_index("id").loc[ids]
    names = rated.set_index("indicator_id")["name"]
    rows: list[tuple[str, str, str]] = []

    no_data = rated[rated["rag"].eq("No data")]
    rows += [(i, "Missing data", f"no value for {period.label}") for i in no_data["indicator_id"]]
    if {"n_rows", "n_expected"} <= set(rated.columns):
        part = rated[
            rated["rag"].ne("No data")
            & (rated["n_rows"] < rated["n_expected"])
            & rated["n_rows"].gt(0)
        ]
        rows += [
            (i, "Incomplete data", f"{int(n)} of {int(e)} periods supplied")
            for i, n, e in zip(
                part["indicator_id"], part["n_rows"], part["n_expected"], strict=True
            )
        ]

    act = dataset.actuals
    in_period = act[act["indicator_id"].isin(ids) & act["fy"].eq(period.fy)]
    if period.kind == "quarter":
        in_period = in_period[
            in_period["quarter"].eq(period.quarter)
            | (in_period["period_kind"].eq("year") & (period.quarter == 4))
        ]
    elif period.kind == "month":
        in_period = in_period[in_period["period"].eq(period.label)]
    pending = in_period[in_period["status"].isin(["draft", "submitted"])]
    rows += [
        (i, "Not yet approved", f"{p} is {s}")
        for i, p, s in zip(
            pending["indicator_id"], pending["period"], pending["status"], strict=True
        )
    ]
    deadline = dataset.council.submission_deadline_days
    ends = {
        p: pd.Timestamp(
            Period(
                k, fy, m if k == "month" else (q if k == "quarter" else 0), period.start_month
            ).end_date
        )
        for p, k, fy, q, m in in_period[["period", "period_kind", "fy", "quarter", "month"]]
        .drop_duplicates("period")
        .itertuples(index=False)
    }
    end = pd.to_datetime(in_period["period"].map(ends))  # datetime even when nothing is due
    lag = (in_period["collected_at"] - end).dt.days
    late = in_period[lag > deadline]
    rows += [
        (i, "Submitted late", f"{p} collected {int(d)} days after period end (deadline {deadline})")
        for i, p, d in zip(late["indicator_id"], late["period"], lag[late.index], strict=True)
    ]

    same = ind[
        ind["data_collector"].notna()
        & ind["data_collector"]
        .str.strip()
        .str.lower()
        .eq(ind["data_reviewer"].str.strip().str.lower())
    ]
    rows += [
        (i, "Collector is also reviewer", f"{c} collects and reviews")
        for i, c in zip(same.index, same["data_collector"], strict=True)
    ]

    off = rated[
        rated["rag"].isin(["Red", "Amber"])
        | rated.get("forecast_rag", pd.Series("", index=rated.index)).eq("Red")
    ]
    narr = dataset.narratives
    written = narr[narr["period"].eq(period.label) & has_narrative(narr)]["indicator_id"]
    missing_narr = off[~off["indicator_id"].isin(written)]
    rows += [
        (
            i,
            "Narrative not provided",
            f"{r} for {period.label}; the framework requires an "
            "officer narrative for off-track indicators",
        )
        for i, r in zip(missing_narr["indicator_id"], missing_narr["rag"], strict=True)
    ]

    cutoff = pd.Timestamp(as_of) - pd.DateOffset(months=12)
    stale = ind[ind["last_reviewed"].isna() | (ind["last_reviewed"] < cutoff)]
    rows += [
        (
            i,
            "Definition not reviewed in 12 months",
            "never reviewed" if pd.isna(d) else f"last reviewed {d:%d %B %Y}",
        )
        for i, d in zip(stale.index, stale["last_reviewed"], strict=True)
    ]

    low = ind[ind["collection_method"].isin(["manual", "project"])]
    rows += [
        (i, "Low-confidence collection method", f"{m} collection: confidence {CONFIDENCE[m]}")
        for i, m in zip(low.index, low["collection_method"], strict=True)
    ]

    out = pd.DataFrame(rows, columns=["indicator_id", "issue", "detail"])
    out.insert(1, "name", out["indicator_id"].map(names))
    order = {issue: n for n, issue in enumerate(ISSUES)}
    pos = {i: n for n, i in enumerate(ids)}
    return (
        out.assign(_o=out["issue"].map(order), _p=out["indicator_id"].map(pos))
        .sort_values(["_o", "_p"], kind="stable")
        .drop(columns=["_o", "_p"])
        .reset_index(drop=True)
    )
