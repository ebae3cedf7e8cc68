"""SPC for the council's own indicators: each indicator's figures up to a period as one series.

This is the adapter between the council's data and :mod:`pmlib.spc` (which knows nothing of
indicators): it lives here, above ``rating``, because the target for a period is the rating
engine's (:func:`pmlib.rating.targets.targets_at`: a month row over the quarter row over the year
row).

* **Series**: an indicator's figures at its own frequency (months for a monthly indicator,
  quarters for a quarterly one) up to and including the period's last month, oldest first; blank
  figures are left out.
* **Improvement direction** from ``polarity``: ``higher`` → increase, ``lower`` → decrease,
  ``none`` and ``band`` → neutral (no improvement or concern, no assurance, so no target).
* **Target** for assurance: the target that applies at the period, for indicators whose figures
  are comparable with it (``measure`` ``period`` or ``snapshot``). A ``cumulative`` indicator's
  target is a year-to-date or year-end total, which a single month's figure is not, so it gets
  no target (``target_note`` says why).
* **Rebase** from the library's ``spc_rebase`` column (periods separated by ``;``): a new group
  starts at the first figure on or after each period listed (a listed month with no figure
  starts the group at the next one), so a known change of service or definition gets its own
  mean and limits.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pmlib.core.model import Dataset
from pmlib.core.periods import Period, try_parse_period
from pmlib.rating.targets import targets_at
from pmlib.spc import SpcOptions, SpcResult, calculate_spc

#: An indicator's frequency → the kind of period its figures are for.
FREQUENCY_KIND = {
    "monthly": "month",
    "quarterly": "quarter",
    "six-monthly": "half",
    "annual": "year",
    "biennial": "year",
}
#: Polarity → improvement direction (anything else is neutral).
DIRECTION = {"higher": "increase", "lower": "decrease"}
#: Measures whose single figures are comparable with the period's target.
TARGETED_MEASURES = ("period", "snapshot")


def indicator_series(
    dataset: Dataset, period: Period, indicators: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per figure: ``indicator_id``, ``period``, ``ordinal``, ``value``, ``status``,
    per indicator ``improvement_direction``, ``target`` (at ``period``, for assurance) and
    ``target_note``, and ``period_target``: the target of the figure's own period, which the
    chart draws (:func:`period_targets`; NaN where there is no target to compare with).

    ``indicators`` (default: all of them) is the library rows to chart, e.g.
    ``dataset.indicators_for(committee)``.
    """
    ind = dataset.indicators if indicators is None else indicators
    act = dataset.actuals
    act = act[act["indicator_id"].isin(ind["id"]) & act["value"].notna()]
    act = act[act["ordinal"].astype(float) <= period.ordinal]
    lib = ind.set_index("id")
    kind = act["indicator_id"].map(lib["frequency"].map(FREQUENCY_KIND))
    # An unknown frequency keeps the indicator's commonest kind of period (worked out only
    # when there is one: a mode per indicator costs more than the rest of this function).
    if kind.isna().any():
        common = act.groupby("indicator_id")["period_kind"].agg(lambda k: k.mode().iloc[0])
        kind = kind.fillna(act["indicator_id"].map(common))
    act = act[act["period_kind"].astype(str).to_numpy() == kind.astype(str).to_numpy()]
    act = act.sort_values(["indicator_id", "ordinal"], kind="stable")

    ids = pd.Series(ind["id"].to_numpy(), dtype=object)
    targets = targets_at(dataset.targets, ids, period)
    targets.index = ids
    comparable = ind["measure"].isin(TARGETED_MEASURES).to_numpy()
    target = np.where(comparable, targets["target"].to_numpy(dtype=float), np.nan)
    direction = ind["polarity"].map(DIRECTION).fillna("neutral").to_numpy()
    note = np.select(
        [direction == "neutral", ~comparable, np.isnan(target)],
        [
            "no better direction (polarity none or band): no assurance",
            "cumulative figures: not compared with the target",
            "no target set",
        ],
        "",
    )
    target = np.where(direction == "neutral", np.nan, target)
    per = pd.DataFrame(
        {
            "improvement_direction": direction,
            "target": target,
            "target_note": note,
        },
        index=ids,
    )
    out = act[["indicator_id", "period", "ordinal", "value", "status"]].reset_index(drop=True)
    out["ordinal"] = out["ordinal"].astype("int64")
    out["value"] = out["value"].astype(float)
    out["rebase"] = rebase_marks(out, ind, period.start_month)
    out = out.join(per, on="indicator_id")
    # the chart's dashed line: each figure's own period's target, under the same rules
    drawn = out["indicator_id"].map(pd.Series(comparable & (direction != "neutral"), index=ids))
    at = period_targets(dataset.targets, out, period.start_month)
    out["period_target"] = np.where(drawn.to_numpy(dtype=bool), at, np.nan)
    return out


