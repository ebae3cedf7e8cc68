"""RAG schemes: the shipped presets, YAML validation, per-indicator resolution and warnings."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from rating_fixtures import PRESETS_FILE, make_dataset, presets

from pmlib.config.schemes import (
    RagScheme,
    check_scheme_warnings,
    parse_rag_schemes,
    read_rag_schemes,
    resolve_schemes,
)
from pmlib.config.settings import read_settings
from pmlib.config.yaml import read_yaml
from pmlib.core.errors import ConfigError


# -- the presets reproduce the frameworks ------------------------------------------------------
def test_presets_read_without_problems():
    schemes, problems = read_rag_schemes(PRESETS_FILE)
    assert problems == []
    assert set(schemes) == {
        "northmoor",
        "south-derbyshire",
        "new-forest",
        "dorset",
        "met-or-missed",
    }


@pytest.mark.parametrize(
    ("name", "label", "tolerance", "green", "amber", "colours"),
    [
        # South Derbyshire: Red more than 5% below target, Amber within 5%, Green on/above
        ("south-derbyshire", "South Derbyshire", "relative", 0.0, 0.05, "three"),
        # New Forest: Amber up to 10% deviation, Red over 10%
        ("new-forest", "New Forest", "relative", 0.0, 0.10, "three"),
        ("met-or-missed", "Met or missed", "absolute", 0.0, 0.0, "two"),
        # the demo council's own scheme: South Derbyshire's thresholds under its own name
        ("northmoor", "Northmoor performance framework", "relative", 0.0, 0.05, "three"),
    ],
)
def test_preset_settings(name, label, tolerance, green, amber, colours):
    s = presets()[name]
    assert (s.label, s.tolerance, s.green_within, s.amber_within, s.colours) == (
        label,
        tolerance,
        green,
        amber,
        colours,
    )
    assert s.amber_if_improved_vs_last_year is False
    assert s.description


def test_dorset_sets_thresholds_per_indicator_and_invents_no_tolerance():
    # Dorset's framework says Amber is "slightly below target" and gives no figure
    dorset = presets()["dorset"]
    assert dorset.thresholds_per_indicator is True
    assert (dorset.green_within, dorset.colours) == (0.0, "three")
    assert math.isnan(dorset.amber_within)


def test_only_a_per_indicator_scheme_may_leave_amber_within_out():
    schemes, problems = parse_rag_schemes(
        {"schemes": {"mine": {"green_within": 0, "thresholds_per_indicator": True}}}
    )
    assert problems == [] and math.isnan(schemes["mine"].amber_within)
    _, problems = parse_rag_schemes({"schemes": {"mine": {"green_within": 0}}})
    assert [p.column for p in problems] == ["schemes.mine.amber_within"]


# -- validation --------------------------------------------------------------------------------
def scheme(**settings) -> dict:
    return {
        "schemes": {
            "mine": {"tolerance": "relative", "green_within": 0, "amber_within": 0.05, **settings}
        }
    }


@pytest.mark.parametrize(
    ("raw", "column", "value", "words"),
    [
        (scheme(colour="two"), "schemes.mine.colour", None, "unknown key"),
        (scheme(green_within="5%"), "schemes.mine.green_within", "5%", "must be a number"),
        (scheme(amber_within=True), "schemes.mine.amber_within", True, "must be a number"),
        (scheme(amber_within=-0.05), "schemes.mine.amber_within", -0.05, "must not be negative"),
        (scheme(green_within=0.1), "schemes.mine.amber_within", 0.05, "smaller than"),
        (scheme(tolerance="percent"), "schemes.mine.tolerance", "percent", "must be one of"),
        (scheme(colours="four"), "schemes.mine.colours", "four", "must be one of"),
        (
            scheme(amber_if_improved_vs_last_year="yes"),
            "schemes.mine.amber_if_improved_vs_last_year",
            "yes",
            "true or false",
        ),
        (scheme(label=5), "schemes.mine.label", 5, "must be text"),
        (
            {"schemes": {"mine": {"tolerance": "relative"}}},
            "schemes.mine.amber_within",
            None,
            "needs amber_within",
        ),
        ({"schemes": {"Mine": {"amber_within": 0.05}}}, "schemes.Mine", "Mine", "lower-case"),
        ({"schemes": {"mine": 0.05}}, "schemes.mine", 0.05, "expected the scheme's settings"),
        ({"schemes": {}}, "schemes", None, "top-level `schemes:`"),
        ([1, 2], "schemes", None, "top-level `schemes:`"),
        (
            {"schemes": {"mine": {"amber_within": 0.05}}, "extra": 1},
            "extra",
            None,
            "unknown top-level key",
        ),
    ],
)
def test_each_error_names_file_key_value_and_fix(raw, column, value, words):
    schemes, problems = parse_rag_schemes(raw, "rag_schemes.yaml")
    errors = [p for p in problems if p.severity == "error"]
    assert len(errors) == 1, problems
    p = errors[0]
    assert (p.file, p.row, p.column, p.value) == ("rag_schemes.yaml", None, column, value)
    assert words in p.message
    assert p.fix
    if column.startswith("schemes.mine"):
        assert "mine" not in schemes  # a scheme with an error is left out


@pytest.mark.parametrize(
    ("settings", "column"),
    [
        ({"amber_within": 5}, "schemes.mine.amber_within"),  # 5 = 500% of the target
        ({"colours": "two", "amber_within": 0.05}, "schemes.mine.amber_within"),
    ],
)
def test_warnings_keep_the_scheme(settings, column):
    schemes, problems = parse_rag_schemes(scheme(**settings), "rag_schemes.yaml")
    assert [p.severity for p in problems] == ["warning"]
    assert problems[0].column == column
    assert "mine" in schemes


def test_two_colour_scheme_needs_no_amber_and_has_none():
    schemes, problems = parse_rag_schemes(
        {"schemes": {"mine": {"colours": "two", "tolerance": "absolute"}}}
    )
    assert problems == []
    assert schemes["mine"].amber_within == schemes["mine"].green_within == 0.0


def test_label_defaults_from_the_name():
    schemes, _ = parse_rag_schemes({"schemes": {"london-improved": {"amber_within": 0.1}}})
    assert schemes["london-improved"].label == "London Improved"


def test_read_rag_schemes_reports_a_yaml_syntax_error(tmp_path):
    path = tmp_path / "rag_schemes.yaml"
    path.write_text("schemes:\n  mine: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        read_rag_schemes(path)


def test_a_key_given_twice_in_council_yaml_is_refused_with_both_lines(tmp_path):
    """PyYAML keeps the second of two keys silently; a council pasting an example's
    ``exceptions:`` under its own would get only one of them applied without knowing."""
    shipped = Path(__file__).resolve().parents[1] / "parameters"
    for name in ("committees.yaml", "rag_schemes.yaml"):
        (tmp_path / name).write_text((shipped / name).read_text(encoding="utf-8"), "utf-8")
    council = (shipped / "council.yaml").read_text(encoding="utf-8")
    lines = council.rstrip("\n").splitlines()
    first = next(i for i, line in enumerate(lines, 1) if line.startswith("name:"))
    (tmp_path / "council.yaml").write_text(council + "name: Pasted Council\n", "utf-8")
    with pytest.raises(ConfigError) as caught:
        read_settings(tmp_path)
    message = str(caught.value)
    assert (
        f"line {len(lines) + 1}: the key 'name' is given twice (first on line {first})" in message
    )
    assert "Fix: delete one of them" in message


def test_the_same_key_in_different_mappings_is_fine(tmp_path):
    path = tmp_path / "rag_schemes.yaml"
    path.write_text("a:\n  tolerance: 1\nb:\n  tolerance: 2\n", encoding="utf-8")
    assert read_yaml(path) == {"a": {"tolerance": 1}, "b": {"tolerance": 2}}


# -- resolution ----------------------------------------------------------------------------------
def test_resolution_defaults_then_scheme_column_then_overrides():
    frame = pd.DataFrame(
        {
            "id": ["A", "B", "C", "D"],
            "rag_scheme": [None, "new-forest", None, "met-or-missed"],
            "green_within": [np.nan, np.nan, 0.02, np.nan],
            "amber_within": [np.nan, np.nan, 0.01, 0.5],
            "tolerance": [None, None, "absolute", None],
        }
    )
    before = frame.copy()
    out = resolve_schemes(frame, presets(), "south-derbyshire")
    assert out["scheme"].tolist() == [
        "south-derbyshire",
        "new-forest",
        "south-derbyshire",
        "met-or-missed",
    ]
    assert out["tolerance"].tolist() == ["relative", "relative", "absolute", "absolute"]
    assert out["green_within"].tolist() == [0.0, 0.0, 0.02, 0.0]
    # C: amber 0.01 < green 0.02 is raised to 0.02; D: two colours have no Amber band
    assert out["amber_within"].tolist() == [0.05, 0.10, 0.02, 0.0]
    assert out["own_thresholds"].tolist() == [False, False, True, True]
    pd.testing.assert_frame_equal(frame, before)  # input untouched


def test_unknown_scheme_is_a_config_error_naming_the_indicator():
    frame = pd.DataFrame({"id": ["ENV01"], "rag_scheme": ["camden"]})
    with pytest.raises(ConfigError, match=r"'camden' \(used by ENV01\)"):
        resolve_schemes(frame, presets(), "south-derbyshire")


def test_custom_scheme_object():
    s = RagScheme("x", "X", colours="two")
    assert s.is_two_colour


# -- warnings about indicators and targets ----------------------------------------------------
def warnings_for(indicators, targets):
    return check_scheme_warnings(make_dataset(indicators, targets))


def test_zero_target_with_relative_tolerance_is_warned():
    problems = warnings_for([{"id": "ENV07", "polarity": "lower"}], [("ENV07", "2026/27", 0)])
    assert len(problems) == 1
    p = problems[0]
    assert p.severity == "warning" and "ENV07" in p.message and "zero target" in p.message
    assert "tolerance: absolute" in p.fix


@pytest.mark.parametrize(
    "indicator",
    [
        {"id": "ENV07", "polarity": "lower", "tolerance": "absolute"},
        {"id": "ENV07", "polarity": "lower", "rag_scheme": "met-or-missed"},  # absolute
        {"id": "ENV07", "kind": "statistic", "polarity": "none"},  # never rated
    ],
)
def test_zero_target_is_fine_with_absolute_tolerance_or_unrated(indicator):
    assert warnings_for([indicator], [("ENV07", "2026/27", 0)]) == []


def test_zero_band_bound_with_relative_tolerance_is_warned():
    problems = warnings_for(
        [{"id": "B", "polarity": "band"}],
        [{"indicator_id": "B", "period": "2026/27", "lower": 0, "upper": 5}],
    )
    assert len(problems) == 1 and "zero target" in problems[0].message


def test_dorset_indicator_without_its_own_tolerance_is_an_error_naming_the_fix():
    problems = warnings_for(
        [
            {"id": "D1", "rag_scheme": "dorset"},
            {"id": "D2", "rag_scheme": "dorset", "amber_within": 0.1},
        ],
        [],
    )
    [p] = problems
    assert (p.message.split()[0], p.severity, p.column) == ("D1", "error", "amber_within")
    assert "states no tolerance for Amber" in p.message
    assert "fill in amber_within" in p.fix and "for the dorset scheme in rag_schemes.yaml" in p.fix


def test_a_per_indicator_scheme_with_a_fallback_only_warns():
    schemes = {
        **presets(),
        "dorset": RagScheme("dorset", "Dorset", amber_within=0.05, thresholds_per_indicator=True),
    }
    ds = make_dataset([{"id": "D1", "rag_scheme": "dorset"}], [])
    ds = dataclasses.replace(ds, settings=dataclasses.replace(ds.settings, schemes=schemes))
    [p] = check_scheme_warnings(ds)
    assert (p.severity, p.message.split()[0]) == ("warning", "D1")


def test_amber_smaller_than_green_on_an_indicator_is_warned():
    problems = warnings_for([{"id": "A", "green_within": 0.1, "amber_within": 0.05}], [])
    assert len(problems) == 1 and "smaller than green_within" in problems[0].message


def test_intervention_on_the_good_side_of_the_target_is_warned():
    problems = warnings_for(
        [{"id": "H"}, {"id": "L", "polarity": "lower"}],
        [("H", "2026/27", 90, 95), ("L", "2026/27", 10, 8)],
    )
    assert sorted(p.message.split(":")[0] for p in problems) == ["H", "L"]


def test_running_year_to_date_figure_with_only_a_year_target_is_warned():
    ind = {
        "id": "TAX",
        "frequency": "monthly",
        "measure": "cumulative",
        "aggregation": "last",
        "unit": "percent",
    }
    assert len(warnings_for([ind], [("TAX", "2026/27", 97.0)])) == 1
    assert warnings_for([ind], [("TAX", "2026/27", 97.0), ("TAX", "2026/27 Q1", 28.0)]) == []
