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
import pyarrow as pa

from pmlib.core.arrow_text import from_numpy
from pmlib.core.numbers import difference_text, round_published, text_series, unit_codes, value_text
from pmlib.rating.text import concat, put

IMPROVING, NO_CHANGE, WORSENING, NOT_COMPARABLE = (
    "Improving",
    "No change",
    "Worsening",
    "Not comparable",
)
UP, DOWN = "Up", "Down"
DOT_LABELS = (IMPROVING, NO_CHANGE, WORSENING, NOT_COMPARABLE, UP, DOWN)
#: :func:`direction_of_travel`'s labels in the order of its conditions, the last the default.
_DOT_BY_CHOICE = np.array([NOT_COMPARABLE, NO_CHANGE, UP, DOWN, IMPROVING, WORSENING], dtype=object)


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
    # a label's position, then the labels themselves: no fixed-width text array turned into
    # 125,000 new Python strings (~20 ms a call, four calls a rating)
    choice = np.select(
        [~comparable, same, neutral & (change > 0), neutral, better > 0], [0, 1, 2, 3, 4], 5
    )
    return _DOT_BY_CHOICE[choice]


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
) -> tuple[np.ndarray, np.ndarray, pa.Array]:
    """The array core of :func:`forecast_year_end`: (forecast, method, reason).

    Every figure the method uses is first rounded as published, and the forecast is worked
    from those: the sentence shows them, and a reader who redoes the sum with the numbers on
    the page gets the forecast shown (56.1% scaled by 97.3% / 57.0% is 95.8%, so 95.8% is
    shown, not the 95.7% the unrounded figures give). ``reason`` is an Arrow text array of
    sentences naming the method in words, never a formula: "Forecast year-end 77.8%: the year
    so far (77.4%) plus the rise seen over the same months last year (0.4 percentage points,
    from 76.9% at 2025/26 Q2 to 77.3% at year end)".
    """
    n = value.size
    cumulative = measure == "cumulative"
    persistent = (measure == "snapshot") | ((measure == "period") & (aggregation == "last"))
    rate_like = ~persistent & np.isin(aggregation, ("ratio", "mean"))
    scaled = cumulative & np.isin(aggregation, ("sum", "last"))
    ytd_p, ly_ytd, ly_out = (
        round_published(x, decimals) for x in (ytd, last_year_ytd, last_year_outturn)
    )
    profile_ok = np.isfinite(ly_ytd) & np.isfinite(ly_out)
    with np.errstate(invalid="ignore", divide="ignore"):
        multiplier = np.where(ly_ytd != 0, ly_out / ly_ytd, np.nan)
        change = ly_out - ly_ytd
        candidates = {
            "outturn": outturn,
            "profile": ytd_p * multiplier,
            "run_rate": ytd_p * 12.0 / months_elapsed,
            "profile_change": ytd_p + change,
            "ytd_rate": ytd_p,
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
    # objects, not NumPy text: 125,000 fixed-width cells of 36 characters were ~18 MB
    capped = np.full(n, "", dtype=object)
    with np.errstate(invalid="ignore"):
        capped[percent & (raw > 100)] = " (capped at 100%)"
        capped[percent & (raw < 0)] = " (a percentage cannot fall below 0%)"
    raw = np.where(percent, np.clip(raw, 0.0, 100.0), raw)
    forecast = round_published(raw, decimals)
    method = np.where(np.isin(method, FORECAST_METHODS) & np.isnan(forecast), "no_value", method)

    base = np.empty(n, dtype=object)
    for name, text in _NO_FORECAST.items():
        base[method == name] = text
    reason = from_numpy(base)
    for name in FORECAST_METHODS:
        rows = np.flatnonzero(method == name)
        if rows.size:
            sub = (codes[0][rows], codes[1])
            fmt = _formatter(rows, decimals, sub)
            text = _forecast_sentence(
                name,
                fmt,
                forecast=forecast,
                ytd=ytd_p,
                last_year_ytd=ly_ytd,
                last_year_outturn=ly_out,
                change=change[rows],
                mean=aggregation[rows] == "mean",
                decimals=decimals[rows],
                units=sub,
                months_elapsed=months_elapsed,
                last_year_period=last_year_period,
            )
            reason = put(reason, rows, concat(text, capped[rows]))
    return forecast, np.where(np.isin(method, FORECAST_METHODS), method, ""), reason


def _formatter(rows: np.ndarray, decimals: np.ndarray, units: tuple) -> object:
    def fmt(values: np.ndarray) -> np.ndarray:
        return value_text(values[rows], decimals[rows], units)

    return fmt


def _forecast_sentence(
    name: str,
    fmt: object,
    *,
    forecast: np.ndarray,
    ytd: np.ndarray,
    last_year_ytd: np.ndarray,
    last_year_outturn: np.ndarray,
    change: np.ndarray,
    mean: np.ndarray,
    decimals: np.ndarray,
    units: tuple,
    months_elapsed: int,
    last_year_period: str,
) -> pa.Array:
    """The sentence for the rows forecast by one method (``fmt`` formats those rows' values)."""
    head = ("Forecast year-end ", fmt(forecast), ": ")  # type: ignore[operator]
    if name == "outturn":
        return concat(*head, "the year's outturn")
    if name == "persistence":
        return concat(*head, "the latest value, assumed to hold to year end")
    if name == "ytd_rate":
        kind = np.where(mean, "average", "rate")
        return concat(
            *head, "the ", kind, " for the year so far, assumed to hold (no figures last year)"
        )
    so_far = fmt(ytd)  # type: ignore[operator]
    ly_ytd = fmt(last_year_ytd)  # type: ignore[operator]
    last_year = (
        "from ",
        ly_ytd,
        f" at {last_year_period} to ",
        fmt(last_year_outturn),  # type: ignore[operator]
        " at year end",
    )
    if name == "run_rate":
        months = f"{months_elapsed} month{'' if months_elapsed == 1 else 's'}"
        return concat(
            *head,
            "the year to date (",
            so_far,
            f" in {months}) continued at the same "
            "monthly rate for 12 months (no figures last year)",
        )
    if name == "profile":
        return concat(
            *head,
            "the year to date (",
            so_far,
            ") grown in the same proportion as last year's, which went ",
            *last_year,
        )
    moved = difference_text(np.abs(change), decimals, units)
    out = pa.nulls(change.size, pa.large_string())
    for rows, words in (
        (change > 0, "plus the rise"),
        (change < 0, "less the fall"),
    ):
        if rows.any():
            out = put(
                out,
                rows,
                concat(
                    *(p if isinstance(p, str) else p[rows] for p in head),
                    "the year so far (",
                    so_far[rows],
                    f") {words} seen over the same months last year (",
                    moved[rows],
                    ", ",
                    *(p if isinstance(p, str) else p[rows] for p in last_year),
                    ")",
                ),
            )
    flat = ~(change > 0) & ~(change < 0)
    if flat.any():
        out = put(
            out,
            flat,
            concat(
                *(p if isinstance(p, str) else p[flat] for p in head),
                "the year so far (",
                so_far[flat],
                "), with no change expected: there was none over the same months last year (",
                ly_ytd[flat],
                f" at {last_year_period} and at year end)",
            ),
        )
    return out


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