def period_targets(targets: pd.DataFrame, series: pd.DataFrame, start_month: int) -> np.ndarray:
    """The target each figure had in its own period (NaN where that period had none).

    An SPC chart spans years; drawing today's target across all of them would show a service
    "missing" a target it never had. Each period's target is chosen as the rating engine
    chooses it (:func:`pmlib.rating.targets.targets_at`): the most specific row with a
    ``target``, ``lower`` or ``upper`` wins as a whole — a month row over the quarter row over
    the half-year row over the year row, the later of two equal rows — so a row holding only a
    band gives no target line. ``targets_at`` works one period at a time (about 9 ms a call);
    a chart's 50-odd periods are looked up here in one pass instead.
    """
    out = np.full(len(series), np.nan)
    if series.empty or targets.empty:
        return out
    t = targets[targets["indicator_id"].isin(set(series["indicator_id"]))]
    t = t[t[[c for c in ("target", "lower", "upper") if c in t]].notna().any(axis=1)]
    fy = t["fy"].to_numpy(dtype=float, na_value=np.nan)
    quarter = t["quarter"].to_numpy(dtype=float, na_value=np.nan)
    month = t["month"].to_numpy(dtype=float, na_value=np.nan)
    is_half = (
        t["period_kind"].eq("half").to_numpy(dtype=bool, na_value=False)
        if "period_kind" in t
        else np.zeros(len(t), dtype=bool)
    )
    ordinal = t["ordinal"].to_numpy(dtype=float, na_value=np.nan) if "ordinal" in t else fy * np.nan
    half = (ordinal - fy * 12 - 1) // 6 + 1
    # (indicator, fy, level, number) -> target, in table order so the later row wins
    level = np.where(~np.isnan(month), 3, np.where(~np.isnan(quarter), 2, np.where(is_half, 1, 0)))
    number = np.select([level == 3, level == 2, level == 1], [month, quarter, half], 0)
    value = t["target"].to_numpy(dtype=float, na_value=np.nan)
    rows = zip(t["indicator_id"], fy, level, number, value, strict=True)
    lookup = {(i, int(y), int(lv), int(n)): v for i, y, lv, n, v in rows if not np.isnan(y)}
    keys: dict[str, list[tuple[int, int, int]]] = {}
    for label in pd.unique(series["period"].astype(str)):
        p = try_parse_period(label, start_month)
        if p is None:
            continue
        ks = []  # the rows that may apply, most specific first
        if p.kind == "month":
            ks.append((p.fy, 3, p.index))
        if p.kind in ("month", "quarter"):
            ks.append((p.fy, 2, p.quarter or 0))
        if p.kind != "year":
            ks.append((p.fy, 1, p.half or 0))
        keys[label] = [*ks, (p.fy, 0, 0)]
    for n, (ind, label) in enumerate(
        zip(series["indicator_id"], series["period"].astype(str), strict=True)
    ):
        for fy_, lv, num in keys.get(label, ()):
            if (ind, fy_, lv, num) in lookup:
                out[n] = lookup[(ind, fy_, lv, num)]
                break
    return out


