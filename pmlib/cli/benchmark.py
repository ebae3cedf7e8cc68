"""``pmlib benchmark``: a benchmarking deep-dive per metric as HTML, or the statistics as CSV.

::

    pmlib benchmark --metric household_recycling_pct                  # HTML, council.yaml's group
    pmlib benchmark --indicator ENV01 --peer-group county --period 2024/25
    pmlib benchmark --peer-group all --data oflog_asc.csv --out stats.csv
    pmlib benchmark --metric household_recycling_pct --peer-group all --area all \
        --scheduler tls://10.0.0.5:8786                              # every area's deep-dive

Without ``--out FILE.csv`` it renders ``notebooks/benchmarking.ipynb`` once per metric (report
name = the metric's slug) through the batch machinery (:func:`pmlib.batch.runner.run_batch`: warm
kernels, skip-if-unchanged, manifest, index) into ``outputs/benchmarking/`` or ``--out DIR``.
With ``--out FILE.csv`` it writes one row per area × metric × period instead
(:func:`pmlib.benchmarking.stats.write_benchmark_csv`; the columns are in ``docs/benchmarking.md``).
``--area all`` renders a deep-dive per area of the peer group (report ``<area>-<metric>``): the
national case, thousands of reports, which ``--scheduler`` spreads over a dask cluster
(:mod:`pmlib.batch.cluster`, ``docs/scaling.md``).

Everything the user named — metric, indicator, peer group, period, area — is checked in this
process before any worker starts, so a typo ends in one message listing what is available
(exit 1), never in a failed notebook. Nothing runs at import: ``run_batch`` spawns worker
processes that import their parent's main module.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from pmlib.cli.run import add_scheduler_argument, check_scheduler
from pmlib.core.errors import ParameterError, Problem

#: The notebook rendered per metric (``./notebooks`` first, else the one pmlib ships).
NOTEBOOK = "benchmarking.ipynb"
#: Where HTML goes without --out.
DEFAULT_OUT = Path("outputs") / "benchmarking"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``benchmark`` verb to the ``pmlib`` command line."""
    p = subparsers.add_parser(
        "benchmark",
        help="compare the council with its peers: an HTML deep-dive per metric, or CSV",
        description=(
            "Rank the council among a peer group on benchmark metrics. Without --out FILE.csv, "
            "renders one HTML deep-dive per metric (notebooks/benchmarking.ipynb) into "
            "outputs/benchmarking/ (or --out DIR); with --out FILE.csv, writes the statistics "
            "(one row per area x metric x period). See docs/benchmarking.md."
        ),
    )
    which = p.add_mutually_exclusive_group()
    which.add_argument(
        "--metric",
        nargs="+",
        action="extend",
        metavar="M",
        help="benchmark metric id(s) in the data (default: every metric in the data)",
    )
    which.add_argument(
        "--indicator",
        nargs="+",
        action="extend",
        metavar="ID",
        help="indicator id(s) from the indicator library; their benchmark_metric is used",
    )
    p.add_argument(
        "--peer-group",
        metavar="G",
        help="a group in the peer-group file, or 'all' for every area in the data "
        "(default: peer_group in council.yaml, else all)",
    )
    p.add_argument(
        "--period",
        metavar="P",
        help="e.g. 2024/25 or '2024/25 Q1' (default: the latest with a figure for the council; "
        "for CSV: every period)",
    )
    p.add_argument(
        "--data",
        "--benchmarks",
        dest="data",
        type=Path,
        metavar="FILE",
        help="benchmark file: CSV, XLSX or Parquet in any shape of docs/benchmarking.md "
        "(default: benchmark.csv in council.yaml's benchmark_dir)",
    )
    p.add_argument(
        "--peers",
        type=Path,
        metavar="FILE",
        help="peer-group file (default: peer_groups.csv in council.yaml's benchmark_dir)",
    )
    p.add_argument(
        "--params",
        type=Path,
        metavar="DIR",
        help="parameters folder holding council.yaml (default: ./parameters)",
    )
    p.add_argument(
        "--area",
        metavar="CODE",
        help="the area to highlight and narrate (default: area_code in council.yaml); 'all': "
        "one deep-dive per area of the peer group",
    )
    p.add_argument(
        "--out",
        type=Path,
        metavar="PATH",
        help="FILE.csv: write the statistics there; DIR: write the HTML reports there "
        f"(default: {DEFAULT_OUT})",
    )
    p.add_argument("--jobs", type=int, metavar="N", help="worker processes (default: cores)")
    p.add_argument("--force", action="store_true", help="render even if nothing changed")
    add_scheduler_argument(p)
    p.set_defaults(func=cmd_benchmark)


@dataclass
class Plan:
    """What to run, every name checked against the files."""

    sources: object  # pmlib.reports.benchmark.BenchmarkSources
    metrics: list[str]
    metric_names: dict[str, str]
    period: str | None
    indicators: dict[str, str]  # metric -> indicator id, when asked by indicator
    polarity: dict[str, str]
    params_dir: Path | None
    data_dir: Path | None
    warnings: tuple
    areas: dict[str, str]  # code -> name of every area in the peer group with data


