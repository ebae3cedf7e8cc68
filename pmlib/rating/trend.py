"""Direction of Travel and the year-end forecast, vectorised over indicators.

Direction of Travel (Dorset pairs every RAG with one) says whether performance is getting better,
polarity-aware: a fall in days to process a claim is *Improving*. It compares published (rounded)
values, so the arrow never contradicts the two numbers the reader sees. Statistics have no good
direction, so they go ``Up``/``Down``.

The forecast answers New Forest's exception test — is the indicator "profiled to not meet
target"? — by projecting the year-to-date figure to year end, using last year's seasonal profile
when last year has the data, and a simple run rate otherwise. The methods are documented in
docs/rating-rules.md; every forecast carries a sentence saying which one was used.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pmlib.core.numbers import difference_text, round_published, text_series, unit_codes, value_text

IMPROVING, NO_CHANGE, WORSENING, NOT_COMPARABLE = (
    "Improving",
    "No change",
    "Worsening",
    "Not comparable",
)
UP, DOWN = "Up", "Down"
DOT_LABELS = (IMPROVING, NO_CHANGE, WORSENING, NOT_COMPARABLE, UP, DOWN)


def _floats(values: object, n: int | None = None) -> np.ndarray:
    if values is None:
        return np.full(n or 0, np.nan)
    if isinstance(values, pd.Series):
        return values.to_numpy(dtype="float64", na_value=np.nan)
    arr = np.asarray(values, dtype="float64")
    return np.broadcast_to(arr, (n,)) if n is not None and arr.ndim == 0 else arr


def _objects(values: object, n: int) -> np.ndarray:
    if values is None:
        return np.full(n, "", dtype=object)
    if isinstance(values, str):
        return np.full(n, values, dtype=object)
    if isinstance(values, pd.Series):
        return values.to_numpy(dtype=object, na_value="")
    return np.asarray(values, dtype=object)


def band_distance(values: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """How far each value lies outside ``[lower, upper]`` (0 inside; a missing bound is open)."""
    lo = np.where(np.isnan(lower), -np.inf, lower)
    hi = np.where(np.isnan(upper), np.inf, upper)
    with np.errstate(invalid="ignore"):
        return np.where(values < lo, lo - values, np.where(values > hi, values - hi, 0.0))


def direction_of_travel(
    current: object,
    comparator: object,
    polarity: object,
    *,
    kind: object = None,
    tolerance: float = 0.0,
    lower: object = None,
    upper: object = None,
) -> np.ndarray:
    """Label the change from ``comparator`` to ``current``, polarity-aware.

    A change of at most ``tolerance`` × |comparator| is ``No change`` (``tolerance`` 0: only
    equal values). ``higher``: a rise is ``Improving``; ``lower``: a fall is; ``band``: getting
    closer to the range (two values both inside it are ``No change``). Statistics and
    ``polarity: none`` get ``Up``/``Down``. A missing value either side is ``Not comparable``.

    >>> direction_of_travel([90, 2.0, 5, 7], [80, 2.5, 5, None], ["higher", "lower", "none",
    ...                     "higher"]).tolist()
    ['Improving', 'Improving', 'No change', 'Not comparable']
    """
    cur = _floats(current)
    n = cur.size
    comp = _floats(comparator, n)
    pol = _objects(polarity, n)
    kinds = _objects(kind, n)
    lo = _floats(lower, n) if lower is not None else np.full(n, np.nan)
    hi = _floats(upper, n) if upper is not None else np.full(n, np.nan)
    band = pol == "band"
    neutral = (kinds == "statistic") | ~np.isin(pol, ("higher", "lower", "band"))
    with np.errstate(invalid="ignore"):
        d_cur, d_comp = band_distance(cur, lo, hi), band_distance(comp, lo, hi)
        better = np.where(band, d_comp - d_cur, np.where(pol == "lower", comp - cur, cur - comp))
        change = np.where(band, d_cur - d_comp, cur - comp)
        allowed = tolerance * np.abs(comp) + 1e-9 * np.maximum(1.0, np.abs(comp))
        same = np.abs(change) <= allowed
    comparable = np.isfinite(cur) & np.isfinite(comp)
    return np.select(
        [~comparable, same, neutral & (change > 0), neutral, better > 0],
        [NOT_COMPARABLE, NO_CHANGE, UP, DOWN, IMPROVING],
        WORSENING,
    ).astype(object)


def improved_or_held(
    current: object,
    comparator: object,
    polarity: object,
    *,
    tolerance: float = 0.0,
    lower: object = None,
    upper: object = None,
) -> np.ndarray:
    """True where Direction of Travel would say ``Improving`` or ``No change``."""
    dot = direction_of_travel(
        current, comparator, polarity, tolerance=tolerance, lower=lower, upper=upper
    )
    return np.isin(dot, (IMPROVING, NO_CHANGE))


FORECAST_METHODS = ("outturn", "profile", "run_rate", "profile_change", "ytd_rate", "persistence")
_NO_FORECAST = {
    "no_target": "No forecast: no target for the year",
    "annual": "No forecast: annual indicator; outturn due after year end",
    "period_sum": "No forecast: the year target applies to each period, not to a year total",
    "no_profile": "No forecast: a running year-to-date figure needs last year's profile",
    "no_value": "No forecast: no year-to-date value",
}


def forecast_arrays(
    *,
    measure: np.ndarray,
    aggregation: np.ndarray,
    annual: np.ndarray,
    units: object,
    decimals: np.ndarray,
    value: np.ndarray,
    ytd: np.ndarray,
    last_year_ytd: np.ndarray,
    last_year_outturn: np.ndarray,
    outturn: np.ndarray,
    months_elapsed: int,
    final: bool,
    has_year_target: np.ndarray,
    last_year_period: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The array core of :func:`forecast_year_end`: (forecast, method, reason).

    ``reason`` is an object array of sentences, written per method for the rows using it.
    """
    n = value.size
    cumulative = measure == "cumulative"
    persistent = (measure == "snapshot") | ((measure == "period") & (aggregation == "last"))
    rate_like = ~persistent & np.isin(aggregation, ("ratio", "mean"))
    scaled = cumulative & np.isin(aggregation, ("sum", "last"))
    profile_ok = np.isfinite(last_year_ytd) & np.isfinite(last_year_outturn)
    with np.errstate(invalid="ignore", divide="ignore"):
        multiplier = np.where(last_year_ytd != 0, last_year_outturn / last_year_ytd, np.nan)
        change = last_year_outturn - last_year_ytd
        candidates = {
            "outturn": outturn,
            "profile": ytd * multiplier,
            "run_rate": ytd * 12.0 / months_elapsed,
            "profile_change": ytd + change,
            "ytd_rate": ytd,
            "persistence": value,
        }
    method = np.select(
        [
            ~has_year_target,
            np.full(n, final),
            annual,
            persistent,
            scaled & profile_ok & np.isfinite(multiplier),
            scaled & (aggregation == "sum"),
            rate_like & profile_ok,
            rate_like,
        ],
        [
            "no_target",
            "outturn",
            "annual",
            "persistence",
            "profile",
            "run_rate",
            "profile_change",
            "ytd_rate",
        ],
        np.where(scaled, "no_profile", "period_sum"),
    )
    raw = np.full(n, np.nan)
    for name, values in candidates.items():
        raw = np.where(method == name, values, raw)
    codes = unit_codes(units, n)
    percent = np.array([u == "percent" for u in codes[1]] + [False])[codes[0]]
    capped = percent & ((raw > 100) | (raw < 0))
    raw = np.where(percent, np.clip(raw, 0.0, 100.0), raw)
    forecast = round_published(raw, decimals)
    method = np.where(np.isin(method, FORECAST_METHODS) & np.isnan(forecast), "no_value", method)

    reason = np.empty(n, dtype=object)
    for name, text in _NO_FORECAST.items():
        reason[method == name] = text
    for name in FORECAST_METHODS:
        rows = np.flatnonzero(method == name)
        if not rows.size:
            continue
        sub = (codes[0][rows], codes[1])

        def fmt(values: np.ndarray, rows: np.ndarray = rows, sub: tuple = sub) -> np.ndarray:
            return value_text(values[rows], decimals[rows], sub).astype(object)

        head = "Forecast " + fmt(forecast)
        if name == "outturn":
            text = head + ": the year's outturn"
        elif name == "profile":
            text = (
                head
                + " = year to date "
                + fmt(ytd)
                + " × "
                + fmt(last_year_outturn)
                + " / "
                + fmt(last_year_ytd)
                + " (last year's outturn over its year to date at "
                f"{last_year_period})"
            )
        elif name == "run_rate":
            text = (
                head + " = year to date " + fmt(ytd) + f" × 12 / {months_elapsed} (run "
                "rate; no comparable figures last year)"
            )
        elif name == "profile_change":
            moved = difference_text(np.abs(change[rows]), decimals[rows], sub).astype(object)
            text = (
                head
                + " = year to date "
                + fmt(ytd)
                + np.where(change[rows] < 0, " − ", " + ")
                + moved
                + f" (last year's change from {last_year_period} to year end)"
            )
        elif name == "ytd_rate":
            text = head + " = the year-to-date rate (no comparable figures last year)"
        else:
            text = head + " = the latest value, assumed to hold to year end"
        reason[rows] = np.where(capped[rows], text + " (kept within 0-100%)", text)
    return forecast, np.where(np.isin(method, FORECAST_METHODS), method, ""), reason


