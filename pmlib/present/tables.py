"""Report tables: the scorecard, RAG counts, data quality and methodology statements.

Tables are built with great_tables (plain HTML/CSS, renders offline). Text cells are escaped by
great_tables; only cells pmlib builds itself (RAG badges, arrows, sparklines) are passed through
as HTML. Every table gets a real ``<caption>`` for screen readers.

great_tables is used for layout only: every figure arrives as text from pmlib's one formatter
(:func:`pmlib.present.text.format_value`). Its own ``fmt_number`` rounds half to even, so
``2.5`` would read ``2`` in a table and ``3`` in the sentence beside it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd
from great_tables import GT, loc, style

from pmlib.present.text import RAG_STYLE, esc, rag_badge


class Html:
    """A fragment of trusted HTML that Jupyter displays as-is (built only from escaped parts)."""

    def __init__(self, html: str):
        self.html = html

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html


def _with_caption(gt: GT, caption: str) -> Html:
    raw = gt.as_raw_html()
    raw = re.sub(r"(<table\b[^>]*>)", rf"\1<caption>{esc(caption)}</caption>", raw, count=1)
    return Html(raw)


def _passthrough(x: object) -> str:
    return "" if x is None or (isinstance(x, float) and x != x) else str(x)


def _sparkline_marker(rag: str, x: float, y: float) -> str:
    """The end mark of a sparkline: the rating's own shape and colour (as in the RAG badge)."""
    style = RAG_STYLE.get(rag, RAG_STYLE["No data"])
    fill, shape = style["fill"], style["shape"]
    common = f'class="sparkline-end" data-rag="{esc(rag)}" stroke="#0B0C0C" stroke-width="0.75"'
    if shape == "square":
        return f'<rect {common} x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" fill="{fill}"/>'
    if shape == "triangle-up":
        pts = f"{x:.1f},{y - 4.5:.1f} {x + 4.5:.1f},{y + 3.5:.1f} {x - 4.5:.1f},{y + 3.5:.1f}"
        return f'<polygon {common} points="{pts}" fill="{fill}"/>'
    if shape == "diamond":
        pts = f"{x:.1f},{y - 4.5:.1f} {x + 4.5:.1f},{y:.1f} {x:.1f},{y + 4.5:.1f} {x - 4.5:.1f},{y:.1f}"
        return f'<polygon {common} points="{pts}" fill="{fill}"/>'
    # Green is a filled circle; No data an open one (its fill is white)
    return f'<circle {common} cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{fill}"/>'


