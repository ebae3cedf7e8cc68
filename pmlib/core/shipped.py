"""Files pmlib ships beside its code: the report notebooks, the demo council and its parameters.

There is one copy of each, in the repository's own folders (``notebooks/``, ``data/demo/``,
``parameters/``), where ``make report``, ``make lab`` and the tests use them. A wheel maps those
folders into the package (``pyproject.toml``, ``[tool.setuptools.package-dir]``), so a plain
``pip install`` has them as ``pmlib/notebooks``, ``pmlib/examples/demo`` and
``pmlib/parameters``. An editable install or a source checkout has no such folders inside the
package (setuptools cannot map a data folder into an editable one), so :func:`shipped_dir` falls
back to the repository folder the wheel would have been built from.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from pmlib.core.errors import ParameterError

#: Folder in the installed package -> the repository folder it is built from. Must agree with
#: ``[tool.setuptools.package-dir]`` in pyproject.toml (tests/test_install.py checks).
SOURCES = {
    "notebooks": "notebooks",
    "examples": "data",
    "parameters": "parameters",
}
#: The demo council's data tables, as ``pmlib init --demo`` copies them (relative to the demo
#: folder). Named, not globbed: the generator's own inputs beside them are not data tables.
DEMO_TABLES = (
    "indicators.csv",
    "targets.csv",
    "actuals.csv",
    "narratives.csv",
    # the optional tables: key actions, risks, audit actions and budget monitoring
    "actions.csv",
    "action_updates.csv",
    "risks.csv",
    "risk_reviews.csv",
    "audit_actions.csv",
    "finance.csv",
    "benchmarks/benchmark.csv",
    "benchmarks/metrics.csv",
    "benchmarks/peer_groups.csv",
)
#: The parameter files every council folder holds.
PARAMETER_FILES = ("council.yaml", "committees.yaml", "rag_schemes.yaml")


def shipped_dir(name: str) -> Path:
    """The folder of shipped files called ``name`` (a key of :data:`SOURCES`).

    Installed from a wheel it is inside the package; from a checkout it is the repository's own
    folder, so there is never a second copy to drift.

    Raises
    ------
    ParameterError
        When neither exists: a broken install.
    """
    if name not in SOURCES:
        raise KeyError(f"{name!r} is not a shipped folder; choose one of {sorted(SOURCES)}")
    package = Path(str(resources.files("pmlib")))
    if (package / name).is_dir():  # installed from a wheel
        return package / name
    checkout = package.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / SOURCES[name]).is_dir():
        return checkout / SOURCES[name]
    raise ParameterError(
        f"pmlib's {name} folder is missing from {package}. Fix: reinstall pmlib "
        "(pip install --force-reinstall pmlib)."
    )


def notebook_path(name: str) -> Path:
    """A report notebook shipped with pmlib, such as ``committee_report.ipynb``."""
    path = shipped_dir("notebooks") / name
    if not path.is_file():
        raise ParameterError(
            f"The report notebook {name} is missing from {path.parent}. Fix: reinstall pmlib."
        )
    return path


def demo_dir() -> Path:
    """The demo council's data folder (Northmoor District Council, fictional)."""
    return shipped_dir("examples") / "demo"


__all__ = ["DEMO_TABLES", "PARAMETER_FILES", "SOURCES", "demo_dir", "notebook_path", "shipped_dir"]