def forecast_year_end(frame: pd.DataFrame) -> pd.DataFrame:
    """Project each indicator's year-end outturn from the year to date.

    Parameters
    ----------
    frame
        One row per indicator with ``measure``, ``aggregation``, ``frequency``, ``unit``,
        ``decimals``, ``value`` (the reported value now), ``ytd`` (year-to-date reading by
        aggregation), ``last_year_ytd`` (the same point last year), ``last_year_outturn``,
        ``outturn`` (this year's year roll-up, used at the final period), ``months_elapsed``,
        ``final`` (the period ends the year), ``has_year_target`` and ``last_year_period``
        (label, for the sentence). ``months_elapsed``, ``final`` and ``last_year_period``
        describe the one period being rated, so only the first row's are read.

    Returns
    -------
    pandas.DataFrame
        Aligned with ``frame``: ``forecast`` (rounded to the indicator's decimals, NaN when there
        is none), ``forecast_method`` (one of :data:`FORECAST_METHODS` or missing) and
        ``forecast_reason`` (how it was made, or why there is none).

    Notes
    -----
    * final period (year, Q4, the year's last month): the outturn itself;
    * cumulative ``sum``/``last``: year to date × last year's outturn ÷ last year's year to date
      at the same point (seasonal profile); without it, ``sum`` uses the run rate
      (× 12 ÷ months elapsed) and ``last`` (a running figure) has no forecast;
    * ``ratio``/``mean``: the year-to-date rate plus last year's change from the same point to
      year end; without it, the year-to-date rate;
    * snapshot (and ``period``/``last``): the latest value persists;
    * ``period``/``sum``: none — the year target applies to each period, not to a total.

    Percentages are kept within 0-100.
    """
    f = frame.reset_index(drop=True)
    first = f.iloc[0] if len(f) else None
    forecast, method, reason = forecast_arrays(
        measure=_objects(f["measure"], len(f)),
        aggregation=_objects(f["aggregation"], len(f)),
        annual=f["frequency"].eq("annual").to_numpy(dtype=bool),
        units=f["unit"],
        decimals=f["decimals"].to_numpy(dtype="float64", na_value=0).astype("int64"),
        value=_floats(f["value"]),
        ytd=_floats(f["ytd"]),
        last_year_ytd=_floats(f["last_year_ytd"]),
        last_year_outturn=_floats(f["last_year_outturn"]),
        outturn=_floats(f["outturn"]),
        months_elapsed=int(first["months_elapsed"]) if first is not None else 12,
        final=bool(first["final"]) if first is not None else True,
        has_year_target=f["has_year_target"].to_numpy(dtype=bool),
        last_year_period=str(first["last_year_period"]) if first is not None else "",
    )
    return pd.DataFrame(
        {
            "forecast": forecast,
            "forecast_method": text_series(method),
            "forecast_reason": text_series(reason),
        }
    ).set_axis(frame.index)