def _council(params: Path | None):
    """council.yaml's settings, or None when no --params was given and ./parameters is absent."""
    from pmlib.config.settings import DEFAULT_PARAMS_DIR, read_settings

    if params is None and not DEFAULT_PARAMS_DIR.is_dir():
        return None, None
    settings = read_settings(params)
    return settings.council, settings.params_dir


def plan(args: argparse.Namespace, *, need_focus: bool) -> Plan:
    """Resolve and check the arguments against the files; raise a ParameterError if any is
    wrong, naming what is available."""
    from pmlib.benchmarking.stats import (
        metric_metadata,
        peer_group_members,
        polarity_from_indicators,
        read_benchmarks,
        read_peer_groups,
    )
    from pmlib.reports.benchmark import (
        check_period,
        indicator_metric,
        resolve_metrics,
        resolve_sources,
    )

    indicators_by_metric: dict[str, str] = {}
    polarity: dict[str, str] = {}
    data_dir = None
    if args.indicator:
        from pmlib.data.validate import read_dataset

        ds = read_dataset(None, args.params)
        council, params_dir = ds.council, ds.settings.params_dir
        data_dir = council.data_dir
        wanted = []
        for ind in dict.fromkeys(args.indicator):
            metric = indicator_metric(ds.indicators, ind)
            if metric in indicators_by_metric:
                raise ParameterError(
                    f"Indicators {indicators_by_metric[metric]} and {ind} link to the same "
                    f"benchmark metric {metric!r}. Fix: give one of them."
                )
            indicators_by_metric[metric] = ind
            wanted.append(metric)
        polarity = polarity_from_indicators(ds.indicators)
    else:
        council, params_dir = _council(args.params)
        wanted = list(dict.fromkeys(args.metric or []))
    every_area = _every_area(args)
    src = resolve_sources(
        council,
        benchmark_file=args.data,
        peers_file=args.peers,
        peer_group=args.peer_group,
        area_code=None if every_area else args.area,
    )
    data = read_benchmarks(src.benchmark, start_month=src.start_month)
    groups = read_peer_groups(src.peers) if src.peers is not None else None
    members = peer_group_members(groups, src.peer_group)
    if members is not None and not data["area_code"].isin(members).any():
        raise ParameterError(
            f"None of the {len(members)} areas in peer group {src.peer_group!r} "
            f"({src.peers.name if src.peers else 'no file'}) is in {src.benchmark.name}. Fix: "
            "pass --peer-group all, or --peers FILE with a group of areas in the data."
        )
    metrics = resolve_metrics(data, wanted or None, src.benchmark.name)
    period = check_period(data, metrics, args.period, src.start_month)
    in_group = data if members is None else data[data["area_code"].isin(members)]
    names_of = in_group.drop_duplicates("area_code").set_index("area_code")["area_name"]
    areas = {str(code): str(names_of[code]) if _text(names_of[code]) else str(code)
             for code in sorted(names_of.index.dropna())}  # fmt: skip
    if need_focus and not every_area:
        if not src.focus:
            raise ParameterError(
                "No area code for the council. Fix: set area_code in council.yaml, or pass "
                "--area CODE."
            )
        codes = set(data["area_code"].dropna())
        if src.focus not in codes:
            raise ParameterError(
                f"Area {src.focus} is not in {src.benchmark.name}. Fix: pass --area CODE for "
                "an area in the file (or set area_code in council.yaml)."
            )
    meta = metric_metadata(data).set_index("metric")
    names = {
        m: (str(meta.at[m, "metric_name"]) if m in meta.index and _text(meta.at[m, "metric_name"])
            else m)
        for m in metrics
    }  # fmt: skip
    warnings = tuple(data.attrs.get("warnings", ())) + tuple(getattr(groups, "warnings", ()))
    stated = {**meta["polarity"].dropna().astype(str).to_dict(), **polarity}
    unset = [m for m in metrics if m not in stated]
    if unset:
        warnings += (
            Problem(
                src.benchmark.name,
                f"no polarity for {', '.join(unset[:8])}{' ...' if len(unset) > 8 else ''}: "
                "ranked by value, highest first, with no 'better' direction",
                "add a metrics.csv (metric, name, unit, polarity) beside the data, or use "
                "--indicator for an indicator linked with benchmark_metric",
                column="polarity",
                severity="warning",
            ),
        )
    return Plan(
        sources=src,
        metrics=metrics,
        metric_names=names,
        period=period,
        indicators=indicators_by_metric,
        polarity=polarity,
        params_dir=params_dir,
        data_dir=data_dir,
        warnings=warnings,
        areas=areas,
    )


def _text(value: object) -> bool:
    """A filled-in cell: not None, NaN, pandas' NA (a file without ``metric_name``) or blank."""
    try:
        present = value is not None and bool(value == value)  # NaN != NaN
    except TypeError:  # pd.NA == pd.NA is NA, which has no truth value
        return False
    return present and str(value).strip() != ""


def _print_warnings(warnings, limit: int = 8) -> None:
    if not warnings:
        return
    print(f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''} (not errors):")
    for w in list(warnings)[:limit]:
        print(f"  - {w}")
    if len(warnings) > limit:
        print(f"  ... and {len(warnings) - limit} more")


