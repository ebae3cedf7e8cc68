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
from pmlib.core.periods import Period, try_parse_period
from pmlib.core.sources import source_name
from pmlib.core.words import long_date, period_words
from pmlib.data.load import SOURCE_ROW

#: Confidence in a figure by how it is collected (South Derbyshire's methodology statement grades
#: system, manual and project collection). Said in words of its own: Red/Amber/Green mean
#: performance against target in a report, never confidence in the data.
CONFIDENCE = {"system": "High", "manual": "Medium", "project": "Low"}

ISSUES = (
    "Missing data",
    "Incomplete data",
    "No target set",
    "Not yet approved",
    "Submitted late",
    "Rating overridden",
    "Collector is also reviewer",
    "Narrative not provided",
    "Definition not reviewed in 12 months",
    "Collection method lowers confidence",
)

NARRATIVE_PARTS = ("performance_update", "approach", "future_plans", "issues")


def has_narrative(
    narratives: pd.DataFrame, parts: tuple[str, ...] | list[str] = NARRATIVE_PARTS
) -> pd.Series:
    """True for narrative rows with at least one of ``parts`` written (default: the four).

    A council whose ``narrative_headings`` leave a column out does not ask for it, so text in
    that column alone is not the commentary the framework requires.
    """
    present = [
        narratives[c].notna() & narratives[c].astype("string").str.strip().ne("")
        for c in parts
        if c in narratives
    ]
    if not present:
        return pd.Series(False, index=narratives.index)
    out = present[0]
    for p in present[1:]:
        out = out | p
    return out.fillna(False).astype(bool)


def _by_source_row(frame: pd.DataFrame) -> pd.DataFrame:
    """The table indexed by the file row its values came from (see load.SOURCE_ROW)."""
    if SOURCE_ROW not in frame:  # a dataset built in code, not read from files: no rows cited
        return frame.iloc[0:0].set_index(pd.Index([], name=SOURCE_ROW, dtype="int64"))
    return frame.set_index(SOURCE_ROW)


def _warned(dataset: Dataset, table: str, column: str, message: str) -> pd.DataFrame:
    """Validation's warnings about ``column`` of ``table`` whose message starts ``message``:
    one row per warning, indexed by the file row it cites, with the value it found."""
    source = dataset.sources.get(table)
    name = source_name(source) if source is not None else None

    def about_table(file: str) -> bool:  # "actuals.csv", or "data.xlsx, sheet 'actuals'"
        if name is None or file == name:
            return True
        sheet = file.removeprefix(f"{name}, sheet '")
        return sheet != file and sheet.removesuffix("'").strip().lower() == table

    found = [
        (w.row, w.value)
        for w in dataset.warnings
        if w.column == column
        and w.row is not None
        and w.message.startswith(message)
        and about_table(w.file)
    ]
    index = pd.Index([r for r, _ in found], name=SOURCE_ROW, dtype="int64")
    return pd.DataFrame({"value": [v for _, v in found]}, index=index, dtype=object)


def _pending_text(period: object, status: object, collected: object) -> str:
    """``September 2026 figure submitted on 8 October 2026, not yet approved``."""
    figure = f"{period_words(period)} figure"
    if status == "draft":
        return f"{figure} still in draft, not yet submitted"
    day = long_date(collected)
    on = f" on {day}" if day != "–" else ""
    return f"{figure} submitted{on}, not yet approved"


def _deadline_of(own: pd.Series | None, ind_id: str, council: str) -> str:
    """An indicator's own submission deadline, else the council's (``15 days``)."""
    if own is None or ind_id not in own.index:
        return council
    text = own.loc[ind_id]
    text = text.iloc[0] if isinstance(text, pd.Series) else text
    return council if pd.isna(text) or not str(text).strip() else str(text).strip()


