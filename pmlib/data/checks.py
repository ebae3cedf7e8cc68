"""The table-level checks of validation: readable periods, no duplicates, known indicator ids, a
sound indicator library; and the helpers every check uses to turn a row mask into Problems.

Every check returns :class:`~pmlib.core.errors.Problem` records rather than raising, so one
run reports everything (see :mod:`pmlib.data.validate`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from pmlib.core.errors import Problem, Problems
from pmlib.core.frames import codes_in, isin, take
from pmlib.core.model import Settings
from pmlib.core.periods import ACCEPTED_FORMS, PeriodColumn, parse_period_column

_FREQ_KIND = {
    "monthly": "month",
    "quarterly": "quarter",
    "six-monthly": "half",
    "annual": "year",
    "biennial": "year",
}
_KINDS = ("month", "quarter", "half", "year")
_EVERY = {"month": "monthly", "quarter": "quarterly", "half": "six-monthly", "year": "annually"}


def _mask(mask: pd.Series | np.ndarray) -> np.ndarray:
    """A plain boolean array; a missing (NA) answer counts as False."""
    if isinstance(mask, pd.Series):
        if mask.dtype == bool:
            return mask.to_numpy()
        return mask.fillna(False).to_numpy(dtype=bool)
    return np.asarray(mask, dtype=bool)


def _problems_for_rows(
    frame: pd.DataFrame,
    mask: pd.Series | np.ndarray,
    file: str,
    column: str,
    message: str,
    fix: str,
    *,
    severity: str = "error",
    values: pd.Series | None = None,
) -> Problems:
    """One Problem per row where ``mask`` holds, found with numpy and built (in bulk, from the
    selected rows and values: no DataFrame row access) only when first looked at.

    ``values`` (default: the frame's ``column``) is aligned with the frame by position.
    """
    hit = np.flatnonzero(_mask(mask))
    if not hit.size:
        return Problems()
    if values is None:
        values = frame.get(column)
    return Problems.at_rows(
        file,
        message,
        fix,
        frame["_row"].to_numpy()[hit],
        [np.nan] * hit.size if values is None else values.iloc[hit],
        column=column,
        severity=severity,
    )


class _Indicators:
    """Indicator ids → rows of the indicators table, for looking up each row's indicator.

    An id listed twice (already reported) resolves to its first row, as a join on the
    de-duplicated table would. A blank or unknown id resolves to -1: no indicator.
    """

    def __init__(self, ind: pd.DataFrame):
        self.table = ind
        ids = ind["id"]
        first = (ids.notna() & ~ids.duplicated()).to_numpy(dtype=bool)
        self._rows = np.flatnonzero(first)
        self._index = pd.Index(ids[first])

    def positions(
        self, ids: pd.Series, factorized: tuple[np.ndarray, pd.Index] | None = None
    ) -> np.ndarray:
        """Each id's row in the indicators table, or -1 (``factorized``: ``pd.factorize(ids)``
        if already done)."""
        at = codes_in(ids, self._index, factorized)
        return np.where(at >= 0, take(self._rows, at, -1), -1)

    def flag(self, mask: pd.Series, positions: np.ndarray) -> np.ndarray:
        """A true/false fact about each indicator (NA: neither), spread to rows by position.

        Rows with no indicator get False, as they would from a left join's missing values.
        """
        return take(_mask(mask), positions, False)


def _check_periods(
    frame: pd.DataFrame, file: str, start_month: int
) -> tuple[pd.DataFrame, Sequence[Problem], PeriodColumn]:
    """Replace ``period`` by the parsed period columns; also returns the parse (row codes)."""
    column = parse_period_column(frame["period"], start_month)
    parsed = column.table
    bad = frame["period"].notna() & parsed["period"].isna()
    problems = _problems_for_rows(
        frame, bad, file, "period", "is not a period pmlib can read", f"use {ACCEPTED_FORMS}"
    )
    out = pd.concat([frame.drop(columns="period"), parsed], axis=1)
    return out, problems, column


def _check_duplicates(
    frame: pd.DataFrame,
    keys: list[str],
    file: str,
    what: str,
    codes: list[tuple[np.ndarray, int]] | None = None,
) -> Sequence[Problem]:
    """Rows repeating another row's keys. ``codes``: the keys already factorised, as (each
    row's code, -1 for blank; the number of codes) per key."""
    if codes is None:
        codes = []
        for k in keys:
            c, uniques = pd.factorize(frame[k], use_na_sentinel=True)
            codes.append((c, len(uniques)))
    key = np.zeros(len(frame), dtype=np.int64)
    valid = np.ones(len(frame), dtype=bool)
    for c, n in codes:  # one integer per distinct combination of the keys
        valid &= c >= 0
        key = key * (n + 1) + c + 1
    key[~valid] = -1
    if valid.any() and key.max() < 4 * len(key) + 1024:  # count each key directly
        dup = valid & (np.bincount(key[valid])[np.where(valid, key, 0)] > 1)
    else:
        dup = pd.Series(key).duplicated(keep=False).to_numpy() & valid
    if not dup.any():
        return []
    at = np.flatnonzero(dup)
    rows = frame["_row"].to_numpy()[at]
    first = pd.Series(rows).groupby(key[at]).transform("min").to_numpy()
    later = rows != first
    return [
        Problem(
            file,
            f"duplicate {what}: the same as row {int(f)}",
            "keep one row per " + " and ".join(keys) + " (delete or correct the other)",
            row=int(r),
            column=keys[-1],
            value=v,
        )
        for r, f, v in zip(rows[later], first[later], frame[keys[-1]].iloc[at[later]], strict=True)
    ]


