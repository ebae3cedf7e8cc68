"""The committed Northmoor demo data: deterministic, within the data contract, and deliberately
messy in exactly the documented places (see data/demo/README.md)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest
import yaml

from pmlib.core.periods import try_parse_period

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
PARAMS = ROOT / "parameters"
FILES = (
    "indicators.csv",
    "targets.csv",
    "actuals.csv",
    "narratives.csv",
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
REQUIRED = {
    "indicators": [
        "id",
        "name",
        "priority",
        "kind",
        "unit",
        "polarity",
        "frequency",
        "measure",
        "aggregation",
    ],
    "targets": ["indicator_id", "period"],
    "actuals": ["indicator_id", "period", "value"],
    "narratives": ["indicator_id", "period"],
}
TODAY = dt.date(2026, 11, 22)


def _load_generator():
    spec = importlib.util.spec_from_file_location("northmoor_generate", DEMO / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up while the class is built
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return {
        name: pd.read_csv(DEMO / f"{name}.csv", dtype=str, keep_default_na=False, na_values=[""])
        for name in REQUIRED
    }


@pytest.fixture(scope="module")
def bench() -> dict[str, pd.DataFrame]:
    return {
        name: pd.read_csv(
            DEMO / "benchmarks" / f"{name}.csv", dtype=str, keep_default_na=False, na_values=[""]
        )
        for name in ("benchmark", "metrics", "peer_groups")
    }


# -- determinism ----------------------------------------------------------------------------
def _committed_outputs() -> set[str]:
    """Every data file committed under data/demo (the generator's script and sources aside)."""
    skip = {"generate.py", "README.md"}
    return {
        p.relative_to(DEMO).as_posix()
        for p in DEMO.rglob("*")
        if p.is_file()
        and p.name not in skip
        and "source" not in p.relative_to(DEMO).parts
        and "__pycache__" not in p.parts
    }


def _outputs(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_generator_is_deterministic_and_matches_committed_files(tmp_path):
    """In-process and from the command line (what `make demo-data` runs), byte for byte."""
    first, second = tmp_path / "a", tmp_path / "b"
    gen.generate(first)
    subprocess.run([sys.executable, str(DEMO / "generate.py"), str(second)], check=True)
    assert _committed_outputs() == set(FILES), "a committed demo file is not checked here"
    assert _outputs(first) == _outputs(second) == set(FILES)
    for name in FILES:
        a = (first / name).read_bytes()
        assert a == (second / name).read_bytes(), f"{name} differs between two runs"
        assert b"\r\n" not in a
        committed = DEMO / name
        assert committed.exists(), f"{name} is not committed; run python data/demo/generate.py"
        assert a == committed.read_bytes(), (
            f"data/demo/{name} has drifted from generate.py; run python data/demo/generate.py"
        )


def _copy_generator(tmp_path: Path, edit) -> ModuleType:
    """A copy of generate.py and its source/ folder, with ``edit(source_folder)`` applied first,
    loaded as a module (it reads the source/ beside it)."""
    shutil.copy(DEMO / "generate.py", tmp_path / "generate.py")
    shutil.copytree(DEMO / "source", tmp_path / "source")
    edit(tmp_path / "source")
    spec = importlib.util.spec_from_file_location("northmoor_copy", tmp_path / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not once in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_editing_a_source_file_changes_exactly_what_it_should(tmp_path):
    """ENV01's 2026/27 target 52 -> 53.5 and its Q2 level 50.4 -> 45.0: the target row, the Q2
    narrative's target and ENV01's July-September actuals change; nothing else does (the noise
    is seeded per indicator, and a pinned quarter draws no noise for its numerators)."""

    def edit(src: Path) -> None:
        indicators = src / "indicators.yaml"
        _replace(indicators, "2025/26: 52.0, 2026/27: 52.0}", "2025/26: 52.0, 2026/27: 53.5}")
        _replace(
            indicators,
            "{2026/27 Q1: 52.6, 2026/27 Q2: 50.4}",
            "{2026/27 Q1: 52.6, 2026/27 Q2: 45.0}",
        )

    out = tmp_path / "out"
    _copy_generator(tmp_path, edit).generate(out)
    for name in ("indicators.csv", *(f for f in FILES if f.startswith("benchmarks/"))):
        assert (out / name).read_bytes() == (DEMO / name).read_bytes(), name

    old, new = _lines(DEMO / "targets.csv"), _lines(out / "targets.csv")
    changed = [(a, b) for a, b in zip(old, new, strict=True) if a != b]
    assert changed == [("ENV01,2026/27,52,,,", "ENV01,2026/27,53.5,,,")]

    old, new = _lines(DEMO / "actuals.csv"), _lines(out / "actuals.csv")
    changed = [b.split(",")[:2] for a, b in zip(old, new, strict=True) if a != b]
    assert changed == [["ENV01", "2026-07"], ["ENV01", "2026-08"], ["ENV01", "2026-09"]]

    nar = pd.read_csv(out / "narratives.csv", dtype=str, keep_default_na=False).set_index(
        ["indicator_id", "period"]
    )
    assert "against a target of 53.5%" in nar.loc[("ENV01", "2026/27 Q2"), "performance_update"]
    assert "annual target of 52.0%," in nar.loc[("ENV01", "2025/26 Q3"), "performance_update"]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "WasteDataFlow return).\n  objective: Reduce, reuse and recycle more of our waste",
            "WasteDataFlow return).\n  objective: Recycle more",
            "indicators.yaml, ENV01: objective 'Recycle more' is not in the council_plan",
        ),
        (
            "    tonnes: true",
            "    tonnage: true",
            "indicators.yaml, ENV01: unknown key(s) tonnage;",
        ),
        (
            "2025/26: 52.0, 2026/27: 52.0}",
            "2025/26: 52.0}",
            "indicators.yaml, ENV01: 'targets' needs one value for each year 2022/23 to 2026/27",
        ),
    ],
)
def test_a_mistake_in_the_sources_is_named(tmp_path, old, new, message):
    def edit(src: Path) -> None:
        _replace(src / "indicators.yaml", old, new)

    with pytest.raises(ValueError) as caught:
        _copy_generator(tmp_path, edit)
    assert message in str(caught.value)


