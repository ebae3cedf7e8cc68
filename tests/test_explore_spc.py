"""The explorer's SPC view (pmlib.explore.spc_view), driven through its widgets.

The small council of ``conftest.py`` with R2 (days to process benefit claims, lower is better,
monthly, target 20 in 2026/27) given 15 months, April 2025 to June 2026, worked by hand:

    20 22 20 22 20 22 20 22 20 | 25 26 25 26 25 26

mean = (5×20 + 4×22 + 3×25 + 3×26) / 15 = 341 / 15 = 22.7333; moving ranges 8 × 2, 20→25 = 5,
5 × 1: 26 / 14 = 1.8571 (none screened: 5 < 3.267 × 1.8571 = 6.07); limits 22.7333 ∓ 4.94 =
17.794 to 27.674, two-sigma band up to 26.027 (so no 26 is beyond it). The last six are above
the mean: no shift at 7 points (latest point common cause), a shift at 6 (higher is worse:
concern). The target 20 is inside the limits: inconsistent either way.

Limits fixed after 8 points: mean 21, moving ranges 7 × 2 → limits 21 ∓ 5.32 = 15.68 to 26.32,
two-sigma band from 24.547: every 25 and 26 is beyond it on the same side, so two of three
flags the latest point: concern.

The demo's RES10 (customer transactions online, higher is better, target 65) is rebased at
2025-10, when the online account launched: its latest group is the 12 months October 2025 to
September 2026.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from pmlib.core.errors import ParameterError
from pmlib.data.validate import read_dataset
from pmlib.explore.explorer import Explorer
from tests.conftest import PARAMS, write_council

MONTHS = [f"2025-{m:02d}" for m in range(4, 13)] + [f"2026-{m:02d}" for m in range(1, 7)]
VALUES = [20, 22, 20, 22, 20, 22, 20, 22, 20, 25, 26, 25, 26, 25, 26]


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    data, params = write_council(tmp_path_factory.mktemp("spc-explore"))
    act = pd.read_csv(data / "actuals.csv", dtype=str, keep_default_na=False)
    act = act[act["indicator_id"] != "R2"]
    rows = [
        {"indicator_id": "R2", "period": m, "value": str(v), "status": "approved",
         "collected_by": "C. Eve", "approved_by": "D. Fox"}
        for m, v in zip(MONTHS, VALUES, strict=True)
    ]  # fmt: skip
    pd.concat([act, pd.DataFrame(rows)]).fillna("").to_csv(data / "actuals.csv", index=False)
    ex = Explorer(data, params, quarter="2026/27 Q1", committee="resources", background=False)
    ex.view()
    return ex


@pytest.fixture
def ex(small):
    small.reset()
    small.widgets["committee"].value = "resources"
    small.widgets["quarter"].value = "2026/27 Q1"
    small.widgets["indicator"].value = "R2"
    return small


def _words(html: str) -> str:
    html = re.sub(r"<svg.*?</svg>", "", html, flags=re.S)
    html = re.sub(r"<figure.*?</figure>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_view_starts_from_council_yaml_and_shows_icons_words_and_chart(ex):
    W = ex.widgets
    assert (W["spc_direction"].value, W["spc_shift"].value) == ("polarity", 7)
    assert (W["spc_screen"].value, W["spc_fix"].value) == (True, 0)
    row = ex.spc()["summary"]
    assert row["mean"] == pytest.approx(341 / 15)
    assert row["lpl"] == pytest.approx(341 / 15 - 2.66 * 26 / 14)
    assert row["variation_type"] == "common_cause"
    assert row["assurance_type"] == "inconsistent"
    shown = W["spc"].value
    assert "Common cause — no significant change" in _words(shown)
    assert "Will not reliably meet target" in _words(shown)
    assert shown.count("<svg") >= 3  # two icons and the chart
    assert 'aria-label="SPC chart for Days to process new benefit claims, days, over 15' in shown


def test_six_shift_points_find_the_run_of_six(ex):
    ex.widgets["spc_shift"].value = 6
    assert ex.spc_options["shift_points"] == 6
    assert ex.spc()["summary"]["variation_type"] == "special_cause_concern"
    assert "Special cause — concern" in _words(ex.widgets["spc"].value)
    ex.widgets["spc_shift"].value = 7
    assert ex.spc()["summary"]["variation_type"] == "common_cause"


def test_fixing_limits_after_eight_points(ex):
    ex.widgets["spc_fix"].value = 8
    row = ex.spc()["summary"]
    assert row["mean"] == pytest.approx(21.0)
    assert (row["lpl"], row["upl"]) == (pytest.approx(21 - 5.32), pytest.approx(21 + 5.32))
    assert row["variation_type"] == "special_cause_concern"


def test_direction_widget_overrides_polarity(ex):
    ex.widgets["spc_shift"].value = 6
    ex.widgets["spc_direction"].value = "increase"  # the run of six above is now improvement
    assert ex.spc()["summary"]["variation_type"] == "special_cause_improvement"
    ex.widgets["spc_direction"].value = "neutral"
    row = ex.spc()["summary"]
    assert row["variation_type"] == "special_cause_neutral_high"
    assert pd.isna(row["assurance_type"])  # no assurance without a better direction
    words = _words(ex.widgets["spc"].value)
    assert (
        "Special cause — higher than usual" in words and "target" not in words.split("SPC says")[0]
    )


def test_screen_outliers_widget_reaches_the_calculation(ex):
    """No moving range here is screened (see the module docstring), so switching screening off
    leaves the limits where they are; the option itself is passed on."""
    before = ex.spc()["summary"]["lpl"]
    ex.widgets["spc_screen"].value = False
    assert ex.spc_options["screen_outliers"] is False
    assert ex.spc()["summary"]["lpl"] == pytest.approx(before)


def test_reset_restores_council_yaml_options(ex):
    ex.widgets["spc_fix"].value = 8
    ex.widgets["spc_direction"].value = "neutral"
    ex.reset()
    assert ex.spc_options == {
        "direction": "polarity",
        "shift_points": 7,
        "screen_outliers": True,
        "fix_after": 0,
    }
    assert ex.widgets["spc_fix"].value == 0


def test_bad_options_are_refused(ex):
    with pytest.raises(ParameterError, match="use one of polarity, increase"):
        ex.set_spc_options(direction="up")
    with pytest.raises(ParameterError, match="use 7 or 6"):
        ex.set_spc_options(shift_points=5)
    with pytest.raises(ParameterError, match="0 for none"):
        ex.set_spc_options(fix_after=-1)


def test_an_indicator_with_fewer_than_two_figures_says_so(ex):
    ex.widgets["committee"].value = "environment"
    ex.widgets["indicator"].value = "R1"
    assert "has fewer than two figures" in ex.widgets["spc"].value


def test_demo_rebase_and_short_group_show_in_the_explorer():
    demo = read_dataset(None, PARAMS)
    ex = Explorer(dataset=demo, background=False, committee="resources", quarter="2026/27 Q2")
    ex.set_indicator("RES10")
    found = ex.spc()
    row = found["summary"]
    assert (row["groups"], row["n"]) == (2, 12)
    assert row["assurance_type"] == "consistent_pass"
    words = _words(ex.spc_html().html)
    assert "recalculated from 2025-10, after a change" in words
    assert "Limits from only 12 points since the last change" in words