def _check_unknown_ids(frame: pd.DataFrame, positions: np.ndarray, file: str) -> Sequence[Problem]:
    unknown = frame["indicator_id"].notna().to_numpy(dtype=bool) & (positions < 0)
    return _problems_for_rows(
        frame,
        unknown,
        file,
        "indicator_id",
        "is not an indicator id in the indicators table",
        "correct the id or add the indicator to the library",
    )


def _check_indicators(ind: pd.DataFrame, file: str, settings: Settings) -> Sequence[Problem]:
    problems = Problems(_check_duplicates(ind, ["id"], file, "indicator id"))
    slugs = set(settings.committees)
    listed = ind["committees"].dropna().astype(str).str.split(";")
    exploded = listed.explode().str.strip()
    bad = exploded[(exploded != "") & ~exploded.isin(slugs)]
    rows = ind["_row"]
    problems += [
        Problem(
            file,
            "names a committee that is not in committees.yaml",
            f"use one of: {', '.join(sorted(slugs))}",
            row=int(rows[idx]),
            column="committees",
            value=slug,
        )
        for idx, slug in bad.items()
    ]
    known = set(settings.schemes)
    if known:
        unknown = ind["rag_scheme"].notna() & ~ind["rag_scheme"].isin(known)
        problems += _problems_for_rows(
            ind,
            unknown,
            file,
            "rag_scheme",
            "is not a scheme in rag_schemes.yaml",
            f"use one of: {', '.join(sorted(known))}",
        )
    order = (
        ind["amber_within"].notna()
        & ind["green_within"].notna()
        & (ind["amber_within"] < ind["green_within"])
    )
    problems += _problems_for_rows(
        ind,
        order,
        file,
        "amber_within",
        "is smaller than green_within",
        "amber_within must be at least green_within",
    )
    for col in ("green_within", "amber_within"):
        problems += _problems_for_rows(
            ind,
            ind[col] < 0,
            file,
            col,
            "must not be negative",
            "thresholds are distances from target, e.g. 0.05",
        )
    both = (ind["data_collector"].notna() & ind["data_reviewer"].notna()).to_numpy(dtype=bool)
    same = np.zeros(len(ind), dtype=bool)
    if both.any():
        who = ind.loc[both, ["data_collector", "data_reviewer"]]
        same[both] = _mask(
            who["data_collector"]
            .str.strip()
            .str.lower()
            .eq(who["data_reviewer"].str.strip().str.lower())
        )
    problems += _problems_for_rows(
        ind,
        same,
        file,
        "data_reviewer",
        "is the same person as the data collector",
        "name a different officer to verify the data",
        severity="warning",
    )
    listed_ids = {i for c in settings.committees.values() for i in c.indicators}
    listed_priorities = {pr for c in settings.committees.values() for pr in c.priorities}
    ids = set(ind["id"][isin(ind["id"], listed_ids)]) if listed_ids else set()
    priorities = (
        set(ind["priority"][isin(ind["priority"], listed_priorities)])
        if listed_priorities
        else set()
    )
    found: list[Problem] = []
    for c in settings.committees.values():
        for ind_id in c.indicators:
            if ind_id not in ids:
                found.append(
                    Problem(
                        "committees.yaml",
                        f"committee '{c.slug}' lists an unknown indicator",
                        "correct the id or remove it",
                        column=f"{c.slug}.indicators",
                        value=ind_id,
                    )
                )
        for pr in c.priorities:
            if pr not in priorities:
                found.append(
                    Problem(
                        "committees.yaml",
                        f"committee '{c.slug}' lists a priority no indicator has",
                        "use a priority exactly as written in the indicators' priority column: "
                        + ", ".join(repr(k) for k in sorted(ind["priority"].dropna().unique())),
                        column=f"{c.slug}.priorities",
                        value=pr,
                    )
                )
    return problems + found
