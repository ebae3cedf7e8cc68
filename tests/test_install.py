"""pmlib installs anywhere: a plain wheel carries the notebooks, the demo council and its parameter
templates, declares every library it imports, and ``pmlib init`` + ``pmlib run`` work outside the
repository.

The slow test builds a wheel from a copy of the repository, installs it (not editable) into a
fresh virtual environment in a temporary folder, and runs the quarterly routine there. The
libraries pmlib depends on are borrowed from the test environment (a ``.pth`` file) so the test
needs no network; pmlib itself comes only from the wheel.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest
import yaml

import pmlib
from pmlib.core.shipped import DEMO_TABLES, PARAMETER_FILES, SOURCES, demo_dir, shipped_dir

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
#: Import name -> distribution name, where they differ.
DISTRIBUTION_OF = {
    "yaml": "pyyaml",
    "IPython": "ipython",
    "vl_convert": "vl-convert-python",
    "great_tables": "great-tables",
    "jupyter_client": "jupyter-client",
    "jupyter_core": "jupyter-core",
}
#: Declared dependencies pmlib does not import itself, and why it needs them.
NOT_IMPORTED = {
    "pyarrow": "pandas reads and stores text as Arrow strings with it (the loader relies on it)",
    "ipykernel": "the kernel the report notebooks run in",
    "psycopg": "SQLAlchemy's driver for postgresql+psycopg:// data sources (pmlib.data.sql)",
    "duckdb": "the DuckDB database duckdb:/// data sources read, through duckdb-engine",
    "duckdb-engine": "SQLAlchemy's dialect for duckdb:/// data sources (pmlib.data.sql)",
}
#: Folders of the repository that are not part of what pip builds from.
NOT_SOURCE = (".venv", ".git", "outputs", "build", "dist", "*.egg-info", "__pycache__")


def _requirement_name(req: str) -> str:
    name = req.split(";")[0]
    for stop in "<>=!~[ ":
        name = name.split(stop)[0]
    return name.strip().lower().replace("_", "-")


def _imports(source: str) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def _third_party_imports() -> dict[str, set[str]]:
    """Top-level import name -> the files (modules and shipped notebooks) that import it."""
    sources = {p: p.read_text(encoding="utf-8") for p in (ROOT / "pmlib").rglob("*.py")}
    for nb in (ROOT / "notebooks").glob("*.ipynb"):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
        lines = [
            ln for ln in "\n".join(code).splitlines() if not ln.lstrip().startswith(("%", "!"))
        ]
        sources[nb] = "\n".join(lines)
    used: dict[str, set[str]] = {}
    for path, text in sources.items():
        for name in _imports(text) - set(sys.stdlib_module_names) - {"pmlib", "__future__"}:
            used.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return used


def test_every_import_is_declared_and_every_declared_dependency_is_used():
    declared = {_requirement_name(r) for r in PYPROJECT["project"]["dependencies"]}
    used = _third_party_imports()
    needed = {DISTRIBUTION_OF.get(name, name).lower().replace("_", "-") for name in used}
    undeclared = {
        name: sorted(files)
        for name, files in used.items()
        if DISTRIBUTION_OF.get(name, name).lower().replace("_", "-") not in declared
    }
    assert not undeclared, f"imported but not in [project] dependencies: {undeclared}"
    unused = declared - needed - set(NOT_IMPORTED)
    assert not unused, (
        f"declared but never imported (drop them, or say why in NOT_IMPORTED): {unused}"
    )
    assert set(NOT_IMPORTED) <= declared


def test_the_import_check_sees_lazy_imports_and_notebook_cells():
    # jinja2 is imported only inside a function of pmlib/batch/manifest.py; altair by the
    # modules and (through pmlib) by the notebooks; a notebook's own import is counted too.
    used = _third_party_imports()
    assert "pmlib/batch/manifest.py" in used["jinja2"]
    assert _imports("def f():\n    import jinja2.sandbox\n") == {"jinja2"}
    assert _imports("from . import x\nfrom pmlib.core import y\n") == {"pmlib"}


def _normalised(req: str) -> str:
    name = _requirement_name(req)
    return name + req.replace(" ", "")[len(name) :]


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    conda = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))["dependencies"]
    listed = {_normalised(d) for d in conda if isinstance(d, str)}
    (pip,) = [d["pip"] for d in conda if isinstance(d, dict)]
    listed |= {_normalised(d) for d in pip if not d.startswith("-")}
    listed -= {"python>=3.11", "pip", "jupyterlab>=4.2"}  # the interpreter, pip, the [lab] extra
    declared = {_normalised(r) for r in PYPROJECT["project"]["dependencies"]}
    assert listed == declared
    assert {"jinja2>=3.1", "jupyter-client>=8.0"} <= listed  # "_" and "-" are one name


def test_the_wheel_packages_are_the_code_packages_plus_the_shipped_folders():
    setup = PYPROJECT["tool"]["setuptools"]
    code = {
        ".".join(p.relative_to(ROOT).parent.parts) for p in (ROOT / "pmlib").rglob("__init__.py")
    }
    shipped = {f"pmlib.{name}" for name in SOURCES}
    assert set(setup["packages"]) == code | shipped
    # the shipped folders map to the repository folders pmlib.core.shipped falls back to
    assert setup["package-dir"] == {f"pmlib.{k}": v for k, v in SOURCES.items()}
    data = PYPROJECT["tool"]["setuptools"]["package-data"]
    assert data["pmlib.examples"] == [f"demo/{rel}" for rel in DEMO_TABLES]
    assert data["pmlib.parameters"] == ["*.yaml"]
    files = [p.name for p in (ROOT / "parameters").iterdir() if p.is_file()]
    assert sorted(files) == sorted(PARAMETER_FILES)
    # parameters/examples/ (the seed councils' rules over the demo data) stays in the repository:
    # its data_dir points at ../../../data/demo, which an installed package does not have
    folders = [p.name for p in (ROOT / "parameters").iterdir() if p.is_dir()]
    assert folders == ["examples"]


def test_a_checkout_finds_the_repository_folders_themselves():
    # An editable install has no copies: the shipped folders are the repository's own.
    assert Path(pmlib.__file__).parent == ROOT / "pmlib"
    assert shipped_dir("notebooks") == ROOT / "notebooks"
    assert shipped_dir("parameters") == ROOT / "parameters"
    assert demo_dir() == ROOT / "data" / "demo"
    with pytest.raises(KeyError):
        shipped_dir("secrets")


def _copy_source(dest: Path) -> Path:
    shutil.copytree(ROOT, dest, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    return dest


def _build_wheel(src: Path, out: Path) -> Path:
    """A wheel built from ``src`` offline, with the test environment's setuptools."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "-q", "-w", str(out), str(src)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    (wheel,) = out.glob("pmlib-*.whl")
    return wheel


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    return _build_wheel(_copy_source(tmp / "src"), tmp / "dist")


