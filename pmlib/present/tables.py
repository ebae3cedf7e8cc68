"""Report tables: the scorecard, RAG counts, data quality and methodology statements.

Tables are built with great_tables (plain HTML/CSS, renders offline), except the committee
report's scorecard, which is plain HTML so that it can group rows under their Council Plan
priority, link each exception's row to its section and reflow on a phone
(:func:`report_scorecard_table`; the explorer keeps :func:`scorecard_table`). Text cells are
escaped; only cells pmlib builds itself (RAG badges, arrows, sparklines, links) are passed
through as HTML. Every table gets a real ``<caption>`` for screen readers.

great_tables is used for layout only: every figure arrives as text from pmlib's one formatter
(:func:`pmlib.present.text.format_value`). Its own ``fmt_number`` rounds half to even, so
``2.5`` would read ``2`` in a table and ``3`` in the sentence beside it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import pandas as pd
from great_tables import GT, loc, style

from pmlib.present import text as _text
from pmlib.present.text import RAG_STYLE, dot_label, esc, rag_badge


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


#: How the scorecard can order its rows (``CommitteeReport.scorecard(order=...)``).
SCORECARD_ORDERS = {
    "priority": "grouped by Council Plan priority; in each group exceptions first, then by "
    "rating (Red, Amber, No data, Green, Grey) and reference",
    "rag": "one list: exceptions first, then by rating and reference",
    "reference": "one list by reference",
}
#: Worst first: the order rows take within a scorecard group.
RAG_SEVERITY = {"Red": 0, "Amber": 1, "No data": 2, "Green": 3, "Grey": 4}
#: Columns a reader needs first on a narrow screen; the rest follow (and scroll inside the
#: table, never the page). ``Owner`` goes last: long names otherwise take a phone's width.
SCORECARD_FIRST = ("Ref", "Indicator", "Value", "RAG")
SCORECARD_LAST = ("Owner",)


def _natural(ref: object) -> tuple:
    """Sort key for references: ``ENV2`` before ``ENV10``."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part.lower())
        for part in re.findall(r"\d+|\D+", str(ref))
    )