def rebase_marks(series: pd.DataFrame, indicators: pd.DataFrame, start_month: int) -> np.ndarray:
    """True on the figure where each ``spc_rebase`` period starts a new group.

    ``series`` is sorted by (``indicator_id``, ``ordinal``). A period is marked on the first
    figure at or after it; a period at or before an indicator's first figure marks nothing (the
    first group starts there anyway), and neither does a period after its last figure. Labels
    that are not periods are skipped here (validation has already reported them).
    """
    marks = np.zeros(len(series), dtype=bool)
    if "spc_rebase" not in indicators or series.empty:
        return marks
    cells = indicators.set_index("id")["spc_rebase"].dropna()
    ids = series["indicator_id"].to_numpy()
    ords = series["ordinal"].to_numpy()
    # one pass per indicator that lists a rebase: a handful of library rows, not per point
    for ind_id, cell in cells.items():
        rows = np.flatnonzero(ids == ind_id)
        if rows.size < 2:
            continue
        for label in str(cell).split(";"):
            p = try_parse_period(label.strip(), start_month)
            if p is None:
                continue
            at = int(np.searchsorted(ords[rows], p.ordinal, side="left"))
            if 0 < at < rows.size:
                marks[rows[at]] = True
    return marks


def spc_for_indicators(
    dataset: Dataset,
    period: Period,
    indicators: pd.DataFrame | None = None,
    options: SpcOptions | None = None,
    *,
    direction: str | None = None,
) -> SpcResult:
    """:func:`pmlib.spc.calculate_spc` over every indicator's figures up to ``period``.

    ``summary`` has one row per indicator with a figure: its id, name, frequency and polarity,
    ``latest_period`` (the label of its latest figure), the latest group's statistics,
    ``variation_type``, ``assurance_type``, ``target_note`` and ``short_group_warning``.
    ``direction`` (``increase``, ``decrease`` or ``neutral``) overrides every indicator's
    direction from its polarity (the explorer's what-if); neutral drops the target, as there is
    no assurance without a better direction.
    """
    series = indicator_series(dataset, period, indicators)
    if direction is not None:
        series["improvement_direction"] = direction
        if direction == "neutral":
            series["target"] = np.nan
            series["period_target"] = np.nan
    if series.empty:
        empty = pd.DataFrame(columns=["indicator_id"])
        return SpcResult(points=series, groups=empty, summary=empty)
    result = calculate_spc(
        series.drop(columns=["target_note"]),
        series="indicator_id",
        date="ordinal",
        value="value",
        options=options,
    )
    label = series.set_index(["indicator_id", "ordinal"])["period"]
    lib = dataset.indicators.set_index("id")
    notes = series.groupby("indicator_id", sort=False)["target_note"].first()

    summary = result.summary.copy()
    keys = pd.MultiIndex.from_arrays([summary["indicator_id"], summary["latest_date"]])
    summary.insert(1, "name", summary["indicator_id"].map(lib["name"]).to_numpy())
    summary.insert(2, "frequency", summary["indicator_id"].map(lib["frequency"]).to_numpy())
    summary.insert(3, "polarity", summary["indicator_id"].map(lib["polarity"]).to_numpy())
    summary["latest_date"] = label.reindex(keys).to_numpy()
    summary = summary.rename(columns={"latest_date": "latest_period"})
    summary.insert(
        summary.columns.get_loc("assurance_type") + 1,
        "target_note",
        summary["indicator_id"].map(notes).to_numpy(),
    )

    groups = result.groups.copy()
    for c in ("first_date", "last_date"):
        keys = pd.MultiIndex.from_arrays([groups["indicator_id"], groups[c]])
        groups[c] = label.reindex(keys).to_numpy()
    groups = groups.rename(columns={"first_date": "first_period", "last_date": "last_period"})
    points = result.points.drop(columns=["ordinal"])
    return SpcResult(points=points, groups=groups, summary=summary)
