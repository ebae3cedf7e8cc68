"""The public site's landing page (``index.html``): the quarter at a glance and where to read more.

A resident or councillor arriving from the council's website sees, in this order: the council
and the quarter; how the council stands against its Council Plan priorities (counts of each RAG
rating per priority, with the words and shapes beside the colours); each public committee's
report with its summary, its web page and PDF, its data, and the meeting it goes to; the agenda
pack when there is one; and the open data (``id="open-data"``, the section every report's
footer links to) with its licence.

The page is plain HTML and CSS (no script), so it works offline, where scripts are stripped,
and on a phone; it reuses the reports' stylesheet so the site looks like one thing. Every value
is escaped by the template (Jinja2 autoescape): committee titles and meeting details are typed
by officers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pmlib.core.words import long_date

__all__ = ["LandingReport", "OpenDataFile", "file_size", "headline_table", "landing_html"]

TEMPLATES = Path(__file__).resolve().parent / "templates"
REPORT_CSS = Path(__file__).resolve().parents[1] / "render" / "templates" / "pmlib_report"

#: RAG ratings in the order the headline table shows them: label, css modifier, symbol.
RAG_COLUMNS = (
    ("Green", "green", "●"),
    ("Amber", "amber", "▲"),
    ("Red", "red", "■"),
    ("Grey", "grey", "◆"),
    ("No data", "nodata", "○"),
)
_BADGE = {label.lower(): (mod, sym) for label, mod, sym in RAG_COLUMNS}


@dataclass(frozen=True)
class OpenDataFile:
    """One file of the open-data section: its path in the site, what it holds, its size."""

    path: str
    title: str
    description: str
    rows: int | None
    size: str


@dataclass(frozen=True)
class LandingReport:
    """One public committee's report as the landing page lists it."""

    slug: str
    title: str
    summary: Mapping[str, int]
    html: str
    pdf: str | None
    pdf_size: str = ""
    data: Sequence[OpenDataFile] = ()
    meeting: str = ""
    recommendation: str = ""
    indicators: int = 0
    badges: list[dict[str, str]] = field(default_factory=list)


def file_size(n_bytes: int) -> str:
    """A file size as people read it on a download link.

    >>> file_size(812), file_size(12_400), file_size(1_140_000)
    ('1 KB', '12 KB', '1.1 MB')
    """
    if n_bytes < 1_000_000:
        return f"{max(1, round(n_bytes / 1000))} KB"
    return f"{n_bytes / 1_000_000:.1f} MB"


def badges(summary: Mapping[str, int]) -> list[dict[str, str]]:
    """A report's RAG summary as badges: colour, shape and word (WCAG 1.4.1), counts as text."""
    out = []
    for label, count in summary.items():
        mod, sym = _BADGE.get(str(label).lower(), ("other", ""))
        out.append({"label": str(label), "count": str(count), "mod": mod, "sym": sym})
    return out


def headline_table(ratings: pd.DataFrame) -> pd.DataFrame:
    """RAG counts per Council Plan priority, priorities in the order the library lists them,
    with a total per priority and a last row for all priorities.

    ``ratings``: the public ``ratings`` table (:mod:`pmlib.publish.opendata`).
    """
    order = list(dict.fromkeys(ratings["priority"].fillna("No priority")))
    frame = ratings.assign(priority=ratings["priority"].fillna("No priority"))
    counts = (
        frame.groupby(["priority", "rag"]).size().unstack(fill_value=0)
        if len(frame)
        else pd.DataFrame(index=pd.Index([], name="priority"))
    )
    labels = [label for label, _, _ in RAG_COLUMNS]
    counts = counts.reindex(index=order, columns=labels, fill_value=0).astype(int)
    counts["Indicators"] = counts.sum(axis=1)
    counts.loc["All priorities"] = counts.sum(axis=0)
    counts.index.name = "Priority"
    return counts.reset_index()


def _headline_sentence(table: pd.DataFrame) -> str:
    total = table.iloc[-1]
    parts = [f"{int(total[label])} {label}" for label, _, _ in RAG_COLUMNS if int(total[label])]
    n = int(total["Indicators"])
    k = len(table) - 1
    return (
        f"{n} indicators across {k} Council Plan {'priority' if k == 1 else 'priorities'}: "
        f"{', '.join(parts)}. Green, Amber and Red compare a value with its target; Grey "
        "indicators are reported for context, without a target."
    )


def landing_html(
    *,
    council: str,
    period_label: str,
    period_start: dt.date,
    period_end: dt.date,
    published: dt.date,
    data_as_at: str,
    ratings: pd.DataFrame,
    reports: Sequence[LandingReport],
    open_data: Sequence[OpenDataFile],
    report_data: Sequence[OpenDataFile],
    package: OpenDataFile,
    pack: OpenDataFile | None,
    version: str,
    draft: bool = False,
) -> str:
    """The landing page's HTML (see the module docstring)."""
    import jinja2  # lazy: only when a site is built

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([TEMPLATES, REPORT_CSS]),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    table = headline_table(ratings)
    span = f"{long_date(period_start)} to {long_date(period_end)}"
    description = (
        f"{council}: performance reports for {period_label} ({span}), how the council stands "
        f"against its Council Plan priorities, each committee's report as a web page and PDF, "
        f"and the data as CSV under the Open Government Licence."
    )
    return env.get_template("landing.html.j2").render(
        council=council,
        period_label=period_label,
        span=span,
        published=long_date(published),
        data_as_at=data_as_at,
        description=description,
        headline=_headline_sentence(table),
        rag_columns=RAG_COLUMNS,
        table=table.to_dict("records"),
        reports=[_with_badges(r) for r in reports],
        open_data=open_data,
        report_data=report_data,
        package=package,
        pack=pack,
        version=version,
        draft=draft,
    )


def _with_badges(report: LandingReport) -> LandingReport:
    from dataclasses import replace

    return replace(report, badges=badges(report.summary))