def _shows(act: pd.DataFrame, period: Period) -> pd.Series:
    """Rows of ``act`` a report for ``period`` shows: its months and quarters, and the year's
    outturn in the year's last quarter or half."""
    mask = act["fy"].eq(period.fy)
    if period.kind == "quarter":
        mask &= act["quarter"].eq(period.quarter) | (
            act["period_kind"].eq("year") & (period.quarter == 4)
        )
    elif period.kind == "month":
        mask &= act["period"].eq(period.label)
    elif period.kind == "half":  # its months, quarters and itself; the year's outturn at H2
        first = period.ordinal - 6
        inside = act["ordinal"].gt(first) & act["ordinal"].le(period.ordinal)
        year_row = act["period_kind"].eq("year")
        mask &= (inside & ~year_row) | (year_row & (period.index == 2))
    return mask.fillna(False).astype(bool)


def quality_findings(
    dataset: Dataset,
    rated: pd.DataFrame,
    period: Period,
    *,
    as_of: dt.date | None = None,
    exceptions: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per finding: ``indicator_id, name, issue, detail`` in a stable order.

    ``rated`` is the rating frame for the report's indicators at ``period``. Late submissions,
    collector = reviewer and definitions not reviewed for 12 months are validation's warnings
    (``dataset.warnings``), found when the data was read; this function only says which of them
    concern the report's indicators and period. The review-date check is as of the day the data
    was validated (``read_dataset(..., today=)``); ``as_of`` is accepted for compatibility.

    ``exceptions`` are the rows of ``rated`` the report raises as exceptions, with an
    ``exception_reason`` column (:func:`pmlib.rating.exceptions.select_exceptions`, which this
    layer may not import): each needs an officer narrative. Without it, the Red and Amber rows.
    Details are short phrases a reader can take in at a glance: dates written out
    (``8 October 2026``), months named (``September 2026``), confidence as High/Medium/Low.
    """
    ids = rated["indicator_id"]
    ind = dataset.indicators.set_index("id").loc[ids]
    names = rated.set_index("indicator_id")["name"]
    ind_rows = _by_source_row(dataset.indicators[dataset.indicators["id"].isin(ids)]).rename(
        columns={"id": "indicator_id"}
    )
    rows: list[tuple[str, str, str]] = []

    shown = (
        rated["reported_period"]
        if "reported_period" in rated
        else pd.Series(period.label, index=rated.index)
    )
    no_data = rated["rag"].eq("No data")
    rows += [
        (i, "Missing data", f"No figure for {p}")
        for i, p in zip(rated["indicator_id"][no_data], shown[no_data], strict=True)
    ]
    if {"n_rows", "n_expected"} <= set(rated.columns):
        part = rated[
            rated["rag"].ne("No data")
            & (rated["n_rows"] < rated["n_expected"])
            & rated["n_rows"].gt(0)
        ]
        freq = part["indicator_id"].map(ind["frequency"]).fillna("").astype(str)
        rows += [
            (i, "Incomplete data", f"{int(n)} of {int(e)} {f + ' ' if f else ''}figures supplied")
            for i, n, e, f in zip(
                part["indicator_id"], part["n_rows"], part["n_expected"], freq, strict=True
            )
        ]

    # a figure with no target (history, a baseline year): Grey, never an error, but a reader
    # should know it is not rated
    untargeted = (
        rated["rag"].eq("Grey")
        & rated["value"].notna()
        & rated[["target", "lower", "upper"]].isna().all(axis=1)
        & rated["kind"].ne("statistic")
        & rated["polarity"].ne("none")
        & rated["rag_reason"].astype("string").str.contains("no target set", regex=False)
    ).fillna(False)
    rows += [
        (i, "No target set", f"{p} figure has no target: shown Grey, not rated")
        for i, p in zip(rated["indicator_id"][untargeted], shown[untargeted], strict=True)
    ]

    # the figures the report shows: its period's, or for an indicator reported in arrears the
    # period it shows instead (reported_period), so their lateness and approval follow them
    act = dataset.actuals
    act = act[act["indicator_id"].isin(ids)]
    by_shown = pd.Series(shown.to_numpy(), index=rated["indicator_id"].to_numpy(), dtype=object)
    by_shown = by_shown.where(by_shown.notna(), period.label)  # no reported period: its own
    keep = pd.Series(False, index=act.index)
    for label in by_shown.unique():
        p = period if label == period.label else try_parse_period(label, period.start_month)
        if p is not None:
            keep |= act["indicator_id"].isin(by_shown.index[by_shown.eq(label)]) & _shows(act, p)
    in_period = act[keep]
    pending = in_period[in_period["status"].isin(["draft", "submitted"])]
    rows += [
        (i, "Not yet approved", _pending_text(p, s, c))
        for i, p, s, c in zip(
            pending["indicator_id"],
            pending["period"],
            pending["status"],
            pending.get("collected_at", pd.Series(None, index=pending.index)),
            strict=True,
        )
    ]
    # Late submission and collector = reviewer were found by validation: build them from its
    # warnings (file row -> indicator), so the rule lives in one place.
    council_deadline = dataset.council.deadline
    own = ind.get("submission_deadline")
    late = _warned(dataset, "actuals", "collected_at", "submitted late")
    cols = [c for c in ("indicator_id", "period", "collected_at") if c in in_period]
    late = late.join(_by_source_row(in_period)[cols], how="inner")
    when = late.get("collected_at", pd.Series(None, index=late.index))
    rows += [
        (
            i,
            "Submitted late",
            f"{period_words(p)} figure collected "
            + (f"on {long_date(c)}, " if long_date(c) != "–" else "")
            + f"{v} the period ended (deadline {_deadline_of(own, i, council_deadline)})",
        )
        for i, p, v, c in zip(
            late["indicator_id"], late["period"], late["value"], when, strict=True
        )
    ]

    if "overridden" in rated:  # a reviewer's rating in place of the computed one
        over = rated[rated["overridden"].fillna(False).astype(bool)]
        rows += [
            (i, "Rating overridden", f"{rag} agreed by {by} (calculated {was}): {why}")
            for i, rag, by, was, why in zip(
                over["indicator_id"],
                over["rag"],
                over["override_by"],
                over["computed_rag"],
                over["override_reason"],
                strict=True,
            )
        ]

    same = _warned(dataset, "indicators", "data_reviewer", "is the same person")
    same = same.join(ind_rows, how="inner")
    rows += [
        (i, "Collector is also reviewer", f"{c} collects and reviews the figures")
        for i, c in zip(same["indicator_id"], same["data_collector"], strict=True)
    ]

    if exceptions is None:
        off = rated[rated["rag"].isin(["Red", "Amber"])]
        why = off["rag"]
    else:
        off = exceptions
        why = off["exception_reason"]
    narr = dataset.narratives
    parts = [c for c, _ in dataset.council.narrative_headings]
    written = narr[narr["period"].eq(period.label) & has_narrative(narr, parts)]["indicator_id"]
    lacking = ~off["indicator_id"].isin(written)
    rows += [
        (
            i,
            "Narrative not provided",
            f"An exception in {period.label} ({r}) with no officer commentary",
        )
        for i, r in zip(off["indicator_id"][lacking], why[lacking], strict=True)
    ]

    stale = pd.concat(
        [
            _warned(dataset, "indicators", "last_reviewed", "definition not reviewed"),
            _warned(dataset, "indicators", "last_reviewed", "definition has no review date"),
        ]
    ).join(ind_rows, how="inner")
    stale = stale.assign(_p=stale["indicator_id"].map({i: n for n, i in enumerate(ids)}))
    stale = stale.sort_values("_p", kind="stable")
    rows += [
        (
            i,
            "Definition not reviewed in 12 months",
            "Never reviewed" if pd.isna(d) else f"Last reviewed {long_date(d)}",
        )
        for i, d in zip(stale["indicator_id"], stale["last_reviewed"], strict=True)
    ]

    low = ind[ind["collection_method"].isin(["manual", "project"])]
    rows += [
        (
            i,
            "Collection method lowers confidence",
            f"{m.capitalize()} collection: {CONFIDENCE[m].lower()} confidence",
        )
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