def order_scorecard(
    rows: pd.DataFrame,
    order: str = "priority",
    *,
    ref: str = "indicator_id",
    rag: str = "rag",
    group: str = "priority",
    exception: str = "exception",
    groups: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The scorecard's rows in reading order (a new frame; the input is not changed).

    ``priority`` (the default) follows the golden thread: rows grouped by Council Plan priority,
    in the order of ``groups`` (else as they first appear), and within each group the
    exceptions first, worst rating first, so that what needs scrutiny is at the top of every
    group. ``rag`` is the same without the groups; ``reference`` is by reference only.
    See :data:`SCORECARD_ORDERS`.

    >>> f = pd.DataFrame({"indicator_id": ["B1", "A2", "A10", "B2"],
    ...                   "rag": ["Green", "Green", "Red", "Amber"],
    ...                   "priority": ["b", "a", "a", "b"],
    ...                   "exception": [False, False, True, True]})
    >>> list(order_scorecard(f, "priority", groups=["b", "a"])["indicator_id"])
    ['B2', 'B1', 'A10', 'A2']
    >>> list(order_scorecard(f, "reference")["indicator_id"])
    ['A2', 'A10', 'B1', 'B2']
    """
    if order not in SCORECARD_ORDERS:
        raise ValueError(
            f"Unknown scorecard order {order!r}: use one of {', '.join(SCORECARD_ORDERS)}."
        )
    refs = rows[ref].tolist()
    if order == "reference":
        keys = [(_natural(r),) for r in refs]
    else:
        flags = rows[exception].fillna(False).astype(bool).tolist() if exception in rows else None
        flags = flags or [False] * len(rows)
        sev = [RAG_SEVERITY.get(str(x), len(RAG_SEVERITY)) for x in rows[rag]]
        keys = [(not f, s, _natural(r)) for f, s, r in zip(flags, sev, refs, strict=True)]
        if order == "priority":
            names = [str(g) for g in rows[group].fillna("")]
            ranked = list(dict.fromkeys([*(groups or []), *names]))
            keys = [(ranked.index(g), *k) for g, k in zip(names, keys, strict=True)]
    positions = sorted(range(len(rows)), key=keys.__getitem__)
    return rows.iloc[positions]


def report_scorecard_table(
    card: pd.DataFrame,
    *,
    caption: str,
    group: str | None = None,
    links: Mapping[str, str] | None = None,
    overridden: Mapping[str, str] | None = None,
) -> Html:
    """The scorecard: one row per indicator, optionally under a heading row per group.

    ``card`` columns, shown in the order given except that ``Ref, Indicator, Value, RAG`` come
    first and ``Owner`` last (:data:`SCORECARD_FIRST`): ``Ref, Indicator, Owner, Value,
    Target, RAG, Short term, Long term, Trend`` and optionally ``Peers``. ``RAG`` holds the
    status word (rendered as a badge), ``Trend`` an SVG string from :func:`sparkline`. The
    column named by ``group`` (e.g. ``Priority``) is not shown: each run of equal values gets a
    heading row instead. ``links`` maps a reference to the fragment its row links to (an
    exception section); each row has the id ``sc-<Ref>`` to come back to. ``overridden`` maps
    a reference whose rating a reviewer overrode to the calculated rating, shown beside the
    badge ("Amber (overridden; calculated Red)").

    The table sits in a scroll box: on a phone the first columns are in view and the rest
    scroll inside the table, never the page.
    """
    first = [c for c in SCORECARD_FIRST if c in card.columns]
    last = [c for c in SCORECARD_LAST if c in card.columns]
    middle = [c for c in card.columns if c not in (*first, *last, group)]
    cols = [*first, *middle, *last]
    links = links or {}
    numeric = {"Value", "Target"}

    def cell(col: str, value: object, ref: str) -> str:
        cls = f"pm-col-{_slug(col)}" + (" pm-num" if col in numeric else "")
        if col == "Ref":
            href = links.get(ref)
            inner = esc(ref)
            if href:
                inner = (
                    f'<a href="{esc(href)}">{inner}<span class="pmlib-visually-hidden">'
                    f" (go to its exception)</span></a>"
                )
            return f'<th scope="row" class="{cls}">{inner}</th>'
        if col == "RAG":
            inner = _text.override_badge(str(value), (overridden or {}).get(ref))
        elif col in ("Trend", "SPC"):  # built from escaped parts by pmlib
            inner = _passthrough(value)
        elif col in ("Short term", "Long term"):
            inner = esc(value).replace(" ", "\u00a0", 1)  # the arrow stays with its word
        else:
            inner = esc(value)
        return f'<td class="{cls}">{inner}</td>'

    head = "".join(
        f'<th scope="col" class="pm-col-{_slug(c)}{" pm-num" if c in numeric else ""}">'
        f"{esc(c)}</th>"
        for c in cols
    )
    bodies: list[str] = []
    rows: list[str] = []
    current: object = None
    for rec in card.to_dict("records"):
        if group is not None and (not rows or rec[group] != current):
            if rows:
                bodies.append("".join(rows))
            current = rec[group]
            rows = [
                f'<tr class="pmlib-group"><th scope="rowgroup" colspan="{len(cols)}">'
                f"{esc(current)}</th></tr>"
            ]
        ref = str(rec["Ref"])
        mark = ' class="pmlib-exception-row"' if ref in links else ""
        cells = "".join(cell(c, rec[c], ref) for c in cols)
        rows.append(f'<tr id="sc-{esc(ref)}"{mark}>{cells}</tr>')
    bodies.append("".join(rows))
    tbody = "".join(f"<tbody>{b}</tbody>" for b in bodies)
    title, dot, rest = caption.partition(". ")
    label = title  # the region's name: the caption's first sentence
    title, rest = (title + dot.strip(), " " + rest) if dot else (caption, "")
    # The caption is shown above the scroll box, where it wraps to the screen's width (inside
    # the box it would be as wide as the table and scroll out of view on a phone); the table
    # keeps it, visually hidden, for screen readers.
    return Html(
        f'<p class="pmlib-caption" aria-hidden="true"><strong>{esc(title)}</strong>'
        f"{esc(rest)}</p>"
        f'<div class="pmlib-table-scroll" role="region" aria-label="{esc(label)}" tabindex="0">'
        f'<table class="pmlib-scorecard"><caption class="pmlib-visually-hidden">'
        f"{esc(caption)}</caption><thead><tr>{head}</tr></thead>{tbody}</table></div>"
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def scorecard_key(*, short_label: str = "", long_label: str = "") -> Html:
    """The key to the scorecard's shapes and arrows, built from the same mappings the badges
    (:data:`~pmlib.present.text.RAG_STYLE`) and arrows (:func:`~pmlib.present.text.dot_label`)
    come from, so the key cannot drift from what the table shows.

    ``short_label``/``long_label`` name the periods the short and long term arrows compare with.
    """
    rag_items = "".join(
        f"<li>{rag_badge(word)} {esc(st['meaning'])}</li>" for word, st in RAG_STYLE.items()
    )
    # dot_label at call time, so the key shows the arrows the table shows (nothing copied)
    dot_items = "".join(
        f'<li><span class="pmlib-arrow">{esc(dot_label(word))}</span>: {esc(meaning)}</li>'
        for word, meaning in _text.DOT_MEANINGS.items()
    )
    compare = ""
    if short_label and long_label:
        compare = f" Short term compares with {esc(short_label)}; long term with {esc(long_label)}."
    return Html(
        '<div class="pmlib-key"><p class="pmlib-key-title"><strong>Key</strong></p>'
        '<div class="pmlib-key-part"><p>Rating (colour, shape and word)</p>'
        f'<ul class="pmlib-key-list">{rag_items}</ul></div>'
        f'<div class="pmlib-key-part"><p>Direction of Travel.{compare}</p>'
        f'<ul class="pmlib-key-list">{dot_items}</ul></div></div>'
    )


def counts_table(
    changes: pd.DataFrame, *, caption: str, now_label: str, previous_label: str
) -> Html:
    """RAG counts this period and last, with the change; a row whose label is not a rating
    (the council's "On target (Green, Amber, Grey)" total) is shown as bold text."""
    from pmlib.present.text import signed

    data = pd.DataFrame(
        {
            "Rating": changes["rag"].map(
                lambda r: rag_badge(r) if r in RAG_STYLE else f"<strong>{esc(r)}</strong>"
            ),
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
    gt = (
        GT(by_priority)
        .cols_align("right", columns=[c for c in by_priority.columns if c != "Priority"])
        # narrow padding: the five counts and the priority fit a 390 px phone
        .tab_options(data_row_padding_horizontal="4px", column_labels_padding_horizontal="4px")
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