def _every_area(args: argparse.Namespace) -> bool:
    return (getattr(args, "area", None) or "").strip().lower() == "all"


def cmd_benchmark(args: argparse.Namespace) -> int:
    if args.jobs is not None and args.jobs < 1:
        raise ParameterError(f"--jobs must be 1 or more, got {args.jobs}.")
    check_scheduler(args.scheduler)
    if args.out is not None and args.out.suffix.lower() == ".csv":
        return _write_csv(args)
    return _render_html(args)


def _write_csv(args: argparse.Namespace) -> int:
    from pmlib.benchmarking.stats import write_benchmark_csv

    p = plan(args, need_focus=False)
    src = p.sources
    run = write_benchmark_csv(
        src.benchmark,
        args.out,
        peers_path=src.peers,
        peer_group=src.peer_group,
        metric=p.metrics if (args.metric or args.indicator) else None,
        period=p.period,
        focus=src.focus or None,
        polarity=p.polarity or None,
        start_month=src.start_month,
    )
    n_metrics = run.stats["metric"].nunique()
    n_periods = run.stats["period"].nunique()
    print(
        f"Wrote {run.rows} rows ({n_metrics} metric{'s' if n_metrics != 1 else ''} × "
        f"{n_periods} period{'s' if n_periods != 1 else ''}, peer group {src.peer_group}) "
        f"to {run.path}"
    )
    if src.focus:
        ours = run.stats[run.stats["is_focus"] & run.stats["value"].notna()]
        if len(ours):
            print(f"  {src.focus}: {len(ours)} ranked rows (is_focus = True)")
    _print_warnings(run.warnings)
    return 0


def _render_html(args: argparse.Namespace) -> int:
    from pmlib.batch.pack import find_notebook
    from pmlib.batch.runner import ReportSpec, run_batch
    from pmlib.benchmarking.io import slugify

    notebook = find_notebook(NOTEBOOK)
    p = plan(args, need_focus=True)
    src = p.sources
    out_dir = args.out or DEFAULT_OUT
    if out_dir.exists() and not out_dir.is_dir():
        raise ParameterError(
            f"--out {out_dir} is a file. Fix: give a folder for HTML reports, or a .csv file "
            "for the statistics."
        )
    common = {
        "peer_group": src.peer_group,
        "period": p.period,
        "benchmark_file": str(src.benchmark.resolve()),
        "peers_file": str(src.peers.resolve()) if src.peers is not None else None,
        "params_dir": str(p.params_dir) if p.params_dir is not None else None,
        "area_code": src.focus,
    }
    reports = [
        ReportSpec(
            name=slugify(metric),
            title=f"Benchmarking: {p.metric_names[metric]}",
            notebook=notebook,
            parameters={"metric": metric, "indicator": p.indicators.get(metric), **common},
        )
        for metric in p.metrics
    ]
    if _every_area(args):  # a deep-dive per area and metric, an area's reports side by side
        reports = [
            ReportSpec(
                name=f"{slugify(area)}-{spec.name}",
                title=f"{spec.title}: {name}",
                notebook=notebook,
                parameters={**spec.parameters, "area_code": area},
            )
            for area, name in p.areas.items()
            for spec in reports
        ]
    names = [r.name for r in reports]
    clash = sorted({n for n in names if names.count(n) > 1})
    if clash:
        raise ParameterError(
            f"Metrics {', '.join(m for m in p.metrics if slugify(m) in clash)} share the "
            f"report name {clash[0]!r}. Fix: render them one at a time with --metric."
        )
    inputs = [src.benchmark.resolve()]
    meta = src.benchmark.with_name("metrics.csv")
    if meta.is_file():
        inputs.append(meta.resolve())
    if src.peers is not None:
        inputs.append(src.peers.resolve())
    if p.params_dir is not None:
        inputs.append(Path(p.params_dir))
    if p.indicators and p.data_dir is not None:
        inputs.append(Path(p.data_dir))
    result = run_batch(
        reports,
        out_dir,
        jobs=args.jobs,
        force=args.force,
        inputs=inputs,
        extra_manifest={
            "kind": "benchmarking",
            "peer_group": src.peer_group,
            "period": p.period or "latest",
            "area_code": "all" if _every_area(args) else src.focus,
        },
        title="Benchmarking: "
        + ("every area" if _every_area(args) else src.council_name or src.focus),
        progress=sys.stderr.isatty(),
        scheduler=args.scheduler,
    )
    for r in result.reports:
        line = f"  {r.status:<7} {r.name}"
        if r.status == "ok":
            line += f"  ({r.seconds:.1f} s)"
        if r.error:
            line += f"\n          {r.error}"
        print(line)
    ok = len(result.by_status("ok")) + len(result.by_status("skipped"))
    print(
        f"{ok} of {len(result.reports)} report{'s' if len(result.reports) != 1 else ''} "
        f"ready in {result.out_dir}; open {result.index_path}"
    )
    _print_warnings(p.warnings)
    return result.exit_code
