"""``pmlib returns make|import|status``: the quarterly data return round trip.

The logic is in :mod:`pmlib.returns`; this module parses arguments, prints and sets the exit
code (1 when any returned workbook had problems, so a script running the import notices).
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
from pathlib import Path

from pmlib.core.dburl import data_location


def _common(p: argparse.ArgumentParser) -> None:
    """--data and --params, as every verb takes them."""
    p.add_argument(
        "--data",
        type=data_location,
        default=None,
        help="data folder or database URL (default: data_dir in council.yaml)",
    )
    p.add_argument(
        "--params", type=Path, default=None, help="parameters folder (default: ./parameters)"
    )


def _quarter(p: argparse.ArgumentParser) -> None:
    p.add_argument("--quarter", required=True, help="the return's quarter, e.g. '2026/27 Q2'")
    p.add_argument(
        "--returns",
        type=Path,
        default=Path("returns"),
        help="folder holding each quarter's workbooks (default: ./returns)",
    )


def _today(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--today",
        type=dt.date.fromisoformat,
        default=None,
        help="judge deadlines as on this day, YYYY-MM-DD (default: today)",
    )


def default_user() -> str:
    """Who is running the command, for the audit log when --by is not given."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (some containers)
        return "unknown"


def cmd_make(args: argparse.Namespace) -> int:
    from pmlib.data.validate import read_dataset
    from pmlib.returns.config import read_returns_settings
    from pmlib.returns.due import quarter_of
    from pmlib.returns.make import make_returns

    ds = read_dataset(args.data, args.params)
    q = quarter_of(args.quarter, ds)
    made = make_returns(
        ds,
        q,
        args.returns,
        read_returns_settings(ds.settings.params_dir),
        owners=args.owner,
        out=args.out,
    )
    print(f"Wrote {len(made)} return workbook(s) for {q.label}:")
    for m in made:
        print(f"  {m.path}  ({m.rows} figure(s), due {m.due:%d %B %Y})")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from pmlib.returns.importer import import_returns

    outcomes = import_returns(
        args.files,
        args.quarter,
        data_dir=args.data,
        params_dir=args.params,
        returns_dir=args.returns,
        by=args.by or default_user(),
        today=args.today,
    )
    bad = 0
    for o in outcomes:
        print(o.summary())
        for p in o.problems:
            print(f"  - {p}")
        bad += o.result in ("problems", "refused")
    if bad:
        print(
            f"\n{bad} workbook(s) not merged; the others were. Send the correction workbooks back."
        )
    return 1 if bad else 0


def cmd_status(args: argparse.Namespace) -> int:
    from pmlib.core.workdays import uk_today
    from pmlib.data.validate import read_dataset
    from pmlib.returns.config import read_returns_settings
    from pmlib.returns.due import quarter_of
    from pmlib.returns.status import write_status

    ds = read_dataset(args.data, args.params)
    q = quarter_of(args.quarter, ds)
    today = args.today or uk_today()
    table, csv, emails = write_status(
        ds, q, args.returns, read_returns_settings(ds.settings.params_dir), today
    )
    cols = ["owner", "figures_due", "returned", "outstanding", "awaiting_review", "approved",
            "working_days_overdue", "step"]  # fmt: skip
    print(f"Returns for {q.label} as on {today:%d %B %Y}:\n")
    print(table[cols].to_string(index=False))
    print(f"\nWrote {csv} and {len(emails)} reminder(s) in {csv.parent / 'reminders'}")
    settings = read_returns_settings(ds.settings.params_dir)
    outstanding = table[table["step"].ne("")]
    no_address = [o for o in outstanding["owner"] if o not in settings.contacts]
    if no_address:
        print(
            f"  No e-mail address for {len(no_address)} owner(s) (add them under contacts: in "
            "returns.yaml); their reminders name them without an address."
        )
    no_head = outstanding[
        outstanding["step"].eq("escalated") & outstanding["heads_of_service"].eq("")
    ]
    if len(no_head):
        print(
            f"  {len(no_head)} escalated reminder(s) have no head of service to copy (a "
            "head_of_service column, or heads_of_service: in returns.yaml)."
        )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("returns", help="the quarterly data return: make, import, status")
    verbs = p.add_subparsers(dest="returns_command", metavar="STEP", required=True)

    m = verbs.add_parser("make", help="write one return workbook per owner for a quarter")
    _quarter(m)
    m.add_argument("--owner", action="append", help="only this owner (repeat for more)")
    m.add_argument("--out", type=Path, help="write here (default: returns/<quarter>/out)")
    _common(m)
    m.set_defaults(func=cmd_make)

    i = verbs.add_parser("import", help="validate and merge returned workbooks")
    _quarter(i)
    i.add_argument(
        "files", nargs="*", type=Path, metavar="FILE|DIR",
        help="returned workbooks or folders of them (default: returns/<quarter>/in)",
    )  # fmt: skip
    i.add_argument("--by", help="who is importing, for the audit log (default: your login)")
    _today(i)
    _common(i)
    i.set_defaults(func=cmd_import)

    s = verbs.add_parser("status", help="who has returned, what is overdue; reminder e-mails")
    _quarter(s)
    _today(s)
    _common(s)
    s.set_defaults(func=cmd_status)
