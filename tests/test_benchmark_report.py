"""The benchmarking deep-dive: its numbers, words and charts, the committee helper, the notebook.

Expected values are read from :func:`pmlib.benchmarking.stats.benchmark_stats` run independently on the
demo files (whose hand-worked correctness ``test_benchmark.py`` proves), never copied from the
report's own output.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import pandas as pd
import pytest

from pmlib.benchmarking.positions import LATEST_POSITION_COLUMNS, latest_positions, ordinal
from pmlib.benchmarking.stats import (
    CAVEAT,
    benchmark_stats,
    read_benchmarks,
    read_peer_groups,
    target_options,
)
from pmlib.core.errors import ParameterError
from pmlib.data.validate import read_dataset
from pmlib.reports.benchmark import BenchmarkReport

ROOT = Path(__file__).resolve().parents[1]
PARAMS = ROOT / "parameters"
BENCH = ROOT / "data" / "demo" / "benchmarks"
FOCUS = "E07000999"
GROUP = "nearest-neighbours"
RECYCLING = "household_recycling_pct"  # higher is better
HB_DAYS = "hb_new_claims_days"  # lower is better; Kestrel Vale blank in 2021/22


@pytest.fixture(scope="module")
def stats() -> pd.DataFrame:
    data = read_benchmarks(BENCH / "benchmark.csv")
    groups = read_peer_groups(BENCH / "peer_groups.csv")
    return benchmark_stats(data, peers=groups[GROUP], focus=FOCUS)


@pytest.fixture(scope="module")
def report() -> BenchmarkReport:
    return BenchmarkReport.build(metric=RECYCLING, params_dir=PARAMS)


def _ours(stats: pd.DataFrame, metric: str, period: str | None = None) -> pd.Series:
    rows = stats[stats["metric"].eq(metric) & stats["area_code"].eq(FOCUS)]
    rows = rows[rows["value"].notna()] if period is None else rows[rows["period"].eq(period)]
    return rows.iloc[-1]


def test_period_defaults_to_the_latest_with_our_figure(report, stats):
    assert report.period == _ours(stats, RECYCLING)["period"]
    assert report.sources.peer_group == GROUP and report.focus == FOCUS


def test_narrative_is_computed_from_the_numbers(report, stats):
    # By hand from benchmarks/benchmark.csv, the 16 nearest neighbours' recycling rates:
    # 2025/26: only 57.4, 56.3 and 55.5 beat our 51.2 → 4th of 16; percentile
    # 100 × (16 − 4) / 15 = 80 ≥ 75 → top quartile. 2024/25: 58.4, 57.6, 55.5 and 50.8 beat our
    # 50.1 → 5th, so up one place.
    row = _ours(stats, RECYCLING)
    text = report.narrative_text()
    rank, n, quartile = 4, 16, "top quartile"
    assert (int(row["rank"]), int(row["n"]), int(row["rank_change"])) == (rank, n, 1)
    assert text.startswith(
        "Ranked 4th of 16 nearest neighbours (top quartile), up one place since 2024/25."
    )
    # The median of 16 is the mean of the 8th and 9th, 46.55; published as Excel rounds it (half
    # away from zero, the one rule for every figure in a report), not Python's half-to-even 46.5.
    assert row["median"] == pytest.approx(46.55)
    assert "its value, 51.2, is 4.7 above the group median of 46.6" in text.lower()
    assert f"{abs(row['mads_from_median']):.1f} median absolute deviations" in text
    assert CAVEAT not in text  # the caveat is its own paragraph ...
    page = report.narrative().html
    assert html.escape(CAVEAT) in page and "Read with care" in page  # ... always shown
    assert report.summary() == {
        "Rank": f"{ordinal(rank)} of {n}",
        "Quartile": quartile,
        "Period": row["period"],
    }


def test_lower_is_better_ranks_smallest_first_and_lists_missing_peers(stats):
    r = BenchmarkReport.build(metric=HB_DAYS, params_dir=PARAMS, period="2021/22")
    shown = r.period_rows.dropna(subset=["value"])
    assert shown["value"].is_monotonic_increasing  # best (fewest days) first
    row = _ours(stats, HB_DAYS, "2021/22")
    assert r.position().startswith(f"{ordinal(int(row['rank']))} of {int(row['n'])} ")
    # the peer without a figure is listed with its reason, and the narrative counts it
    blank = stats[
        stats["metric"].eq(HB_DAYS) & stats["period"].eq("2021/22") & stats["value"].isna()
    ]
    miss = r.missing_frame()
    assert miss["area_code"].tolist() == blank["area_code"].tolist() == ["E07000904"]
    assert miss["reason"].tolist() == ["value blank"]
    assert "Kestrel Vale" in r.missing_table().html
    assert f"1 of the {int(row['n_group'])} members of the group has no figure" in (
        r.narrative_text()
    )


def test_target_table_shows_target_options(report, stats):
    options = target_options(stats, FOCUS, RECYCLING, report.period)
    page = report.target_table().html
    for target in options["target"]:
        assert report.fmt(target) in page
    assert options["target_period"].iloc[0] in page  # next year's period
    assert "<caption>" in page and "Peers improve too" in page


def test_ranking_table_names_our_council_in_words_not_colour(report, stats):
    page = report.ranking_table().html
    assert "<caption>" in page and 'scope="col"' in page
    assert "<strong>Northmoor (our council)</strong>" in page
    n_group = int(_ours(stats, RECYCLING)["n_group"])
    assert page.count("<tr") == n_group + 1  # every member, plus the header


def test_charts_describe_themselves_and_mark_our_council(report):
    charts = {
        "ranked": report.ranked_chart(),
        "rank": report.rank_chart(),
        "series": report.series_chart(),
        "multiples": report.small_multiples(),
    }
    specs = {k: c.to_dict() for k, c in charts.items()}
    for name, spec in specs.items():
        assert len(spec.get("description", "")) > 60, name
    ranked = json.dumps(specs["ranked"])
    assert "Northmoor (our council)" in ranked  # on the axis, in words
    assert "(our council)'" in ranked  # and a text marker beside the bar
    assert "Upper quartile" in ranked and "Median" in ranked
    assert report.position() in specs["ranked"]["description"]
    assert "shape" in json.dumps(specs["series"])  # ours: a diamond, the median: circles
    # every metric of the data gets a small multiple, each named in the text alternative
    metrics = pd.read_csv(BENCH / "metrics.csv")
    for name in metrics["name"]:
        assert name in specs["multiples"]["description"]


def test_positions_table_covers_every_metric(report, stats):
    frame = report.positions_frame()
    assert sorted(frame["metric"]) == sorted(stats["metric"].unique())
    hb = frame.set_index("metric").loc[HB_DAYS]
    row = _ours(stats, HB_DAYS)
    assert hb["Position"].startswith(f"{ordinal(int(row['rank']))} of {int(row['n'])}")


def test_bad_parameters_are_refused_with_what_is_available():
    with pytest.raises(ParameterError, match="hb_new_claims_days"):
        BenchmarkReport.build(metric="nope", params_dir=PARAMS)
    with pytest.raises(ParameterError, match="2019/20"):
        BenchmarkReport.build(metric=RECYCLING, params_dir=PARAMS, period="2040/41")
    with pytest.raises(ParameterError, match="county"):
        BenchmarkReport.build(metric=RECYCLING, params_dir=PARAMS, peer_group="cipfa")
    with pytest.raises(ParameterError, match="links to benchmark metric"):
        BenchmarkReport.build(metric=HB_DAYS, indicator="ENV01", params_dir=PARAMS)


# -- the committee reports' helper ------------------------------------------------------------
def test_latest_positions_on_demo_data(stats):
    ds = read_dataset(None, PARAMS)
    pos = latest_positions(ds)
    assert tuple(pos.columns) == LATEST_POSITION_COLUMNS
    linked = ds.indicators.dropna(subset=["benchmark_metric"])
    assert pos["indicator_id"].tolist() == linked["id"].tolist()
    for r in pos.itertuples():
        row = _ours(stats, r.metric)
        assert (r.period, r.rank, r.n, r.quartile) == (
            row["period"],
            row["rank"],
            row["n"],
            row["quartile"],
        )
        assert r.position_text.endswith(
            f"of {r.n} nearest neighbours, "
            + (["top", "second", "third", "bottom"][r.quartile - 1] + f" quartile ({r.period})")
        )


def test_latest_positions_up_to_a_period_and_other_group():
    ds = read_dataset(None, PARAMS)
    pos = latest_positions(ds, peer_group="county", up_to="2025/26 Q2").set_index("indicator_id")
    assert pos.at["ENV01", "period"] == "2024/25"  # 2025/26 had not ended by Q2
    assert pos.at["ECO01", "period"] == "2025/26 Q2"  # the quarterly planning figure had
    assert "county peers" in pos.at["ENV01", "position_text"]
    assert (pos["n"] <= 7).all()


def test_latest_positions_is_empty_without_a_benchmark_folder(council):
    ds = read_dataset(*council)  # the tiny council has no benchmark_dir
    pos = latest_positions(ds)
    assert pos.empty and tuple(pos.columns) == LATEST_POSITION_COLUMNS


# -- the notebook, rendered by ``pmlib benchmark`` through the batch runner --------------------
@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    from pmlib.cli.main import main

    out = tmp_path_factory.mktemp("benchmark_html")
    code = main(
        [
            "benchmark",
            "--params",
            str(PARAMS),
            "--metric",
            RECYCLING,
            HB_DAYS,
            "--jobs",
            "1",
            "--out",
            str(out),
        ]
    )
    return code, out


@pytest.mark.notebook
def test_notebook_renders_one_page_per_metric(rendered, report):
    from pmlib.render.html import find_external_refs

    code, out = rendered
    assert code == 0
    page = (out / "household-recycling-pct.html").read_text(encoding="utf-8")
    assert page.count("<h1") == 1
    assert page.index("<h1") < page.index("<h2")  # the cover comes first
    text = html.unescape(page)  # the exporter re-serialises entities
    assert report.narrative_text() in text
    assert CAVEAT in text
    assert page.count('class="pmlib-figure"') == 4
    assert find_external_refs(page) == []
    assert "metric = " not in page  # parameters and code are not shown
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    entries = {e["name"]: e for e in manifest["reports"]}
    assert set(entries) == {"household-recycling-pct", "hb-new-claims-days"}
    assert entries["household-recycling-pct"]["summary"] == report.summary()
    assert entries["hb-new-claims-days"]["title"].startswith("Benchmarking: Average days")
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Rank: " in index and "top quartile" in index


@pytest.mark.browser
@pytest.mark.notebook
def test_notebook_page_offline_in_chromium_charts_drawn_and_axe_clean(rendered, offline_browser):
    _, out = rendered
    assert offline_browser(out / "hb-new-claims-days.html")["charts"] == 4


def test_latest_positions_remembered_follow_the_library_and_the_period():
    """A later report's positions come from memory only when all they read is the same."""
    from dataclasses import replace

    from pmlib.benchmarking.positions import clear_positions_cache

    ds = read_dataset(None, PARAMS)
    first = latest_positions(ds, up_to="2026/27 Q2")
    first.loc[:, "position_text"] = "changed by the caller"  # a caller's frame is its own
    again = latest_positions(read_dataset(None, PARAMS), up_to="2026/27 Q2")
    clear_positions_cache()
    fresh = latest_positions(ds, up_to="2026/27 Q2")
    pd.testing.assert_frame_equal(again, fresh)
    assert not fresh["position_text"].eq("changed by the caller").any()
    # an indicator unlinked from its benchmark metric drops out
    ind = ds.indicators.copy()
    gone = fresh["indicator_id"].iloc[0]
    ind.loc[ind["id"].eq(gone), "benchmark_metric"] = None
    unlinked = latest_positions(replace(ds, indicators=ind), up_to="2026/27 Q2")
    assert gone not in set(unlinked["indicator_id"]) and len(unlinked) == len(fresh) - 1
    # an earlier period gives what was known then
    earlier = latest_positions(ds, up_to="2025/26 Q2").set_index("indicator_id")
    assert earlier.at["ENV01", "period"] == "2024/25"


def test_latest_positions_remembered_follow_the_benchmark_file(tmp_path):
    """Editing the benchmark file changes the positions a later report shows."""
    import shutil

    folder = tmp_path / "benchmarks"
    shutil.copytree(BENCH, folder)
    ds = read_dataset(None, PARAMS)
    files = {"benchmark_path": folder / "benchmark.csv", "peers_path": folder / "peer_groups.csv"}
    before = latest_positions(ds, up_to="2026/27 Q2", **files).set_index("indicator_id")
    data = pd.read_csv(folder / "benchmark.csv", dtype=str)
    metric, period = before.at["ENV01", "metric"], before.at["ENV01", "period"]
    mine = data["area_code"].eq(FOCUS) & data["metric"].eq(metric) & data["period"].eq(period)
    assert mine.sum() == 1
    data.loc[mine, "value"] = "0.5" if before.at["ENV01", "polarity"] == "up" else "99999"
    data.to_csv(folder / "benchmark.csv", index=False)
    after = latest_positions(ds, up_to="2026/27 Q2", **files).set_index("indicator_id")
    assert after.at["ENV01", "value"] != before.at["ENV01", "value"]
