"""Checks of SPC settings against the indicator library: its ``spc_rebase`` column (where an SPC
chart starts again), and the references council.yaml's ``spc.indicators`` lists.

``spc.indicators`` is read with council.yaml, before the library is; like committees.yaml's
indicator lists (:func:`pmlib.data.checks._check_indicators`) it is checked here, once both are
known. An unknown reference is an error: a typo would otherwise leave the indicator without SPC
and nothing would say why.

A cell lists period labels separated by ``;`` (``2025-07; 2026-01``): the periods from which an
indicator's SPC mean and process limits are computed afresh, after a change of service or of
definition. Each label must be a period of the indicator's own frequency (a month for a monthly
indicator), because a chart's points are figures of that frequency; a label that is not is an
error naming the file, Excel row, column, label and fix, not silently ignored (a rebase ignored
would join two different processes on one chart and flag the change as noise's signal).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from pmlib.config.spc import indicator_lines
from pmlib.core.errors import Problem, Problems
from pmlib.core.model import Settings
from pmlib.core.periods import Period, try_parse_period
from pmlib.data.checks import _FREQ_KIND, _problems_for_rows

__all__ = ["check_spc_indicators", "check_spc_rebase", "rebase_labels"]

_EXAMPLE = {"month": "2025-07", "quarter": "2025/26 Q2", "half": "2025/26 H1", "year": "2025/26"}


def rebase_labels(cell: object) -> list[str]:
    """The labels in one ``spc_rebase`` cell, stripped, blanks dropped.

    >>> rebase_labels(" 2025-07 ;2026-01; ")
    ['2025-07', '2026-01']
    """
    if cell is None or (isinstance(cell, float) and cell != cell) or cell is pd.NA:
        return []
    return [p.strip() for p in str(cell).split(";") if p.strip()]


def _wrong(cell: object, kind: str | None, start_month: int) -> str:
    """The labels of a cell that are not periods of ``kind``, joined by ``; `` ("" if none)."""
    bad = []
    for label in rebase_labels(cell):
        period = try_parse_period(label, start_month)
        if not isinstance(period, Period) or (kind is not None and period.kind != kind):
            bad.append(label)
    return "; ".join(bad)


def check_spc_rebase(ind: pd.DataFrame, file: str, start_month: int) -> Sequence[Problem]:
    """Every ``spc_rebase`` label that is not a period of its indicator's frequency."""
    if "spc_rebase" not in ind or not ind["spc_rebase"].notna().any():
        return Problems()
    kinds = ind["frequency"].map(_FREQ_KIND)
    wrong = pd.Series(
        [
            _wrong(c, None if pd.isna(k) else str(k), start_month)
            for c, k in zip(ind["spc_rebase"], kinds, strict=True)
        ],
        index=ind.index,
        dtype=object,
    )
    problems = Problems()
    for kind, example in _EXAMPLE.items():
        mask = (wrong.ne("") & kinds.eq(kind)).to_numpy(dtype=bool)
        problems += _problems_for_rows(
            ind,
            mask,
            file,
            "spc_rebase",
            f"is not a {kind} of this indicator (its figures are {kind}s)",
            f"list the {kind}s a new SPC group starts from, separated by ';', e.g. {example}",
            values=wrong,
        )
    other = (wrong.ne("") & kinds.isna()).to_numpy(dtype=bool)
    problems += _problems_for_rows(
        ind,
        other,
        file,
        "spc_rebase",
        "is not a period pmlib can read",
        "list periods separated by ';', e.g. 2025-07 for a month",
        values=wrong,
    )
    return problems if np.any(wrong.ne("")) else Problems()


def check_spc_indicators(ind: pd.DataFrame, settings: Settings) -> list[Problem]:
    """Each reference in council.yaml's ``spc.indicators`` that is not an indicator id, named by
    council.yaml's line, the key and the value, with the nearest ids as the fix."""
    listed = settings.council.spc.indicators
    if not listed:  # None: all indicators
        return []
    ids = set(ind["id"].dropna().astype(str))
    unknown = [i for i in dict.fromkeys(listed) if i not in ids]
    if not unknown:
        return []
    path = Path(settings.params_dir or ".") / "council.yaml"
    lines = indicator_lines(path)
    found = []
    for ref in unknown:
        near = difflib.get_close_matches(ref, sorted(ids), n=3, cutoff=0.6)
        fix = "correct the id or remove it" + (
            f" (did you mean {_either(near)}?)" if near else "; write ids as in the "
            "indicators table's id column, or indicators: all"
        )  # fmt: skip
        line = lines.get(ref)
        found.append(
            Problem(
                f"council.yaml, line {line}" if line else "council.yaml",
                "spc.indicators lists an indicator that is not in the library",
                fix,
                column="spc.indicators",
                value=ref,
            )
        )
    return found


def _either(ids: list[str]) -> str:
    """``R1``, ``R1 or R2``, ``R1, R2 or R3``."""
    return ids[0] if len(ids) == 1 else f"{', '.join(ids[:-1])} or {ids[-1]}"
