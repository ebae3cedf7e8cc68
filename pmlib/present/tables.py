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


def sparkline(values: list[float], rags: list[str], *, width: int = 90, height: int = 24) -> str:
    """A tiny inline SVG trend: a line through the values and the last point in its RAG colour
    and shape-agnostic dot (the RAG word is in the adjacent cell). Decorative: aria-hidden."""
    pts = [(i, v) for i, v in enumerate(values) if v is not None and v == v]
    if len(pts) < 2:
        return ""
    lo = min(v for _, v in pts)
    hi = max(v for _, v in pts)
    span = (hi - lo) or 1.0
    n = max(len(values) - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return 3 + i * (width - 6) / n, height - 3 - (v - lo) * (height - 6) / span

    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(i, v) for i, v in pts))
    lx, ly = xy(*pts[-1])
    colour = RAG_STYLE.get(rags[pts[-1][0]] if rags else "Grey", RAG_STYLE["Grey"])["fill"]
    return (
        f'<svg class="sparkline" width="{width}" height="{height}" viewBox="0 0 {width} '
        f'{height}" aria-hidden="true" focusable="false"><polyline points="{path}" '
        f'fill="none" stroke="#12436D" stroke-width="1.5"/><circle cx="{lx:.1f}" '
        f'cy="{ly:.1f}" r="3" fill="{colour}" stroke="#0B0C0C" stroke-width="0.5"/></svg>'
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
