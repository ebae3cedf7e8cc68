"""Numbers as the reader sees them, vectorised: published rounding, units, and the terminal table.

Ratings, Direction of Travel and forecasts are computed on the *published* number — the value
rounded to the indicator's ``decimals`` — so that the colour always agrees with the figure in the
report (94.96 published as 95.0 meets a 95.0 target). This leaf module owns that rounding and the
matching text formatting so every layer uses the same rule.

Everything works on whole columns: the ``*_text`` functions return numpy unicode arrays ("" where
the number is missing) so that the rating layer can assemble sentences for 100,000 indicators
with a few array operations (fixed-width unicode indexes and concatenates several times faster
than variable-width strings); the ``format_*`` wrappers return pandas string Series (missing
where the number is missing) for notebooks and presenters.

>>> round_published([94.96, 94.94, 2.5, -2.5], [1, 1, 0, 0]).tolist()
[95.0, 94.9, 3.0, -3.0]
>>> format_value([94.1, 1234.5, 1, 12.0], [1, 2, 0, 0], ["percent", "currency", "days", "number"]
...              ).tolist()
['94.1%', '£1,234.50', '1 day', '12']
>>> value_string(297.6, "currency_thousands"), value_string(float("nan"), "days", 1)
('£298k', '–')

This is pmlib's one number formatter: the scalar :func:`value_string` (and
:func:`pmlib.present.text.format_value`, which calls it) runs the same vectorised code, so a
figure reads the same in a rating reason, a scorecard cell, a chart label and the explorer.
great_tables is given text already formatted here (it rounds half to even).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import pandas as pd

from pmlib.core.arrow_text import to_str_series
from pmlib.core.units import (  # noqa: F401  (re-exported: pmlib's one place for units)
    UNIT_ALIASES,
    UNIT_TABLE,
    UNITS,
    unit_description,
    unit_label,
)

ArrayLike = Sequence | np.ndarray | pd.Series

#: What a missing figure reads as wherever pmlib shows one (an en dash).
MISSING = "–"

_UNIT_TEXT = {unit: row[:3] for unit, row in UNIT_TABLE.items()}


def _floats(values: object) -> np.ndarray:
    if isinstance(values, pd.Series | pd.Index):
        return values.to_numpy(dtype="float64", na_value=np.nan)
    return np.asarray(values, dtype="float64")


def _ints(values: object, n: int) -> np.ndarray:
    if isinstance(values, pd.Series):
        values = values.to_numpy(dtype="float64", na_value=0)
    arr = np.nan_to_num(np.asarray(values, dtype="float64"), nan=0.0)
    return np.broadcast_to(arr.astype("int64").clip(0, 10), (n,))


def unit_codes(values: object, n: int | None = None) -> tuple[np.ndarray, list]:
    """Factorise a column of units once, to pass as ``units`` to several ``*_text`` calls."""
    return _codes(values, len(values) if n is None else n)


def _codes(values: object, n: int) -> tuple[np.ndarray, list]:
    """Factorise a column of category text (units, ...) once: (codes, distinct values)."""
    if isinstance(values, tuple):
        return values
    if isinstance(values, str):
        return np.zeros(n, dtype="int64"), [values]
    series = (
        values if isinstance(values, pd.Series) else pd.Series(np.asarray(values, dtype=object))
    )
    codes, uniques = pd.factorize(series)
    return np.asarray(codes), list(uniques)


def _lookup(codes: tuple[np.ndarray, list], table: dict[str, str], default: str = "") -> np.ndarray:
    """Map factorised categories through ``table``; missing (code -1) gives ``default``."""
    index, uniques = codes
    mapped = np.array([table.get(u, default) for u in uniques] + [default], dtype=str)
    return mapped[index]


def _scaled(abs_values: np.ndarray, decimals: np.ndarray | int) -> np.ndarray:
    """|x| × 10^d rounded half away from zero, as float (exact for |x| × 10^d < 2^53).

    Rounding the scaled value to 6 decimals first removes binary representation noise, so that
    94.95 (stored as 94.9499999...) rounds up to 95.0 as it does in Excel, not down.
    """
    y = np.round(abs_values * 10.0**decimals, 6)
    return np.floor(y + 0.5)


def round_published(values: ArrayLike, decimals: ArrayLike | int) -> np.ndarray:
    """Round half away from zero to each value's ``decimals`` (Excel's ROUND), NaN kept.

    Banker's rounding (numpy's default) would publish 2.5 as 2 while a spreadsheet shows 3; the
    reader checks our figures against spreadsheets, so pmlib rounds as Excel does.
    """
    x = _floats(values)
    d = _ints(decimals, x.size).reshape(x.shape) if x.ndim else _ints(decimals, 1)[0]
    with np.errstate(invalid="ignore", over="ignore"):
        return np.sign(x) * _scaled(np.abs(x), d) / 10.0**d


def agreed_decimals(values: ArrayLike, decimals: ArrayLike | int, most: int = 3) -> np.ndarray:
    """The decimals each agreed figure (a target, a threshold) needs: at least ``decimals``.

    Values are published rounded to the indicator's ``decimals``, but a target is kept as
    agreed: a 2.5-day target on an indicator published in whole days is shown "2.5 days", not
    "3 days" (which would claim a value of 3 meets it). Up to ``most`` places; NaN gets
    ``decimals``.

    >>> agreed_decimals([2.5, 3.0, 94.96, 1 / 3, float("nan")], 0).tolist()
    [1, 0, 2, 3, 0]
    >>> agreed_decimals([80.0, 2.25], 1).tolist()
    [1, 2]
    """
    x = _floats(values).ravel()
    base = _ints(decimals, x.size)
    need = np.full(x.size, most, dtype="int64")
    with np.errstate(invalid="ignore", over="ignore"):
        for d in range(most - 1, -1, -1):
            exact = np.abs(round_published(x, d) - x) <= 1e-9 * np.maximum(1.0, np.abs(x))
            need = np.where(exact, d, need)
    return np.where(np.isfinite(x), np.maximum(need, base), base)


def agreed_text(values: ArrayLike, decimals: ArrayLike | int, units: ArrayLike | str) -> np.ndarray:
    """Targets and thresholds as agreed: :func:`value_text` with :func:`agreed_decimals`."""
    return value_text(values, agreed_decimals(values, decimals), units)


def agreed_string(value: object, unit: str | None, decimals: object = 0) -> str:
    """One target as agreed (:func:`agreed_text` for a single figure); :data:`MISSING` if none.

    >>> agreed_string(2.5, "days", 0), agreed_string(80, "percent", 1), agreed_string(None, "days")
    ('2.5 days', '80.0%', '–')
    """
    try:
        number = float(value)  # type: ignore[arg-type]
        d = 0 if decimals is None or pd.isna(decimals) else int(decimals)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return MISSING
    return value_string(number, unit, int(agreed_decimals([number], d)[0]))


_GROUPS = np.array([str(k) for k in range(1000)], dtype=str)
_GROUPS_PADDED = np.array([f"{k:03d}" for k in range(1000)], dtype=str)
#: "", ".0".."9", ".00"..".99", ".000"..".999": decimal parts by (offset for decimals) + digits
_FRACTIONS = np.array([""] + [f".{k:0{d}d}" for d in (1, 2, 3) for k in range(10**d)], dtype=str)
_FRACTION_OFFSET = np.array([0, 1, 11, 111])


def _thousands(whole: np.ndarray) -> np.ndarray:
    """Whole numbers ≥ 0 as text with comma thousands separators (1234567 → '1,234,567').

    Built from tables of the 1,000 three-digit groups — indexing is far faster than converting
    each number to text: every group is written zero-padded, then leading zeros and commas are
    stripped.
    """
    big = whole >= 1000
    if not big.any():
        return _GROUPS[whole]
    w = whole[big]
    top = int(np.log10(max(int(w.max()), 1)) // 3)
    out = _GROUPS_PADDED[(w // 1000**top) % 1000]
    for k in range(top - 1, -1, -1):
        out = out + "," + _GROUPS_PADDED[(w // 1000**k) % 1000]
    out = np.strings.lstrip(out, "0,")
    text = np.zeros(whole.size, dtype=out.dtype)
    text[~big] = _GROUPS[whole[~big]]
    text[big] = out
    return text


def number_text(values: ArrayLike, decimals: ArrayLike | int) -> np.ndarray:
    """Numbers with exactly ``decimals`` places and thousands separators; "" where missing."""
    x = _floats(values).ravel()
    n = x.size
    d = _ints(decimals, n)
    ok = np.isfinite(x) & (np.abs(x) < 1e15) & (d <= 3)
    # rare: beyond exact int64 arithmetic, or more than 3 decimals — one by one, after the same
    # half-away-from-zero rounding (Python's format rounds the binary value, half to even)
    rare = np.flatnonzero(np.isfinite(x) & ~ok)
    rounded = round_published(x[rare], d[rare]) + 0.0  # + 0.0 turns -0.0 into 0.0
    rare_text = np.array(
        [f"{v:,.{k}f}" for v, k in zip(rounded, d[rare], strict=True)] + [""], dtype=str
    )
    xs, ds = x[ok], d[ok]
    scaled = _scaled(np.abs(xs), ds).astype("int64")
    unit = 10**ds
    text = _thousands(scaled // unit) + _FRACTIONS[_FRACTION_OFFSET[ds] + scaled % unit]
    text = np.where((xs < 0) & (scaled > 0), "-" + text, text)
    out = np.zeros(n, dtype=np.result_type(text.dtype, rare_text.dtype))
    out[ok] = text
    out[rare] = rare_text[:-1]
    return out


def _with_unit(number: np.ndarray, codes: tuple[np.ndarray, list]) -> np.ndarray:
    prefix = _lookup(codes, {k: v[0] for k, v in _UNIT_TEXT.items()})
    plural = _lookup(codes, {k: v[1] for k, v in _UNIT_TEXT.items()})
    single = _lookup(codes, {k: v[2] for k, v in _UNIT_TEXT.items()})
    negative = np.strings.startswith(number, "-")
    text = (
        np.where(negative, "-", "")
        + prefix
        + np.strings.lstrip(number, "-")
        + np.where(number == "1", single, plural)
    )
    return np.where(number == "", "", text)


def value_text(values: ArrayLike, decimals: ArrayLike | int, units: ArrayLike | str) -> np.ndarray:
    """Values as published: ``94.1%``, ``£1,250``, ``-£5``, ``12 days``, ``1 day``, ``3,400``."""
    number = number_text(values, decimals)
    return _with_unit(number, _codes(units, number.size))


def difference_text(
    values: ArrayLike, decimals: ArrayLike | int, units: ArrayLike | str
) -> np.ndarray:
    """Distances in the measure's units: percentages become *percentage points*."""
    number = number_text(values, decimals)
    codes = _codes(units, number.size)
    percent = _lookup(codes, {"percent": "y"}) == "y"
    points = number + np.where(number == "1", " percentage point", " percentage points")
    text = points if percent.all() else np.where(percent, points, _with_unit(number, codes))
    return np.where(number == "", "", text)


