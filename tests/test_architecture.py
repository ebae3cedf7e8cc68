"""The package's shape holds: imports point one way through the layers, with no cycle.

The layers are declared here and in ``docs/architecture.md``; a module may import its own
subpackage and any subpackage of a lower rank, never one of the same rank or higher. Imports
under ``if TYPE_CHECKING:`` are not imports at run time and are ignored; lazy imports inside
functions count (they run, and they are where cycles hide).
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import pmlib

PACKAGE = Path(pmlib.__file__).parent

#: Subpackage -> rank. A module may import subpackages of a strictly lower rank (and its own).
LAYERS = {
    "core": 0,
    "config": 1,
    "data": 2,
    "rating": 3,
    "benchmarking": 3,
    "spc": 3,
    "present": 4,
    "returns": 4,
    "reports": 5,
    "render": 6,
    "pdf": 7,
    "batch": 8,
    "publish": 9,
    "cli": 10,
    "explore": 10,
}
#: Top-level modules: the package surface and ``python -m pmlib``.
TOP_LEVEL = {"__init__", "__main__"}


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).with_suffix("")
        parts = ["pmlib", *rel.parts]
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """The pmlib modules a file imports (``from pkg import sub`` counts as ``pkg.sub``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            skip |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("pmlib")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if not node.module.startswith("pmlib"):
                continue
            for a in node.names:
                sub = f"{node.module}.{a.name}"
                out.add(sub if sub in modules else node.module)
    return {m for m in out if m in modules}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(path, modules) - {name} for name, path in modules.items()}


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def test_every_subpackage_has_a_declared_layer_and_says_what_it_may_import():
    for path in sorted(PACKAGE.iterdir()):
        if path.is_dir() and (path / "__init__.py").exists():
            assert path.name in LAYERS, f"pmlib/{path.name}/ is not in LAYERS"
            doc = ast.get_docstring(ast.parse((path / "__init__.py").read_text()))
            assert doc and "may import" in doc.lower(), (
                f"pmlib/{path.name}/__init__.py: say what it may import"
            )
    loose = {p.stem for p in PACKAGE.glob("*.py")} - TOP_LEVEL
    assert not loose, f"modules outside any layer: {sorted(loose)}"


def test_imports_never_point_up_or_sideways():
    wrong = []
    for module, targets in _graph().items():
        mine = _layer(module)
        if mine is None:
            continue
        for target in targets:
            theirs = _layer(target)
            if theirs is None:
                wrong.append(f"{module} -> {target} (the package surface)")
            elif theirs != mine and LAYERS[theirs] >= LAYERS[mine]:
                wrong.append(f"{module} ({mine}) -> {target} ({theirs})")
    assert not wrong, "imports against the layer order:\n" + "\n".join(sorted(wrong))


def test_the_import_graph_has_no_cycle():
    graph = _graph()
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_the_graph_check_sees_an_upward_import(tmp_path):
    """The checker itself: a core module importing the batch layer is caught."""
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from pmlib.batch.runner import run_batch\n")
    modules = _modules()
    assert _imports(bad, modules) == {"pmlib.batch.runner"}


def test_import_pmlib_loads_neither_pandas_nor_pandera():
    code = (
        "import sys, pmlib, pmlib.cli, pmlib.render, pmlib.batch\n"
        "heavy = sorted(m for m in ('pandas', 'pandera', 'numpy', 'altair') if m in sys.modules)\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_public_names_resolve_lazily():
    for name in pmlib.__all__:
        assert getattr(pmlib, name) is not None
    assert pmlib.read_dataset.__module__ == "pmlib.data.validate"


@pytest.mark.parametrize(
    ("old", "name", "new"),
    [
        ("pmlib.rate", "rate_period", "pmlib.rating.engine"),
        ("pmlib.benchmark_io", "latest_positions", "pmlib.benchmarking.positions"),
        ("pmlib.committee", "CommitteeReport", "pmlib.reports.committee"),
    ],
)
def test_old_module_paths_still_work_with_a_deprecation_warning(old, name, new):
    sys.modules.pop(old, None)
    with pytest.warns(DeprecationWarning, match=f"{old} moved to .*{new}"):
        module = importlib.import_module(old)
    assert getattr(module, name) is getattr(importlib.import_module(new), name)


def test_names_moved_out_of_a_package_warn_and_resolve():
    import pmlib.render
    from pmlib.present import figures

    with pytest.warns(DeprecationWarning, match="pmlib.present.figures"):
        old = pmlib.render.enable_offline_charts
    assert old is figures.enable_offline_charts
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert pmlib.render.export_html.__module__ == "pmlib.render.html"
