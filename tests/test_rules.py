"""A council's reporting conventions from its parameters: the exception rule (``exceptions:``)
and, per committee, its own.

The hand-worked council below has three indicators reported quarterly, year to date, under the
South Derbyshire scheme (Amber up to 5% short of target, Red beyond), rated at 2026/27 Q2
against half the year target (profiled 6/12), and forecast by last year's profile (this year so
far × last year's outturn ÷ last year's figure at Q2):

* ``AM`` Amber, forecast to hit: 9.7 + 9.8 = 19.5 against 20 is 2.5% short (Amber); last year
  5 + 5 = 10 by Q2 and 40 by March, so the forecast is 19.5 × 40 / 10 = 78 against 40 (Green).
* ``RD`` Red, forecast to miss: 5 + 5 = 10 against 20 is 50% short (Red); last year 10 + 10 = 20
  by Q2 and 40 by March, so 10 × 40 / 20 = 20 against 40 (Red).
* ``GF`` Green now, forecast to miss: 11 + 11 = 22 against 20 (Green); last year 15 + 15 = 30 by
  Q2 and 40 by March, so 22 × 40 / 30 = 29.3 against 40 (Red).
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap

import pandas as pd
import pytest

from pmlib.cli.main import main
from pmlib.config.settings import read_settings
from pmlib.core.errors import DataValidationError
from pmlib.core.rules import ExceptionRule, exception_rule_for, on_target_for
from pmlib.present.conventions import on_target_counts
from pmlib.present.text import glance_narrative, rag_counts
from pmlib.rating.exceptions import mark_exceptions, rule_words, select_exceptions
from pmlib.reports.committee import CommitteeReport
from tests.conftest import COUNCIL, write_council

NEW_FOREST = ExceptionRule(rags=("Red", "Amber"), forecast_rags=("Red", "Amber"), combine="and")

# -- the rule on a rating frame, worked by hand ---------------------------------------------------

CASES = pd.DataFrame(
    [
        # id, rating now, forecast rating
        ("AM", "Amber", "Green"),  # Amber, forecast to hit
        ("RD", "Red", "Red"),  # Red, forecast to miss
        ("GA", "Green", "Amber"),  # on target now, forecast a little short
        ("GR", "Green", "Red"),  # on target now, forecast well short
        ("AA", "Amber", "Amber"),  # Amber, forecast a little short
        ("RG", "Red", "Green"),  # Red, forecast to recover
        ("GG", "Green", "Green"),
        ("YY", "Grey", ""),
        ("ND", "No data", ""),
    ],
    columns=["indicator_id", "rag", "forecast_rag"],
).assign(name=lambda d: "Name of " + d["indicator_id"])


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        # today's rule: Red or Amber, or any forecast miss
        (ExceptionRule(), {"AM", "RD", "GA", "GR", "AA", "RG"}),
        # New Forest: outside the thresholds AND profiled to miss
        (NEW_FOREST, {"RD", "AA"}),
        # Dorset: Red or Amber; forecasts do not raise one
        (ExceptionRule(forecast_rags=()), {"AM", "RD", "AA", "RG"}),
        # Red only, or a forecast miss beyond tolerance
        (ExceptionRule(rags=("Red",), forecast_rags=("Red",)), {"RD", "GR", "RG"}),
        # Red and a forecast miss beyond tolerance
        (ExceptionRule(rags=("Red",), forecast_rags=("Red",), combine="and"), {"RD"}),
        # missing figures are exceptions too
        (ExceptionRule(rags=("Red", "No data"), forecast_rags=()), {"RD", "RG", "ND"}),
    ],
)
def test_each_rule_selects_the_hand_worked_rows(rule, expected):
    marked = mark_exceptions(CASES, rule).set_index("indicator_id")
    assert set(marked.index[marked["exception"]]) == expected
    assert set(select_exceptions(CASES, rule)["indicator_id"]) == expected
    # a row that is not an exception has no reason; one that is always has one
    assert marked.loc[~marked["exception"], "exception_reason"].eq("").all()
    assert marked.loc[marked["exception"], "exception_reason"].ne("").all()


def test_new_forest_reasons_say_both_conditions():
    marked = mark_exceptions(CASES, NEW_FOREST).set_index("indicator_id")
    assert marked.loc["RD", "exception_reason"] == "Red and forecast to miss the year-end target"
    assert marked.loc["AA", "exception_reason"] == "Amber and forecast to miss the year-end target"
    assert not marked.loc["AM", "exception"] and marked.loc["AM", "exception_reason"] == ""
    at_year_end = mark_exceptions(CASES, NEW_FOREST, year_end=True).set_index("indicator_id")
    assert at_year_end.loc["RD", "exception_reason"] == "Red and missed the year-end target"


def test_the_rule_in_words():
    assert rule_words(ExceptionRule()) == (
        "rated Red or Amber, or forecast to miss the year-end target"
    )
    assert rule_words(NEW_FOREST) == "rated Red or Amber and forecast to miss the year-end target"
    assert rule_words(ExceptionRule(forecast_rags=())) == "rated Red or Amber"


def test_the_input_is_not_changed():
    before = CASES.copy()
    mark_exceptions(CASES, NEW_FOREST)
    pd.testing.assert_frame_equal(CASES, before)


# -- council.yaml and committees.yaml ---------------------------------------------------------------


def _params(tmp_path, council_extra: str = "", committee_extra: str = ""):
    data, params = write_council(tmp_path)
    (params / "council.yaml").write_text(COUNCIL + council_extra, encoding="utf-8")
    committees = textwrap.dedent(
        """\
        committees:
          - slug: cabinet
            title: Cabinet
            all_indicators: true
          - slug: scrutiny
            title: Scrutiny Panel
            all_indicators: true
        """
    )
    (params / "committees.yaml").write_text(committees + committee_extra, encoding="utf-8")
    return data, params


def test_defaults_are_todays_rule_and_green_only(tmp_path):
    _, params = _params(tmp_path)
    s = read_settings(params)
    assert s.council.exceptions == ExceptionRule(("Red", "Amber"), ("Red", "Amber"), "or")
    assert s.council.on_target == ("Green",)
    assert s.committees["cabinet"].exceptions is None
    assert exception_rule_for(s.council, s.committees["cabinet"]) == ExceptionRule()
    assert on_target_for(s.council, s.committees["cabinet"]) == ("Green",)


def test_a_committee_overrides_the_council(tmp_path):
    council = "exceptions:\n  ratings: [red, AMBER]\n  forecast_miss: any\n  combine: and\n"
    committee = (
        "    exceptions: {ratings: [Red], forecast_miss: none}\n    on_target: [Green, Grey]\n"
    )
    _, params = _params(tmp_path, council, committee)
    s = read_settings(params)
    assert s.council.exceptions == NEW_FOREST  # letter case is forgiven
    # the scrutiny panel (the last entry) has its own; the cabinet inherits the council's
    assert exception_rule_for(s.council, s.committees["cabinet"]) == NEW_FOREST
    own = exception_rule_for(s.council, s.committees["scrutiny"])
    assert own == ExceptionRule(rags=("Red",), forecast_rags=(), combine="or")
    assert on_target_for(s.council, s.committees["scrutiny"]) == ("Green", "Grey")
    assert on_target_for(s.council, s.committees["cabinet"]) == ("Green",)


@pytest.mark.parametrize(
    ("yaml", "column", "value", "fix"),
    [
        ("exceptions: {combine: xor}", "exceptions.combine", "'xor'", "or: a qualifying"),
        ("exceptions: {forecast_miss: amber}", "exceptions.forecast_miss", "'amber'", "any:"),
        ("exceptions: {ratings: [Red, Purple]}", "exceptions.ratings", "Purple", "use any of"),
        ("exceptions: {rating: [Red]}", "exceptions.rating", None, "use one of ratings"),
        ("exceptions: Red", "exceptions", "'Red'", "write e.g. exceptions:"),
        (
            "exceptions: {ratings: [Red], forecast_miss: none, combine: and}",
            "exceptions",
            None,
            "name at least one rating",
        ),
        ("on_target: [Amber, Grey]", "on_target", "Amber", "write [Green, Amber, Grey]"),
        ("on_target: [Green, Red]", "on_target", "Red", "use any of Green, Amber, Grey"),
    ],
)
def test_a_bad_value_names_the_file_key_value_and_fix(tmp_path, yaml, column, value, fix):
    _, params = _params(tmp_path, yaml + "\n")
    with pytest.raises(DataValidationError) as err:
        read_settings(params)
    [problem] = err.value.problems
    assert (problem.file, problem.column) == ("council.yaml", column)
    assert fix in problem.fix
    if value is not None:
        assert value in str(problem)


def test_a_committee_key_is_named_with_its_entry(tmp_path):
    _, params = _params(tmp_path, "", "    exceptions: {combine: both}\n")
    with pytest.raises(DataValidationError) as err:
        read_settings(params)
    [problem] = err.value.problems
    assert (problem.file, problem.column) == ("committees.yaml", "committees[2].exceptions.combine")


# -- the report and pmlib rate: the hand-worked council ------------------------------------------

INDICATORS = """\
id,name,definition,priority,objective,committees,kind,unit,decimals,polarity,frequency,measure,aggregation,rag_scheme,owner,data_collector,data_reviewer,data_source,collection_method,visibility,last_reviewed
AM,Amber forecast to hit,Def,Efficient,Obj,,KPI,number,1,higher,quarterly,cumulative,sum,,Head,V. Costa,W. Ahmed,System,system,public,2026-06-01
RD,Red forecast to miss,Def,Efficient,Obj,,KPI,number,1,higher,quarterly,cumulative,sum,,Head,V. Costa,W. Ahmed,System,system,public,2026-06-01
GF,Green forecast to miss,Def,Efficient,Obj,,KPI,number,1,higher,quarterly,cumulative,sum,,Head,V. Costa,W. Ahmed,System,system,public,2026-06-01
"""
QUARTERS = {
    "AM": ((5, 5, 15, 15), (9.7, 9.8)),
    "RD": ((10, 10, 10, 10), (5, 5)),
    "GF": ((15, 15, 5, 5), (11, 11)),
}


def write_hand_worked(root, council_extra: str = "", committee_extra: str = ""):
    data, params = _params(root, council_extra, committee_extra)
    (data / "indicators.csv").write_text(INDICATORS, encoding="utf-8")
    targets = ["indicator_id,period,target,intervention,lower,upper"]
    actuals = [
        "indicator_id,period,value,numerator,denominator,status,collected_by,collected_at,"
        "approved_by,approved_at"
    ]
    for ind, (last_year, this_year) in QUARTERS.items():
        targets += [f"{ind},2025/26,40,,,", f"{ind},2026/27,40,,,"]
        for fy, values in (("2025/26", last_year), ("2026/27", this_year)):
            for q, v in enumerate(values, start=1):
                actuals.append(f"{ind},{fy} Q{q},{v},,,approved,V. Costa,,W. Ahmed,")
    (data / "targets.csv").write_text("\n".join(targets) + "\n", encoding="utf-8")
    (data / "actuals.csv").write_text("\n".join(actuals) + "\n", encoding="utf-8")
    (data / "narratives.csv").write_text(
        "indicator_id,period,performance_update,approach,future_plans,issues,author,updated_at\n",
        encoding="utf-8",
    )
    return data, params


NF_YAML = "exceptions:\n  ratings: [Red, Amber]\n  forecast_miss: any\n  combine: and\n"


@pytest.fixture(scope="module")
def nf_reports(tmp_path_factory):
    """The council under New Forest's rule; its scrutiny panel keeps today's rule."""
    data, params = write_hand_worked(
        tmp_path_factory.mktemp("nf"),
        NF_YAML,
        "    exceptions: {ratings: [Red, Amber], forecast_miss: any, combine: or}\n"
        "    on_target: [Green, Amber, Grey]\n",
    )
    build = dict(quarter="2026/27 Q2", data_dir=data, params_dir=params, as_of=dt.date(2026, 11, 1))
    return {
        "cabinet": CommitteeReport.build(committee="cabinet", **build),
        "scrutiny": CommitteeReport.build(committee="scrutiny", **build),
        "data": data,
        "params": params,
    }


def test_the_hand_worked_ratings_hold(nf_reports):
    r = nf_reports["cabinet"].rated.set_index("indicator_id")
    assert list(r.loc[["AM", "RD", "GF"], "value"]) == [19.5, 10, 22]
    assert list(r.loc[["AM", "RD", "GF"], "rag"]) == ["Amber", "Red", "Green"]
    assert list(r.loc[["AM", "RD", "GF"], "forecast"]) == pytest.approx([78, 20, 29.3])
    assert list(r.loc[["AM", "RD", "GF"], "forecast_rag"]) == ["Green", "Red", "Red"]


def test_new_forest_amber_forecast_to_hit_is_not_an_exception_red_forecast_to_miss_is(nf_reports):
    nf, today = nf_reports["cabinet"], nf_reports["scrutiny"]
    assert list(nf.exceptions_frame()["indicator_id"]) == ["RD"]
    assert list(today.exceptions_frame()["indicator_id"]) == ["RD", "AM", "GF"]
    # the scorecard's lead sentence words the rule each report applies
    assert "1 indicator is an exception (rated Red or Amber and forecast to miss the year-end " \
        "target)" in nf.scorecard().html  # fmt: skip
    assert "3 indicators are exceptions (rated Red or Amber, or forecast to miss the year-end " \
        "target)" in today.scorecard().html  # fmt: skip
    # exception sections, and the missing-commentary check, follow the same rule
    heads = [head.html for head, _, _ in nf.exception_sections()]
    assert len(heads) == 1 and 'id="ex-RD"' in heads[0]
    quality = nf.data_quality().html
    assert "(Red and forecast to miss the year-end target) with no officer commentary" in quality
    assert quality.count("with no officer commentary") == 1
    assert today.data_quality().html.count("with no officer commentary") == 3


def test_the_glance_lists_forecast_misses_and_links_only_exceptions(nf_reports):
    glance = nf_reports["cabinet"].glance_text().html
    assert "Forecast to miss the year-end target (2 indicators):" in glance
    assert '<a href="#ex-RD">RD Red forecast to miss</a>' in glance
    # GF is forecast to miss but, on target now, is not a New Forest exception: no link
    assert "<li>GF Green forecast to miss: forecast 29.3 against a year-end target of 40" in glance


def test_pmlib_rate_out_writes_exception_and_reason(nf_reports, tmp_path):
    out = tmp_path / "rate.csv"
    args = ["--data", str(nf_reports["data"]), "--params", str(nf_reports["params"])]
    for committee, expected in (
        ("cabinet", {"AM": "", "RD": "Red and forecast to miss the year-end target", "GF": ""}),
        (
            "scrutiny",
            {
                "AM": "Amber",
                "RD": "Red; forecast to miss the year-end target",
                "GF": "forecast to miss the year-end target",
            },
        ),
    ):
        argv = ["rate", "--period", "2026/27 Q2", "--committee", committee, "--out", str(out)]
        assert main([*argv, *args]) == 0
        got = pd.read_csv(out, keep_default_na=False).set_index("indicator_id")
        assert got["exception_reason"].to_dict() == expected
        assert got["exception"].to_dict() == {k: v != "" for k, v in expected.items()}


# -- on_target: the headline grouping ---------------------------------------------------------------

HEADLINE = pd.DataFrame(
    {
        "indicator_id": [f"I{n}" for n in range(10)],
        "name": [f"Indicator {n}" for n in range(10)],
        "rag": ["Green"] * 4 + ["Amber"] * 2 + ["Red"] * 2 + ["Grey", "No data"],
    }
)


@pytest.mark.parametrize(
    ("on_target", "sentence", "counts"),
    [
        (
            ("Green",),  # today's wording, unchanged
            "8 are rated against a target: 4 are on target (Green), 2 within tolerance (Amber) "
            "and 2 off target (Red).",
            {"Red": 2, "Amber": 2, "Green": 4, "Grey": 1, "No data": 1},
        ),
        (
            ("Green", "Amber", "Grey"),  # South Derbyshire's committees
            "7 are on target (4 Green, 2 Amber and 1 Grey) and 2 are off target (Red). Amber "
            "and Grey are counted as on target, as the council's framework sets out.",
            {"On target": 7, "Red": 2, "No data": 1},
        ),
        (
            ("Green", "Grey"),
            "5 are on target (4 Green and 1 Grey), 2 are within tolerance (Amber) and 2 are off "
            "target (Red). Grey is counted as on target, as the council's framework sets out.",
            {"On target": 5, "Red": 2, "Amber": 2, "No data": 1},
        ),
    ],
)
def test_the_headline_counts_follow_the_convention(on_target, sentence, counts):
    text = glance_narrative(HEADLINE, HEADLINE.iloc[:0], "2026/27 Q2", "2026/27 Q1",
                            on_target=on_target)  # fmt: skip
    assert text.startswith("This report covers 10 indicators for 2026/27 Q2. " + sentence)
    assert on_target_counts(rag_counts(HEADLINE), on_target) == counts


def test_the_report_counts_amber_and_grey_as_on_target_where_the_committee_says(nf_reports):
    sd, default = nf_reports["scrutiny"], nf_reports["cabinet"]
    glance = sd.glance_text().html
    assert "2 are on target (1 Green and 1 Amber) and 1 is off target (Red)." in glance
    assert "Amber and Grey are counted as on target, as the council&#x27;s framework sets out" \
        in glance  # fmt: skip
    assert "counted as on target" not in default.glance_text().html
    # the index's summary and the counts table: Q1 was Amber, Red, Green too (9.7 against 10,
    # 5 against 10, 11 against 10), so 2 on target then and now
    assert sd.summary() == {"On target": 2, "Red": 1, "No data": 0}
    assert default.summary() == {"Red": 1, "Amber": 1, "Green": 1, "Grey": 0, "No data": 0}
    counts = sd.glance_counts().html
    assert re.search(
        r"<strong>On target \(Green, Amber, Grey\)</strong></td>\s*<td[^>]*>2</td>\s*"
        r"<td[^>]*>2</td>\s*<td[^>]*>0</td>",
        counts,
    )
    assert "On target" not in default.glance_counts().html
