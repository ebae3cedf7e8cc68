"""The ``pmlib`` command line: parse arguments, call the library, print, exit.

Every user mistake surfaces as a :class:`~pmlib.core.errors.PmlibError` and is printed as a message
(never a traceback) with a non-zero exit code: 1 for bad data or a failed report, 2 for bad
arguments.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from pmlib.cli.output_files import file_to_write, path_problem, writing
from pmlib.core.dburl import data_location
from pmlib.core.errors import DataValidationError, PmlibError
from pmlib.core.version import __version__

log = logging.getLogger("pmlib")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--data",
        type=data_location,
        default=None,
        help="data folder or database URL (default: data_dir in council.yaml)",
    )
    p.add_argument(
        "--params",
        type=Path,
        default=None,
        help="parameters folder holding council.yaml, committees.yaml, "
        "rag_schemes.yaml (default: ./parameters)",
    )


def _print_warnings(warnings, limit: int = 12) -> None:
    if not warnings:
        return
    by_kind = Counter(w.message for w in warnings)
    print(
        f"\n{len(warnings)} warning{'s' if len(warnings) != 1 else ''} "
        "(not errors; shown in the reports' data-quality section):"
    )
    for message, n in by_kind.most_common():
        print(f"  {n:>4} × {message}")
    print("\nFirst warnings in full:")
    for w in list(warnings)[:limit]:
        print(f"  - {w}")
    if len(warnings) > limit:
        print(f"  ... and {len(warnings) - limit} more")


def cmd_validate(args: argparse.Namespace) -> int:
    from pmlib.data.validate import read_dataset  # lazy: keeps pandas out of CLI start-up
    from pmlib.returns.lateness import judged_by_returns  # lazy, as above

    try:
        ds = judged_by_returns(read_dataset(args.data, args.params))  # returned: on the return
    except DataValidationError as exc:
        if args.problems:
            _write_problems(args.problems, exc.to_frame())
        raise
    if args.problems:
        _write_problems(args.problems, DataValidationError(ds.warnings).to_frame())
    print(f"OK: {ds.council.name} data is valid.\n")
    from pmlib.data.plan_contract import PLAN_TABLES  # the optional tables, when present

    shown = [t for t in PLAN_TABLES if t in ds.sources]
    for table in ("indicators", "targets", "actuals", "narratives", *shown):
        frame = getattr(ds, table)
        src = ds.sources.get(table)
        line = f"  {table:<{14 if shown else 11}} {len(frame):>7} rows  from {src.name if src else '?'}"
        if "period" in frame and len(frame):
            order = frame.sort_values("ordinal")["period"]
            line += f"  periods {order.iloc[0]} to {order.iloc[-1]}"
        print(line)
    ind = ds.indicators
    kinds = ", ".join(f"{n} {k}" for k, n in ind["kind"].value_counts().items())
    freqs = ", ".join(f"{n} {k}" for k, n in ind["frequency"].value_counts().items())
    print(
        f"\n  indicators: {kinds}; {freqs}; "
        f"{int(ind['visibility'].eq('internal').sum())} internal-only"
    )
    print(f"  committees: {', '.join(ds.settings.committees)}")
    _print_warnings(ds.warnings)
    return 0


def _write_problems(path: Path, frame) -> None:
    from pmlib.core.csv_out import write_csv  # lazy: imports pandas, only for FILE

    with writing(path):
        write_csv(frame, path)
    print(f"Every problem and warning ({len(frame)}) written to {path}", file=sys.stderr)


#: Arrow's allocator (mimalloc, pyarrow's default) read from the environment when pyarrow loads:
#: no transparent huge pages for its 1 GB arena, and freed memory kept rather than returned to
#: the kernel after a second (and faulted in again by the next million-row array).
_ARROW_ALLOCATOR = {"MIMALLOC_ALLOW_THP": "0", "MIMALLOC_PURGE_DELAY": "-1"}


def _load_arrow_for_one_pass() -> None:
    """Load pyarrow with its allocator set for one pass over a million rows (a command that
    makes and drops many large arrays once, then exits).

    mimalloc advises the kernel to back its whole 1 GB arena with 2 MB pages; with transparent
    huge pages on ``madvise`` (the usual default) every first touch of a 2 MB page then zeroes
    it, and compacts memory to find one when the machine is busy: ``pmlib rate`` on a million
    actuals spent 1-3 s of system time there when idle and 5-8 s on a loaded machine, against
    ~1.5 s without the advice. The options are read once, when pyarrow loads, so they are set
    only around that import (a user's own ``MIMALLOC_*`` settings win) and the environment is
    put back, leaving child processes as they were. Does nothing if pyarrow is already loaded
    (a notebook, a test): the allocator is then as that process made it.
    """
    if "pyarrow" in sys.modules:
        return
    from pmlib.core.environ import temporary_environ

    with temporary_environ(_ARROW_ALLOCATOR, keep_set=True), contextlib.suppress(ImportError):
        import pyarrow  # noqa: F401  (mimalloc reads its options now; if missing, pandas says so)


@contextlib.contextmanager
def _small_pages() -> Iterator[None]:
    """Ask numpy not to back its large arrays with transparent huge pages while this runs.

    numpy advises the kernel to use 2 MB pages for every array of 4 MB or more. Where the kernel
    honours that by compacting memory at the first touch (Linux with transparent huge pages on
    ``madvise``, the usual default), a command that makes and drops many million-row arrays
    once — ``pmlib rate`` on a million actuals — spent 1-3 s of its ~7 in the kernel; without
    the advice, ~0.5-1.3 s less (the same results: only how memory is mapped changes). The
    previous setting is restored, so a caller's process (a notebook, a test) is left as it was.
    """
    try:
        import numpy as np

        advise = np._core.multiarray._set_madvise_hugepage  # private since numpy 1.20; optional
    except (ImportError, AttributeError):
        yield
        return
    previous = advise(False)
    try:
        yield
    finally:
        advise(previous)


def _at_least_one(text: str) -> int:
    """An argument that counts processes: a whole number, 1 or more."""
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"give a whole number of 1 or more, not {text!r}")
    return n


def cmd_rate(args: argparse.Namespace) -> int:
    _load_arrow_for_one_pass()  # before pandas, which loads pyarrow
    # lazy: each of these imports pandas; kept out of CLI start-up
    from pmlib.data.validate import read_dataset, read_dataset_checking_aside

    with _small_pages():
        if not args.out:
            return _print_ratings(args, read_dataset(args.data, args.params))
        # a million actuals: the checks that only find problems run beside the rating
        ds, confirm = read_dataset_checking_aside(args.data, args.params)
        try:
            return _write_ratings(args, ds, confirm)
        except Exception:
            confirm()  # bad data is reported as bad data, as when it is checked first
            raise


def _write_ratings(args: argparse.Namespace, ds, confirm) -> int:
    from pmlib.rating.ratings_file import write_ratings_csv

    period, committee = _period_and_committee(args, ds)
    with writing(args.out):
        n = write_ratings_csv(
            ds, period, args.out, committee=committee, jobs=args.jobs, before_writing=confirm
        )
    print(f"Wrote {n} ratings for {period.label} to {args.out}")
    return 0


def _print_ratings(args: argparse.Namespace, ds) -> int:
    from pmlib.rating.engine import format_rating_table, rate_period

    period, committee = _period_and_committee(args, ds)
    rated = rate_period(ds, period)
    if committee is not None:
        rated = rated[rated["indicator_id"].isin(ds.indicators_for(committee)["id"])]
    print(format_rating_table(rated))
    return 0


def _period_and_committee(args: argparse.Namespace, ds):
    """``--period`` read (and holding data) and ``--committee`` found, for ``pmlib rate``."""
    from pmlib.config.settings import check_committee
    from pmlib.core.model import check_period_has_data
    from pmlib.core.periods import parse_period

    period = parse_period(args.period, ds.council.fy_start_month)
    check_period_has_data(ds, period)
    committee = check_committee(ds.settings, args.committee) if args.committee else None
    return period, committee


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pmlib",
        description="Performance-reporting workbook for UK councils: validate data, rate "
        "indicators, build committee report packs.",
    )
    parser.add_argument("--version", action="version", version=f"pmlib {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="show progress detail")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("validate", help="check the data and parameters folders")
    _common(p)
    p.add_argument(
        "--problems",
        type=file_to_write,
        metavar="FILE.csv",
        help="also write every error and warning, one per row, to this CSV",
    )
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("rate", help="rate every indicator for a period (RAG, DoT, forecast)")
    p.add_argument(
        "--period",
        required=True,
        help="a quarter '2026/27 Q2', a month '2026-09' or a year '2026/27'",
    )
    p.add_argument("--committee", help="only this committee's indicators (a slug)")
    p.add_argument("--out", type=file_to_write, help="write CSV here instead of printing a table")
    p.add_argument(
        "--jobs",
        type=_at_least_one,
        default=None,
        metavar="N",
        help="with --out, processes rating a large library at once (default: cores; "
        "a council's library is rated in one)",
    )
    _common(p)
    p.set_defaults(func=cmd_rate)

    for extra in _extra_commands():
        extra(sub)
    return parser


def _extra_commands():
    """Verbs defined in their own modules. Imported directly: a broken import is a bug to see,
    not a verb to drop silently."""
    # lazy: ~4 ms (dataclasses built at import), paid when the parser is built, not on import
    from pmlib.cli import (
        actions,
        benchmark,
        init,
        load,
        publish,
        returns,
        returns_signoff,
        run,
        spc,
    )

    return [
        run.register,
        publish.register,
        benchmark.register,
        init.register,
        actions.register,
        returns.register,
        returns_signoff.register,
        spc.register,
        load.register,
    ]


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s"
    )
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except DataValidationError as exc:
        print(str(exc), file=sys.stderr)
        print(
            "\nNothing was written (no report, no ratings). Fix the problems above and run the "
            "command again.",
            file=sys.stderr,
        )
        return 1
    except PmlibError as exc:
        print(f"pmlib: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        message = path_problem(exc)
        if message is None:
            raise
        print(f"pmlib: {message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(
            "pmlib: interrupted; finished reports are kept, nothing half-written.", file=sys.stderr
        )
        return 130
