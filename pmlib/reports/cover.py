"""The committee report's cover: the title page, and the committee cover report councils put
in front of every performance report.

The cover is the first thing in the report and so the PDF's first page: the status banner
(DRAFT, INTERNAL), the council and title, then the report's details. When ``committees.yaml``
lists the committee's meetings, the details start with the meeting the report goes to (date,
agenda item, lead member or portfolio holder, report author, contact officer) and the
recommendation members are asked to agree, as a council's cover report does. A final report
names who signed it off (``pmlib run --signed-off-by``), and one rendered with figures not yet
approved says so here (:mod:`pmlib.reports.signoff`). Every officer-typed value is escaped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pmlib.config.templates import Meeting, meeting_for
from pmlib.core.workdays import deadline_after
from pmlib.present.tables import Html, definition_table
from pmlib.present.text import esc, long_date, long_datetime
from pmlib.reports import layout
from pmlib.reports.signoff import provisional_note

if TYPE_CHECKING:
    from pmlib.core.model import Committee, Council
    from pmlib.core.periods import Period
    from pmlib.reports.committee import CommitteeReport

__all__ = ["cover_html", "meeting_rows", "period_meeting", "report_meeting"]


def report_meeting(report: CommitteeReport) -> Meeting | None:
    """The meeting this report goes to (:func:`period_meeting` for its committee and period)."""
    return period_meeting(report.dataset.council, report.committee, report.period)


def period_meeting(council: Council, committee: Committee, period: Period) -> Meeting | None:
    """The meeting a committee's report for ``period`` goes to: the committee's first meeting
    on or after the day the period's data is due (the council's ``submission_deadline`` after
    the period ends, in working days when it says so); ``None`` when ``committees.yaml`` lists
    none. The cover and the public site's landing page both say it."""
    end = period.end_date
    due = deadline_after(end, council.deadline, council.bank_holidays)
    return meeting_for(committee.meetings, end, data_due_days=(due - end).days)


def meeting_rows(meeting: Meeting | None) -> list[tuple[str, str]]:
    """The cover report's details of a meeting, those given (none without a meeting)."""
    if meeting is None:
        return []
    rows = [
        ("Meeting", long_date(meeting.date)),
        ("Agenda item", meeting.agenda_item),
        ("Lead member", meeting.lead_member),
        ("Report author", meeting.report_author),
        ("Contact officer", meeting.contact_officer),
    ]
    return [(label, text) for label, text in rows if text]


def cover_html(report: CommitteeReport) -> Html:
    """The banner, title page, report details, any recommendation and note, and contents."""
    council = report.dataset.council
    final = report.status == "final"
    status = "FINAL" if final else "DRAFT – not for publication"
    period_text = (
        f"{report.period.label} ({long_date(report.period.start_date)} to "
        f"{long_date(report.period.end_date)})"
    )
    meeting = report_meeting(report)
    rows = [
        ("Council", council.name),
        ("Committee", report.committee.title),
        *meeting_rows(meeting),
        ("Period", period_text),
        ("Data as at", report.data_as_at()),
        ("Generated", long_datetime(report.generated_at)),
        ("Status", status),
    ]
    if final and report.signed_off_by:
        rows.append(("Signed off by", report.signed_off_by))
    rows.append(
        ("Audience", "Public" if report.committee.is_public else "Internal – not for publication")
    )
    table = definition_table(rows, caption="Report details")
    extra = ""
    if meeting is not None and meeting.recommendation:
        extra += (
            '<div class="pmlib-recommendation"><p><strong>Recommendation</strong></p>'
            f"<p>{esc(meeting.recommendation)}</p></div>"
        )
    note = provisional_note(report.provisional)
    if note:
        extra += f'<p class="pmlib-note pmlib-provisional-note"><strong>Provisional figures.</strong> {esc(note)}</p>'  # noqa: E501
    banner = layout.status_banner(report.status_marks())
    return Html(
        f"{banner}"
        f'<header class="pmlib-cover"><p class="pmlib-council">{esc(council.name)}</p>'
        f"<h1>{esc(report.title)}</h1>"
        f"{table}{extra}{report.contents()}</header>"
    )
