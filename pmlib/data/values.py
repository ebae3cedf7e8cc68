"""Validation of the numbers: values in range for their unit, period kinds matching the
indicator's frequency, and targets covering every reported value.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from pmlib.core.errors import Problem, Problems
from pmlib.core.frames import take
from pmlib.core.periods import PeriodColumn
from pmlib.data.checks import _EVERY, _FREQ_KIND, _KINDS, _Indicators, _mask, _problems_for_rows


def _kind_codes(kinds: pd.Series) -> np.ndarray:
    """Period kinds (month/quarter/half/year) as 0/1/2/3, -1 when blank."""
    out = np.full(len(kinds), -1, dtype=np.int8)
    for code, kind in enumerate(_KINDS):
        out[_mask(kinds.eq(kind))] = code
    return out


def _check_values(
    frame: pd.DataFrame,
    positions: np.ndarray,
    lookup: _Indicators,
    file: str,
    columns: list[str],
    table: str,
) -> Sequence[Problem]:
    """Percentages in 0-100; numerator <= denominator; period kind matches frequency."""
    ind = lookup.table
    pct = lookup.flag(ind["unit"].eq("percent"), positions)
    problems = Problems()
    for col in columns:
        v = frame[col].to_numpy(dtype=float)
        problems += _problems_for_rows(
            frame,
            pct & ((v < 0) | (v > 100)),
            file,
            col,
            "is a percentage outside 0-100",
            "percentages are written 0-100 (94.1, not 0.941 or 941)",
        )
    if table == "actuals":
        num = frame["numerator"].to_numpy(dtype=float)
        den = frame["denominator"].to_numpy(dtype=float)
        problems += _problems_for_rows(
            frame,
            pct & (num > den),
            file,
            "numerator",
            "is greater than the denominator for a percentage",
            "check the counts: the numerator is part of the denominator",
        )
        problems += _problems_for_rows(
            frame,
            den <= 0,
            file,
            "denominator",
            "must be above zero",
            "leave numerator and denominator blank if there were no cases",
        )
        expected_kind = ind["frequency"].map(_FREQ_KIND)
        expected = take(_kind_codes(expected_kind), positions, -1)
        kind = _kind_codes(frame["period_kind"])
        wrong = np.flatnonzero((kind >= 0) & (expected >= 0) & (kind != expected))
        problems += [
            Problem(
                file,
                f"is a {_KINDS[k]}, but this indicator is collected {_EVERY[_KINDS[e]]}",
                f"give one row per {_KINDS[e]}, or change the indicator's frequency",
                row=int(r),
                column="period",
                value=p,
            )
            for r, k, e, p in zip(
                frame["_row"].to_numpy()[wrong].tolist(),
                kind[wrong].tolist(),
                expected[wrong].tolist(),
                frame["period"].iloc[wrong],
                strict=True,
            )
        ]
    if table == "targets":
        band = lookup.flag(ind["polarity"].eq("band"), positions)
        not_band = lookup.flag(ind["polarity"].ne("band"), positions)
        lower = frame["lower"].to_numpy(dtype=float)
        upper = frame["upper"].to_numpy(dtype=float)
        problems += _problems_for_rows(
            frame,
            band & (np.isnan(lower) | np.isnan(upper)),
            file,
            "lower",
            "a band indicator needs lower and upper",
            "fill in both ends of the band",
        )
        problems += _problems_for_rows(
            frame, lower > upper, file, "lower", "is greater than upper", "swap the two values"
        )
        problems += _problems_for_rows(
            frame,
            not_band & np.isnan(frame["target"].to_numpy(dtype=float)),
            file,
            "target",
            "a value is required here",
            "give the target, or delete the row",
        )
    return problems


def _check_targets_cover(
    act: pd.DataFrame,
    a_pos: np.ndarray,
    a_periods: PeriodColumn,
    tgt: pd.DataFrame,
    t_pos: np.ndarray,
    t_periods: PeriodColumn,
    lookup: _Indicators,
    file: str,
) -> Sequence[Problem]:
    """A rated indicator's actual without a target for its period (its own, its quarter's or its
    year's row) is a warning: it is rated Grey, "no target set".

    Periods are few (a few dozen over a million rows), so each distinct actual period's own,
    quarter and year labels are matched against the distinct target periods once; the rows then
    look their (indicator, target period) pair up in a table of the pairs that have a target
    row.
    """
    ind = lookup.table
    a_code, t_code = a_periods.codes, t_periods.codes
    rated = (
        lookup.flag(ind["kind"].isin(["KPI", "PI"]), a_pos)
        & lookup.flag(ind["polarity"].ne("none"), a_pos)
        & act["value"].notna().to_numpy(dtype=bool)
        & (a_code >= 0)
    )
    # An unreadable target period is already reported; don't repeat it as "no target".
    unsure = np.zeros(len(ind), dtype=bool)
    unsure[t_pos[(t_code < 0) & (t_pos >= 0)]] = True
    rated &= ~take(unsure, a_pos, False)
    if not rated.any():
        return []
    t_labels = [p.label for p in t_periods.periods]
    label_code = {label: i for i, label in enumerate(t_labels)}
    # for each distinct actual period, the target-period codes of its own label, its quarter's
    # and its year's (-1: no target row has that period; the extra last entry: no period)
    own = np.full(len(a_periods.periods) + 1, -1, dtype=np.int64)
    in_quarter = own.copy()
    in_year = own.copy()
    for i, p in enumerate(a_periods.periods):
        own[i] = label_code.get(p.label, -1)
        in_year[i] = label_code.get(p.fy_label, -1)
        if p.quarter is not None:
            in_quarter[i] = label_code.get(f"{p.fy_label} Q{p.quarter}", -1)
    n_t = max(len(t_labels), 1)
    pairs = t_pos[(t_pos >= 0) & (t_code >= 0)] * n_t + t_code[(t_pos >= 0) & (t_code >= 0)]
    if len(ind) * n_t <= 50_000_000:  # a flag per (indicator, target period)
        flags = np.zeros(len(ind) * n_t, dtype=bool)
        flags[pairs] = True

        def has(keys: np.ndarray) -> np.ndarray:
            return flags[keys]
    else:  # very many target periods: a hash of the pairs instead
        index = pd.Index(np.unique(pairs))

        def has(keys: np.ndarray) -> np.ndarray:
            return index.get_indexer(keys) >= 0

    covered = np.zeros(len(act), dtype=bool)
    for by_period in (own, in_quarter, in_year):
        key = by_period[a_code]  # a_code -1 (no period) picks the last entry: -1
        probe = np.flatnonzero(rated & ~covered & (key >= 0))
        covered[probe] = has(a_pos[probe] * n_t + key[probe])
    missing = np.flatnonzero(rated & ~covered)
    years = [p.fy_label for p in a_periods.periods]
    fy_labels = [years[c] for c in a_code[missing].tolist()]
    # A warning, not an error: history loaded from before targets were set, and a new
    # indicator's baseline year, are real data with no target; they are rated Grey ("no target
    # set") and listed under data quality rather than stopping the council loading its history.
    return [
        Problem(
            file,
            f"has a value but no target for {p} (nor for its quarter or year): "
            "no target set, so it is shown Grey and not rated",
            f"add a targets row for {i} in {y} if it should be rated, or set kind to "
            "'statistic' if it is never rated",
            row=int(r),
            column="period",
            value=p,
            severity="warning",
        )
        for r, i, p, y in zip(
            act["_row"].to_numpy()[missing].tolist(),
            act["indicator_id"].iloc[missing],
            act["period"].iloc[missing],
            fy_labels,
            strict=True,
        )
    ]
