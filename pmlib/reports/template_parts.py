"""The parts of a committee report that follow the seed councils' templates.

South Derbyshire's exception report (Appendix 1 of its framework) sets an off-track indicator's
figures beside its baseline, last year's outturn and target, definition, priority and benchmark;
Dorset links each indicator to strategic risks. :func:`exception_context` gathers those for one
exception section from the indicator library (:mod:`pmlib.present.library_rows`) and a rating
of the previous financial year, computed once per report by the report's
:class:`~pmlib.rating.rater.Rater`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from pmlib.present.library_rows import exception_context_rows

if TYPE_CHECKING:
    from pmlib.core.periods import Period
    from pmlib.reports.committee import CommitteeReport

__all__ = ["exception_context", "outturn_year", "prior_year_outturn"]


def outturn_year(period: Period) -> Period:
    """The financial year whose outturn a report of ``period`` shows: the one before."""
    return period.year().previous()


def prior_year_outturn(report: CommitteeReport, ind_id: str) -> tuple[str, str, str] | None:
    """(year, outturn, target) of the financial year before the report's, as shown, or
    ``None`` for an indicator that year's rating does not hold. The year is rated once per
    report and kept on it."""
    year = outturn_year(report.period)
    outturns = getattr(report, "_outturns", None)
    if outturns is None:  # rated with the report's other periods (pmlib.rating.rater)
        outturns = report.rater.rate_period(year).set_index("indicator_id")
        report._outturns = outturns
    if ind_id not in outturns.index:
        return None
    r = outturns.loc[ind_id]
    target = report._target_text(pd.Series({**r.to_dict(), "indicator_id": ind_id}))
    return year.label, report._fmt(ind_id, r["value"]), target


def exception_context(report: CommitteeReport, ind_id: str) -> dict[str, list[tuple[str, str]]]:
    """The template rows of one exception section, grouped as
    :func:`~pmlib.present.library_rows.exception_context_rows` groups them."""
    ind = report.indicators.loc[ind_id]
    return exception_context_rows(ind, outturn=prior_year_outturn(report, ind_id))
