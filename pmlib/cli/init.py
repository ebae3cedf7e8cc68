"""``pmlib init DIR [--demo]``: make a council's working folder, ready for ``pmlib run``.

The folder holds ``parameters/``, ``data/``, ``notebooks/`` (copies of the notebooks pmlib
ships, to open in JupyterLab or to adapt), ``outputs/`` and a README of the quarterly routine.
With ``--demo`` the parameters and data are the demo council's (Northmoor, fictional), copied
from the files pmlib ships (:mod:`pmlib.core.shipped`), so ``pmlib run --quarter "2026/27 Q2"``
works at once; without it they are templates for a new council: parameter files to edit and data
tables holding only their header rows.

An existing, non-empty folder is never touched: the folder is built beside its destination and
renamed into place at the end, so a refusal or a failure leaves nothing behind.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
from importlib import resources
from pathlib import Path

from pmlib.core.errors import ParameterError

#: Where a council folder keeps its data, as written into its council.yaml (relative to it).
FOLDER_PATHS = {"data_dir": "../data", "benchmark_dir": "../data/benchmarks"}
#: Header rows of the benchmark files in a new council's folder.
BENCHMARK_HEADERS = {
    "benchmarks/benchmark.csv": "area_code,area_name,metric,period,value,numerator,denominator",
    "benchmarks/metrics.csv": "metric,name,unit,polarity,source",
    "benchmarks/peer_groups.csv": "group,area_code,area_name",
}


def _templates() -> Path:
    return Path(str(resources.files("pmlib.cli") / "templates"))


def _refuse_existing(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise ParameterError(
            f"{target} is a file, not a folder. Fix: give pmlib init the name of a new folder, "
            "e.g. pmlib init my-council."
        )
    if target.is_dir():
        entries = sorted(p.name for p in target.iterdir())
        if entries:
            shown = ", ".join(entries[:3]) + (", ..." if len(entries) > 3 else "")
            raise ParameterError(
                f"{target} already exists and is not empty ({shown}); pmlib init never "
                "overwrites files, so nothing was written. Fix: choose a new folder "
                f"(e.g. pmlib init {target.name}-2), or move the files out of {target} first."
            )


def point_at_folder(council_yaml: str) -> str:
    """The demo's council.yaml with ``data_dir`` and ``benchmark_dir`` pointing at ``../data``.

    The repository keeps the demo data in ``data/demo``; a council folder keeps its own in
    ``data``. Only the two values change (comments stay where they were); a missing setting is
    added.
    """
    text = council_yaml
    for key, value in FOLDER_PATHS.items():
        pattern = re.compile(rf"^({key}:[ \t]*)(\S+)", flags=re.MULTILINE)
        text, n = pattern.subn(lambda m, v=value: m.group(1) + v.ljust(len(m.group(2))), text)
        if not n:
            text = text.rstrip("\n") + f"\n{key}: {value}\n"
    return re.sub(r"[ \t]+$", "", text, flags=re.MULTILINE)


def _write_parameters(folder: Path, demo: bool) -> None:
    from pmlib.core.shipped import PARAMETER_FILES, shipped_dir

    shipped = shipped_dir("parameters")
    folder.mkdir()
    for name in PARAMETER_FILES:
        if demo or name == "rag_schemes.yaml":  # the published schemes suit any council
            text = (shipped / name).read_text(encoding="utf-8")
        else:
            text = (_templates() / name).read_text(encoding="utf-8")
        if name == "council.yaml":
            text = point_at_folder(text)
        (folder / name).write_text(text, encoding="utf-8", newline="")


def _write_data(folder: Path, demo: bool) -> None:
    from pmlib.core.shipped import DEMO_TABLES, demo_dir

    (folder / "benchmarks").mkdir(parents=True)
    if demo:
        source = demo_dir()
        for rel in DEMO_TABLES:
            shutil.copyfile(source / rel, folder / rel)
        return
    from pmlib.data.schema import CONTRACT, TABLES

    headers = {f"{t}.csv": ",".join(c.name for c in CONTRACT[t]) for t in TABLES}
    for rel, header in {**headers, **BENCHMARK_HEADERS}.items():
        (folder / rel).write_text(header + "\n", encoding="utf-8", newline="")


def _write_notebooks(folder: Path) -> None:
    from pmlib.core.shipped import shipped_dir

    folder.mkdir()
    for nb in sorted(shipped_dir("notebooks").glob("*.ipynb")):
        shutil.copyfile(nb, folder / nb.name)


def _council_name(parameters: Path) -> str:
    from pmlib.config.yaml import read_yaml

    council = read_yaml(parameters / "council.yaml")
    return str(council.get("name") or "Council") if isinstance(council, dict) else "Council"


def scaffold(target: str | Path, *, demo: bool = False) -> Path:
    """Make a council's working folder at ``target`` and return its path.

    Raises
    ------
    ParameterError
        When ``target`` is a file or a folder that is not empty (nothing is written).
    """
    target = Path(target)
    _refuse_existing(target)
    # built beside the destination (same file system, so the final rename is one step)
    build = target.parent / f".{target.name}.pmlib-init-{secrets.token_hex(4)}"
    try:
        build.mkdir(parents=True)
    except OSError as exc:
        raise ParameterError(
            f"Cannot create {target}: {exc.strerror or exc}. Fix: choose a folder you can write to."
        ) from None
    try:
        _write_parameters(build / "parameters", demo)
        _write_data(build / "data", demo)
        _write_notebooks(build / "notebooks")
        (build / "outputs").mkdir()
        council = _council_name(build / "parameters")
        title = f"{council} performance reports" + (" (pmlib demo)" if demo else "")
        readme = (_templates() / "README.md").read_text(encoding="utf-8")
        (build / "README.md").write_text(readme.replace("{title}", title), encoding="utf-8")
        _refuse_existing(target)  # made meanwhile?
        if target.is_dir():
            target.rmdir()  # empty: replaced by the finished folder
        os.replace(build, target)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    return target.resolve()


def cmd_init(args: argparse.Namespace) -> int:
    folder = scaffold(args.folder, demo=args.demo)
    what = "the demo council (Northmoor, fictional)" if args.demo else "a new council"
    if args.demo:
        steps = ["pmlib validate", 'pmlib run --quarter "2026/27 Q2"']
    else:
        steps = [
            "edit parameters/council.yaml and parameters/committees.yaml",
            "fill data/indicators.csv, targets.csv, actuals.csv, narratives.csv",
            "pmlib validate",
        ]
    print(f"Made {folder} for {what}. Next:")
    print(f"  cd {args.folder}", *(f"  {step}" for step in steps), sep="\n")
    print("The quarterly routine is in README.md there.")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "init",
        help="make a council's working folder (parameters, data, notebooks, outputs)",
        description="Make a council's working folder: parameters/, data/, notebooks/, "
        "outputs/ and a README of the quarterly routine. Refuses a folder that is not empty.",
    )
    p.add_argument("folder", type=Path, metavar="DIR", help="the folder to make (new or empty)")
    p.add_argument(
        "--demo",
        action="store_true",
        help="fill it with the demo council's parameters and data instead of templates",
    )
    p.set_defaults(func=cmd_init)


__all__ = ["cmd_init", "point_at_folder", "register", "scaffold"]
