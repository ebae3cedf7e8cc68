"""The options every verb that renders a batch of reports shares (``run``, ``publish``) and
those that read a council's data (``--data``, ``--params``; also ``load``), declared once so
their names, defaults and help texts cannot drift apart between verbs."""

from __future__ import annotations

import argparse
from pathlib import Path

from pmlib.core.dburl import data_location

__all__ = ["add_batch_arguments", "add_data_arguments", "add_params_argument"]

_UNAPPROVED = {
    "draft": "final only: render even though some figures are not approved, marking each "
    "'provisional' (without it a final run refuses and lists them)",
    "final": "publish final reports even though some figures are not approved, each marked "
    "'provisional'",
}
_SIGNED_OFF = {
    "draft": "final only (optional): who signed the reports off; shown on each cover and "
    "recorded in manifest.json",
    "final": "who signed the reports off",
}


def add_params_argument(p: argparse.ArgumentParser) -> None:
    """``--params``: the parameters folder."""
    p.add_argument(
        "--params", type=Path, default=None, help="parameters folder (default ./parameters)"
    )


def add_data_arguments(p: argparse.ArgumentParser) -> None:
    """``--data`` (a folder or a database URL, kept as text: ``Path`` would fold its ``//``)
    and ``--params``."""
    p.add_argument(
        "--data",
        type=data_location,
        default=None,
        help="data folder or database URL (default: council.yaml)",
    )
    add_params_argument(p)


def add_batch_arguments(p: argparse.ArgumentParser, *, status: str) -> None:
    """The options of a verb that renders a batch: which notebooks, how many workers, whether to
    re-render unchanged reports, quiet, the sign-off options and the data.

    ``status`` is the verb's default ``--status``: ``draft`` for ``run`` (a working pack),
    ``final`` for ``publish`` (what goes on the website); the sign-off options' help is worded
    for it.
    """
    p.add_argument("--notebooks", type=Path, help="folder holding committee_report.ipynb")
    p.add_argument("--jobs", type=int, default=None, help="parallel reports (default: cores)")
    p.add_argument("--force", action="store_true", help="render even unchanged reports")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    other = "final" if status == "draft" else "draft"
    p.add_argument(
        "--status",
        choices=(status, other),
        default=status,
        help=None
        if status == "draft"
        else "final (default) publishes signed-off reports; draft builds a preview marked "
        "'not for publication'",
    )
    p.add_argument("--allow-unapproved", action="store_true", help=_UNAPPROVED[status])
    p.add_argument("--signed-off-by", metavar="NAME", help=_SIGNED_OFF[status])
    add_data_arguments(p)
