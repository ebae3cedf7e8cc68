"""The sign-off gate: a final report carries approved figures only, or says which are not.

South Derbyshire's framework has the Executive Director "review and approve the performance
information" before it goes to committee, and its data reviewer accept each figure; Dorset
validates data and narrative in directorate meetings "before escalation". A report rendered
``--status final`` is the one that goes to members, so pmlib refuses to render it while any
figure it shows is still ``draft`` or ``submitted``, naming each one with its owner and
collector so the reviewer knows whom to chase. A council that must publish on a date can
render it anyway with ``--allow-unapproved``: each such figure is then marked *provisional* in
the scorecard and its exception section, and the cover says how many there are and lists them.

"Any figure the report shows" is every actual of the committee's indicators from the start of
the report's history window (the trend charts' eight quarters, or eight years for an annual
report) to the end of its period: the period's own figures, the previous period and the same
period last year that the Directions of Travel compare with, and last year's outturn.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from pmlib.core.errors import PmlibError
from pmlib.core.model import Committee, Dataset
from pmlib.core.periods import Period, try_parse_period

__all__ = [
    "PROVISIONAL",
    "SignOffError",
    "check_signoff",
    "provisional_ids",
    "provisional_note",
    "report_signoff",
    "signoff_message",
    "unapproved_figures",
]

#: How a figure not yet approved is marked in a final report rendered with --allow-unapproved.
PROVISIONAL = "provisional"
COLUMNS = ["indicator_id", "name", "period", "status", "owner", "collector"]


class SignOffError(PmlibError):
    """A final report was asked for while some of its figures are not approved."""


def _window_start(period: Period, history: int) -> int:
    """The ordinal just before the first period a report's history shows."""
    months = 12 if period.kind == "year" else 3
    return period.ordinal - history * months


def unapproved_figures(
    dataset: Dataset, committee: Committee, period: Period, *, history: int = 8
) -> pd.DataFrame:
    """The figures a committee's report for ``period`` shows that are not approved.

    One row per actual (``indicator_id, name, period, status, owner, collector``), in the
    indicators' order and then by period. ``collector`` is who entered the figure
    (``collected_by``), else the indicator's ``data_collector``; ``history`` is how many
    periods of the report's kind its trend charts show.
    """
    act = dataset.actuals
    # the unapproved rows first: a handful out of thousands, so the rest is cheap
    rows = act[act["status"].ne("approved").fillna(True).to_numpy(dtype=bool)]
    if rows.empty:
        return pd.DataFrame(columns=COLUMNS)
    ind = dataset.indicators_for(committee).set_index("id")
    keep = (
        rows["indicator_id"].isin(ind.index)
        & rows["ordinal"].gt(_window_start(period, history))
        & rows["ordinal"].le(period.ordinal)
    )
    rows = rows[keep.fillna(False).to_numpy(dtype=bool)]
    if rows.empty:
        return pd.DataFrame(columns=COLUMNS)
    ids = rows["indicator_id"]
    by = rows["collected_by"] if "collected_by" in rows else pd.Series(pd.NA, index=rows.index)
    collector = by.astype("string").fillna(ids.map(ind["data_collector"]).astype("string"))
    out = pd.DataFrame(
        {
            "indicator_id": ids,
            "name": ids.map(ind["name"]),
            "period": rows["period"],
            "status": rows["status"],
            "owner": ids.map(ind["owner"]),
            "collector": collector,
            "_order": ids.map({i: n for n, i in enumerate(ind.index)}),
            "_ordinal": rows["ordinal"],
        }
    )
    out = out.sort_values(["_order", "_ordinal"], kind="stable")
    return out.drop(columns=["_order", "_ordinal"]).reset_index(drop=True)


def _dash(value: object) -> str:
    return "–" if value is None or pd.isna(value) or not str(value).strip() else str(value)


def _line(r: pd.Series) -> str:
    return (
        f"  {r['indicator_id']} {r['name']}, {r['period']}: {r['status']} "
        f"(owner {_dash(r['owner'])}; collected by {_dash(r['collector'])})"
    )


def signoff_message(figures: pd.DataFrame, period_label: str) -> str:
    """Why a final report is refused: each figure not approved, and the three ways on.

    >>> f = pd.DataFrame([["COM01", "Complaints", "2026-09", "submitted", "Manager", "V. Costa"]],
    ...                  columns=COLUMNS)
    >>> print(signoff_message(f, "2026/27 Q2"))  # doctest: +NORMALIZE_WHITESPACE
    Cannot render the final report for 2026/27 Q2: 1 figure in it is not approved.
      COM01 Complaints, 2026-09: submitted (owner Manager; collected by V. Costa)
    Fix: have the data reviewer approve it (status approved, with approved_by and approved_at in
    the actuals), render a draft instead (--status draft), or render the final report with it
    marked provisional (--allow-unapproved). Record who signed the report off with
    --signed-off-by NAME (optional).
    """
    n = len(figures)
    it = "it" if n == 1 else "them"
    lines = [
        f"Cannot render the final report for {period_label}: {n} figure{'' if n == 1 else 's'} "
        f"in it {'is' if n == 1 else 'are'} not approved.",
        *(_line(r) for _, r in figures.iterrows()),
        f"Fix: have the data reviewer approve {it} (status approved, with approved_by and "
        f"approved_at in the actuals), render a draft instead (--status draft), or render the "
        f"final report with {it} marked {PROVISIONAL} (--allow-unapproved). Record who signed "
        "the report off with --signed-off-by NAME (optional).",
    ]
    return "\n".join(lines)