@pytest.mark.slow
def test_the_wheel_ships_notebooks_templates_and_the_demo_council_unchanged(wheel):
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())

        def same(member: str, repo_file: Path) -> bool:
            return z.read(member) == repo_file.read_bytes()

        for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
            assert same(f"pmlib/notebooks/{nb.name}", nb)
        for name in PARAMETER_FILES:
            assert same(f"pmlib/parameters/{name}", ROOT / "parameters" / name)
        for rel in DEMO_TABLES:
            assert same(f"pmlib/examples/demo/{rel}", ROOT / "data" / "demo" / rel)
    assert "pmlib/render/templates/pmlib_report/index.html.j2" in names
    assert {"pmlib/cli/templates/council.yaml", "pmlib/cli/templates/README.md"} <= names
    # the demo generator and its README are the repository's, not the package's
    assert not [n for n in names if n.endswith(("generate.py", "demo/README.md"))]
    assert not [n for n in names if n.startswith(("tests/", "benchmarks/", "data/"))]


def _fresh_venv(path: Path, wheel: Path) -> Path:
    """A virtual environment with pmlib installed from ``wheel`` and nothing else of its own.

    pip installs the wheel before the test environment's libraries are borrowed (a ``.pth``
    file), so it sees no other pmlib; afterwards they supply pmlib's dependencies offline.
    """
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
    python = path / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    subprocess.run(
        [python, "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    borrowed = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(purelib) / "_borrowed_dependencies.pth").write_text("\n".join(sorted(borrowed)) + "\n")
    return python


@pytest.mark.slow
def test_pip_install_then_init_demo_then_run_builds_the_pack_outside_the_repository(
    wheel, tmp_path
):
    python = _fresh_venv(tmp_path / "venv", wheel)
    bindir = python.parent
    env = {
        **os.environ,
        "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}",
        # the borrowed libraries' data files (nbconvert's base templates), as pip would have
        # installed them into the fresh environment's share/jupyter
        "JUPYTER_PATH": str(Path(sys.prefix) / "share" / "jupyter"),
    }
    env.pop("PYTHONPATH", None)
    where = subprocess.run(
        [python, "-c", "import pmlib, importlib.metadata as m; print(pmlib.__file__); "
         "print(m.distribution('pmlib').read_text('direct_url.json') or '')"],
        check=True, capture_output=True, text=True, cwd=tmp_path, env=env,
    ).stdout.splitlines()  # fmt: skip
    assert Path(where[0]).is_relative_to(tmp_path / "venv")  # not the checkout
    assert '"editable": true' not in "".join(where[1:])

    work = tmp_path / "work"
    work.mkdir()
    pmlib_cmd = str(bindir / "pmlib")
    made = subprocess.run(
        [pmlib_cmd, "init", "--demo", "my-council"],
        capture_output=True, text=True, cwd=work, env=env,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    council = work / "my-council"
    ran = subprocess.run(
        [pmlib_cmd, "run", "--quarter", "2026/27 Q2", "--quiet", "--jobs", "2"],
        capture_output=True, text=True, cwd=council, env=env, timeout=600,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stdout + ran.stderr
    pack = council / "outputs" / "2026-27-Q2"
    committees = ["cabinet", "environment", "communities", "resources", "performance-board"]
    assert (pack / "index.html").is_file()
    for slug in committees:
        html = (pack / f"{slug}.html").read_text(encoding="utf-8")
        assert "Northmoor District Council" in html
    manifest = json.loads((pack / "manifest.json").read_text(encoding="utf-8"))
    reports = manifest["reports"]
    statuses = (
        {r["name"]: r["status"] for r in reports}
        if isinstance(reports, list)
        else {name: r["status"] for name, r in reports.items()}
    )
    assert statuses == dict.fromkeys(committees, "ok")
    assert str(ROOT) not in json.dumps(manifest)  # nothing came from the checkout

    # Without the folder's own notebooks, pmlib renders the one inside the installed package.
    shutil.rmtree(council / "notebooks")
    again = subprocess.run(
        [pmlib_cmd, "run", "--quarter", "2026/27 Q2", "--quiet", "--committee", "environment",
         "--out", "outputs/shipped"],
        capture_output=True, text=True, cwd=council, env=env, timeout=600,
    )  # fmt: skip
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Environment and Climate Scrutiny Committee" in (
        council / "outputs" / "shipped" / "environment.html"
    ).read_text(encoding="utf-8")
