"""``pmlib init DIR [--demo]`` makes a council's working folder, and never overwrites one."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmlib.batch.pack import find_notebook
from pmlib.cli.init import point_at_folder, scaffold
from pmlib.cli.main import main
from pmlib.config.settings import read_settings
from pmlib.core.errors import ParameterError
from pmlib.core.shipped import DEMO_TABLES
from pmlib.data.plan_contract import PLAN_TABLES

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
NOTEBOOKS = ("benchmarking.ipynb", "committee_report.ipynb", "explore.ipynb")


def _tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory) -> Path:
    return scaffold(tmp_path_factory.mktemp("init") / "my-council", demo=True)


def test_demo_folder_has_the_demo_council_its_notebooks_and_the_routine(demo_folder):
    assert _tree(demo_folder) == sorted(
        [
            "README.md",
            "data",
            "data/benchmarks",
            *(f"data/{rel}" for rel in DEMO_TABLES),
            "notebooks",
            *(f"notebooks/{nb}" for nb in NOTEBOOKS),
            "outputs",
            "parameters",
            "parameters/council.yaml",
            "parameters/committees.yaml",
            "parameters/rag_schemes.yaml",
        ]
    )
    for rel in DEMO_TABLES:  # the repository's demo, byte for byte
        assert (demo_folder / "data" / rel).read_bytes() == (DEMO / rel).read_bytes()
    for nb in NOTEBOOKS:
        assert (demo_folder / "notebooks" / nb).read_bytes() == (
            ROOT / "notebooks" / nb
        ).read_bytes()
    for name in ("committees.yaml", "rag_schemes.yaml"):
        assert (demo_folder / "parameters" / name).read_bytes() == (
            ROOT / "parameters" / name
        ).read_bytes()


def test_the_demo_folder_carries_every_table_of_the_repositorys_demo():
    # a table added to data/demo (the optional actions/risks/finance tables) must reach
    # `pmlib init --demo` and the wheel, or a council's demo silently lacks those sections
    tables = {
        p.relative_to(DEMO).as_posix()
        for p in DEMO.rglob("*")
        if p.suffix in (".csv", ".xlsx", ".parquet") and "source" not in p.relative_to(DEMO).parts
    }
    assert tables == set(DEMO_TABLES)


def test_demo_council_yaml_points_at_the_folders_own_data(demo_folder):
    ours = (demo_folder / "parameters" / "council.yaml").read_text(encoding="utf-8").splitlines()
    repo = (ROOT / "parameters" / "council.yaml").read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(repo, ours, strict=True) if a != b]
    assert [b for _, b in changed] == [
        "data_dir: ../data                    # relative to this file",
        "benchmark_dir: ../data/benchmarks",
    ]
    council = read_settings(demo_folder / "parameters").council
    assert council.data_dir == demo_folder / "data"
    assert council.benchmark_dir == demo_folder / "data" / "benchmarks"


def test_demo_folder_validates(demo_folder, capsys, monkeypatch):
    monkeypatch.chdir(demo_folder)
    assert main(["validate"]) == 0
    assert "OK: Northmoor District Council data is valid." in capsys.readouterr().out


def test_readme_gives_the_quarterly_routine_in_order(demo_folder):
    text = (demo_folder / "README.md").read_text(encoding="utf-8")
    assert text.startswith("# Northmoor District Council performance reports (pmlib demo)\n")
    steps = [text.index(f"**{step}.**") for step in ("Validate", "Rate", "Run", "Check", "Send")]
    assert steps == sorted(steps)
    assert 'pmlib run --quarter "2026/27 Q2"' in text


def test_point_at_folder_changes_only_the_two_paths_and_keeps_comments_aligned():
    text = (
        "name: X   # shown\n"
        "data_dir: ../data/demo      # relative to this file\n"
        "benchmark_dir: /srv/bench\n"
    )
    assert point_at_folder(text) == (
        "name: X   # shown\n"
        "data_dir: ../data           # relative to this file\n"
        "benchmark_dir: ../data/benchmarks\n"
    )
    assert point_at_folder("name: X\n") == (
        "name: X\ndata_dir: ../data\nbenchmark_dir: ../data/benchmarks\n"
    )


def test_new_council_folder_has_templates_with_header_rows_only(tmp_path, capsys, monkeypatch):
    folder = scaffold(tmp_path / "new")
    optional = {f"{t}.csv" for t in PLAN_TABLES}  # left out: a council may have none of them
    for rel in DEMO_TABLES:  # same header row as the demo council's file, and nothing else
        if rel in optional:
            assert not (folder / "data" / rel).exists()
            continue
        header = (DEMO / rel).read_text(encoding="utf-8").splitlines()[0]
        assert (folder / "data" / rel).read_text(encoding="utf-8") == header + "\n"
    settings = read_settings(folder / "parameters")
    assert settings.council.name == "Example District Council"
    assert settings.council.data_dir == folder / "data"
    assert list(settings.committees) == ["cabinet", "performance-board"]
    assert "south-derbyshire" in settings.schemes
    assert (
        (folder / "README.md")
        .read_text(encoding="utf-8")
        .startswith("# Example District Council performance reports\n")
    )
    # an empty council is told what to fill in, not shown a traceback
    monkeypatch.chdir(folder)
    assert main(["validate"]) == 1
    err = capsys.readouterr().err
    assert "indicators.csv: has no indicators" in err
    assert "Traceback" not in err


def test_refuses_a_folder_that_is_not_empty_and_writes_nothing(tmp_path, capsys):
    target = tmp_path / "my-council"
    target.mkdir()
    (target / "notes.txt").write_text("keep me", encoding="utf-8")
    assert main(["init", "--demo", str(target)]) == 1
    err = capsys.readouterr().err
    assert "already exists and is not empty (notes.txt)" in err
    assert "Fix: choose a new folder (e.g. pmlib init my-council-2)" in err
    assert _tree(tmp_path) == ["my-council", "my-council/notes.txt"]
    assert (target / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_refuses_a_file(tmp_path):
    (tmp_path / "taken").write_text("x", encoding="utf-8")
    with pytest.raises(ParameterError, match="is a file, not a folder"):
        scaffold(tmp_path / "taken")
    assert _tree(tmp_path) == ["taken"]


def test_fills_an_empty_folder(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["init", str(tmp_path / "empty")]) == 0
    out = capsys.readouterr().out
    assert "for a new council" in out
    assert (tmp_path / "empty" / "parameters" / "council.yaml").is_file()


def test_a_failure_half_way_leaves_nothing_behind(tmp_path, monkeypatch):
    import pmlib.cli.init as init

    def broken(folder: Path) -> None:
        folder.mkdir()
        raise OSError("disk full")

    monkeypatch.setattr(init, "_write_notebooks", broken)
    with pytest.raises(OSError, match="disk full"):
        scaffold(tmp_path / "my-council", demo=True)
    assert _tree(tmp_path) == []


def test_run_prefers_the_folders_own_notebooks_then_the_shipped_ones(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shipped = find_notebook("committee_report.ipynb")
    assert shipped == ROOT / "notebooks" / "committee_report.ipynb"  # a checkout: the repo's
    (tmp_path / "notebooks").mkdir()
    own = tmp_path / "notebooks" / "committee_report.ipynb"
    own.write_text("{}", encoding="utf-8")
    assert find_notebook("committee_report.ipynb") == own.resolve()
    with pytest.raises(ParameterError, match=r"committee_report.ipynb not found in .*elsewhere"):
        find_notebook("committee_report.ipynb", tmp_path / "elsewhere")


def test_the_explorer_renders_the_council_folders_notebook(demo_folder, tmp_path, monkeypatch):
    # The explorer runs in notebooks/ with params_dir="../parameters" and plans the pack as
    # pmlib run does: the notebook is the council folder's own, not the one pmlib ships.
    from pmlib.batch.pack import plan_pack

    own = demo_folder / "notebooks" / "committee_report.ipynb"
    monkeypatch.chdir(demo_folder / "notebooks")
    plan = plan_pack("2026/27 Q2", params_dir="../parameters", out_dir=tmp_path / "out")
    assert plan.notebook == own
    monkeypatch.chdir(demo_folder)
    plan = plan_pack("2026/27 Q2", out_dir=tmp_path / "out")
    assert plan.notebook == own
    assert plan.params_dir == demo_folder / "parameters"


@pytest.mark.slow
@pytest.mark.notebook
def test_the_folders_explorer_notebook_runs_where_it_is_with_its_defaults(demo_folder):
    # notebooks/explore.ipynb reads ../parameters: in the council folder, the council's own.
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(demo_folder / "notebooks" / "explore.ipynb", as_version=4)
    nb.cells.append(  # where the notebook's default parameters led it
        nbformat.v4.new_code_cell(
            "from pmlib.data.validate import read_dataset\n"
            "print(read_dataset(data_dir, params_dir).sources['actuals'])"
        )
    )
    client = NotebookClient(
        nb, timeout=300, resources={"metadata": {"path": str(demo_folder / "notebooks")}}
    )
    client.execute()
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []
    assert nb.cells[-1].outputs[0].text.strip() == str(demo_folder / "data" / "actuals.csv")


def test_the_folder_gets_the_permissions_of_any_new_folder(tmp_path):
    # built elsewhere and renamed into place, it must not keep a private temporary folder's mode
    (tmp_path / "plain").mkdir()
    made = scaffold(tmp_path / "council")
    assert made.stat().st_mode == (tmp_path / "plain").stat().st_mode
