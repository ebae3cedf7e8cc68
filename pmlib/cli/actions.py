"""``pmlib actions`` and ``pmlib risks``: key actions and strategic risks rated for a period.

Siblings of ``pmlib rate`` for the optional tables: ``pmlib actions --period "2026/27 Q2"
--out actions.csv`` writes every action with its status for the period, RAG, reason, overdue
flag and update; ``pmlib risks`` every risk with its current score, band, movement and review.
``--committee`` keeps one committee's items (a public committee never gets internal ones).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pmlib.cli.output_files import file_to_write, writing
from pmlib.core.dburl import data_location

#: The columns printed to the terminal (the CSV holds every column).
_SHOWN = {
    "actions": ["id", "rag", "status", "effective_due", "overdue", "has_update", "title"],
    "risks": ["id", "score", "band", "movement", "target_score", "above_target", "title"],
}


def _rated(args: argparse.Namespace, what: str):
    # lazy: each of these imports pandas; kept out of CLI start-up
    from pmlib.config.settings import check_committee
    from pmlib.core.errors import ParameterError
    from pmlib.core.periods import parse_period
    from pmlib.data.validate import read_dataset
    from pmlib.rating.actions import rate_actions
    from pmlib.rating.risks import rate_risks
    from pmlib.reports.plan_sections import items_for

    ds = read_dataset(args.data, args.params)
    period = parse_period(args.period, ds.council.fy_start_month)
    table = ds.actions if what == "actions" else ds.risks
    if what not in ds.sources:
        raise ParameterError(
            f"The data folder has no {what} table. Fix: add {what}.csv (or a sheet named "
            f"'{what}'); docs/data-format.md lists its columns."
        )
    if args.committee:
        committee = check_committee(ds.settings, args.committee)
        ids = set(ds.indicators_for(committee)["id"])
        table = items_for(table, committee, ids, plan_items=True)
    plan = ds.council.plan
    if what == "actions":
        return rate_actions(table, ds.action_updates, period, plan.actions), period
    return rate_risks(table, ds.risk_reviews, period, plan.risks), period


def _command(what: str):
    def run(args: argparse.Namespace) -> int:
        from pmlib.core.csv_out import write_csv  # lazy: imports pandas

        rated, period = _rated(args, what)
        rated = rated.drop(columns="source_row", errors="ignore")  # the loader's bookkeeping
        if args.out:
            with writing(args.out):
                write_csv(rated, args.out)
            print(f"Wrote {len(rated)} {what} for {period.label} to {args.out}")
        else:
            print(rated[_SHOWN[what]].to_string(index=False, max_colwidth=48))
        return 0

    return run


def register(sub: argparse._SubParsersAction) -> None:
    for what, helps in (
        ("actions", "rate key actions for a period (RAG from status and dates, overdue)"),
        ("risks", "score strategic risks for a period (band, movement since the last review)"),
    ):
        p = sub.add_parser(what, help=helps)
        p.add_argument("--period", required=True, help="a quarter '2026/27 Q2' or a year '2026/27'")
        p.add_argument("--committee", help="only this committee's items (a slug)")
        p.add_argument(
            "--out", type=file_to_write, help="write CSV here instead of printing a table"
        )
        p.add_argument(
            "--data", type=data_location, default=None, help="data folder or database URL"
        )
        p.add_argument("--params", type=Path, default=None, help="parameters folder")
        p.set_defaults(func=_command(what))
