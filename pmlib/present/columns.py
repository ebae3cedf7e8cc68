"""Whole-column versions of the one-value formatters, for tables with a row per indicator.

:func:`pmlib.present.text.format_value` and :func:`pmlib.present.fragments.target_text` format
one figure at a time by running pmlib's vectorised formatter (:mod:`pmlib.core.numbers`) on an
array of one (about 0.4 ms a call). A scorecard formats every indicator's value and target:
these run the same formatter once per column, each row with its own unit and decimals, and
give exactly the strings the one-value functions give (a test compares them on random rows).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from pmlib.core.numbers import agreed_text, value_text
from pmlib.present.text import MISSING

__all__ = ["target_column", "value_column"]


def _units(units: Sequence[object]) -> list[object]:
    return [u or "number" for u in units]  # as format_value: no unit is a plain number


def _decimals(decimals: Sequence[object]) -> np.ndarray:
    return pd.to_numeric(pd.Series(list(decimals), dtype="object"), errors="coerce").to_numpy(
        dtype="float64", na_value=np.nan
    )


def value_column(
    values: Sequence[object], units: Sequence[object], decimals: Sequence[object]
) -> list[str]:
    """:func:`~pmlib.present.text.format_value` of each value with its row's unit and decimals."""
    x = pd.to_numeric(pd.Series(list(values), dtype="object"), errors="coerce")
    number = x.to_numpy(dtype="float64", na_value=np.nan)
    text = value_text(number, _decimals(decimals), _units(units))
    return [t or MISSING for t in text.tolist()]


def _agreed(rows: pd.DataFrame, column: str, units: list, decimals: np.ndarray):
    """(text, missing) of one target column, as agreed_string and is_missing see each cell."""
    if column not in rows:
        return [MISSING] * len(rows), np.ones(len(rows), dtype=bool)
    cells = rows[column]
    x = pd.to_numeric(cells.astype("object"), errors="coerce").to_numpy(
        dtype="float64", na_value=np.nan
    )
    text = [t or MISSING for t in agreed_text(x, decimals, units).tolist()]
    return text, cells.isna().to_numpy(dtype=bool)


def target_column(
    rows: pd.DataFrame, units: Sequence[object], decimals: Sequence[object]
) -> list[str]:
    """:func:`~pmlib.present.fragments.target_text` of each row (``target``, ``lower``,
    ``upper``) with its own unit and decimals: a band, "at least"/"at most" one side, or the
    target."""
    u, d = _units(units), _decimals(decimals)
    lo, no_lo = _agreed(rows, "lower", u, d)
    hi, no_hi = _agreed(rows, "upper", u, d)
    target, _ = _agreed(rows, "target", u, d)
    out = []
    for i in range(len(rows)):
        if not no_lo[i] and not no_hi[i]:
            out.append(f"{lo[i]} to {hi[i]}")
        elif not no_lo[i]:
            out.append(f"at least {lo[i]}")
        elif not no_hi[i]:
            out.append(f"at most {hi[i]}")
        else:
            out.append(target[i])
    return out