def sparkline(
    values: list[float],
    rags: list[str],
    *,
    periods: Sequence[str] | None = None,
    cumulative: bool = False,
    fy_start_month: int = 4,
    width: int = 90,
    height: int = 24,
) -> str:
    """A tiny inline SVG trend ending in the indicator's rating. Decorative: aria-hidden.

    ``values`` and ``rags`` run oldest first and end at the report's period, so ``rags[-1]``
    is the indicator's rating now. The end mark has that rating's colour and shape, at the
    latest value — or, when the period has no value (No data, an annual figure not yet due),
    at the right-hand edge, off the line: it never wears the colour of an older figure. Earlier
    values are a plain line. A ``cumulative`` (year-to-date) measure, given the ``periods``,
    is drawn one line per financial year, so no segment falls from Q4's total to Q1.
    """
    pts = [(i, v) for i, v in enumerate(values) if v is not None and v == v]
    if not pts:
        return ""
    lo = min(v for _, v in pts)
    hi = max(v for _, v in pts)
    span = (hi - lo) or 1.0
    n = max(len(values) - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return 5 + i * (width - 10) / n, height - 5 - (v - lo) * (height - 10) / span

    segment = [""] * len(values)
    if cumulative and periods is not None:
        from pmlib.present.charts import fy_segments  # lazy: charts imports altair

        segment = fy_segments(list(periods), fy_start_month)
    lines = []
    for key in dict.fromkeys(segment[i] for i, _ in pts):
        run = [xy(i, v) for i, v in pts if segment[i] == key]
        if len(run) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
            lines.append(
                f'<polyline points="{path}" fill="none" stroke="#12436D" stroke-width="1.5"/>'
            )
    rating = rags[-1] if rags else "No data"
    last = len(values) - 1
    if pts[-1][0] == last:
        end = _sparkline_marker(rating, *xy(*pts[-1]))
    else:
        end = _sparkline_marker(rating, width - 5, height / 2)
    return (
        f'<svg class="sparkline" width="{width}" height="{height}" viewBox="0 0 {width} '
        f'{height}" aria-hidden="true" focusable="false">{"".join(lines)}{end}</svg>'
    )


def scorecard_table(card: pd.DataFrame, *, caption: str) -> Html:
    """The scorecard: one row per indicator.

    ``card`` columns: ``Ref, Indicator, Owner, Value, Target, RAG, Short term, Long term,
    Trend`` and optionally ``Peers`` (benchmark quartile); ``RAG`` holds the status word (rendered as a badge),
    ``Trend`` an SVG string from :func:`sparkline`.
    """
    data = card.copy()
    data["RAG"] = data["RAG"].map(rag_badge)
    gt = (
        GT(data)
        .fmt(_passthrough, columns=["RAG", "Trend"])
        .cols_align("right", columns=["Value", "Target"])
        .tab_style(style.text(weight="bold"), loc.column_labels())
        .tab_options(
            table_width="100%",
            table_font_size="14px",
            column_labels_font_size="14px",
            data_row_padding="4px",
        )
    )
    return _with_caption(gt, caption)


def counts_table(
    changes: pd.DataFrame, *, caption: str, now_label: str, previous_label: str
) -> Html:
    """RAG counts this period and last, with the change."""
    from pmlib.present.text import signed

    data = pd.DataFrame(
        {
            "Rating": changes["rag"].map(rag_badge),
            now_label: changes["now"],
            previous_label: changes["previous"],
            "Change": changes["change"].map(signed),
        }
    )
    gt = (
        GT(data)
        .fmt(_passthrough, columns=["Rating"])
        .cols_align("right", columns=[now_label, previous_label, "Change"])
    )
    return _with_caption(gt, caption)


def priority_table(by_priority: pd.DataFrame, *, caption: str) -> Html:
    """Counts by Council Plan priority and RAG (the golden thread's top level)."""
    gt = GT(by_priority).cols_align(
        "right", columns=[c for c in by_priority.columns if c != "Priority"]
    )
    return _with_caption(gt, caption)


def simple_table(frame: pd.DataFrame, *, caption: str) -> Html:
    """Any small frame of plain text (escaped), with a caption."""
    gt = GT(frame).tab_options(table_width="100%", table_font_size="14px")
    return _with_caption(gt, caption)


def definition_table(rows: list[tuple[str, str]], *, caption: str) -> Html:
    """A two-column key/value table (methodology statements, cover details), escaped."""
    body = "".join(f'<tr><th scope="row">{esc(k)}</th><td>{esc(v)}</td></tr>' for k, v in rows)
    return Html(
        f'<table class="pmlib-deflist"><caption>{esc(caption)}</caption>'
        f"<tbody>{body}</tbody></table>"
    )


def html_table(
    frame: pd.DataFrame,
    *,
    caption: str,
    numeric: Sequence[str] = (),
    highlight: Sequence[bool] | None = None,
    row_header: str | None = None,
) -> Html:
    """A plain, escaped HTML table with a caption; highlighted rows are bold (and say so)."""
    num = ' class="pm-num"'
    head = "".join(
        f'<th scope="col"{num if c in numeric else ""}>{esc(c)}</th>' for c in frame.columns
    )
    rows = []
    marks = list(highlight) if highlight is not None else [False] * len(frame)
    for mark, (_, row) in zip(marks, frame.iterrows(), strict=True):
        cells = []
        for c in frame.columns:
            text = esc(row[c])
            if mark:
                text = f"<strong>{text}</strong>"
            cls = num if c in numeric else ""
            tag = "th" if c == row_header else "td"
            scope = ""
            if tag == "th":
                scope = ' scope="row"' + ("" if mark else ' style="font-weight:400"')
            cells.append(f"<{tag}{scope}{cls}>{text}</{tag}>")
        ours = ' class="pmlib-ours"' if mark else ""
        rows.append(f"<tr{ours}>{''.join(cells)}</tr>")
    return Html(
        f'<table class="pmlib-benchmark-table"><caption>{esc(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
