"""SPC in the committee report (pmlib.reports.spc_sections), on the small council of
``conftest.py`` with R2 (days to process benefit claims, lower is better, monthly, target 20 in
2026/27) given 15 months of figures, April 2025 to June 2026, worked by hand:

    20 22 20 22 20 22 20 22 | 26 27 26 27 26 27 26        (2025-04 ... 2025-11 | 2025-12 ...)

One group (no rebase): mean = (4×20 + 4×22 + 4×26 + 3×27) / 15 = 353 / 15 = 23.5333; moving
ranges 7 × 2, then 22→26 = 4, then 6 × 1: sum 24 over 14 = 1.7143 (none screened: 4 < 3.267 ×
1.7143 = 5.60); limits 23.5333 ∓ 2.66 × 1.7143 = 18.9733 to 28.0933. The last 7 figures are all
above the mean: a shift, and higher is worse, so the latest point is a special cause of
*concern*. The target 20 lies between the limits: assurance *inconsistent*.

Rebased at 2025-12: the second group 26 27 26 27 26 27 26 has mean 185 / 7 = 26.4286, moving
ranges 6 × 1 (mean 1), limits 23.7686 to 29.0886; the figures alternate about the mean, so no
rule fires: *common cause*. The target 20 is below the lower limit and lower is better: the
process will *consistently miss* it. The group has 7 points (< 13): a short-group warning.

R2's 2026/27 Q1 figure is the mean of April to June 2026, (26 + 27 + 26) / 3 = 26.3 days,
against a target of 20 (31.7% over): Red, so R2 is an exception.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from pmlib.present.figures import Figure
from pmlib.reports.committee import CommitteeReport

QUARTER = "2026/27 Q1"
VALUES = [20, 22, 20, 22, 20, 22, 20, 22, 26, 27, 26, 27, 26, 27, 26]
MONTHS = [f"{y}-{m:02d}" for y, m in [(2025, m) for m in range(4, 13)] + [(2026, m) for m in range(1, 7)]]  # fmt: skip


def _council(council, spc: str | None, rebase: str = "") -> tuple:
    data, params = council
    act = pd.read_csv(data / "actuals.csv", dtype=str, keep_default_na=False)
    act = act[act["indicator_id"] != "R2"]
    rows = []
    for month, value in zip(MONTHS, VALUES, strict=True):
        y, m = map(int, month.split("-"))
        nxt = f"{y + (m == 12)}-{m % 12 + 1:02d}"
        rows.append(
            {
                "indicator_id": "R2",
                "period": month,
                "value": str(value),
                "status": "approved",
                "collected_by": "C. Eve",
                "collected_at": f"{nxt}-05",
                "approved_by": "D. Fox",
                "approved_at": f"{nxt}-07",
            }
        )
    pd.concat([act, pd.DataFrame(rows)]).fillna("").to_csv(data / "actuals.csv", index=False)
    if rebase:
        ind = pd.read_csv(data / "indicators.csv", dtype=str, keep_default_na=False)
        ind["spc_rebase"] = ind["id"].map({"R2": rebase}).fillna("")
        ind.to_csv(data / "indicators.csv", index=False)
    if spc is not None:
        path = params / "council.yaml"
        path.write_text(path.read_text(encoding="utf-8") + spc, encoding="utf-8")
    return data, params


def _report(data, params, committee: str = "resources") -> CommitteeReport:
    return CommitteeReport.build(
        quarter=QUARTER, committee=committee, data_dir=data, params_dir=params
    )


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.sub(r"<svg.*?</svg>", "", html)))


def test_one_group_is_a_shift_of_concern_that_will_hit_and_miss(council):
    r = _report(*_council(council, "spc: {show: true}\n"))
    row = r.spc.summary.loc["R2"]
    assert row["points"] == 15
    assert row["mean"] == pytest.approx(353 / 15)
    assert row["lpl"] == pytest.approx(353 / 15 - 2.66 * 24 / 14)
    assert row["upl"] == pytest.approx(353 / 15 + 2.66 * 24 / 14)
    assert row["variation_type"] == "special_cause_concern"
    assert row["assurance_type"] == "inconsistent"
    assert r.rated.set_index("indicator_id").loc["R2", "rag"] == "Red"
    says = r.spc.says("R2", "Red")
    assert says.startswith("SPC says the latest figure is a special cause of concern")
    assert "hit and miss the target at random" in says
    assert "recalculated" not in says and "fewer than 13" not in says


def test_the_scorecard_shows_icons_with_words_and_the_csv_the_words(council):
    r = _report(*_council(council, "spc: {show: true}\n"))
    html = r.scorecard().html
    assert '<th scope="col" class="pm-col-spc">SPC</th>' in html
    row = re.search(r'<tr id="sc-R2".*?</tr>', html).group(0)
    assert "Special cause — concern" in _text(row)
    assert "Will not reliably meet target" in _text(row)
    assert row.count("<svg") >= 2
    frame = r.scorecard_frame().set_index("indicator_id")
    assert frame.loc["R2", "spc_variation"] == "Special cause — concern"
    assert frame.loc["R2", "spc_assurance"] == "Will not reliably meet target"
    assert frame.loc["R2", "spc_points"] == 15
    assert not frame.loc["R2", "spc_short_group"]


def test_a_rebase_starts_new_limits_and_warns_of_a_short_group(council):
    r = _report(*_council(council, "spc: {show: true}\n", rebase="2025-12"))
    row = r.spc.summary.loc["R2"]
    assert (row["groups"], row["n"]) == (2, 7)
    assert row["mean"] == pytest.approx(185 / 7)
    assert (row["lpl"], row["upl"]) == (
        pytest.approx(185 / 7 - 2.66),
        pytest.approx(185 / 7 + 2.66),
    )
    assert row["variation_type"] == "common_cause"
    assert row["assurance_type"] == "consistent_fail"
    says = r.spc.says("R2", "Red")
    assert "Its mean and limits are recalculated from 2025-12, after a change." in says
    assert "Limits from only 7 points since the last change (fewer than 13)" in says
    assert "consistently miss the target" in says
    assert "Limits from only 7 points" in _text(r.scorecard().html)
    assert bool(r.scorecard_frame().set_index("indicator_id").loc["R2", "spc_short_group"])


def test_a_rebase_month_without_a_figure_starts_the_group_at_the_next_figure(council):
    """2025-11's figure is removed: a rebase at 2025-11 then starts at 2025-12, the same group
    as above (14 figures: min_points lowered to 14)."""
    data, params = _council(council, "spc: {show: true, min_points: 14}\n", rebase="2025-11")
    act = pd.read_csv(data / "actuals.csv", dtype=str, keep_default_na=False)
    act[~((act["indicator_id"] == "R2") & (act["period"] == "2025-11"))].to_csv(
        data / "actuals.csv", index=False
    )
    r = _report(data, params)
    row = r.spc.summary.loc["R2"]
    assert (row["points"], row["groups"], row["n"]) == (14, 2, 7)
    assert row["mean"] == pytest.approx(185 / 7)


def test_the_exception_section_gets_the_sentence_and_the_chart(council):
    r = _report(*_council(council, "spc: {show: true}\n"))
    assert "R2" in set(r.exceptions["indicator_id"])
    says, figure = r.spc.exception_parts("R2", r.rated, r.indicators)
    assert says.html.startswith('<p class="pmlib-spc-says">SPC says the latest figure is a')
    assert isinstance(figure, Figure)
    spec = figure.chart.to_dict(validate=False)
    assert spec["description"].startswith(
        "SPC chart for Days to process new benefit claims, days, over 15 points from 2025-04 "
        "to 2026-06."
    )
    glance = r.glance_text().html
    assert '<a href="#ex-R2">R2</a> Days to process new benefit claims: SPC says' in glance
    assert "Reading RAG and SPC together" in r.methodology().html


def test_too_few_points_or_an_indicator_not_chosen_gets_no_spc(council):
    data, params = _council(council, "spc: {show: true, min_points: 16}\n")
    r = _report(data, params)
    assert not r.spc.active
    assert "pm-col-spc" not in r.scorecard().html
    path = params / "council.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("min_points: 16", "indicators: [R1]"),
        encoding="utf-8",
    )
    r = _report(data, params)
    assert not r.spc.shown("R2")


def test_spc_show_off_changes_nothing_in_the_report(council):
    """The default (no spc: key) and an explicit show: false give the same report, with no SPC
    anywhere: no column, no sentence, no chart, no guide, no CSV columns."""
    data, params = _council(council, None)
    default = _report(data, params)
    path = params / "council.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "spc: {show: false}\n", encoding="utf-8")
    off = _report(data, params)
    for r in (default, off):
        assert not r.spc.active
        assert r.spc.exception_parts("R2", r.rated, r.indicators) == []
        parts = [r.scorecard().html, r.glance_text().html, r.methodology().html]
        assert not any("SPC" in p for p in parts)
        assert not [c for c in r.scorecard_frame().columns if c.startswith("spc")]
    assert off.scorecard().html == default.scorecard().html
    assert off.scorecard_frame().equals(default.scorecard_frame())


def test_the_chart_draws_each_periods_own_target_and_none_where_there_was_none(council):
    # R2 has a 2026/27 target of 20 only; add 2025/26's 24 with a Q4 row of 22 (Jan-Mar 2026)
    data, params = _council(council, "spc: {show: true}\n")
    path = data / "targets.csv"
    path.write_text(
        path.read_text(encoding="utf-8") + "R2,2025/26,24,,,\nR2,2025/26 Q4,22,,,\n",
        encoding="utf-8",
    )
    r = _report(data, params)
    _says, figure = r.spc.exception_parts("R2", r.rated, r.indicators)
    spec = figure.chart.to_dict(validate=False)
    rows = spec["datasets"][spec["vconcat"][0]["data"]["name"]]
    # Apr-Dec 2025: the year's 24; Jan-Mar 2026: the Q4 row's 22; Apr-Jun 2026: 2026/27's 20
    assert [row["target"] for row in rows] == [24] * 9 + [22] * 3 + [20] * 3
    line = [
        layer
        for layer in spec["vconcat"][0]["layer"]
        if layer["encoding"]["y"]["field"] == "target"
    ]
    assert line[0]["mark"]["interpolate"] == "step"  # a step where the target changed
    # assurance still compares the latest limits with today's target
    assert r.spc.summary.loc["R2", "target"] == 20


def test_a_period_without_a_target_has_no_target_line_there(council):
    r = _report(*_council(council, "spc: {show: true}\n"))  # R2: only 2026/27 has a target
    _says, figure = r.spc.exception_parts("R2", r.rated, r.indicators)
    spec = figure.chart.to_dict(validate=False)
    rows = spec["datasets"][spec["vconcat"][0]["data"]["name"]]
    assert [row["target"] for row in rows] == [None] * 12 + [20] * 3
    # one run of targets: the line starts at April 2026, joining nothing before it
    assert [row["target_run"] for row in rows] == [0] * 12 + [1] * 3
    key = spec["datasets"][spec["vconcat"][1]["data"]["name"]]
    assert "Target" in [row["label"] for row in key]