# -- the data contract ------------------------------------------------------------------------
def test_required_columns_and_unique_ids(tables):
    for name, cols in REQUIRED.items():
        missing = set(cols) - set(tables[name].columns)
        assert not missing, f"{name} lacks {missing}"
    ind = tables["indicators"]
    assert ind["id"].is_unique
    assert ind[REQUIRED["indicators"]].notna().all().all()
    assert 42 <= len(ind) <= 52
    for name in ("targets", "actuals", "narratives"):
        assert not tables[name].duplicated(["indicator_id", "period"]).any(), name


def test_every_reference_and_period_is_valid(tables):
    ids = set(tables["indicators"]["id"])
    for name in ("targets", "actuals", "narratives"):
        frame = tables[name]
        assert set(frame["indicator_id"]) <= ids, f"{name} names an unknown indicator"
        bad = [p for p in frame["period"].unique() if try_parse_period(p) is None]
        assert not bad, f"{name} has unreadable periods {bad}"


def test_actual_periods_match_frequency(tables):
    freq = tables["indicators"].set_index("id")["frequency"]
    expected = {
        "monthly": "month",
        "quarterly": "quarter",
        "six-monthly": "half",
        "annual": "year",
        "biennial": "year",
    }
    for ind_id, period in tables["actuals"][["indicator_id", "period"]].itertuples(index=False):
        assert try_parse_period(period).kind == expected[freq[ind_id]], (ind_id, period)


def test_percentages_and_ratios(tables):
    act = tables["actuals"].merge(
        tables["indicators"][["id", "unit", "aggregation"]], left_on="indicator_id", right_on="id"
    )
    value = pd.to_numeric(act["value"])
    num, den = pd.to_numeric(act["numerator"]), pd.to_numeric(act["denominator"])
    pct = act["unit"].eq("percent")
    assert value[pct].between(0, 100).all()
    assert (num <= den).where(den.notna(), True).all()
    ratio = act["aggregation"].eq("ratio")
    assert num[ratio].notna().all() and den[ratio].notna().all()
    recomputed = (100 * num / den)[ratio]
    assert ((recomputed - value[ratio]).abs() < 1e-3).all()


