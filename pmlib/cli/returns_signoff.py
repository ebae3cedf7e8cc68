"""``pmlib approve|reject|lock|unlock|audit``: sign-off, locked periods and the audit trail."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from pmlib.cli.returns import _common


def _choose(p: argparse.ArgumentParser) -> None:
    p.add_argument("--quarter", required=True, help="e.g. '2026/27 Q2'")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--indicator", action="append", help="an indicator id (repeat for more)")
    g.add_argument("--owner", help="every figure in this owner's return")
    g.add_argument("--committee", help="every figure a committee receives (a slug)")
    p.add_argument("--by", required=True, help="who is signing off")
    p.add_argument("--today", type=dt.date.fromisoformat, default=None, help=argparse.SUPPRESS)
    _common(p)


def cmd_signoff(args: argparse.Namespace) -> int:
    from pmlib.returns.signoff import sign_off

    done = sign_off(
        args.command,
        args.quarter,
        args.by,
        indicators=args.indicator,
        owner=args.owner,
        committee=args.committee,
        reason=getattr(args, "reason", "") or "",
        data_dir=args.data,
        params_dir=args.params,
        today=args.today,
    )
    verb = "Approved" if args.command == "approve" else "Sent back to draft"
    print(
        f"{verb}: {len(done.changed)} figure(s)"
        + (f": {', '.join(done.changed)}" if done.changed else ".")
    )
    for s in done.skipped:
        print(f"  skipped {s}")
    for w in done.warnings:
        print(f"  warning: {w}")
    return 0


def cmd_lock(args: argparse.Namespace) -> int:
    from pmlib.returns.signoff import set_lock

    print(
        set_lock(
            args.command == "lock",
            args.quarter,
            args.by,
            reason=args.reason or "",
            data_dir=args.data,
            params_dir=args.params,
        )
    )
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from pathlib import Path

    from pmlib.config.settings import read_settings
    from pmlib.core.dburl import is_database_url
    from pmlib.returns.audit import read_log, verify

    folder = args.data or read_settings(args.params).council.data_dir
    if args.verify:
        ok, message = verify(folder if is_database_url(folder) else Path(folder))
        print(message, file=sys.stdout if ok else sys.stderr)
        return 0 if ok else 1
    rows = read_log(folder if is_database_url(folder) else Path(folder))
    if args.indicator:
        rows = [r for r in rows if r["key"].split("|")[0] == args.indicator or (
            not r["key"] and r["action"] in ("lock", "unlock"))]  # fmt: skip
    if args.quarter:
        rows = [r for r in rows if r["period"] == args.quarter]
    if not rows:
        print("No audit entries match.")
    for r in rows:
        change = (
            f"{r['table']} {r['key'].replace('|', ' ')} {r['column']}: {r['old'] or '(blank)'} -> {r['new']}"
            if r["key"]
            else ""
        )
        print(
            f"{r['seq']:>5} {r['at']} {r['who']:<16} {r['action']:<8} {r['period']:<11} {change} {r['note']}".rstrip()
        )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("approve", help="the data reviewer signs off submitted figures")
    _choose(p)
    p.set_defaults(func=cmd_signoff)
    p = sub.add_parser("reject", help="send figures back to draft with a reason")
    _choose(p)
    p.add_argument("--reason", required=True, help="why, quoted in the next reminder")
    p.set_defaults(func=cmd_signoff)
    for verb, text in (("lock", "lock a quarter once its reports are final"),
                       ("unlock", "unlock a quarter (with a reason; recorded)")):  # fmt: skip
        p = sub.add_parser(verb, help=text)
        p.add_argument("--quarter", required=True, help="e.g. '2026/27 Q2'")
        p.add_argument("--by", required=True, help="who")
        p.add_argument("--reason", required=verb == "unlock", help="why (required to unlock)")
        _common(p)
        p.set_defaults(func=cmd_lock)
    p = sub.add_parser("audit", help="the history of figures, or --verify the audit log")
    p.add_argument("--indicator", help="only this indicator")
    p.add_argument("--quarter", help="only this quarter, e.g. '2026/27 Q2'")
    p.add_argument("--verify", action="store_true", help="check the hash chain; exit 1 if broken")
    _common(p)
    p.set_defaults(func=cmd_audit)
