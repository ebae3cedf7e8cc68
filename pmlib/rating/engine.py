"""RAG ratings: every indicator's value at a period → Green / Amber / Red / Grey / No data, with
the reason, Direction of Travel and year-end forecast.

The rules are in docs/rating-rules.md; in short:

* the value rated is the value **as published** (rounded to the indicator's ``decimals``), so the
  colour always agrees with the number the reader sees;
* the shortfall on the wrong side of the target is measured ``relative`` to the target or in the
  measure's ``absolute`` units; Green while at most ``green_within``, Amber while at most
  ``amber_within`` (bounds inclusive), Red beyond — or, with an ``intervention`` level, Amber down
  to it and Red beyond it; ``band`` targets are Green inside ``[lower, upper]`` and rated by the
  distance outside; ``lower`` polarity mirrors everything;
* Grey for monitoring-only indicators and for periods an indicator does not report; ``No data``
  when an expected value is missing (a data-quality issue, never Red or Green).

:func:`rate_frame` is the pure core on a flat table (one row per thing to rate), so the rules can
be tested table by table; :func:`rate_period` and :func:`rate_history` assemble that table from a
:class:`~pmlib.core.model.Dataset`. All of it works on whole columns — sentences included — so a
library of 100,000 indicators rates in about a second.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from pmlib.config.schemes import RagScheme, check_scheme_warnings, resolve_schemes
from pmlib.core.errors import ParameterError
from pmlib.core.frames import get_indexer
from pmlib.core.model import Dataset
from pmlib.core.numbers import (
    difference_text,
    format_rating_table,
    fraction_text,
    number_text,
    round_published,
    text_series,
    unit_codes,
    value_text,
)
from pmlib.core.periods import Period, parse_period
from pmlib.rating.rollup import STATUS_NAMES, Cube, build_cube, prepare_rows
from pmlib.rating.trend import (
    NOT_COMPARABLE,
    direction_of_travel,
    forecast_arrays,
    improved_or_held,
)

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
    "rate_frame",
    "rate_period",
    "rate_history",
    "targets_at",
    "format_rating_table",
    "check_scheme_warnings",
]

GREEN, AMBER, RED, GREY, NO_DATA = "Green", "Amber", "Red", "Grey", "No data"
RAGS = (GREEN, AMBER, RED, GREY, NO_DATA)
#: How good each performance colour is (for "moved to Red" and monotonicity checks).
RAG_RANK = {RED: 0, AMBER: 1, GREEN: 2}

RATE_COLUMNS = (
    "indicator_id",
    "name",
    "period",
    "kind",
    "unit",
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
    >>> rated.loc[0, "rag"], rated.loc[0, "rag_reason"]
    ('Amber', '94.1% is 0.9% below the 95.0% target; Amber is within 5% (South Derbyshire scheme)')
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
    v = round_published(x.value, x.decimals)
    # targets are compared as published too: a 94.96 target shown as 95.0 is a 95.0 target
    t, i, lo, hi = (
        round_published(y, x.decimals) for y in (x.target, x.intervention, x.lower, x.upper)
    )
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
        shown = replace(x, target=t, intervention=i, lower=lo, upper=hi)
        out["rag_reason"] = _reasons(
            shown,
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


def _subset(codes: tuple[np.ndarray, list], rows: np.ndarray) -> tuple[np.ndarray, list]:
    return codes[0][rows], codes[1]


def _reasons(
    x: _Inputs,
    state: np.ndarray,
    v: np.ndarray,
    g: np.ndarray,
    a: np.ndarray,
    band: np.ndarray,
    sign: np.ndarray,
    has_i: np.ndarray,
    below: np.ndarray,
    inside: np.ndarray,
    last_year: np.ndarray,
) -> np.ndarray:
    """The ``rag_reason`` sentence for every row (object array of str).

    A sentence is "<position>; <rule clause> (<scheme> scheme)". The position holds the row's
    own numbers, so it is assembled column-wise for the rated rows only; the clause depends on
    a handful of settings shared by many indicators (scheme, thresholds, unit, decimals), so it
    is written once per distinct combination and broadcast — that keeps the text cheap for a
    library of 100,000 indicators.
    """
    n = state.size
    out = np.empty(n, dtype=object)
    grey = np.broadcast_to(np.asarray(x.grey_reason, dtype=object), (n,))
    no_data = np.broadcast_to(np.asarray(x.no_data_reason, dtype=object), (n,))
    for mask, text in (
        (state == "not_due", grey),
        (state == "no_data", no_data),
        (
            state == "monitor",
            np.where(
                x.statistic,
                "statistic: monitoring only, not rated",
                "no good direction (polarity none): monitoring only, not rated",
            ),
        ),
        (state == "no_target", "no target for this period: not rated"),
    ):
        out[mask] = text[mask] if isinstance(text, np.ndarray) else text
    r = np.flatnonzero(np.isin(state, (GREEN, AMBER, RED, "improved")))
    if not r.size:
        return out
    units, dec = _subset(x.units, r), x.decimals[r]
    vr, t, lo, hi, rel = v[r], x.target[r], x.lower[r], x.upper[r], x.relative[r]
    bd, blw = band[r], below[r]

    def val(values: np.ndarray) -> np.ndarray:
        return value_text(values, dec, units).astype(object)

    # position: how far from the target, in the scheme's terms (relative → % of the target;
    # absolute, or a zero target → the measure's units)
    with np.errstate(invalid="ignore", divide="ignore"):
        bound = np.where(bd, np.where(blw, lo, hi), t)
        gap = np.abs(np.where(bd, np.where(blw, lo - vr, vr - hi), vr - t))
        pct = gap / np.abs(bound) * 100
    by_pct = rel & (bound != 0)
    dev = np.where(
        by_pct & (pct > 0) & (pct < 0.05),
        "less than 0.1%",
        np.where(
            by_pct,
            number_text(pct, 1).astype(object) + "%",
            difference_text(gap, dec, units).astype(object),
        ),
    )
    V = val(vr)
    note = np.broadcast_to(np.asarray(x.target_note, dtype=object), (n,))[r]
    tphrase = np.where(note != "", "the " + note, "the " + val(t) + " target")
    on = np.abs(vr - t) <= 1e-9 * np.maximum(1.0, np.abs(t))
    position = (
        V + np.where(on, " meets ", " is " + dev + np.where(vr > t, " above ", " below ")) + tphrase
    )
    if bd.any():
        low, high = val(lo), val(hi)
        rng = np.where(
            np.isnan(lo),
            "at most " + high,
            np.where(np.isnan(hi), "at least " + low, low + " to " + high),
        )
        band_pos = (
            V
            + np.where(
                inside[r],
                " is inside the ",
                " is " + dev + np.where(blw, " below the ", " above the "),
            )
            + rng
            + " target range"
        )
        position = np.where(bd, band_pos, position)

    # clause and scheme, once per distinct combination of what they depend on
    i = np.where(has_i, x.intervention, np.nan)[r]
    ly = np.where(state == "improved", last_year, np.nan)[r]
    key = pd.DataFrame(
        {
            "state": state[r],
            "g": g[r],
            "a": a[r],
            "rel": rel,
            "two": x.two[r],
            "band": bd,
            "sign": sign[r],
            "dec": dec,
            "unit": units[0],
            "label": np.asarray(x.label)[r],
            "own": x.own[r],
            "zero": rel & (bound == 0),
            "i": i,
            "ly": ly,
        }
    )
    group = key.groupby(list(key.columns), sort=False, dropna=False).ngroup().to_numpy()
    _, first = np.unique(group, return_index=True)
    k = key.iloc[first]
    k_units = (k["unit"].to_numpy(), units[1])
    k_dec = k["dec"].to_numpy()

    def amount(values: np.ndarray) -> np.ndarray:
        return np.where(
            k["rel"], fraction_text(values), difference_text(values, k_dec, k_units)
        ).astype(object)

    G, A = amount(k["g"].to_numpy()), amount(k["a"].to_numpy())
    I = value_text(k["i"].to_numpy(), k_dec, k_units).astype(object)  # noqa: E741
    LY = value_text(k["ly"].to_numpy(), k_dec, k_units).astype(object)
    kb, two, ks = k["band"].to_numpy(), k["two"].to_numpy(), k["state"].to_numpy()
    worse = np.where(k["sign"].to_numpy() > 0, "below", "above")
    with_i = ~np.isnan(k["i"].to_numpy())
    green = np.where(
        k["g"] > 0,
        "Green is within " + G + np.where(kb, " of the range", " of target"),
        np.where(kb, "Green is inside the range", "Green is on target or better"),
    )
    amber = np.where(
        with_i,
        "Amber is between the target and the " + I + " intervention level",
        "Amber is within " + A + np.where(kb, " of the range", ""),
    )
    red = np.where(
        with_i,
        "Red is " + worse + " the " + I + " intervention level",
        "Red is more than " + A + np.where(kb, " outside the range", " " + worse),
    )
    red = np.where(
        two,
        np.where(
            k["g"] > 0,
            "Red is more than " + G + " short of target",
            "Red means the target is missed",
        ),
        red,
    )
    red = np.where(
        k["zero"] & ~two, "a zero target with a relative tolerance is Red unless met", red
    )
    clause = np.select(
        [ks == GREEN, ks == AMBER, ks == "improved"],
        [green, amber, red + ", but Amber as it improved on or held last year's " + LY],
        red,
    )
    clause = (
        clause
        + " ("
        + k["label"].to_numpy(dtype=object)
        + " scheme"
        + np.where(k["own"], ", indicator's own thresholds", "")
        + ")"
    )
    prefix = np.broadcast_to(np.asarray(x.prefix, dtype=object), (n,))[r]
    out[r] = prefix + position + "; " + clause[group]
    return out


# -- targets -------------------------------------------------------------------------------------
_TARGET_FIELDS = ("target", "intervention", "lower", "upper")


def targets_at(targets: pd.DataFrame, ids: pd.Series, period: Period) -> pd.DataFrame:
    """The target row that applies to each indicator at ``period``, aligned with ``ids``.

    The most specific row wins, as a whole: a month row over the quarter row over the year row.
    Rows with no ``target``, ``lower`` or ``upper`` are ignored (a blank placeholder never hides
    the year target). ``target_period``/``target_kind`` say which row was used.
    """
    t = targets
    fy = _floats(t["fy"])
    quarter, month = _floats(t["quarter"]), _floats(t["month"])
    is_month, is_quarter = ~np.isnan(month), np.isnan(month) & ~np.isnan(quarter)
    is_year = np.isnan(quarter) & ~np.isnan(fy)
    match = (fy == period.fy) & (
        is_year
        | (is_quarter & (period.kind != "year") & (quarter == (period.quarter or 0)))
        | (is_month & (period.kind == "month") & (month == period.index))
    )
    has = t[[c for c in ("target", "lower", "upper") if c in t]].notna().any(axis=1)
    match &= has.to_numpy(dtype=bool)
    rank = np.where(is_month, 2, np.where(is_quarter, 1, 0))[match]
    chosen = t[match].assign(_rank=rank, target_kind=np.array(["year", "quarter", "month"])[rank])
    chosen = chosen.sort_values("_rank", kind="stable")
    chosen = chosen.drop_duplicates("indicator_id", keep="last").set_index("indicator_id")
    where = get_indexer(chosen.index, ids)
    found = where >= 0
    out = {}
    for column in _TARGET_FIELDS:
        source = _floats(chosen[column]) if column in chosen else np.full(len(chosen), np.nan)
        out[column] = np.where(found, source[where] if len(chosen) else np.nan, np.nan)
    for column, source in (
        ("target_period", chosen["period"]),
        ("target_kind", chosen["target_kind"]),
    ):
        values = source.astype("str").to_numpy(dtype=object, na_value=None)
        out[column] = np.where(found, values[where] if len(chosen) else None, None)
    return pd.DataFrame(out)


# -- assembling from a Dataset -------------------------------------------------------------------
@dataclass(frozen=True)
class _Context:
    """The library, resolved schemes and roll-ups shared by every period rated in one call."""

    dataset: Dataset
    meta: pd.DataFrame
    arrays: dict[str, object]
    cubes: dict[str, Cube]


def _context(dataset: Dataset, kinds: set[str], fys: range) -> _Context:
    council = dataset.settings.council
    ind = dataset.indicators.reset_index(drop=True)
    decimals = (
        ind["decimals"].to_numpy(dtype="float64", na_value=0).astype("int64")
        if "decimals" in ind
        else np.zeros(len(ind), dtype="int64")
    )
    meta = pd.DataFrame(
        {
            c: ind[c].astype("str")
            for c in (
                "id",
                "name",
                "kind",
                "unit",
                "polarity",
                "frequency",
                "measure",
                "aggregation",
            )
        }
    ).assign(decimals=decimals)
    resolved = resolve_schemes(ind, dataset.settings.schemes, council.rag_scheme)
    arrays: dict[str, object] = {
        "decimals": decimals,
        "units": unit_codes(meta["unit"]),
        "polarity": meta["polarity"].to_numpy(dtype=object, na_value=""),
        "statistic": meta["kind"].eq("statistic").to_numpy(dtype=bool),
        "frequency": meta["frequency"].to_numpy(dtype=object, na_value=""),
        "measure": meta["measure"].to_numpy(dtype=object, na_value=""),
        "aggregation": meta["aggregation"].to_numpy(dtype=object, na_value=""),
        "scheme": resolved["scheme"].astype("str"),
        **_scheme_arrays(resolved),
    }
    rows = prepare_rows(meta, dataset.actuals, fys)
    cubes = {k: build_cube(meta, rows, k, fys) for k in kinds | {"year"}}
    return _Context(dataset, meta, arrays, cubes)


def _scheme_inputs(arrays: dict[str, object]) -> dict[str, object]:
    keys = (
        "decimals",
        "units",
        "polarity",
        "statistic",
        "relative",
        "green_within",
        "amber_within",
        "two",
        "improve_rule",
        "label",
        "own",
    )
    return {k: arrays[k] for k in keys}


def _rate_at(ctx: _Context, period: Period, *, trend: bool = True) -> pd.DataFrame:
    m, arr = ctx.meta, ctx.arrays
    n = len(m)
    year = period.year()
    freq, measure = arr["frequency"], arr["measure"]
    dec, units = arr["decimals"], arr["units"]
    annual = freq == "annual"
    yc, yl = ctx.cubes["year"].at(year), ctx.cubes["year"].at(year.previous())
    grey = np.full(n, "", dtype=object)
    if period.kind == "year":
        cur, prev, last = yc, yl, yl
        on_year = np.ones(n, dtype=bool)
    else:
        cube = ctx.cubes[period.kind]
        cur, prev, last = cube.at(period), cube.at(period.previous()), cube.at(period.last_year())
        on_year = annual & (period.kind == "quarter") & (period.index == 4) & (yc.n_rows > 0)
        grey[annual & ~on_year] = NOT_DUE_ANNUAL
        if period.kind == "month":
            grey[freq == "quarterly"] = NOT_DUE_QUARTERLY
    grey = grey.astype(str)
    value = np.where(on_year, yc.value, cur.value)
    prev_value = np.where(on_year, yl.value, prev.value)
    ly_value = np.where(on_year, yl.value, last.value)

    targets = ctx.dataset.targets
    tp, ty = targets_at(targets, m["id"], period), targets_at(targets, m["id"], year)
    tgt = {c: np.where(on_year, ty[c].to_numpy(), tp[c].to_numpy()) for c in _TARGET_FIELDS}
    target_period = np.where(
        on_year, ty["target_period"].to_numpy(), tp["target_period"].to_numpy()
    )
    profiled = (
        (measure == "cumulative")
        & (arr["aggregation"] == "sum")
        & (tp["target_kind"].to_numpy() == "year")
        & ~on_year
        & (period.months_elapsed < 12)
    )
    factor = np.where(profiled, period.months_elapsed / 12, 1.0)
    tgt = {c: round_published(values * factor, dec) for c, values in tgt.items()}
    note = np.full(n, "", dtype=object)
    rows = np.flatnonzero(profiled)
    if rows.size:
        sub = (units[0][rows], units[1])
        note[rows] = (
            "profiled target "
            + value_text(tgt["target"][rows], dec[rows], sub).astype(object)
            + f" ({period.months_elapsed}/12 of "
            + value_text(ty["target"].to_numpy()[rows], dec[rows], sub)
            + ")"
        )
    in_year_cumulative = (measure == "cumulative") & (period.kind != "year") & ~on_year
    prefix = np.where(
        on_year & (period.kind != "year"),
        f"{year.label} outturn: ",
        np.where(in_year_cumulative, "Year to date: ", ""),
    )
    tol = ctx.dataset.settings.council.dot_tolerance
    rated = _rate(
        _Inputs(
            value=value,
            **tgt,
            last_year=ly_value,
            grey_reason=grey,
            no_data_reason=f"no value supplied for {period.label}",
            target_note=note,
            prefix=prefix,
            **_scheme_inputs(arr),
        ),
        tol,
        reasons=trend,
    )
    v = rated["value"]
    use = {
        "n_rows": np.where(on_year, yc.n_rows, cur.n_rows),
        "n_expected": np.where(grey != "", 0, np.where(on_year, yc.n_expected, cur.n_expected)),
        "data_status": STATUS_NAMES[np.where(on_year, yc.status, cur.status)],
    }
    out = pd.DataFrame(
        {
            "indicator_id": m["id"],
            "name": m["name"],
            "period": period.label,
            "kind": m["kind"],
            "unit": m["unit"],
            "decimals": dec,
            "polarity": m["polarity"],
            "measure": m["measure"],
            "value": v,
            "raw_value": value,
            **tgt,
            "profiled": profiled,
            "target_period": pd.Series(target_period, dtype="str"),
            "rag": text_series(rated["rag"]),
            "scheme": arr["scheme"],
            "green_threshold": rated["green_threshold"],
            "red_threshold": rated["red_threshold"],
            "ordinal": period.ordinal,
            **use,
        }
    )
    if not trend:
        return out

    prev_pub = np.where(in_year_cumulative, np.nan, round_published(prev_value, dec))
    ly_pub = round_published(ly_value, dec)
    dot = {
        "kind": np.where(arr["statistic"], "statistic", ""),
        "tolerance": tol,
        "lower": tgt["lower"],
        "upper": tgt["upper"],
    }
    dot_short = np.where(
        in_year_cumulative, NOT_COMPARABLE, direction_of_travel(v, prev_pub, arr["polarity"], **dot)
    )
    dot_long = direction_of_travel(v, ly_pub, arr["polarity"], **dot)
    dot_note = np.where(
        in_year_cumulative,
        "year to date: compared with the same point last year, not the previous period",
        "",
    )
    prev_label = np.where(on_year, year.previous().label, period.previous().label)
    ly_label = np.where(on_year, year.previous().label, period.last_year().label)

    final = period.kind == "year" or period.index == {"quarter": 4, "month": 12}[period.kind]
    has_year_target = ty[["target", "lower", "upper"]].notna().any(axis=1).to_numpy()
    forecast, _, fc_reason = forecast_arrays(
        measure=measure,
        aggregation=arr["aggregation"],
        annual=annual,
        units=units,
        decimals=dec,
        value=value,
        ytd=np.where(on_year, yc.ytd, cur.ytd),
        last_year_ytd=np.where(on_year, yl.ytd, last.ytd),
        last_year_outturn=yl.value,
        outturn=yc.value,
        months_elapsed=period.months_elapsed,
        final=final,
        has_year_target=has_year_target,
        last_year_period=period.last_year().label,
    )
    year_target = {c: ty[c].to_numpy() for c in _TARGET_FIELDS}
    fc_inputs = _scheme_inputs(arr) | {"improve_rule": np.zeros(n, dtype=bool)}
    fc_rag = _rate(
        _Inputs(value=forecast, **year_target, last_year=np.full(n, np.nan), **fc_inputs),
        tol,
        reasons=False,
    )["rag"]
    fc_rag = np.where(np.isnan(forecast), "", fc_rag)
    rows = np.flatnonzero(np.isin(fc_rag, list(RAG_RANK)))
    if rows.size:
        sub, d = (units[0][rows], units[1]), dec[rows]

        def fmt(values: np.ndarray) -> np.ndarray:
            return value_text(values[rows], d, sub).astype(object)

        against = np.where(
            np.isnan(year_target["target"][rows]),
            "the "
            + fmt(year_target["lower"])
            + " to "
            + fmt(year_target["upper"])
            + " year-end range",
            "the " + fmt(year_target["target"]) + " year-end target",
        )
        fc_reason[rows] = fc_reason[rows] + "; " + fc_rag[rows] + " against " + against
    not_due = grey != ""
    fc_reason[not_due] = "No forecast: " + grey[not_due].astype(object)
    return out.assign(
        rag_reason=text_series(rated["rag_reason"]),
        previous_period=text_series(np.where(in_year_cumulative, "", prev_label)),
        previous_value=prev_pub,
        last_year_period=text_series(ly_label),
        last_year_value=ly_pub,
        dot_short=text_series(dot_short),
        dot_long=text_series(dot_long),
        dot_note=text_series(dot_note),
        forecast=forecast,
        forecast_rag=text_series(fc_rag),
        forecast_reason=text_series(fc_reason),
    )


def _as_period(dataset: Dataset, period: str | Period) -> Period:
    if isinstance(period, Period):
        return period
    return parse_period(period, dataset.settings.council.fy_start_month)


def rate_period(dataset: Dataset, period: str | Period) -> pd.DataFrame:
    """Rate every indicator in the library at ``period`` (a month, quarter or financial year).

    Returns
    -------
    pandas.DataFrame
        One row per indicator of ``dataset.indicators``, in library order, with the columns of
        :data:`RATE_COLUMNS`: the published ``value`` and ``raw_value``; the ``target``,
        ``intervention``, ``lower``, ``upper`` used (pro-rata when ``profiled``) and the
        ``target_period`` row they came from; ``rag`` (Green, Amber, Red, Grey, No data) and
        ``rag_reason``; the ``scheme``; ``green_threshold``/``red_threshold`` for charts;
        Direction of Travel against the ``previous_period`` and ``last_year_period``
        (``dot_short``, ``dot_long``, ``dot_note``); the year-end ``forecast``, its
        ``forecast_rag`` and ``forecast_reason``; and ``n_rows``/``n_expected``/``data_status``
        of the figures behind the value, for the data-quality section.

    Raises
    ------
    pmlib.core.errors.PeriodError
        ``period`` is not a readable period label.
    pmlib.core.errors.ConfigError
        An indicator names a RAG scheme that is not defined.
    """
    p = _as_period(dataset, period)
    ctx = _context(dataset, {p.kind}, range(p.fy - 1, p.fy + 1))
    return _rate_at(ctx, p)[list(RATE_COLUMNS)]


def _containing(period: Period, kind: str) -> Period:
    last_month = period.months()[-1]
    if kind == "month":
        return last_month
    if kind == "quarter":
        return last_month.quarters()[0]
    return period.year()


def rate_history(
    dataset: Dataset, through: str | Period, *, kind: str = "quarter", periods: int = 8
) -> pd.DataFrame:
    """Ratings of every indicator over the last ``periods`` periods of ``kind``, for trend charts
    and "moved to Red since Q1" narrative.

    The last period is the ``kind`` period holding ``through``'s final month (``2026/27 Q2``
    with ``kind="month"`` ends at ``2026-09``). The roll-ups behind all the periods are computed
    once; each period's rating is then one vectorised pass, without the reason sentences (use
    :func:`rate_period` for those).

    Returns
    -------
    pandas.DataFrame
        Long: one row per indicator and period (oldest period first, library order within it),
        columns :data:`HISTORY_COLUMNS`.
    """
    if kind not in ("month", "quarter", "year"):
        raise ParameterError(f"kind must be month, quarter or year, not {kind!r}.")
    if periods < 1:
        raise ParameterError(f"periods must be at least 1, not {periods}.")
    end = _containing(_as_period(dataset, through), kind)
    chain = [end]
    for _ in range(periods - 1):
        chain.append(chain[-1].previous())
    chain.reverse()
    ctx = _context(dataset, {kind}, range(chain[0].fy - 1, end.fy + 1))
    frames = [_rate_at(ctx, p, trend=False) for p in chain]
    return pd.concat(frames, ignore_index=True)[list(HISTORY_COLUMNS)]
