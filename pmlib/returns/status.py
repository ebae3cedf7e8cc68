"""``pmlib returns status``: who has returned, who has not, what is overdue, what awaits review —
and a reminder e-mail (``.eml``) for each owner with figures outstanding.

Reminders escalate in steps, as the tools councils use do: a reminder to the owner until the
return is more than ``escalate_after`` working days overdue (``returns.yaml``, default 3), then
the same reminder copied to the head of service. Each reminder attaches the owner's workbook
(the correction workbook when there is one) and quotes the reason for any rejected figure.
The ``.eml`` files open in any mail program, ready to check and send; pmlib sends nothing.
"""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from email.utils import formataddr
from pathlib import Path

import pandas as pd

from pmlib.core.csv_out import write_csv
from pmlib.core.files import write_bytes_atomic
from pmlib.core.model import Dataset
from pmlib.core.periods import Period
from pmlib.core.sources import source_location
from pmlib.core.words import long_date
from pmlib.core.workdays import working_days_between
from pmlib.returns import audit
from pmlib.returns.config import ReturnsSettings, region
from pmlib.returns.due import return_rows
from pmlib.returns.make import quarter_folder
from pmlib.returns.workbook import slug, workbook_name

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def rejections(data_dir: Path, quarter: Period) -> dict[str, str]:
    """Key -> the reason of its latest rejection, for figures not re-submitted since."""
    out: dict[str, str] = {}
    for row in audit.read_log(data_dir):
        if row["period"] != quarter.label or not row["key"]:
            continue
        if row["action"] == "reject":
            out[row["key"]] = row["note"]
        elif row["action"] == "approve" or (
            row["action"] == "import" and row["column"] == "status" and row["new"] == "submitted"
        ):
            out.pop(row["key"], None)
    return out


def return_status(
    dataset: Dataset, quarter: Period, settings: ReturnsSettings, today: dt.date
) -> pd.DataFrame:
    """One row per owner: figures due, returned, awaiting review, approved, draft, rejected,
    the deadline, working days overdue and the reminder step."""
    rows = return_rows(dataset, quarter, settings.group_by)
    act = dataset.actuals[["indicator_id", "period", "value", "status"]]
    rows = rows.merge(act, on=["indicator_id", "period"], how="left")
    data_dir = source_location(next(iter(dataset.sources.values())))
    rejected = rejections(data_dir, quarter)
    rows["key"] = rows["indicator_id"] + "|" + rows["period"]
    rows["returned"] = rows["value"].notna() & rows["status"].isin(["submitted", "approved"])
    rows["rejected"] = rows["key"].isin(rejected) & rows["status"].eq("draft")
    out = []
    for group, part in rows.groupby("group", sort=True):
        due = min(part["due"])
        outstanding = int((~part["returned"]).sum())
        late = max(0, working_days_between(due, today, region(dataset.council)))
        step = ""
        if outstanding:
            step = "escalated" if late > settings.escalate_after else "reminder"
        out.append(
            {
                "owner": group,
                "figures_due": len(part),
                "returned": int(part["returned"].sum()),
                "outstanding": outstanding,
                "awaiting_review": int(part["status"].eq("submitted").sum()),
                "approved": int(part["status"].eq("approved").sum()),
                "draft": int(part["status"].eq("draft").sum()),
                "rejected": int(part["rejected"].sum()),
                "due": due,
                "working_days_overdue": late if outstanding else 0,
                "step": step,
                "missing": "; ".join(
                    f"{i} {p}"
                    for i, p in zip(
                        part.loc[~part["returned"], "indicator_id"],
                        part.loc[~part["returned"], "period"],
                        strict=True,
                    )
                ),  # fmt: skip
                "reasons": "; ".join(
                    f"{k.replace('|', ' ')}: {rejected[k]}"
                    for k in part.loc[part["rejected"], "key"]
                ),
                "heads_of_service": "; ".join(  # pmlib.returns.config explains both sources
                    sorted(
                        {h for h in part["head_of_service"] if h}
                        | (
                            {settings.heads_of_service[group]}
                            if group in settings.heads_of_service
                            else set()
                        )
                    )
                ),  # fmt: skip
            }
        )
    return pd.DataFrame(out)


def reminder(
    row: pd.Series, quarter: Period, council: str, settings: ReturnsSettings, attach: Path | None
) -> EmailMessage:
    """The reminder e-mail for one owner's outstanding return."""
    msg = EmailMessage()
    sender = settings.return_to or "performance@council.invalid"
    msg["From"] = formataddr(("Performance team", sender))
    address = settings.contacts.get(row["owner"], "")
    # no address known: the name alone, for the officer to complete in the mail program
    msg["To"] = formataddr((row["owner"], address)) if address else row["owner"]
    escalated = row["step"] == "escalated"
    copied = escalated and bool(row["heads_of_service"])
    if copied:
        msg["Cc"] = ", ".join(
            formataddr((h, settings.contacts.get(h, "")))
            for h in row["heads_of_service"].split("; ")
        )
    overdue = int(row["working_days_overdue"])
    what = f"overdue by {overdue} working day{'s' if overdue != 1 else ''}" if overdue else (
        f"due by {long_date(row['due'])}"
    )  # fmt: skip
    msg["Subject"] = (
        f"{'Overdue' if overdue else 'Reminder'}: {council} data return for {quarter.label} "
        f"({what})"
    )
    lines = [
        f"Dear {row['owner']},",
        "",
        f"Your data return for {quarter.label} is {what}. "
        f"{row['outstanding']} of {row['figures_due']} figures are still to come:",
        "",
        *[f"  - {m}" for m in row["missing"].split("; ") if m],
    ]
    if row["reasons"]:
        lines += ["", "These figures were sent back by the reviewer:", ""]
        lines += [f"  - {r}" for r in row["reasons"].split("; ")]
    lines += [
        "",
        "Your workbook is attached: fill in the yellow cells and send it back"
        + (f" to {settings.return_to}." if settings.return_to else "."),
    ]
    if escalated:
        lines += [
            "",
            f"As the return is more than {settings.escalate_after} working days overdue, this "
            + (
                "reminder is copied to the head of service."
                if copied
                else "return will be raised with the head of service."
            ),
        ]
    lines += ["", "Thank you,", "Performance team"]
    msg.set_content("\n".join(lines))
    if attach is not None and attach.exists():
        maintype, subtype = XLSX.split("/")
        msg.add_attachment(
            attach.read_bytes(), maintype=maintype, subtype=subtype, filename=attach.name
        )
    return msg


def write_status(
    dataset: Dataset,
    quarter: Period,
    returns_dir: Path,
    settings: ReturnsSettings,
    today: dt.date,
) -> tuple[pd.DataFrame, Path, list[Path]]:
    """Write ``status.csv`` and one ``.eml`` per owner with figures outstanding."""
    table = return_status(dataset, quarter, settings, today)
    qdir = quarter_folder(returns_dir, quarter)
    csv = write_csv(table, qdir / "status.csv")
    emails = []
    for _, row in table[table["step"].ne("")].iterrows():
        name = workbook_name(quarter.slug, row["owner"])
        attach = next(
            (p for p in (qdir / "corrections" / name, qdir / "out" / name) if p.exists()), None
        )
        msg = reminder(row, quarter, dataset.council.name, settings, attach)
        path = qdir / "reminders" / f"{slug(row['owner'])}.eml"
        emails.append(write_bytes_atomic(path, bytes(msg)))
    return table, csv, emails