def test_no_row_is_approved_by_its_collector(tables):
    act = tables["actuals"]
    approved = act["status"].eq("approved")
    assert act.loc[approved, "approved_by"].notna().all()
    assert not (act["approved_by"] == act["collected_by"]).any()
    ind = tables["indicators"]
    assert not (ind["data_collector"] == ind["data_reviewer"]).any()


def test_rated_indicators_have_targets_for_every_actual_year(tables):
    ind = tables["indicators"].set_index("id")
    rated = ind.index[ind["kind"].ne("statistic") & ind["polarity"].ne("none")]
    tgt = tables["targets"]
    years = {(i, try_parse_period(p).fy) for i, p in tgt[["indicator_id", "period"]].values}
    baseline = ind["baseline_period"].dropna().map(lambda p: try_parse_period(p).fy)
    for i, p in tables["actuals"][["indicator_id", "period"]].values:
        fy = try_parse_period(p).fy
        if i in rated and baseline.get(i) != fy:  # a baseline year may have no target
            assert (i, fy) in years, f"{i} {p} has no target"
    band = tgt["lower"].notna()
    assert (pd.to_numeric(tgt.loc[band, "lower"]) <= pd.to_numeric(tgt.loc[band, "upper"])).all()
    assert (tgt["target"].notna() | band).all()


def test_committee_slugs_exist():
    committees = yaml.safe_load((PARAMS / "committees.yaml").read_text())["committees"]
    slugs = {c["slug"] for c in committees}
    assert {"cabinet", "environment", "communities", "resources", "performance-board"} <= slugs
    ind = pd.read_csv(DEMO / "indicators.csv", dtype=str, keep_default_na=False)
    named = {s.strip() for cell in ind["committees"] for s in cell.split(";") if s.strip()}
    assert named <= slugs
    priorities = set(ind["priority"])
    ids = set(ind["id"])
    for c in committees:
        assert set(c.get("priorities", [])) <= priorities, c["slug"]
        assert set(c.get("indicators", [])) <= ids, c["slug"]
    audience = {c["slug"]: c["audience"] for c in committees}
    assert audience["performance-board"] == "internal"
    assert sum(a == "public" for a in audience.values()) == 4


def test_council_yaml():
    council = yaml.safe_load((PARAMS / "council.yaml").read_text())
    assert council["area_code"] == gen.AREA_CODE
    assert (PARAMS / council["data_dir"]).resolve() == DEMO.resolve()
    assert (PARAMS / council["benchmark_dir"]).resolve() == (DEMO / "benchmarks").resolve()


# -- deliberate messiness --------------------------------------------------------------------
def _row(tables, ind_id, period):
    act = tables["actuals"]
    return act[(act["indicator_id"] == ind_id) & (act["period"] == period)]


def test_missing_late_and_unapproved_rows(tables):
    ind_id, period = gen.MISSING_VALUE
    assert _row(tables, ind_id, period).empty
    assert not _row(tables, ind_id, "2026/27 Q1").empty

    ind_id, period = gen.LATE_SUBMISSION
    late = _row(tables, ind_id, period).iloc[0]
    end = try_parse_period(period).end_date
    assert (dt.date.fromisoformat(late["collected_at"]) - end).days == 40
    assert late["status"] == "approved"

    ind_id, period = gen.UNAPPROVED
    row = _row(tables, ind_id, period).iloc[0]
    assert row["status"] == "submitted" and pd.isna(row["approved_by"])

    act = tables["actuals"]
    others = act[act["status"].ne("approved")]
    assert len(others) == 1
    lag = pd.to_datetime(act["collected_at"]) - act["period"].map(
        lambda p: pd.Timestamp(try_parse_period(p).end_date)
    )
    # figures reported a quarter in arrears are collected once due, not within 15 days
    in_arrears = act["indicator_id"].map(
        tables["indicators"].set_index("id")["reporting_lag"].notna()
    )
    assert (lag.dt.days > 15)[~in_arrears].sum() == 1  # only the deliberate late row is late


