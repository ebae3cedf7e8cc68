"""The pure core of pmlib's ratings: a flat table in, Green / Amber / Red / Grey / No data out.

:func:`rate_frame` works on one row per thing to rate, so the rules of docs/rating-rules.md can
be tested table by table; :func:`_rate` is the vectorised arithmetic shared with
:mod:`pmlib.rating.engine`, which assembles the table from a Dataset.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from pmlib.config.schemes import RagScheme, resolve_schemes
from pmlib.core.numbers import round_published, text_series, unit_codes
from pmlib.rating.rag import (
    AMBER,
    GREEN,
    GREY,
    NO_DATA,
    RED,
    _floats,
    _Inputs,
    _text,
)
from pmlib.rating.reasons import _reasons
from pmlib.rating.trend import improved_or_held

__all__ = ["rate_frame"]

_FRAME_DEFAULTS: dict[str, object] = {
    "kind": "KPI",
    "unit": "number",
    "decimals": 0,
    "polarity": "higher",
    "target": np.nan,
    "intervention": np.nan,
    "lower": np.nan,
    "upper": np.nan,
    "last_year_value": np.nan,
    "grey_reason": None,
    "no_data_reason": None,
    "target_note": None,
    "reason_prefix": None,
}


def _scheme_arrays(resolved: pd.DataFrame) -> dict[str, np.ndarray]:
    return {
        "relative": resolved["tolerance"].eq("relative").to_numpy(dtype=bool),
        "green_within": _floats(resolved["green_within"]),
        "amber_within": _floats(resolved["amber_within"]),
        "two": resolved["colours"].eq("two").to_numpy(dtype=bool),
        "improve_rule": resolved["amber_if_improved_vs_last_year"].to_numpy(dtype=bool),
        "label": _text(resolved["scheme_label"]),
        "own": resolved["own_thresholds"].to_numpy(dtype=bool),
    }


# -- the pure core -------------------------------------------------------------------------------
def rate_frame(
    frame: pd.DataFrame,
    schemes: Mapping[str, RagScheme] | None = None,
    *,
    default_scheme: str = "south-derbyshire",
    dot_tolerance: float = 0.0,
) -> pd.DataFrame:
    """Rate each row of a flat table; the pure core of pmlib's ratings.

    Parameters
    ----------
    frame
        One row per value to rate. ``value`` is required; optional columns (defaults in
        brackets): ``target``, ``intervention``, ``lower``, ``upper`` (NaN), ``polarity``
        (higher), ``kind`` (KPI), ``unit`` (number), ``decimals`` (0), ``last_year_value`` (NaN;
        for the improved-vs-last-year rule), ``grey_reason`` (the value is not due: Grey with
        this reason), ``no_data_reason``, ``target_note`` (replaces "the <target> target" in the
        reason, e.g. for a profiled target), ``reason_prefix``. The scheme comes either from a
        ``scheme`` (or ``rag_scheme``) column naming one of ``schemes`` — with optional
        ``green_within``/``amber_within``/``tolerance`` overrides — or, without ``schemes``,
        from explicit ``tolerance``, ``green_within`` and ``amber_within`` columns (plus optional
        ``colours``, ``amber_if_improved_vs_last_year`` and ``scheme_label``).
    schemes
        Named schemes (:func:`pmlib.config.schemes.read_rag_schemes`).
    default_scheme
        Used where a row names no scheme.
    dot_tolerance
        "Held" in the improved-vs-last-year rule means Direction of Travel ``No change`` under
        this tolerance, so the rating agrees with the arrow printed beside it.

    Returns
    -------
    pandas.DataFrame
        A new frame: the input's columns plus ``raw_value``, ``value`` (published), ``rag``,
        ``rag_reason``, ``green_threshold`` (the value at which the rating leaves Green),
        ``red_threshold`` (beyond which it is Red; both NaN for band targets and unrated rows)
        and the resolved scheme columns. The input is never modified.

    Examples
    --------
    >>> from pmlib.config.schemes import RagScheme
    >>> sd = {"sd": RagScheme("sd", "South Derbyshire", amber_within=0.05)}
    >>> rated = rate_frame(pd.DataFrame({"value": [94.1], "target": [95.0], "decimals": [1],
    ...                                  "unit": ["percent"]}), sd, default_scheme="sd")
    >>> rated.loc[0, "rag"]
    'Amber'
    >>> rated.loc[0, "rag_reason"]
    '94.1% is 0.9 percentage points (0.9%) below the 95.0% target; Amber is within 5% of target'
    """
    f = frame.reset_index(drop=True)
    defaults = {k: v for k, v in _FRAME_DEFAULTS.items() if k not in f}
    f = f.assign(**defaults)
    if schemes is not None:
        column = "scheme" if "scheme" in f else "rag_scheme"
        resolved = resolve_schemes(f, schemes, default_scheme, scheme_column=column)
    else:
        missing = {"tolerance", "green_within", "amber_within"} - set(f.columns)
        if missing:
            raise ValueError(f"rate_frame needs schemes or the columns {sorted(missing)}")
        resolved = pd.DataFrame(
            {
                "scheme": f.get("scheme", "custom"),
                "scheme_label": f.get("scheme_label", "Custom"),
                "tolerance": f["tolerance"],
                "green_within": f["green_within"],
                "amber_within": f["amber_within"],
                "colours": f.get("colours", "three"),
                "amber_if_improved_vs_last_year": f.get("amber_if_improved_vs_last_year", False),
                "own_thresholds": False,
            },
            index=f.index,
        )
    x = _Inputs(
        value=_floats(f["value"]),
        decimals=f["decimals"].to_numpy(dtype="float64", na_value=0).astype("int64"),
        units=unit_codes(f["unit"].astype("str")),
        polarity=f["polarity"].to_numpy(dtype=object, na_value=""),
        statistic=f["kind"].eq("statistic").to_numpy(dtype=bool),
        target=_floats(f["target"]),
        intervention=_floats(f["intervention"]),
        lower=_floats(f["lower"]),
        upper=_floats(f["upper"]),
        last_year=_floats(f["last_year_value"]),
        grey_reason=_text(f["grey_reason"]),
        no_data_reason=np.where(
            _text(f["no_data_reason"]) == "", "no value supplied", _text(f["no_data_reason"])
        ),
        target_note=_text(f["target_note"]),
        prefix=_text(f["reason_prefix"]),
        **_scheme_arrays(resolved),
    )
    out = _rate(x, dot_tolerance)
    result = frame.copy()
    result["raw_value"] = frame["value"]
    for column in (
        "scheme",
        "scheme_label",
        "tolerance",
        "green_within",
        "amber_within",
        "colours",
        "amber_if_improved_vs_last_year",
    ):
        result[column] = resolved[column].to_numpy()
    result["value"] = out["value"]
    result["rag"] = text_series(out["rag"], result.index)
    result["rag_reason"] = text_series(out["rag_reason"], result.index)
    result["green_threshold"] = out["green_threshold"]
    result["red_threshold"] = out["red_threshold"]
    return result


def _rate(x: _Inputs, dot_tolerance: float, *, reasons: bool = True) -> dict[str, np.ndarray]:
    """Rate prepared inputs → published value, rag, thresholds and (optionally) the reason."""
    # the value is rated as published (rounded to the indicator's decimals), but targets,
    # intervention levels and band ends are kept as agreed: a 2.5-day target on an indicator
    # published in whole days is still 2.5, so a published 3 misses it (rounding the target up
    # to 3 would call it met)
    v = round_published(x.value, x.decimals)
    t, i, lo, hi = x.target, x.intervention, x.lower, x.upper
    pol = x.polarity
    g = np.nan_to_num(x.green_within)
    a = np.where(x.two, g, np.maximum(np.nan_to_num(x.amber_within), g))
    band, lower = pol == "band", pol == "lower"
    monitor = x.statistic | ~(band | lower | (pol == "higher"))
    sign = np.where(lower, -1.0, 1.0)

    with np.errstate(invalid="ignore"):
        # higher / lower: the shortfall on the wrong side of the target, in units
        base = np.where(x.relative, np.abs(t), 1.0)
        g_units, a_units = g * base, a * base
        eps = 1e-9 * np.maximum(1.0, np.abs(t))
        short = sign * (t - v)
        has_i = ~np.isnan(i) & ~x.two & ~band
        green_d = short <= g_units + eps
        amber_d = np.where(has_i, sign * (i - v) <= eps, short <= a_units + eps)
        # band: the distance outside [lower, upper], relative to the bound crossed
        lo_o = np.where(np.isnan(lo), -np.inf, lo)
        hi_o = np.where(np.isnan(hi), np.inf, hi)
        below = v < lo_o - 1e-9 * np.maximum(1.0, np.abs(lo_o))
        above = v > hi_o + 1e-9 * np.maximum(1.0, np.abs(hi_o))
        bound = np.where(below, lo, hi)
        dist = np.where(below, lo_o - v, np.where(above, v - hi_o, 0.0))
        b_base = np.where(x.relative, np.abs(np.nan_to_num(bound)), 1.0)  # inside: no bound
        b_eps = 1e-9 * np.maximum(1.0, np.abs(np.nan_to_num(bound)))
        green_b = dist <= g * b_base + b_eps
        amber_b = dist <= a * b_base + b_eps

    green = np.where(band, green_b, green_d)
    amber = np.where(band, amber_b, amber_d) & ~x.two
    has_target = np.where(band, ~(np.isnan(lo) & np.isnan(hi)), ~np.isnan(t))
    not_due = np.asarray(x.grey_reason != "")
    missing = np.isnan(v)
    last_year = round_published(x.last_year, x.decimals)
    improved = (
        x.improve_rule
        & ~x.two
        & improved_or_held(v, last_year, pol, tolerance=dot_tolerance, lower=lo, upper=hi)
    )
    state = np.select(
        [not_due, missing, monitor, ~has_target, green, amber, improved],
        ["not_due", "no_data", "monitor", "no_target", GREEN, AMBER, "improved"],
        RED,
    )
    rag = np.select(
        [
            np.isin(state, ("not_due", "monitor", "no_target")),
            state == "no_data",
            state == "improved",
        ],
        [GREY, NO_DATA, AMBER],
        state,
    )
    rated = ~monitor & has_target & ~band
    green_thr = np.where(rated, t - sign * g_units, np.nan)
    red_thr = np.where(
        rated, np.where(x.two, green_thr, np.where(has_i, i, t - sign * a_units)), np.nan
    )
    out = {"value": v, "rag": rag, "green_threshold": green_thr, "red_threshold": red_thr}
    if reasons:
        out["rag_reason"] = _reasons(
            x,
            state,
            v,
            g,
            a,
            band,
            sign,
            has_i,
            below,
            inside=~(below | above),
            last_year=last_year,
        )
    return out
