"""council.yaml ``spc:`` (pmlib.config.spc) and the library's ``spc_rebase`` column
(pmlib.data.spc_checks), on the small council of ``conftest.py`` (R2 is its monthly indicator).
"""

from __future__ import annotations

import pandas as pd
import pytest

from pmlib.config.settings import read_settings
from pmlib.core.errors import DataValidationError
from pmlib.core.spc_settings import SpcSettings
from pmlib.data.validate import read_dataset


def _add(params, text: str) -> int:
    """Append ``text`` to council.yaml; return the line number its first line lands on."""
    path = params / "council.yaml"
    before = path.read_text(encoding="utf-8")
    if not before.endswith("\n"):
        before += "\n"
    path.write_text(before + text, encoding="utf-8")
    return len(before.splitlines()) + 1


def _problems(params) -> list:
    with pytest.raises(DataValidationError) as err:
        read_settings(params)
    return list(err.value.problems)


def test_no_spc_key_keeps_spc_out_of_reports(council):
    _, params = council
    spc = read_settings(params).council.spc
    assert spc == SpcSettings()
    assert spc.show is False
    assert (spc.min_points, spc.shift_points, spc.trend_points) == (15, 7, 7)
    assert spc.screen_outliers is True
    assert not spc.covers("R2")


def test_every_spc_setting_is_read(council):
    _, params = council
    _add(
        params,
        "spc:\n  show: true\n  indicators: [R2, 7]\n  min_points: 12\n  shift_points: 6\n"
        "  trend_points: 8\n  screen_outliers: false\n",
    )
    spc = read_settings(params).council.spc
    assert spc == SpcSettings(
        show=True,
        indicators=("R2", "7"),
        min_points=12,
        shift_points=6,
        trend_points=8,
        screen_outliers=False,
    )
    assert spc.covers("R2") and not spc.covers("R1")


def test_indicators_all_covers_every_indicator(council):
    _, params = council
    _add(params, "spc: {show: true, indicators: all}\n")
    spc = read_settings(params).council.spc
    assert spc.indicators is None
    assert spc.covers("R1") and spc.covers("anything")


@pytest.mark.parametrize(
    ("text", "offset", "column", "message", "fix"),
    [
        ("spc:\n  show: maybe\n", 1, "spc.show", "must be true or false", "show: true"),
        (
            "spc:\n  show: true\n  min_points: ten\n",
            2,
            "spc.min_points",
            "must be a whole number of points, 2 or more",
            "min_points: 15",
        ),
        (
            "spc:\n  shift_points: 2\n",
            1,
            "spc.shift_points",
            "must be a whole number of points, 3 or more",
            "shift_points: 7 (or 6",
        ),
        ("spc:\n  trend_points: 7.5\n", 1, "spc.trend_points", "3 or more", "trend_points: 7"),
        (
            "spc:\n  screen_outliers: 'no'\n",
            1,
            "spc.screen_outliers",
            "must be true or false",
            "screen_outliers: true",
        ),
        (
            "spc:\n  indicators: {R2: yes}\n",
            1,
            "spc.indicators",
            "must be all or a list of indicator references",
            "indicators: [RES03, RES10]",
        ),
        ("spc:\n  colour: blue\n", 1, "spc.colour", "unknown setting", "show, indicators"),
        ("spc: true\n", 0, "spc", "expected settings under spc:", "spc: {show: true"),
    ],
)
def test_a_bad_spc_value_names_the_line_key_value_and_fix(
    council, text, offset, column, message, fix
):
    _, params = council
    first = _add(params, text)
    (problem,) = [p for p in _problems(params) if str(p.column).startswith("spc")]
    assert problem.file == f"council.yaml, line {first + offset}"
    assert problem.column == column
    assert message in problem.message
    assert fix in problem.fix
    shown = str(problem)
    assert shown.startswith(f"council.yaml, line {first + offset}, column '{column}'")
    assert "Fix:" in shown


def test_every_bad_spc_value_is_reported_at_once(council):
    _, params = council
    _add(params, "spc:\n  show: 1\n  min_points: 0\n")
    columns = sorted(str(p.column) for p in _problems(params))
    assert columns == ["spc.min_points", "spc.show"]


def test_an_spc_indicator_not_in_the_library_is_named_where_it_is_listed(council):
    data, params = council
    first = _add(params, "spc:\n  show: true\n  indicators:\n    - R2\n    - R22\n    - RES03\n")
    with pytest.raises(DataValidationError) as err:
        read_dataset(data, params)
    typo, other = [p for p in err.value.problems if p.column == "spc.indicators"]
    # the list starts on the third line of the block: R2 (known), R22 on the fourth, RES03 fifth
    assert str(typo) == (
        f"council.yaml, line {first + 4}, column 'spc.indicators': spc.indicators lists an "
        "indicator that is not in the library (found 'R22'). Fix: correct the id or remove it "
        "(did you mean R2?)"
    )
    assert (other.file, other.value) == (f"council.yaml, line {first + 5}", "RES03")
    assert other.fix.startswith("correct the id or remove it; write ids as in the indicators")


def test_spc_indicators_all_or_known_ids_pass(council):
    data, params = council
    _add(params, "spc: {show: true, indicators: [R1, R2]}\n")
    assert read_dataset(data, params).settings.council.spc.indicators == ("R1", "R2")


# --- the spc_rebase column ----------------------------------------------------------------------


def _set_rebase(data, cells: dict[str, str]) -> None:
    path = data / "indicators.csv"
    ind = pd.read_csv(path, dtype=str, keep_default_na=False)
    ind["spc_rebase"] = ind["id"].map(cells).fillna("")
    ind.to_csv(path, index=False)


def test_rebase_months_of_a_monthly_indicator_are_accepted(council):
    data, params = council
    _set_rebase(data, {"R2": "2025-10; 2026-04"})
    ds = read_dataset(data, params)
    assert ds.indicators.set_index("id").loc["R2", "spc_rebase"] == "2025-10; 2026-04"


def test_a_rebase_label_that_is_not_a_period_of_the_indicator_is_a_problem(council):
    """R2 is monthly (indicators.csv row 3): a quarter is not one of its periods, and 'Oct 25'
    is not a period at all; R1 is quarterly (row 2): a month is not one of its periods."""
    data, params = council
    _set_rebase(data, {"R2": "2025-10;2025/26 Q3; Oct 25", "R1": "2025-07"})
    with pytest.raises(DataValidationError) as err:
        read_dataset(data, params)
    found = {
        (p.file, p.row, p.column, p.value): (p.message, p.fix)
        for p in err.value.problems
        if p.column == "spc_rebase"
    }
    assert set(found) == {
        ("indicators.csv", 3, "spc_rebase", "2025/26 Q3; Oct 25"),
        ("indicators.csv", 2, "spc_rebase", "2025-07"),
    }
    message, fix = found[("indicators.csv", 3, "spc_rebase", "2025/26 Q3; Oct 25")]
    assert message == "is not a month of this indicator (its figures are months)"
    assert "separated by ';', e.g. 2025-07" in fix
    message, fix = found[("indicators.csv", 2, "spc_rebase", "2025-07")]
    assert message == "is not a quarter of this indicator (its figures are quarters)"
    assert "e.g. 2025/26 Q2" in fix