def test_documented_special_indicators(tables):
    ind = tables["indicators"].set_index("id")
    tgt = tables["targets"]
    assert set(ind.index[ind["visibility"].eq("internal")]) == set(gen.INTERNAL)
    stats = ind.index[ind["kind"].eq("statistic")]
    assert len(stats) >= 3
    assert not tgt["indicator_id"].isin(stats).any()
    zero = tgt[tgt["indicator_id"].eq(gen.ZERO_TARGET)]
    assert len(zero) and (pd.to_numeric(zero["target"]) == 0).all()
    assert ind.loc[gen.ZERO_TARGET, "tolerance"] == "absolute"
    band = tgt[tgt["indicator_id"].eq(gen.BAND_TARGET)]
    assert ind.loc[gen.BAND_TARGET, "polarity"] == "band"
    assert band["lower"].notna().all() and band["upper"].notna().all()
    assert set(tgt.loc[tgt["intervention"].notna(), "indicator_id"]) == set(gen.INTERVENTION)
    reviewed = pd.to_datetime(ind["last_reviewed"])
    stale = ind.index[reviewed < pd.Timestamp(TODAY) - pd.DateOffset(months=12)]
    assert set(stale) == set(gen.STALE_REVIEW)
    assert set(ind.index[ind["collection_method"].eq("project")]) == set(gen.PROJECT_METHOD)
    assert ind["benchmark_metric"].notna().sum() == 6


def test_narratives(tables):
    nar = tables["narratives"]
    ind_id, period = gen.RED_WITHOUT_NARRATIVE
    assert nar[(nar["indicator_id"] == ind_id) & (nar["period"] == period)].empty
    q2 = nar[nar["period"].eq("2026/27 Q2")]
    four_part = q2[["performance_update", "approach", "future_plans", "issues"]].notna().all(axis=1)
    assert four_part.sum() >= 10
    assert not nar["performance_update"].str.contains(r"\{|n/a", regex=True).any()
    assert gen.GREEN_TO_RED in set(q2["indicator_id"])


def test_green_to_red_counts(tables):
    ecoid = gen.GREEN_TO_RED
    q1 = _row(tables, ecoid, "2026/27 Q1").iloc[0]
    q2 = _row(tables, ecoid, "2026/27 Q2").iloc[0]
    target = float(
        tables["targets"].query("indicator_id == @ecoid and period == '2026/27'")["target"].iloc[0]
    )
    assert float(q1["value"]) >= target
    assert float(q2["value"]) < 0.95 * target


# -- benchmarks ------------------------------------------------------------------------------
def test_benchmarks(bench, tables):
    b, metrics, groups = bench["benchmark"], bench["metrics"], bench["peer_groups"]
    assert list(b.columns) == [
        "area_code",
        "area_name",
        "metric",
        "period",
        "value",
        "numerator",
        "denominator",
    ]
    assert set(b["metric"]) == set(metrics["metric"])
    assert set(tables["indicators"]["benchmark_metric"].dropna()) <= set(metrics["metric"])
    assert not b.duplicated(["area_code", "metric", "period"]).any()
    assert all(try_parse_period(p) is not None for p in b["period"].unique())
    assert b["value"].isna().sum() == 2
    nn = groups[groups["group"].eq("nearest-neighbours")]
    county = groups[groups["group"].eq("county")]
    assert len(nn) == 16 and len(county) == 7
    assert gen.AREA_CODE in set(nn["area_code"]) and gen.AREA_CODE in set(county["area_code"])
    assert set(county["area_code"]) <= set(nn["area_code"])
    assert set(b["area_code"]) > set(nn["area_code"])  # districts outside the peer group
    num, den = pd.to_numeric(b["numerator"]), pd.to_numeric(b["denominator"])
    assert (num <= den).where(den.notna(), True).all()
    pct = b["metric"].str.endswith("_pct")
    assert pd.to_numeric(b.loc[pct, "value"]).dropna().between(0, 100).all()


def test_northmoor_benchmark_matches_outturn(bench, tables):
    b = bench["benchmark"]
    own = b[b["area_code"].eq(gen.AREA_CODE)].set_index(["metric", "period"])["value"]
    act = tables["actuals"]
    ct = act[(act["indicator_id"] == "RES01") & (act["period"] == "2026-03")]["value"]
    assert float(own[("council_tax_collection_pct", "2025/26")]) == round(float(ct.iloc[0]), 1)
    eco = act[(act["indicator_id"] == "ECO01") & act["period"].str.startswith("2025/26")]
    pct = 100 * pd.to_numeric(eco["numerator"]).sum() / pd.to_numeric(eco["denominator"]).sum()
    assert float(own[("major_planning_13wk_pct", "2025/26")]) == round(pct, 1)
