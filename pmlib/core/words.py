"""Words for positions and counts, shared by every layer that writes a sentence.

One wording for each idea, so that a scorecard cell and the exception section of the same report
agree: ordinals as figures (``2nd``), quartiles in words (``second quartile``), as GOV.UK style
writes ordinals up to ninth in words inside sentences. The benchmarking layer (positions) and
the presentation layer (fragments) both use these; they sit in ``core`` so both can.

>>> ordinal(1), ordinal(12), ordinal(22), ordinal(113)
('1st', '12th', '22nd', '113th')
>>> quartile_words(2), quartile_words(2, "none"), quartile_words(None)
('second quartile', 'second-highest quarter', '–')
"""

from __future__ import annotations

_ORDINAL_SUFFIX = {1: "st", 2: "nd", 3: "rd"}

#: Quartile 1 is the best quarter of the peer group (rank 1 = best).
QUARTILE_WORDS = {
    1: "top quartile",
    2: "second quartile",
    3: "third quartile",
    4: "bottom quartile",
}
#: For a measure with no better direction, quartiles are by size (1 = the highest values).
SIZE_QUARTILE_WORDS = {
    1: "highest quarter",
    2: "second-highest quarter",
    3: "second-lowest quarter",
    4: "lowest quarter",
}


def ordinal(n: int) -> str:
    """``1`` → ``1st``, ``12`` → ``12th``, ``22`` → ``22nd``."""
    n = int(n)
    suffix = "th" if 10 <= n % 100 <= 20 else _ORDINAL_SUFFIX.get(n % 10, "th")
    return f"{n}{suffix}"


def quartile_words(quartile: object, polarity: str = "higher") -> str:
    """The quartile in words (``top quartile``); by size when ``polarity`` is ``none``.

    Missing or out-of-range quartiles read as an en dash, the report's missing marker.
    """
    try:
        q = int(quartile)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return "–"
    words = SIZE_QUARTILE_WORDS if polarity == "none" else QUARTILE_WORDS
    return words.get(q, "–")
