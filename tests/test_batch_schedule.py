"""The order a batch starts its reports in (pmlib.batch.schedule): longest first, except that
reports drawing the same charts are not started side by side when running one after the other
lets the later one read the earlier one's drawings; one council's reports stay together."""

from __future__ import annotations

import itertools
from pathlib import Path

from pmlib.batch import runner as batch
from pmlib.batch.pack import plan_pack, report_specs
from pmlib.batch.runner import ReportSpec, run_batch
from pmlib.batch.schedule import REUSE, schedule, simulate

NB = Path(__file__).parent / "fixtures" / "notebooks" / "toy_report.ipynb"
ROOT = Path(__file__).resolve().parents[1]


def _spec(name: str, weight: float, shares: str = "") -> ReportSpec:
    return ReportSpec(name, name.title(), NB, {}, weight=weight, shares=frozenset(shares.split()))


def _weight(spec: ReportSpec) -> float:
    return spec.weight


def _names(order) -> list[str]:
    return [s.name for s in order]


def _pack_like(prefix: str = "") -> list[ReportSpec]:
    """The demo's shape: two long reports showing every indicator, three short ones showing a
    part each (a, b, c; keys prefixed per council)."""
    keys = {"a": "1 2 3 4", "b": "5 6 7", "c": "8 9"}
    every = " ".join(keys.values())

    def k(text: str) -> str:
        return " ".join(f"{prefix}{i}" for i in text.split())

    return [
        _spec(f"{prefix}cabinet", 57, k(every)),
        _spec(f"{prefix}a", 30, k(keys["a"])),
        _spec(f"{prefix}b", 25, k(keys["b"])),
        _spec(f"{prefix}c", 20, k(keys["c"])),
        _spec(f"{prefix}board", 59, k(every + " 10")),
    ]


def test_without_shared_work_the_order_is_longest_first_ties_as_given():
    specs = [_spec("small", 3), _spec("big", 40), _spec("medium", 10), _spec("other", 10)]
    for jobs in (1, 2, 3):
        assert _names(schedule(specs, jobs, _weight)) == ["big", "medium", "other", "small"]


def test_a_report_costs_less_after_one_that_drew_its_charts_but_not_beside_it():
    first, reader = _spec("first", 10, "x y"), _spec("reader", 10, "x y")
    end, total = simulate([first, reader], 1, _weight)
    assert total == end == 10 + 10 * (1 - REUSE)
    end, total = simulate([first, reader], 2, _weight)  # side by side: both draw
    assert (end, total) == (10, 20)


def test_the_two_long_reports_sharing_every_chart_are_not_started_together():
    specs = _pack_like()
    order = schedule(specs, 2, _weight)
    assert {order[0].name, order[1].name} != {"cabinet", "board"}
    assert sorted(_names(order)) == sorted(_names(specs))
    # and no order of these reports ends sooner under the same model
    best = min(simulate(p, 2, _weight)[0] for p in itertools.permutations(specs))
    assert simulate(order, 2, _weight)[0] == best
    assert best < simulate(sorted(specs, key=lambda s: -s.weight), 2, _weight)[0]


def test_on_one_worker_the_longest_report_draws_and_the_others_reuse():
    order = schedule(_pack_like(), 1, _weight)
    assert order[0].name == "board"  # shows every indicator: all the others read its charts


def test_each_councils_reports_stay_together_the_costliest_council_first():
    north, south = _pack_like("n-"), _pack_like("s-")
    south = [*south, _spec("s-extra", 5, "s-1")]  # shares with the south's reports only
    order = _names(schedule([*north, *south], 2, _weight))
    assert all(name.startswith("s-") for name in order[:6])
    assert all(name.startswith("n-") for name in order[6:])


def test_the_runner_hands_the_pool_the_scheduled_order(tmp_path, monkeypatch):
    started: list[str] = []

    def fake_pool(todo, out_dir, formats, *, done, **_):
        for spec in todo:
            started.append(spec.name)
            done[spec.name] = {"status": "failed", "error": "not rendered in this test"}

    monkeypatch.setattr(batch, "run_pool", fake_pool)
    specs = _pack_like()
    run_batch(specs, tmp_path / "out", jobs=2, progress=False)
    assert started == _names(schedule(specs, 2, _weight))
    assert started[:2] != ["board", "cabinet"]


def test_a_planned_pack_shares_its_indicators_keyed_by_data_and_period(tmp_path):
    plan = plan_pack(
        "2026/27 Q2", data_dir=ROOT / "data" / "demo", params_dir=ROOT / "parameters",
        out_dir=tmp_path / "out",
    )  # fmt: skip
    specs = {s.name: s for s in report_specs(plan)}
    board, cabinet = specs["performance-board"], specs["cabinet"]
    assert cabinet.shares < board.shares  # the board also sees the internal indicators
    committees = [s for name, s in specs.items() if name not in ("cabinet", "performance-board")]
    assert all(s.shares <= cabinet.shares for s in committees)
    assert all(len(s.shares) == plan.sizes[name] for name, s in specs.items())
    other_quarter = plan_pack(
        "2026/27 Q1", data_dir=ROOT / "data" / "demo", params_dir=ROOT / "parameters",
        out_dir=tmp_path / "out1",
    )  # fmt: skip
    earlier = {s.name: s for s in report_specs(other_quarter)}
    assert not earlier["cabinet"].shares & cabinet.shares
