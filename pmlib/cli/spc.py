"""``pmlib spc``: statistical process control (XmR charts, Making Data Count rules) as CSV.

::

    pmlib spc --data series.csv --out points.csv [--summary summary.csv]
    pmlib spc --period "2026/27 Q2" [--committee SLUG] --out spc.csv [--points points.csv]
              [--data DIR] [--params DIR]

With ``--data``, any long table of series (columns ``series``, ``date``, ``value``, optional
option columns and ``rebase``; see :mod:`pmlib.spc.table`): ``--out`` gets every row with the
per-point fields added, ``--summary`` one row per series. Bad cells end in one list of every
problem (file, Excel row, column, value, fix), exit 1, and nothing written.

With ``--period``, the council's own indicators (:mod:`pmlib.present.spc_indicators`): ``--out``
gets one row per indicator (variation, assurance, limits), ``--points`` every figure charted.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from pmlib.cli.output_files import file_to_write, writing
from pmlib.core.errors import ParameterError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``spc`` verb to the ``pmlib`` command line."""
    p = subparsers.add_parser(
        "spc",
        help="statistical process control: variation and assurance per series, as CSV",
        description=(
            "XmR charts with the NHS 'Making Data Count' rules: process limits, special causes "
            "(improvement or concern), variation and assurance. Either a long table of series "
            "(--data FILE.csv: columns series, date, value, and optionally "
            "improvement_direction, target, fix_after_n_points, screen_outliers, shift_points, "
            "trend_points, two_in_three constant within a series, and rebase true on the first "
            "point of a new group) or the council's indicators up to a period (--period). "
            "See docs/spc.md."
        ),
    )
    p.add_argument(
        "--data",
        type=Path,
        metavar="PATH",
        help="a long table of series (CSV, XLSX, Parquet); with --period, the council's data "
        "folder instead (default: data_dir in council.yaml)",
    )
    p.add_argument(
        "--period",
        metavar="P",
        help="chart the council's indicators up to this period, e.g. '2026/27 Q2'",
    )
    p.add_argument(
        "--out",
        type=file_to_write,
        required=True,
        metavar="FILE.csv",
        help="with --data: every row with the per-point fields; with --period: one row per "
        "indicator",
    )
    p.add_argument(
        "--summary", type=file_to_write, metavar="FILE.csv", help="with --data: one row per series"
    )
    p.add_argument(
        "--points",
        type=file_to_write,
        metavar="FILE.csv",
        help="with --period: every figure charted",
    )
    p.add_argument("--committee", help="with --period: only this committee's indicators (a slug)")
    p.add_argument(
        "--shift-points",
        type=int,
        default=None,
        metavar="N",
        help="points in a run on one side of the mean that make a signal (7; the MDC Excel "
        "tool allows 6; with --period, default: council.yaml's spc.shift_points)",
    )
    p.add_argument(
        "--no-screen-outliers",
        dest="screen_outliers",
        action="store_false",
        default=None,
        help="keep large moving ranges when setting the limits (as the MDC Excel tool; with "
        "--period, default: council.yaml's spc.screen_outliers)",
    )
    p.add_argument(
        "--params",
        type=Path,
        default=None,
        help="with --period: parameters folder (default: ./parameters)",
    )
    p.set_defaults(func=cmd_spc)


def cmd_spc(args: argparse.Namespace) -> int:
    from pmlib.spc import SpcOptions  # lazy: keeps pandas out of CLI start-up

    if args.period is None and args.data is None:
        raise ParameterError(
            "give --data FILE (a long table of series) or --period P (the council's indicators)"
        )
    if args.period is None and (args.points or args.committee):
        raise ParameterError("--points and --committee go with --period")
    if args.period is not None and args.summary:
        raise ParameterError(
            "--summary goes with --data; with --period, --out is already one row per indicator"
        )
    if args.period is None:
        options = SpcOptions(
            shift_points=7 if args.shift_points is None else args.shift_points,
            screen_outliers=args.screen_outliers is not False,
        )
        return _from_file(args, options)
    return _from_council(args)


def _from_file(args: argparse.Namespace, options) -> int:
    from pmlib.core.csv_out import csv_bytes
    from pmlib.core.files import write_bytes_atomic
    from pmlib.spc.table import spc_from_file

    if not args.data.is_file():
        raise ParameterError(f"--data {args.data}: no such file. Fix: give the path of a CSV.")
    result = spc_from_file(args.data, options)
    # Computed in full before anything is written: a problem leaves no half-written output.
    points = csv_bytes(result.points)
    summary = csv_bytes(result.summary)
    with writing(args.out):
        write_bytes_atomic(args.out, points)
    print(f"Wrote {len(result.points)} points of {len(result.summary)} series to {args.out}")
    if args.summary:
        with writing(args.summary):
            write_bytes_atomic(args.summary, summary)
        print(f"Wrote the summary of {len(result.summary)} series to {args.summary}")
    _print_signals(result.summary, "series")
    return 0


def _from_council(args: argparse.Namespace) -> int:
    from pmlib.config.settings import check_committee
    from pmlib.core.csv_out import csv_bytes
    from pmlib.core.files import write_bytes_atomic
    from pmlib.core.periods import parse_period
    from pmlib.data.validate import read_dataset
    from pmlib.present.spc_indicators import spc_for_indicators
    from pmlib.reports.spc_sections import spc_options

    ds = read_dataset(args.data, args.params)
    # council.yaml's spc: settings (pmlib.config.spc), unless the command line says otherwise
    options = spc_options(ds.council.spc)
    if args.shift_points is not None:
        options = replace(options, shift_points=args.shift_points)
    if args.screen_outliers is False:
        options = replace(options, screen_outliers=False)
    period = parse_period(args.period, ds.council.fy_start_month)
    indicators = None
    if args.committee:
        indicators = ds.indicators_for(check_committee(ds.settings, args.committee))
    result = spc_for_indicators(ds, period, indicators, options)
    summary = csv_bytes(result.summary)
    points = csv_bytes(result.points)
    with writing(args.out):
        write_bytes_atomic(args.out, summary)
    print(f"Wrote SPC for {len(result.summary)} indicators up to {period.label} to {args.out}")
    if args.points:
        with writing(args.points):
            write_bytes_atomic(args.points, points)
        print(f"Wrote the {len(result.points)} figures charted to {args.points}")
    _print_signals(result.summary, "indicators")
    return 0


def _print_signals(summary, what: str) -> None:
    if not len(summary):
        return
    counts = summary["variation_type"].astype(str).value_counts()
    print(
        f"  latest point, across {len(summary)} {what}: "
        + ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in counts.items())
    )
    short = int(summary["short_group_warning"].sum())
    if short:
        print(
            f"  {short} {what} have a group of fewer than 13 points: their limits are trial "
            "limits (Making Data Count advises 15 or more points)"
        )
