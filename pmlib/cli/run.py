"""``pmlib run``: build a quarter's (or a year's, a month's, a half-year's) committee report pack.

Each committee receives the cycles its ``cycles`` in committees.yaml names (default quarter and
year); a run for another cycle skips it and says so."""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

from pmlib.cli.batch_options import add_batch_arguments
from pmlib.core.errors import ParameterError


def add_scheduler_argument(p: argparse.ArgumentParser) -> None:
    """``--scheduler``, shared by ``run`` and ``benchmark`` (docs/scaling.md)."""
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="render on a dask.distributed cluster: the scheduler's address (e.g. "
        "tls://10.0.0.5:8786), or local / local:N to start N local workers (default: the "
        "local pool). See docs/scaling.md.",
    )


def check_scheduler(text: str | None) -> None:
    """Refuse a malformed --scheduler before any data is read."""
    if text is not None:
        from pmlib.batch.address import parse_scheduler  # no dask: refused in milliseconds

        parse_scheduler(text)


def _formats(text: str) -> list[str]:
    from pmlib.batch.runner import OUTPUT_FORMATS  # lazy: ~30 ms, keeps CLI start-up lean

    chosen = [f.strip().lower() for f in text.split(",") if f.strip()]
    bad = [f for f in chosen if f not in OUTPUT_FORMATS]
    if bad or not chosen:
        raise ParameterError(
            f"Unknown --format {', '.join(bad) or text!r}. Fix: use one or more of "
            f"{', '.join(sorted(OUTPUT_FORMATS))}, comma-separated (e.g. --format html,pdf)."
        )
    if "html" not in chosen:  # PDF is printed from the HTML; keep it beside the PDF
        chosen.insert(0, "html")
    return chosen


def _recorded_plan(args: argparse.Namespace, kind: str):
    """``(key, plan)``: the last identical command's plan when nothing it read has changed (a
    no-change re-run then imports no pandas and validates nothing: pmlib.batch.replan), else
    ``(key, None)``; ``key`` is ``None`` for a database source (always planned)."""
    from pmlib.batch import replan  # lazy: hashing only, no pandas

    options = {
        "period": getattr(args, kind), "kind": kind, "committees": args.committee,
        "data": args.data, "params": args.params, "out": args.out, "notebooks": args.notebooks,
        "status": args.status, "allow_unapproved": args.allow_unapproved,
        "signed_off_by": args.signed_off_by,
    }  # fmt: skip
    if "://" in str(args.data or ""):  # a database source is always planned
        return None, None
    key = replan.plan_key(options)
    return key, None if args.force else replan.load_plan(key)


def _plan(args: argparse.Namespace, kind: str, plan_pack, key: str | None):
    """:func:`~pmlib.batch.pack.plan_pack`'s plan, recorded for next time under ``key``."""
    from pmlib.batch import replan

    plan = plan_pack(
        getattr(args, kind),
        committees=args.committee,
        data_dir=args.data,
        params_dir=args.params,
        out_dir=args.out,
        notebook_dir=args.notebooks,
        status=args.status,
        annual=kind == "year",
        allow_unapproved=args.allow_unapproved,
        signed_off_by=args.signed_off_by,
        kind=kind,
    )
    if key is not None:
        replan.save_plan(key, plan)
    return plan


def _prestart(args: argparse.Namespace, planning: bool):
    """Start the local pool's workers and kernels while the parent plans (a context manager;
    :func:`pmlib.batch.pool.prestart_pool`), when a render is likely: the plan must be made
    afresh (``--force``, or an input changed) and the reports run on this machine."""
    import os

    if not planning or args.scheduler is not None:
        return contextlib.nullcontext()
    from pmlib.batch.pack import NOTEBOOK, REPORT_PRELOAD, find_notebook
    from pmlib.batch.pool import prestart_pool
    from pmlib.render.kernel import DEFAULT_PRELOAD

    jobs = args.jobs or os.cpu_count() or 1
    if args.committee:
        jobs = min(jobs, len(set(args.committee)))
    try:  # where the kernels start (each report then runs in the plan's notebook folder)
        params = Path(args.params or "parameters").resolve()
        cwd = find_notebook(NOTEBOOK, args.notebooks, project=params.parent).parent
    except ParameterError:
        return contextlib.nullcontext()  # planning reports it
    return prestart_pool(jobs, cwd, (*DEFAULT_PRELOAD, *REPORT_PRELOAD))