def check_signoff(
    dataset: Dataset,
    committees: Iterable[Committee],
    period: Period,
    *,
    allow_unapproved: bool = False,
    history: int = 8,
) -> pd.DataFrame:
    """Refuse a final report (or pack) showing unapproved figures, unless allowed.

    Returns the unapproved figures across ``committees`` (each figure once, however many
    reports show it): empty when all are approved, or the ones to mark provisional when
    ``allow_unapproved``. Raises :class:`SignOffError` listing them otherwise.
    """
    frames = [
        unapproved_figures(dataset, c, period, history=history).assign(committee=c.slug)
        for c in committees
    ]
    found = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)
    figures = found.drop_duplicates(["indicator_id", "period"]).reset_index(drop=True)
    if len(figures) and not allow_unapproved:
        raise SignOffError(signoff_message(figures[COLUMNS], period.label))
    return figures


def provisional_note(figures: pd.DataFrame) -> str:
    """The cover's note on a final report rendered with unapproved figures ('' for none).

    >>> f = pd.DataFrame([["A1", "X", "2026-09", "submitted", "", ""],
    ...                   ["B2", "Y", "2026/27 Q2", "draft", "", ""]], columns=COLUMNS)
    >>> provisional_note(f)
    '2 figures in this report are not yet approved and are marked provisional: A1 (2026-09, submitted) and B2 (2026/27 Q2, draft). They may change before they are approved.'
    """  # noqa: E501
    n = len(figures)
    if not n:
        return ""
    items = [f"{r['indicator_id']} ({r['period']}, {r['status']})" for _, r in figures.iterrows()]
    listed = items[0] if n == 1 else ", ".join(items[:-1]) + " and " + items[-1]
    return (
        f"{n} figure{'' if n == 1 else 's'} in this report {'is' if n == 1 else 'are'} not yet "
        f"approved and {'is' if n == 1 else 'are'} marked {PROVISIONAL}: {listed}. "
        f"{'It' if n == 1 else 'They'} may change before {'it is' if n == 1 else 'they are'} "
        "approved."
    )


def report_signoff(
    dataset: Dataset,
    committee: Committee,
    period: Period,
    status: str,
    *,
    allow_unapproved: bool = False,
    history: int = 8,
) -> pd.DataFrame:
    """:func:`check_signoff` for one report: nothing to check (an empty frame) unless it is
    final, so drafts render as they always have."""
    if status != "final":
        return pd.DataFrame(columns=COLUMNS)
    return check_signoff(
        dataset, [committee], period, allow_unapproved=allow_unapproved, history=history
    )


def _inside(period: Period) -> set[str]:
    """The labels of a period and of every quarter and month inside it."""
    return {
        period.label,
        *(q.label for q in period.quarters()),
        *(m.label for m in period.months()),
    }


def provisional_ids(
    figures: pd.DataFrame, period: Period, rated: pd.DataFrame | None = None
) -> set[str]:
    """The indicators whose figure for ``period`` (or a quarter or month inside it) is among
    ``figures``: their value in the scorecard and exception section is marked provisional.

    An indicator reported in arrears shows an earlier period's figure; when ``rated`` has a
    ``reported_period`` column, that period is the one looked at for it.

    >>> from pmlib.core.periods import parse_period
    >>> f = pd.DataFrame({"indicator_id": ["A1", "B2", "C3"],
    ...                   "period": ["2026-09", "2026/27 Q1", "2026/27 Q2"]})
    >>> sorted(provisional_ids(f, parse_period("2026/27 Q2")))
    ['A1', 'C3']
    >>> rated = pd.DataFrame({"indicator_id": ["B2"], "reported_period": ["2026/27 Q1"]})
    >>> sorted(provisional_ids(f, parse_period("2026/27 Q2"), rated))
    ['A1', 'B2', 'C3']
    """
    if figures.empty:
        return set()
    own = figures["period"].isin(_inside(period))
    if rated is not None and "reported_period" in rated:
        shown = {}
        for ind, label in zip(rated["indicator_id"], rated["reported_period"], strict=True):
            earlier = try_parse_period(label, period.start_month)
            if earlier is not None and earlier != period:
                shown[ind] = _inside(earlier)
        own |= pd.Series(
            [
                p in shown.get(i, ())
                for i, p in zip(figures["indicator_id"], figures["period"], strict=True)
            ],
            index=figures.index,
            dtype=bool,
        )
    return set(figures.loc[own, "indicator_id"])
