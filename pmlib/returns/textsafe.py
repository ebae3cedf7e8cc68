"""Officer text stays text: never a formula in a CSV pmlib writes.

Spreadsheet programs run a CSV cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab or
carriage return) as a formula (OWASP "CSV injection"). Text typed into a return is stored as
typed in workbooks and Parquet (as a text cell); in a CSV it gets a leading apostrophe, the
mark Excel itself uses for "this is text", so opening the file never evaluates it.
"""

from __future__ import annotations

_STARTS = ("=", "+", "@", "\t", "\r")


def csv_safe(text: str) -> str:
    """``text`` as it may be written to a CSV cell.

    >>> csv_safe("=HYPERLINK(\\"http://x\\")"), csv_safe("- fewer missed bins"), csv_safe("-3")
    ('\\'=HYPERLINK("http://x")', '- fewer missed bins', '-3')
    >>> csv_safe("-A1+B1")
    "'-A1+B1"
    """
    if text.startswith(_STARTS):
        return "'" + text
    if text.startswith("-") and len(text) > 1 and not (text[1] == " " or _number(text)):
        return "'" + text
    return text


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
