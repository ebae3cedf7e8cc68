"""What a committee report says about how it was made, and where the full record lives.

A published report is read by councillors and residents: its footer says only which pmlib made
it, when, and how current its data is, and links the quarter's open data
(``index.html#open-data``: the run index and the public site's landing page both hold that
section). Hashes, raw parameters, server paths and library versions mean nothing to that reader
and some of them (paths, versions) should not be on a public website. They are what an auditor
needs to reproduce a file, so the batch writes them to ``provenance.json`` beside the internal
outputs (:mod:`pmlib.batch.provenance`), never into a report.

>>> import datetime as dt
>>> footer_text("1.2.0", dt.date(2026, 12, 2), "21 October 2026")
'Produced with pmlib 1.2.0 on 2 December 2026; data as at 21 October 2026.'
"""

from __future__ import annotations

import datetime as dt

from pmlib.core.words import long_date
from pmlib.present.tables import Html
from pmlib.present.text import esc

#: Where a report's footer sends a reader for the data behind it: the section of the quarter's
#: index page (the run index, or the public site's landing page) listing the CSV files.
OPEN_DATA_HREF = "index.html#open-data"

__all__ = ["OPEN_DATA_HREF", "footer_html", "footer_text"]


def footer_text(version: str, produced: dt.date | dt.datetime, data_as_at: str) -> str:
    """The footer's sentence: the pmlib version, the day the report was produced and the date
    of its latest data (already in words, as :meth:`CommitteeReport.data_as_at` gives it)."""
    return f"Produced with pmlib {version} on {long_date(produced)}; data as at {data_as_at}."


def footer_html(version: str, produced: dt.date | dt.datetime, data_as_at: str) -> Html:
    """The report's footer: :func:`footer_text` and a link to the quarter's open data."""
    text = esc(footer_text(version, produced, data_as_at))
    link = f'<a href="{OPEN_DATA_HREF}">The data in this report, as open data (CSV)</a>'
    return Html(f'<footer class="pmlib-footer"><p>{text} {link}</p></footer>')
