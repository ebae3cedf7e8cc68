"""A no-change re-run reuses the last plan only while nothing the plan was made from changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmlib.batch import replan
from pmlib.batch.pack import PackPlan, plan_pack
from tests.conftest import write_council

QUARTER = "2026/27 Q1"


@pytest.fixture
def planned(council, tmp_path, monkeypatch):
    """The tiny council planned once and recorded (cache in a temp folder)."""
    monkeypatch.setenv("PMLIB_CACHE_DIR", str(tmp_path / "cache"))
    data, params = council
    key = replan.plan_key({"period": QUARTER, "params": str(params)})
    plan = plan_pack(QUARTER, data_dir=data, params_dir=params, out_dir=tmp_path / "out")
    replan.save_plan(key, plan)
    return key, plan, data, params


def test_an_unchanged_command_gets_the_recorded_plan_back(planned):
    key, plan, _, _ = planned
    assert replan.load_plan(key) == plan


def test_another_command_has_no_recorded_plan(planned):
    _, _, _, params = planned
    other = replan.plan_key({"period": "2026/27 Q2", "params": str(params)})
    assert replan.load_plan(other) is None


@pytest.mark.parametrize(
    "change",
    [
        lambda data, params: (data / "actuals.csv").write_text(
            (data / "actuals.csv").read_text() + "R3,2026/27 Q2,12,,,approved,A,,B,\n"
        ),
        lambda data, params: (params / "committees.yaml").write_text(
            (params / "committees.yaml").read_text().replace("Cabinet", "The Cabinet")
        ),
        # a new optional table in the data folder is read by validation: plan again
        lambda data, params: (data / "risks.csv").write_text("id,title\n"),
        lambda data, params: (data / "narratives.csv").unlink(),
    ],
    ids=["data edited", "parameters edited", "file added", "file removed"],
)
def test_any_change_to_what_the_plan_read_means_planning_again(planned, change):
    key, _, data, params = planned
    change(data, params)
    assert replan.load_plan(key) is None


def test_a_damaged_record_means_planning_again(planned, tmp_path):
    key, _, _, _ = planned
    (tmp_path / "cache" / "plans" / f"{key}.json").write_text("{not json", encoding="utf-8")
    assert replan.load_plan(key) is None


def test_old_records_are_pruned(planned, tmp_path, monkeypatch):
    key, plan, _, _ = planned
    monkeypatch.setattr(replan, "KEEP", 2)
    for i in range(3):
        replan.save_plan(f"k{i}", plan)
    assert len(list(Path(tmp_path / "cache" / "plans").glob("*.json"))) == 2


def test_every_field_of_a_plan_survives_the_record(tmp_path, monkeypatch):
    monkeypatch.setenv("PMLIB_CACHE_DIR", str(tmp_path / "cache"))
    write_council(tmp_path)
    plan = PackPlan(
        period_label="2026/27 Q2", period_slug="2026-27-Q2", council="Testshire",
        committees=("cabinet", "board"), titles={"cabinet": "Cabinet", "board": "Board"},
        public=("cabinet",), sizes={"cabinet": 3, "board": 4}, data_dir=tmp_path / "data",
        params_dir=tmp_path / "params", notebook=tmp_path / "nb.ipynb", out_dir=tmp_path / "out",
        status="final", inputs=(tmp_path / "data" / "a.csv",), signed_off_by="Jo Bloggs",
        allow_unapproved=True, provisional=(("R1", "2026/27 Q2", "submitted"),),
        skipped={"resources": "receives year reports only"},
    )  # fmt: skip
    replan.save_plan("k", plan)
    assert replan.load_plan("k") == plan


def test_a_plan_read_from_a_database_is_never_recorded(council, tmp_path, monkeypatch):
    monkeypatch.setenv("PMLIB_CACHE_DIR", str(tmp_path / "cache"))
    data, params = council
    plan = plan_pack(QUARTER, data_dir=data, params_dir=params, out_dir=tmp_path / "out")
    council_yaml = params / "council.yaml"
    council_yaml.write_text(
        council_yaml.read_text().replace("data_dir: ../data", "data_dir: duckdb:///perf.duckdb")
    )
    replan.save_plan("db", plan)
    assert replan.load_plan("db") is None
    assert not (tmp_path / "cache" / "plans" / "db.json").exists()
