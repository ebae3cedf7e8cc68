"""``pmlib publish``: a quarter's public website folder (see :mod:`pmlib.publish.site`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pmlib.cli.batch_options import add_batch_arguments
from pmlib.core.errors import ParameterError


def cmd_publish(args: argparse.Namespace) -> int:
    from pmlib.publish.site import publish_quarter  # lazy: the batch imports pandas

    if args.jobs is not None and args.jobs < 1:
        raise ParameterError(f"--jobs must be 1 or more, got {args.jobs}.")
    result = publish_quarter(
        args.quarter,
        out=args.out,
        data_dir=args.data,
        params_dir=args.params,
        run_dir=args.run_dir,
        notebook_dir=args.notebooks,
        status=args.status,
        allow_unapproved=args.allow_unapproved,
        signed_off_by=args.signed_off_by,
        pack=args.pack,
        base_url=args.base_url,
        jobs=args.jobs,
        force=args.force,
        progress=not args.quiet,
    )
    n = len(result.reports)
    print(
        f"Published {n} public report{'s' if n != 1 else ''} ({result.rendered} rendered, "
        f"{result.reused} unchanged) and their open data to {result.site}",
    )
    print(f"  landing page: {result.site / 'index.html'}")
    if not result.pack:
        print("  no agenda pack (add --pack to bind one)", file=sys.stderr)
    if not args.base_url:
        print(
            "  sitemap.xml lists relative addresses; add --base-url https://... (where the "
            "folder will be served) for search engines",
            file=sys.stderr,
        )
    print(f"  what was published is recorded in {result.run_dir / 'provenance.json'}")
    return 0


def register(sub) -> None:
    p = sub.add_parser(
        "publish",
        help="build a quarter's public website folder: the public reports, open data, sitemap",
        description="Render (or reuse) the public committees' reports for a quarter and build "
        "a static folder to copy to the council's website: a landing page, each public report "
        "as HTML and PDF, the quarter's open data as CSV with a Frictionless datapackage.json "
        "(Open Government Licence v3.0) and a sitemap. Nothing internal is published: no "
        "internal committee's report, no notebook, manifest, server path or hash. See "
        "docs/publishing.md.",
    )
    p.add_argument("--quarter", required=True, help="the quarter to publish, e.g. '2026/27 Q2'")
    p.add_argument(
        "--out",
        type=Path,
        help="the site folder, replaced as a whole (default site/<quarter>, e.g. site/2026-27-Q2)",
    )
    p.add_argument(
        "--base-url",
        metavar="URL",
        help="where the folder will be served, e.g. https://www.example.gov.uk/performance/"
        "2026-27-q2/ (full addresses in sitemap.xml; the pages' links stay relative)",
    )
    p.add_argument("--pack", action="store_true", help="also bind and publish the agenda pack")
    p.add_argument(
        "--run-dir",
        type=Path,
        help="the batch output folder to render into or reuse (default outputs/<quarter>)",
    )
    add_batch_arguments(p, status="final")
    p.set_defaults(func=cmd_publish)


__all__ = ["cmd_publish", "register"]
