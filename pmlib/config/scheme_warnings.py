"""Warnings about how the RAG schemes meet a council's indicators and targets (a zero target
with a relative tolerance, a per-indicator scheme without thresholds, an intervention level on
the wrong side of the target).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pmlib.config.ragscheme import resolve_schemes
from pmlib.core.errors import Problem
from pmlib.core.sources import source_name


def check_scheme_warnings(dataset: Any) -> list[Problem]:
    """Warnings (and one error) about how schemes meet this council's indicators and targets.

    * a zero target with a relative tolerance: any shortfall is infinitely many percent of zero,
      so the rating is Green if the target is met and Red otherwise — an absolute tolerance is
      probably what was meant;
    * an indicator on a ``thresholds_per_indicator`` scheme (Dorset) without its own thresholds;
      an **error** when the scheme itself states no ``amber_within`` (nothing to fall back on);
    * per-indicator thresholds where ``amber_within`` < ``green_within``;
    * an ``intervention`` level on the wrong side of the target (it could never apply), or on a
      band indicator (where it is ignored).

    Parameters
    ----------
    dataset
        A :class:`pmlib.core.model.Dataset`.
    """
    ind = dataset.indicators.reset_index(drop=True)
    council = dataset.settings.council
    file = (
        source_name(dataset.sources["indicators"])
        if "indicators" in dataset.sources
        else "indicators"
    )
    tfile = source_name(dataset.sources["targets"]) if "targets" in dataset.sources else "targets"
    resolved = resolve_schemes(ind, dataset.settings.schemes, council.rag_scheme)
    rows = ind["_row"] if "_row" in ind else pd.Series([None] * len(ind))
    rated = ~(ind["kind"].eq("statistic") | ind["polarity"].eq("none")).to_numpy(dtype=bool)
    problems: list[Problem] = []

    row_values = rows.to_numpy(dtype=object)

    def ids_at(positions: np.ndarray) -> list:
        """The ids of some indicator rows (not all 100,000 as Python strings)."""
        return ind["id"].iloc[positions].to_numpy(dtype=object).tolist()

    def row_of(i: int) -> int | None:
        r = row_values[i]
        return None if r is None or pd.isna(r) else int(r)

    def first_periods(frame: pd.DataFrame) -> pd.Series:
        """Per indicator id (sorted), its first three periods as text: one pass, no loop."""
        top = frame.groupby("indicator_id", sort=True).head(3)
        return top.groupby("indicator_id", sort=True)["period"].agg(
            lambda p: ", ".join(map(str, p))
        )

    targets = dataset.targets
    # Indicator ids as codes shared by both tables: a fact about an id (it is rated, band, ...)
    # becomes a flag per code, and each target row reads its id's flag. No sets of 100,000 ids.
    codes, uniques = pd.factorize(
        pd.concat([ind["id"], targets["indicator_id"]], ignore_index=True), use_na_sentinel=True
    )
    n_ids = len(uniques)
    codes = np.where(codes < 0, n_ids, codes)  # a blank id: the extra last code, never flagged
    ind_code, t_code = codes[: len(ind)], codes[len(ind) :]

    def by_id(mask: np.ndarray) -> np.ndarray:
        """Per id code: does any indicator row with that id have ``mask``?"""
        flags = np.zeros(n_ids + 1, dtype=bool)
        flags[ind_code[mask]] = True
        flags[n_ids] = False
        return flags

    polarity = ind["polarity"]
    relative = by_id(rated & resolved["tolerance"].eq("relative").to_numpy(dtype=bool))[t_code]
    is_band = by_id(polarity.eq("band").to_numpy(dtype=bool))[t_code]
    target = targets["target"].to_numpy(dtype=float)
    zero = relative & (
        (~is_band & (target == 0))
        | (
            is_band
            & (
                (targets["lower"].to_numpy(dtype=float) == 0)
                | (targets["upper"].to_numpy(dtype=float) == 0)
            )
        )
    )
    if zero.any():
        for iid, labels in first_periods(targets[zero]).items():
            problems.append(
                Problem(
                    tfile,
                    f"{iid} has a zero target ({labels}) with a relative tolerance: any "
                    "fraction of zero is zero, so it is Red unless met",
                    f"set tolerance: absolute for "
                    f"{iid} (and green_within/amber_within in the measure's units)",
                    column="target",
                    value=0.0,
                    severity="warning",
                )
            )

    # cumulative `last` (a running figure such as council tax collected so far) with only year
    # targets: in-year values are compared with the year-end target unchanged
    running = (
        ind["measure"].eq("cumulative")
        & ind["aggregation"].eq("last")
        & ~ind["frequency"].eq("annual")
    ).to_numpy(dtype=bool) & rated
    t_running = by_id(running)[t_code]
    in_year = t_running & targets["quarter"].notna().to_numpy(dtype=bool)
    has_running = np.zeros(n_ids + 1, dtype=bool)
    has_running[t_code[t_running]] = True
    has_in_year = np.zeros(n_ids + 1, dtype=bool)
    has_in_year[t_code[in_year]] = True
    only = np.flatnonzero((has_running & ~has_in_year)[:n_ids])
    only_year = sorted(np.asarray(uniques, dtype=object)[only].tolist())
    for iid in only_year:
        problems.append(
            Problem(
                tfile,
                f"{iid} is a running year-to-date figure (measure cumulative, aggregation "
                "last) with only year targets, so each quarter is compared with the year-end target",
                f"if {iid} builds up through the year (like council tax collected), add quarter "
                "targets (e.g. 2026/27 Q1) holding the profile",
                column="period",
                severity="warning",
            )
        )

    has_own = (
        ind.get("amber_within", pd.Series(np.nan, index=ind.index)).notna()
        | ind.get("green_within", pd.Series(np.nan, index=ind.index)).notna()
    )
    needs = (
        resolved["thresholds_per_indicator"].to_numpy(dtype=bool)
        & rated
        & ~has_own.to_numpy(dtype=bool)
    )
    labels = resolved["scheme_label"].to_numpy(dtype=object)
    names = resolved["scheme"].to_numpy(dtype=object)
    # a scheme that states no Amber tolerance (Dorset's framework gives none): an indicator
    # without its own amber_within cannot be rated, and pmlib will not invent a figure
    unset = (
        np.isnan(resolved["amber_within"].to_numpy(dtype=float))
        & resolved["colours"].eq("three").to_numpy(dtype=bool)
        & rated
    )
    picked = np.flatnonzero(unset)
    for i, iid in zip(picked.tolist(), ids_at(picked), strict=True):
        problems.append(
            Problem(
                file,
                f"{iid} uses the {labels[i]} scheme, which states no tolerance for Amber (how "
                "far short of target is still Amber), and has no amber_within of its own",
                f"fill in amber_within (a fraction, 0.05 = 5%, or in the measure's units with "
                f"tolerance: absolute) for {iid}, or set amber_within for the {names[i]} scheme "
                "in rag_schemes.yaml to the figure the council has agreed",
                row=row_of(i),
                column="amber_within",
            )
        )
    needs &= ~unset
    picked = np.flatnonzero(needs)
    for i, iid in zip(picked.tolist(), ids_at(picked), strict=True):
        problems.append(
            Problem(
                file,
                f"{iid} uses the {labels[i]} scheme, whose "
                "thresholds are set per indicator, but has no green_within/amber_within of its own; "
                "the scheme's default applies",
                "fill in green_within and amber_within for it",
                row=row_of(i),
                column="amber_within",
                severity="warning",
            )
        )

    if "amber_within" in ind and "green_within" in ind:
        bad = (ind["amber_within"] < ind["green_within"]).to_numpy(dtype=bool)
        amber = ind["amber_within"].to_numpy(dtype=float)
        picked = np.flatnonzero(bad)
        for i, iid in zip(picked.tolist(), ids_at(picked), strict=True):
            problems.append(
                Problem(
                    file,
                    f"{iid}: amber_within is smaller than green_within, so "
                    "nothing could be Amber (amber_within is raised to green_within)",
                    "make amber_within at least green_within",
                    row=row_of(i),
                    column="amber_within",
                    value=float(amber[i]),
                    severity="warning",
                )
            )

    if "intervention" in targets:
        # each target row's polarity: its id's (first) indicator row, as a lookup by id gives
        first = np.full(n_ids + 1, -1, dtype=np.intp)
        seen, where = np.unique(ind_code, return_index=True)
        first[seen] = where
        first[n_ids] = -1  # a blank id names no indicator
        at = first[t_code]

        def polarity_is(value: str) -> np.ndarray:
            return np.append(polarity.eq(value).fillna(False).to_numpy(dtype=bool), False)[at]

        intervention = targets["intervention"].to_numpy(dtype=float)
        has_i = ~np.isnan(intervention)
        higher, lower, band = polarity_is("higher"), polarity_is("lower"), polarity_is("band")
        wrong = has_i & ((higher & (intervention > target)) | (lower & (intervention < target)))
        if wrong.any():
            for iid, periods in first_periods(targets[wrong]).items():
                problems.append(
                    Problem(
                        tfile,
                        f"{iid}: the intervention level is on the good side of the target "
                        f"({periods}), so anything short of Green is "
                        "Red",
                        "the intervention level is the Red line: below the target when higher is "
                        "better, above it when lower is better",
                        column="intervention",
                        severity="warning",
                    )
                )
        banded = has_i & band
        for iid in sorted(set(targets.loc[banded, "indicator_id"])):
            problems.append(
                Problem(
                    tfile,
                    f"{iid} is a band indicator; its intervention level is ignored",
                    "remove it, or widen amber_within to set how far outside the band is Amber",
                    column="intervention",
                    severity="warning",
                )
            )
    return problems
