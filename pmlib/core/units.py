"""The units an indicator may be measured in, what each reads as, and its axis/column label.

Plain data and pure Python (no pandas), so the column contract (:mod:`pmlib.data.contract`) can
name the allowed units cheaply; :mod:`pmlib.core.numbers` formats values with them. A unit is
added here once and is then accepted by validation, shown on every value, and labelled on every
axis and CSV export.
"""

from __future__ import annotations

__all__ = ["UNITS", "UNIT_ALIASES", "UNIT_TABLE", "closest_unit", "unit_description", "unit_label"]

#: The units an indicator may be measured in (the ``unit`` column of indicators.csv), with how a
#: value reads — (prefix, plural suffix, singular suffix) — and the label for an axis or a CSV
#: column header. Money kept in thousands or millions is shown with its scale, so a figure held
#: as 298 in a "£ thousands" column reads "£298k", never "£298"; a rate per 1,000 reads
#: "12.3 per 1,000". ``number``, ``ratio``, ``rate`` (any other rate) and ``score`` are bare numbers.
UNIT_TABLE: dict[str, tuple[str, str, str, str]] = {
    "percent": ("", "%", "%", "percent"),
    "number": ("", "", "", "number"),
    "currency": ("£", "", "", "£"),
    "currency_thousands": ("£", "k", "k", "£ thousands"),
    "currency_millions": ("£", "m", "m", "£ millions"),
    "seconds": ("", " seconds", " second", "seconds"),
    "minutes": ("", " minutes", " minute", "minutes"),
    "hours": ("", " hours", " hour", "hours"),
    "days": ("", " days", " day", "days"),
    "weeks": ("", " weeks", " week", "weeks"),
    "months": ("", " months", " month", "months"),
    "kg": ("", " kg", " kg", "kg"),
    "tonnes": ("", " tonnes", " tonne", "tonnes"),
    "tonnes_co2e": ("", " tonnes CO2e", " tonne CO2e", "tonnes CO2e"),
    "rate_per_1000": ("", " per 1,000", " per 1,000", "per 1,000"),
    "rate_per_10000": ("", " per 10,000", " per 10,000", "per 10,000"),
    "rate_per_100000": ("", " per 100,000", " per 100,000", "per 100,000"),
    "ratio": ("", "", "", "ratio"),
    "rate": ("", "", "", "rate"),
    "score": ("", "", "", "score"),
}
#: The allowed values of the ``unit`` column, in the order the documentation lists them.
UNITS = tuple(UNIT_TABLE)
#: Other spellings a council's spreadsheet may use, read as the unit they mean (lower case).
UNIT_ALIASES = {
    "%": "percent",
    "percentage": "percent",
    "per cent": "percent",
    "pct": "percent",
    "count": "number",
    "£": "currency",
    "gbp": "currency",
    "pounds": "currency",
    "£k": "currency_thousands",
    "£000": "currency_thousands",
    "£000s": "currency_thousands",
    "£ thousands": "currency_thousands",
    "£m": "currency_millions",
    "£ millions": "currency_millions",
    "day": "days",
    "week": "weeks",
    "hour": "hours",
    "kilograms": "kg",
    "tonne": "tonnes",
    "tco2e": "tonnes_co2e",
    "per 1,000": "rate_per_1000",
    "per 1000": "rate_per_1000",
    "per 10,000": "rate_per_10000",
    "per 100,000": "rate_per_100000",
    "per 100000": "rate_per_100000",
}


def unit_label(unit: object) -> str:
    """The label of ``unit`` for an axis title or a CSV column header.

    "£ thousands" for ``currency_thousands``, "per 1,000" for ``rate_per_1000``, "percent",
    "days", ...: a chart of £k figures titled only with the indicator's name would let a reader
    take 298 for £298. A unit pmlib does not know is returned as written; none gives "".

    >>> unit_label("currency_thousands"), unit_label("rate_per_1000"), unit_label("percent")
    ('£ thousands', 'per 1,000', 'percent')
    >>> unit_label(None), unit_label("widgets")
    ('', 'widgets')
    """
    if not isinstance(unit, str):
        return ""
    row = UNIT_TABLE.get(str(unit))
    return row[3] if row else str(unit)


def unit_description(unit: object, decimals: object = 0) -> str:
    """The unit and published precision in words, for a methodology table.

    >>> unit_description("percent", 1), unit_description("currency_thousands", 0)
    ('percent, 1 decimal place', '£ thousands, whole numbers')
    >>> unit_description("days", 2)
    'days, 2 decimal places'
    """
    try:
        d = int(decimals)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):  # None, NaN, pd.NA, text
        d = 0
    places = "whole numbers" if d <= 0 else f"{d} decimal place{'' if d == 1 else 's'}"
    return f"{unit_label(unit) or 'number'}, {places}"


def closest_unit(text: object) -> str | None:
    """The allowed unit a mistyped ``text`` most likely means, or None (for error messages).

    >>> closest_unit("currency_thousand"), closest_unit("£K"), closest_unit("Day"), closest_unit("xyz")
    ('currency_thousands', 'currency_thousands', 'days', None)
    """
    import difflib

    key = str(text).strip().lower()
    if key in UNIT_TABLE:
        return key
    if key in UNIT_ALIASES:
        return UNIT_ALIASES[key]
    names = list(UNIT_TABLE) + list(UNIT_ALIASES)
    match = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
    return UNIT_ALIASES.get(match[0], match[0]) if match else None