def cmd_run(args: argparse.Namespace) -> int:
    # lazy: the batch imports pandas; kept out of CLI start-up
    from pmlib.batch.pack import assemble_agenda_pack, plan_pack, run_pack

    if args.jobs is not None and args.jobs < 1:
        raise ParameterError(f"--jobs must be 1 or more, got {args.jobs}.")
    check_scheduler(args.scheduler)
    formats = _formats(args.format)
    if args.pack and "pdf" not in formats:
        formats.append("pdf")
    if "pdf" in formats:
        from pmlib.pdf.chromium import require_pdf_support  # lazy: only when printing PDFs

        require_pdf_support()  # fail now, with the install hint, not once per report
    kind = next(k for k in ("quarter", "year", "month", "half") if getattr(args, k, None))
    key, plan = _recorded_plan(args, kind)
    with _prestart(args, planning=plan is None):
        if plan is None:
            plan = _plan(args, kind, plan_pack, key)
        print(
            f"{plan.council}: {len(plan.committees)} report(s) for {plan.period_label} "
            f"-> {plan.out_dir}",
            file=sys.stderr,
        )
        for slug, why in plan.skipped.items():
            print(f"  skipped  {slug:<24} {why}", file=sys.stderr)
        result = run_pack(
            plan, formats=formats, jobs=args.jobs, force=args.force, progress=not args.quiet,
            scheduler=args.scheduler,
        )  # fmt: skip
    for r in result.reports:
        line = f"  {r.status:<8} {r.name:<24} {r.seconds:6.1f} s"
        if r.error:
            line += f"  {r.error.splitlines()[0]}"
        print(line)
    if args.pack:
        pack = assemble_agenda_pack(plan, result)
        print(f"  agenda pack: {pack}" if pack else "  agenda pack: no public report to bind")
    print(f"Index: {result.index_path}")
    failed = result.failed
    if failed:
        print(
            f"{len(failed)} of {len(result.reports)} report(s) failed; the others were written. "
            f"See manifest.json and notebooks/<committee>.failed.ipynb.",
            file=sys.stderr,
        )
    _end_process_now(result.exit_code)
    return result.exit_code


def _is_command_line() -> bool:
    """Whether this process is the ``pmlib`` command itself (the console script or
    ``python -m pmlib``), not a caller such as a test or a script calling ``main()``."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if spec is not None:
        return spec.name == "pmlib.__main__"
    return Path(sys.argv[0] if sys.argv else "").stem == "pmlib"


def _end_process_now(code: int) -> None:
    """End the ``pmlib run`` process as soon as its work is done, skipping the interpreter's
    teardown: freeing pandas, pyarrow and every other module of the parent takes 0.4-0.6 s
    after the index page is written, and the command's caller waits for it. The exit
    handlers still run (logging is flushed) and so do stdout and stderr; only the freeing
    of memory the system reclaims anyway is skipped. Not when ``main()`` was called from
    Python (tests, scripts): they keep running."""
    if not _is_command_line():
        return
    import atexit
    import os

    with contextlib.suppress(Exception):
        atexit._run_exitfuncs()  # noqa: SLF001 - the handlers a normal exit would run
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


def register(sub) -> None:
    p = sub.add_parser(
        "run",
        help="build committee report packs for a quarter (or the annual report for a year)",
        description="Render one report per committee with papermill into offline HTML "
        "(and PDF), in parallel, skipping reports whose inputs have not changed.",
    )
    when = p.add_mutually_exclusive_group(required=True)
    when.add_argument("--quarter", help="the quarter to report, e.g. '2026/27 Q2'")
    when.add_argument("--year", help="a financial year for the annual report, e.g. '2025/26'")
    when.add_argument(
        "--month",
        help="a month, e.g. '2026-09', for committees with `cycles: [month]` in committees.yaml",
    )
    when.add_argument(
        "--half",
        help="a half-year, e.g. '2026/27 H1', for committees with `cycles: [half]`",
    )
    p.add_argument(
        "--committee",
        action="append",
        metavar="SLUG",
        help="only this committee (repeat for several; default: every committee)",
    )
    p.add_argument("--format", default="html", help="html, pdf or html,pdf (default html)")
    p.add_argument("--pack", action="store_true", help="also assemble one agenda-pack PDF")
    add_scheduler_argument(p)
    p.add_argument(
        "--out",
        type=Path,
        help="output folder, used as is (default outputs/<period>, e.g. outputs/2026-27-Q2)",
    )
    add_batch_arguments(p, status="draft")
    p.set_defaults(func=cmd_run)


__all__ = ["add_scheduler_argument", "check_scheduler", "cmd_run", "register"]