def fraction_text(values: ArrayLike) -> np.ndarray:
    """Relative thresholds as percentages without trailing zeros: 0.05 → '5%', 0.025 → '2.5%'."""
    x = _floats(values)
    text = np.strings.rstrip(np.strings.rstrip(number_text(x * 100, 2), "0"), ".")
    return np.where(np.isfinite(x), text + "%", "")


def value_string(value: object, unit: str | None, decimals: object = 0) -> str:
    """One value as published (:func:`value_text` for a single figure); :data:`MISSING` if none.

    For code that formats one figure at a time (a sentence, a table cell). It runs the same
    vectorised code as the columns, so there is one rounding rule and one set of unit words.
    ``decimals`` may be missing (0 places).

    >>> value_string(2.5, "number"), value_string(0.125, "percent", 2), value_string(1, "days")
    ('3', '0.13%', '1 day')
    >>> value_string(-1234.5, "currency_thousands", 0), value_string(None, "percent")
    ('-£1,235k', '–')
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return MISSING
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return MISSING
    try:
        d = 0 if decimals is None or pd.isna(decimals) else int(decimals)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        d = 0
    unit = unit or "number"
    if not isinstance(unit, str):
        return _one_value(number, d, unit)
    return _one_value_remembered(number, math.copysign(1.0, number), d, unit)


def clear_value_strings() -> None:
    """Forget the figures :func:`value_string` remembers
    (:func:`pmlib.reports.caches.clear_result_caches`)."""
    _one_value_remembered.cache_clear()


def _one_value(number: float, decimals: int, unit: object) -> str:
    text = str(value_text(np.array([number]), decimals, unit)[0])
    return text or MISSING


@lru_cache(maxsize=4096)
def _one_value_remembered(number: float, sign: float, decimals: int, unit: str) -> str:
    """:func:`_one_value` remembered: a report writes the same figures in its tables, sentences
    and charts, and each costs ~0.1 ms of NumPy set-up. ``sign`` keeps -0.0 apart from 0.0."""
    return _one_value(number, decimals, unit)


def text_series(text: object, index: pd.Index | None = None) -> pd.Series:
    """A pandas string Series from a ``*_text`` array (NumPy, or Arrow as the rating sentences
    are built), "" becoming missing."""
    return to_str_series(text, index)


def format_number(values: ArrayLike, decimals: ArrayLike | int) -> pd.Series:
    """:func:`number_text` as a pandas Series (missing where the number is missing).

    >>> format_number([1234.5, -0.04, 0.0], 1).tolist()
    ['1,234.5', '0.0', '0.0']
    """
    return text_series(number_text(values, decimals))


def format_value(values: ArrayLike, decimals: ArrayLike | int, units: ArrayLike | str) -> pd.Series:
    """:func:`value_text` as a pandas Series (missing where the number is missing)."""
    return text_series(value_text(values, decimals, units))


def format_difference(
    values: ArrayLike, decimals: ArrayLike | int, units: ArrayLike | str
) -> pd.Series:
    """:func:`difference_text` as a pandas Series.

    >>> format_difference([1.0, 1.0, 2.5], [0, 1, 1], ["percent", "percent", "days"]).tolist()
    ['1 percentage point', '1.0 percentage points', '2.5 days']
    """
    return text_series(difference_text(values, decimals, units))


def format_fraction(values: ArrayLike) -> pd.Series:
    """:func:`fraction_text` as a pandas Series.

    >>> format_fraction([0.05, 0.025, 0.1]).tolist()
    ['5%', '2.5%', '10%']
    """
    return text_series(fraction_text(values))


def _fit(text: np.ndarray, width: int, right: bool = False) -> np.ndarray:
    text = np.asarray(text).astype(str)
    long = np.strings.str_len(text) > width
    text = np.where(long, text.astype(f"<U{max(width - 1, 1)}") + "…", text)  # cast truncates
    return np.strings.rjust(text, width) if right else np.strings.ljust(text, width)


def format_rating_table(df: pd.DataFrame, *, name_width: int = 32) -> str:
    """A readable fixed-width table of a :func:`pmlib.rating.engine.rate_period` result for the terminal.

    Columns: id, name (truncated), value, target (or band), RAG, Direction of Travel
    (short/long) and the reason in full, so an analyst can check every rating at a glance.
    """
    if df.empty:
        return "(no indicators)"
    d = df.reset_index(drop=True)
    dec = d.get("decimals", 0)
    unit = d.get("unit", "number")

    def text(column: str) -> np.ndarray:
        if column not in d:
            return np.full(len(d), "", dtype=str)
        return d[column].to_numpy(dtype=object, na_value="").astype(str)

    value = value_text(d["value"], dec, unit)
    target = agreed_text(d["target"], dec, unit)
    if {"lower", "upper"} <= set(d.columns):
        band = agreed_text(d["lower"], dec, unit) + "–" + agreed_text(d["upper"], dec, unit)
        target = np.where((target == "") & (band != "–"), band, target)
    ids = text("indicator_id")
    cols = [
        ("ID", _fit(ids, max(2, int(np.strings.str_len(ids).max())))),
        ("Name", _fit(text("name"), name_width)),
        ("Value", _fit(np.where(value == "", "–", value), 12, right=True)),
        ("Target", _fit(np.where(target == "", "–", target), 15, right=True)),
        ("RAG", _fit(text("rag"), 7)),
        ("DoT short", _fit(text("dot_short"), 14)),
        ("DoT long", _fit(text("dot_long"), 14)),
        ("Reason", text("rag_reason")),
    ]
    header = "  ".join(
        title.rjust(len(col[0]))
        if title in ("Value", "Target")
        else title.ljust(len(col[0]))
        if title != "Reason"
        else title
        for title, col in cols
    )
    body = cols[0][1]
    for _, col in cols[1:]:
        body = body + "  " + col
    return "\n".join([header, "-" * len(header), *np.strings.rstrip(body).tolist()])
