"""The vocabulary of a rating: the colours, the columns a rating returns, and the aligned input
arrays one rating pass works on.

Shared by :mod:`pmlib.rating.rules` (the arithmetic), :mod:`pmlib.rating.reasons` (the
sentences) and :mod:`pmlib.rating.engine` (assembly from a Dataset), so none of them has to
import another to name a colour.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "GREEN",
    "AMBER",
    "RED",
    "GREY",
    "NO_DATA",
    "RAGS",
    "RAG_RANK",
    "RATE_COLUMNS",
    "HISTORY_COLUMNS",
    "NOT_DUE_ANNUAL",
    "NOT_DUE_QUARTERLY",
]


GREEN, AMBER, RED, GREY, NO_DATA = "Green", "Amber", "Red", "Grey", "No data"
RAGS = (GREEN, AMBER, RED, GREY, NO_DATA)
#: How good each performance colour is (for "moved to Red" and monotonicity checks).
RAG_RANK = {RED: 0, AMBER: 1, GREEN: 2}

RATE_COLUMNS = (
    "indicator_id",
    "name",
    "period",
    "period_end",
    "kind",
    "unit",
    "unit_label",
    "decimals",
    "polarity",
    "measure",
    "value",
    "raw_value",
    "target",
    "intervention",
    "lower",
    "upper",
    "profiled",
    "target_period",
    "rag",
    "rag_reason",
    "computed_rag",
    "overridden",
    "override_reason",
    "override_by",
    "scheme",
    "green_threshold",
    "red_threshold",
    "previous_period",
    "previous_value",
    "last_year_period",
    "last_year_value",
    "dot_short",
    "dot_long",
    "dot_note",
    "forecast",
    "forecast_rag",
    "forecast_reason",
    "n_rows",
    "n_expected",
    "data_status",
    "reported_period",
    "lagged",
)
HISTORY_COLUMNS = (
    "indicator_id",
    "period",
    "ordinal",
    "value",
    "target",
    "lower",
    "upper",
    "green_threshold",
    "red_threshold",
    "rag",
)
NOT_DUE_ANNUAL = "annual indicator; outturn due after year end"
NOT_DUE_QUARTERLY = "quarterly indicator; not reported monthly"


# -- inputs --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Inputs:
    """Everything one rating pass needs, as aligned arrays (text as numpy unicode, "" = none)."""

    value: np.ndarray
    decimals: np.ndarray
    units: tuple[np.ndarray, list]
    polarity: np.ndarray
    statistic: np.ndarray
    target: np.ndarray
    intervention: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    relative: np.ndarray
    green_within: np.ndarray
    amber_within: np.ndarray
    two: np.ndarray
    improve_rule: np.ndarray
    last_year: np.ndarray
    label: np.ndarray
    own: np.ndarray
    grey_reason: np.ndarray | str = ""
    no_data_reason: np.ndarray | str = "no value supplied"
    target_note: np.ndarray | str = ""
    prefix: np.ndarray | str = ""


def _floats(column: pd.Series) -> np.ndarray:
    return column.to_numpy(dtype="float64", na_value=np.nan)


def _text(column: pd.Series) -> np.ndarray:
    return column.astype("str").fillna("").to_numpy(dtype=str)
