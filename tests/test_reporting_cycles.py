"""History without targets, baselines, reporting lags, half-years, biennial indicators and the
library by year (issue 13 items 3, 4, 6 and 7), each worked by hand on the tiny test council.

The tiny council (tests/conftest.py): R1 recycling (quarterly %, target 50 for 2026/27; Q1
48.5), R2 benefit days (monthly, lower is better, target 20; April 22.1, May 19.4), R3
fly-tipping (a statistic).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pmlib.core.errors import DataValidationError
from pmlib.data.validate import read_dataset
from pmlib.rating.engine import rate_period

APPROVED = "approved,A. Cole,{at},B. Dune,{at}"


def set_columns(data: Path, table: str, **columns: dict[str, object]) -> None:
    """Give ``table`` the columns named, each {id: cell} (other rows blank)."""
    path = data / f"{table}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    key = "id" if table == "indicators" else "indicator_id"
    for column, cells in columns.items():
        frame[column] = frame[key].map(cells).fillna("")
    frame.to_csv(path, index=False)


def add_rows(data: Path, table: str, *lines: str) -> None:
    with open(data / f"{table}.csv", "a", encoding="utf-8") as fh:
        fh.writelines(line + "\n" for line in lines)


def drop_line(data: Path, table: str, line: str) -> None:
    path = data / f"{table}.csv"
    text = path.read_text(encoding="utf-8")
    assert line + "\n" in text
    path.write_text(text.replace(line + "\n", ""), encoding="utf-8")


def row(frame: pd.DataFrame, ind: str) -> pd.Series:
    return frame.set_index("indicator_id").loc[ind]


def validation_problems(data: Path, params: Path) -> list:
    with pytest.raises(DataValidationError) as info:
        read_dataset(data, params)
    return info.value.problems


# -- item 3: history and baselines ---------------------------------------------------------------
def test_an_actual_with_no_target_loads_and_is_grey_with_a_quality_warning(council):
    data, params = council
    drop_line(data, "targets", "R1,2026/27,50,,,")  # R1's Q1 48.5 now has no target
    ds = read_dataset(data, params)
    warned = [w for w in ds.warnings if w.column == "period" and "no target" in w.message]
    assert [(w.row, w.severity) for w in warned] == [(2, "warning")]
    r1 = row(rate_period(ds, "2026/27 Q1"), "R1")
    assert (r1["rag"], r1["value"]) == ("Grey", 48.5)
    assert "no target set" in r1["rag_reason"]

    from pmlib.core.periods import parse_period
    from pmlib.data.quality import quality_findings

    rated = rate_period(ds, "2026/27 Q1")
    found = quality_findings(ds, rated, parse_period("2026/27 Q1"))
    issues = found[found["indicator_id"].eq("R1")]["issue"].tolist()
    assert "No target set" in issues


def test_a_baseline_year_of_history_loads_before_any_target(council):
    data, params = council
    add_rows(data, "actuals", "R1,2025/26 Q4,44.0,,," + APPROVED.format(at="2026-04-08"))
    set_columns(data, "indicators", baseline={"R1": "44"}, baseline_period={"R1": "2025/26 Q4"})
    ds = read_dataset(data, params)
    assert row(ds.indicators.rename(columns={"id": "indicator_id"}), "R1")["baseline"] == 44.0
    assert row(rate_period(ds, "2025/26 Q4"), "R1")["rag"] == "Grey"


@pytest.mark.parametrize(
    ("ind", "baseline", "period", "column", "message"),
    [
        ("R1", "44", "2025/26", None, None),  # a year is always accepted
        ("R1", "44", "2025/26 Q4", None, None),  # R1 is quarterly
        ("R2", "21.5", "2026-03", None, None),  # R2 is monthly
        ("R1", "44", "2026-03", "baseline_period", "not a period of this indicator's frequency"),
        ("R1", "44", "last year", "baseline_period", "not a period pmlib can read"),
        ("R1", "44%", "2025/26", "baseline", "not a number"),
    ],
)
def test_baseline_columns_are_validated(council, ind, baseline, period, column, message):
    data, params = council
    set_columns(data, "indicators", baseline={ind: baseline}, baseline_period={ind: period})
    if column is None:
        read_dataset(data, params)
        return
    problems = [p for p in validation_problems(data, params) if p.column == column]
    assert len(problems) == 1 and message in problems[0].message
    assert problems[0].row == (2 if ind == "R1" else 3)


# -- item 4: reporting lags ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "months", "days", "working"),
    [
        ("0", 0, 0, False),
        ("", 0, 0, False),
        ("1 quarter", 3, 0, False),
        ("2 Quarters", 6, 0, False),
        ("2 months", 2, 0, False),
        ("1 month in arrears", 1, 0, False),
        ("1 year", 12, 0, False),
        ("1 half-year", 6, 0, False),
        ("8 working days", 0, 8, True),
        ("10 days", 0, 10, False),
    ],
)
def test_reporting_lags_as_councils_write_them(text, months, days, working):
    from pmlib.data.lags import parse_lag

    lag = parse_lag(text)
    assert (lag.months, lag.days, lag.working) == (months, days, working)


@pytest.mark.parametrize("text", ["soon", "1 fortnight", "3", "-1 quarter", "quarter"])
def test_unreadable_lags_are_refused(text):
    from pmlib.data.lags import try_parse_lag

    assert try_parse_lag(text) is None


@pytest.mark.parametrize(
    ("period", "months", "due"),
    [
        ("2026/27 Q2", 3, "2026/27 Q1"),
        ("2026/27 Q1", 3, "2025/26 Q4"),  # across the year end
        ("2026/27 Q2", 2, "2026/27 Q1"),  # two months late: Q2 is not due by 30 September
        ("2026/27 Q2", 4, "2025/26 Q4"),
        ("2026/27 Q2", 0, "2026/27 Q2"),
        ("2026-09", 3, "2026-06"),
        ("2026/27 H1", 3, "2025/26 H2"),
        ("2026/27", 12, "2025/26"),
    ],
)
def test_due_period_is_the_latest_period_ended_at_least_the_lag_before(period, months, due):
    from pmlib.core.periods import parse_period
    from pmlib.data.lags import Lag, due_period

    assert due_period(parse_period(period), Lag(months=months)).label == due


def lagged_council(data: Path) -> None:
    """R1 a quarter in arrears, with Q4 and Q1 last year for Direction of Travel, and a July
    figure for R2 so that a Q2 report can be run."""
    set_columns(data, "indicators", reporting_lag={"R1": "1 quarter"})
    add_rows(
        data,
        "actuals",
        "R1,2025/26 Q1,46.0,,," + APPROVED.format(at="2025-07-08"),
        "R1,2025/26 Q4,49.0,,," + APPROVED.format(at="2026-04-08"),
        "R2,2026-07,18.0,,," + APPROVED.format(at="2026-08-05"),
    )


def test_an_indicator_a_quarter_in_arrears_is_rated_on_its_q1_figure_in_q2(council):
    data, params = council
    lagged_council(data)
    rated = rate_period(read_dataset(data, params), "2026/27 Q2")
    r1 = row(rated, "R1")
    # Q1: 48.5 against the 50 year target: 1.5 points (3%) short, within South Derbyshire's 5%
    assert (r1["value"], r1["rag"], r1["lagged"]) == (48.5, "Amber", True)
    assert (r1["period"], r1["reported_period"]) == ("2026/27 Q2", "2026/27 Q1")
    assert r1["rag_reason"].startswith(
        "2026/27 Q1 figure, reported one quarter in arrears: 48.5% is 1.5 percentage points"
    )
    # like with like: Q1 against the quarter before it (Q4, 49.0) and Q1 last year (46.0)
    assert (r1["previous_period"], r1["previous_value"]) == ("2025/26 Q4", 49.0)
    assert (r1["last_year_period"], r1["last_year_value"]) == ("2025/26 Q1", 46.0)
    assert (r1["dot_short"], r1["dot_long"]) == ("Worsening", "Improving")
    r2 = row(rated, "R2")  # not lagged: its own quarter (July only: 18.0)
    assert (r2["reported_period"], r2["lagged"], r2["value"]) == ("2026/27 Q2", False, 18.0)


def test_a_lagged_indicator_without_its_due_figure_is_no_data_for_that_period(council):
    data, params = council
    set_columns(data, "indicators", reporting_lag={"R1": "1 quarter"})
    r1 = row(rate_period(read_dataset(data, params), "2026/27 Q1"), "R1")
    assert (r1["rag"], r1["reported_period"]) == ("No data", "2025/26 Q4")
    assert "no value supplied for 2025/26 Q4" in r1["rag_reason"]


def test_the_q2_report_shows_the_lagged_q1_value_labelled_as_q1(council):
    from pmlib.reports.committee import CommitteeReport

    data, params = council
    lagged_council(data)
    add_rows(data, "narratives", "R1,2026/27 Q2,Q1 dipped.,Door-stepping.,,,Head of Waste,")
    report = CommitteeReport.build(
        quarter="2026/27 Q2", committee="environment", data_dir=data, params_dir=params
    )
    card = str(report.scorecard())
    assert "Q1: 48.5%" in card  # its Q1 figure, labelled, where "No data" used to be
    (head, _, _) = report.exception_sections()[0]  # Amber: an exception
    assert "Q1: 48.5%" in str(head)
    assert "compared with 2025/26 Q4" in str(head)


# -- item 4: submission deadlines in working days -------------------------------------------------
def set_council(params: Path, **keys: str) -> None:
    path = params / "council.yaml"
    text = path.read_text(encoding="utf-8")
    for key, value in keys.items():
        if value is None:
            text = "\n".join(t for t in text.splitlines() if not t.startswith(f"{key}:")) + "\n"
        else:
            text += f"{key}: {value}\n"
    path.write_text(text, encoding="utf-8")


def late_rows(data: Path, params: Path) -> list[tuple[int, str]]:
    ds = read_dataset(data, params)
    return [
        (w.row, w.message)
        for w in ds.warnings
        if w.column == "collected_at" and w.message.startswith("submitted late")
    ]


@pytest.mark.parametrize(
    ("collected", "late"),
    [
        # April ends Thu 30 April 2026; 8 working days skip Mon 4 May (Early May bank holiday):
        # 1, 5, 6, 7, 8, 11, 12, 13 May, so the deadline is Wed 13 May
        ("2026-05-13", False),
        ("2026-05-14", True),
    ],
)
def test_working_day_deadline_skips_bank_holidays(council, collected, late):
    data, params = council
    set_council(params, submission_deadline_days=None, submission_deadline="8 working days")
    path = data / "actuals.csv"
    path.write_text(
        path.read_text().replace(
            "R2,2026-04,22.1,,,approved,C. Eve,2026-05-05",
            f"R2,2026-04,22.1,,,approved,C. Eve,{collected}",
        ),  # fmt: skip
        encoding="utf-8",
    )
    found = late_rows(data, params)
    expected = [(3, "submitted late (more than 8 working days after the period ended)")]
    assert found == (expected if late else [])


@pytest.mark.parametrize(
    ("own", "collected", "late"),
    [
        # Q1 ends Tue 30 June 2026: 8 working days is Fri 10 July; the council's 15 days, 15 July
        ("8 working days", "2026-07-13", True),
        ("", "2026-07-13", False),
        ("", "2026-07-16", True),
    ],
)
def test_lateness_is_judged_per_indicator(council, own, collected, late):
    data, params = council
    set_columns(data, "indicators", submission_deadline={"R1": own})
    path = data / "actuals.csv"
    path.write_text(
        path.read_text().replace(
            "R1,2026/27 Q1,48.5,485,1000,approved,A. Cole,2026-07-08",
            f"R1,2026/27 Q1,48.5,485,1000,approved,A. Cole,{collected}",
        ),  # fmt: skip
        encoding="utf-8",
    )
    assert [r for r, _ in late_rows(data, params)] == ([2] if late else [])


def test_a_deadline_counts_from_when_a_lagged_figure_is_due(council):
    data, params = council
    set_columns(data, "indicators", reporting_lag={"R1": "1 quarter"})
    path = data / "actuals.csv"
    # due 30 September (a quarter after 30 June) + 15 days = 15 October
    for collected, late in (("2026-10-10", False), ("2026-10-16", True)):
        text = path.read_text().replace("A. Cole,2026-07-08", f"A. Cole,{collected}", 1)
        path.write_text(text, encoding="utf-8")
        found = late_rows(data, params)
        assert [r for r, _ in found] == ([2] if late else [])
        if late:
            assert "one quarter in arrears" in found[0][1]
        path.write_text(text.replace(f"A. Cole,{collected}", "A. Cole,2026-07-08", 1))


@pytest.mark.parametrize(
    ("keys", "column", "message"),
    [
        ({"submission_deadline": "8 working days"}, "submission_deadline", "both"),
        (
            {"submission_deadline_days": None, "submission_deadline": "soon"},
            "submission_deadline",
            "not a deadline",
        ),
        ({"bank_holidays": "wales-only"}, "bank_holidays", "not a bank-holiday region"),
    ],
)
def test_deadline_settings_are_checked(council, keys, column, message):
    from pmlib.config.settings import read_settings

    _, params = council
    set_council(params, **keys)
    with pytest.raises(DataValidationError) as info:
        read_settings(params)
    (p,) = [p for p in info.value.problems if p.column == column]
    assert message in p.message


def test_old_deadline_setting_still_means_calendar_days(council):
    from pmlib.config.settings import read_settings

    _, params = council
    council_ = read_settings(params).council
    assert (council_.deadline, council_.bank_holidays) == ("15 days", "england-and-wales")
    set_council(params, submission_deadline_days=None, submission_deadline="8 working days")
    set_council(params, bank_holidays="scotland")
    council_ = read_settings(params).council
    assert (council_.deadline, council_.bank_holidays) == ("8 working days", "scotland")


def test_a_lag_or_deadline_cell_that_cannot_be_read_is_an_error(council):
    data, params = council
    set_columns(
        data, "indicators", reporting_lag={"R1": "soon"}, submission_deadline={"R2": "asap"}
    )
    problems = validation_problems(data, params)
    got = {(p.column, p.row, p.value) for p in problems}
    assert got == {("reporting_lag", 2, "soon"), ("submission_deadline", 3, "asap")}


# -- item 6: six-monthly and biennial indicators ---------------------------------------------------
R4 = "R4,Residents satisfied with the council,Survey %,Efficient,Listen,,KPI,percent,0,higher,six-monthly,period,mean,,Head of Policy,C. Eve,D. Fox,Survey,manual,public,2026-06-01"  # noqa: E501
R5 = "R5,Residents who feel safe,Survey %,Efficient,Listen,,KPI,percent,0,higher,biennial,period,last,,Head of Policy,C. Eve,D. Fox,Survey,manual,public,2026-06-01"  # noqa: E501


@pytest.fixture
def halves(council):
    """R4, six-monthly: H1 target 70 (year 75); 2025/26 H1 64, H2 74; 2026/27 H1 71."""
    data, params = council
    add_rows(data, "indicators", R4)
    add_rows(data, "targets", "R4,2026/27 H1,70,,,", "R4,2026/27,75,,,", "R4,2025/26,60,,,")
    add_rows(
        data,
        "actuals",
        "R4,2025/26 H1,64,,," + APPROVED.format(at="2025-10-08"),
        "R4,2025/26 H2,74,,," + APPROVED.format(at="2026-04-08"),
        "R4,2026/27 H1,71,,," + APPROVED.format(at="2026-10-08"),
    )
    return read_dataset(data, params)


@pytest.mark.parametrize(
    ("period", "rag", "value", "reason_start", "previous", "last_year", "short", "long"),
    [
        # Q2 shows H1 (71 against the H1 target 70), compared with the H2 before it (74) and
        # with H1 last year (64): like with like
        ("2026/27 Q2", "Green", 71, "2026/27 H1: 71% is 1 percentage point", "2025/26 H2",
         "2025/26 H1", "Worsening", "Improving"),
        ("2026/27 H1", "Green", 71, "71% is 1 percentage point", "2025/26 H2", "2025/26 H1",
         "Worsening", "Improving"),
        ("2026/27 Q1", "Grey", None, "six-monthly indicator; reported at the half-year", None,
         None, None, None),
        ("2026-05", "Grey", None, "six-monthly indicator; not reported monthly", None, None,
         None, None),
    ],
)  # fmt: skip
def test_six_monthly_indicator_is_rated_on_its_half_year(
    halves, period, rag, value, reason_start, previous, last_year, short, long
):
    r4 = row(rate_period(halves, period), "R4")
    assert r4["rag"] == rag and r4["rag_reason"].startswith(reason_start)
    if value is None:
        assert pd.isna(r4["value"])
        return
    assert r4["value"] == value
    assert (r4["previous_period"], r4["last_year_period"]) == (previous, last_year)
    assert (r4["dot_short"], r4["dot_long"]) == (short, long)


def test_a_half_year_report_rolls_up_quarters_and_months(halves):
    rated = rate_period(halves, "2026/27 H1")
    r1 = row(rated, "R1")  # quarterly: only Q1 supplied of the half's two quarters
    assert (r1["value"], r1["n_rows"], r1["n_expected"]) == (48.5, 1, 2)
    r2 = row(rated, "R2")  # monthly, mean: (22.1 + 19.4) / 2 = 20.75, published to 1 dp
    assert (r2["value"], r2["n_rows"], r2["n_expected"]) == (20.8, 2, 6)


@pytest.fixture
def biennial(council):
    """R5, biennial: 2022/23 78, 2024/25 80 (target 75); nothing in 2025/26."""
    data, params = council
    add_rows(data, "indicators", R5)
    add_rows(data, "targets", "R5,2024/25,75,,,", "R5,2022/23,75,,,")
    add_rows(
        data,
        "actuals",
        "R5,2022/23,78,,," + APPROVED.format(at="2023-04-20"),
        "R5,2024/25,80,,," + APPROVED.format(at="2025-04-20"),
    )
    return read_dataset(data, params)


@pytest.mark.parametrize(
    ("period", "rag", "reason", "previous", "previous_value"),
    [
        ("2024/25", "Green", "80% is 5 percentage points", "2022/23", 78),  # two years back
        ("2025/26", "Grey", "biennial indicator; not due in 2025/26 (last reported for "
         "2024/25)", None, None),
        ("2025/26 Q2", "Grey", "biennial indicator; not due in 2025/26", None, None),
    ],
)  # fmt: skip
def test_biennial_indicator_is_due_every_second_year(
    biennial, period, rag, reason, previous, previous_value
):
    r5 = row(rate_period(biennial, period), "R5")
    assert r5["rag"] == rag and r5["rag_reason"].startswith(reason)
    if previous is not None:
        assert (r5["previous_period"], r5["previous_value"]) == (previous, previous_value)
        assert r5["dot_short"] == "Improving"


# -- item 6: report cycles -----------------------------------------------------------------------
def set_cycles(params: Path, **cycles: str) -> None:
    """Add ``cycles: <value>`` under each named committee in committees.yaml."""
    path = params / "committees.yaml"
    lines = []
    slug = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip().startswith("- slug:"):
            slug = line.split(":", 1)[1].strip()
            lines.append(line)
            if slug in cycles:
                lines.append(f"    cycles: {cycles[slug]}")
            continue
        lines.append(line)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ("quarter", "year")),  # today's reports
        ("[month]", ("month",)),
        ("[half, year]", ("half", "year")),
        ("[monthly, quarterly]", ("month", "quarter")),  # as a framework says it
    ],
)
def test_committee_cycles(council, value, expected):
    from pmlib.config.settings import read_settings

    _, params = council
    if value is not None:
        set_cycles(params, board=value)
    assert read_settings(params).committees["board"].cycles == expected


def test_an_unknown_cycle_is_an_error(council):
    from pmlib.config.settings import read_settings

    _, params = council
    set_cycles(params, board="[weekly]")
    with pytest.raises(DataValidationError) as info:
        read_settings(params)
    (p,) = info.value.problems
    assert (p.column, p.value) == ("committees[4].cycles", "weekly") and "month" in p.fix


@pytest.mark.parametrize(
    ("kind", "period", "rendered", "skipped"),
    [
        ("quarter", "2026/27 Q1", ["cabinet", "environment", "resources", "board"], []),
        ("month", "2026-05", ["board"], ["cabinet", "environment", "resources"]),
        ("half", "2026/27 H1", ["cabinet"], ["environment", "resources", "board"]),
    ],
)
def test_a_run_renders_only_the_committees_that_receive_its_cycle(
    council, kind, period, rendered, skipped
):
    from pmlib.batch.pack import plan_pack

    data, params = council
    set_cycles(params, board="[month, quarter, year]", cabinet="[quarter, half, year]")
    plan = plan_pack(period, data_dir=data, params_dir=params, kind=kind)
    assert list(plan.committees) == rendered and list(plan.skipped) == skipped
    for why in plan.skipped.values():
        assert f"not {kind}" in why and "cycles in committees.yaml" in why


def test_no_committee_for_a_cycle_names_the_setting(council):
    from pmlib.batch.pack import plan_pack
    from pmlib.core.errors import ParameterError

    data, params = council
    with pytest.raises(ParameterError, match=r"cycles: \[month\]"):
        plan_pack("2026-05", data_dir=data, params_dir=params, kind="month")


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--half", "2026/27 Q2", "--half needs a half-year such as '2026/27 H1'"),
        ("--month", "2026/27 Q1", "--month needs a month such as '2026-09'"),
        ("--quarter", "2026-05", "use --month 2026-05"),
    ],
)
def test_run_refuses_a_period_of_another_kind(council, capsys, flag, value, message):
    from pmlib.cli.main import main

    data, params = council
    assert main(["run", flag, value, "--data", str(data), "--params", str(params)]) != 0
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("period", ["2026-05", "2026/27 H1"])
def test_a_committee_report_takes_a_month_or_a_half(council, period):
    from pmlib.reports.committee import CommitteeReport

    data, params = council
    report = CommitteeReport.build(
        quarter=period, committee="resources", data_dir=data, params_dir=params
    )
    assert report.title.endswith(period)
    assert report.previous_period.kind == report.period.kind
    r2 = row(report.rated, "R2")  # monthly, lower is better, year target 20
    assert r2["value"] == (19.4 if period == "2026-05" else 20.8)
    assert str(report.scorecard())  # every section builds


@pytest.mark.notebook
def test_pmlib_run_month_renders_the_monthly_committee_and_says_what_it_skipped(
    council, tmp_path, capsys
):
    from pmlib.cli.main import main

    data, params = council
    set_cycles(params, resources="[month, quarter, year]")
    out = tmp_path / "out"
    argv = ["run", "--month", "2026-05", "--data", str(data), "--params", str(params)]
    assert main([*argv, "--out", str(out), "--quiet", "--jobs", "1"]) == 0
    err = capsys.readouterr().err
    assert "skipped  cabinet" in err and "not month" in err
    assert sorted(p.name for p in out.glob("*.html")) == ["index.html", "resources.html"]
    html = (out / "resources.html").read_text(encoding="utf-8")
    assert "2026-05" in html and "19.4" in html


# -- item 7: the indicator library by year -------------------------------------------------------
R6 = "R6,Homes made energy efficient,Count,Greener,Warm homes,environment,KPI,number,0,higher,quarterly,period,sum,,Head of Housing,A. Cole,B. Dune,Grants system,system,public,2026-06-01"  # noqa: E501


@pytest.fixture
def library(council):
    """R1 retired at the end of 2025/26 (with a 2025/26 Q2 figure); R6 new from 2026/27."""
    data, params = council
    add_rows(data, "indicators", R6)
    set_columns(data, "indicators", valid_to={"R1": "2025/26"}, valid_from={"R6": "2026/27"})
    add_rows(data, "targets", "R1,2025/26,45,,,", "R6,2026/27,40,,,")
    add_rows(
        data,
        "actuals",
        "R1,2025/26 Q2,47.0,,," + APPROVED.format(at="2025-10-08"),
        "R6,2026/27 Q1,12,,," + APPROVED.format(at="2026-07-08"),
    )
    drop_line(data, "actuals", "R1,2026/27 Q1,48.5,485,1000,approved,A. Cole,2026-07-08,B. Dune,2026-07-10")  # fmt: skip
    return data, params


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("2025/26 Q2", ["R1", "R2", "R3"]),  # R1 still in the library; R6 not yet
        ("2026/27 Q1", ["R2", "R3", "R6"]),  # R1 retired; R6 new
    ],
)
def test_rating_a_period_uses_the_library_as_it_was(library, period, expected):
    ds = read_dataset(*library)
    assert rate_period(ds, period)["indicator_id"].tolist() == expected


@pytest.mark.parametrize(
    ("period", "expected"),
    [("2025/26 Q2", ["R1"]), ("2026/27 Q1", ["R6"]), (None, ["R1", "R6"])],
)
def test_a_committee_receives_the_indicators_valid_in_its_period(library, period, expected):
    from pmlib.core.periods import parse_period

    ds = read_dataset(*library)
    when = parse_period(period) if period else None
    assert ds.indicators_for("environment", when)["id"].tolist() == expected


def test_a_past_report_shows_the_retired_indicator_and_a_new_one_only_from_its_start(library):
    from pmlib.reports.committee import CommitteeReport

    data, params = library
    old = CommitteeReport.build(
        quarter="2025/26 Q2", committee="environment", data_dir=data, params_dir=params
    )
    new = CommitteeReport.build(
        quarter="2026/27 Q1", committee="environment", data_dir=data, params_dir=params
    )
    assert old.rated["indicator_id"].tolist() == ["R1"]
    assert new.rated["indicator_id"].tolist() == ["R6"]
    assert "R1" not in str(new.scorecard()) and "R6" not in str(old.scorecard())


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "column", "message"),
    [
        ("2026/27", "2025/26", "valid_to", "ends before valid_from starts"),
        ("next year", "", "valid_from", "not a period pmlib can read"),
    ],
)
def test_library_years_are_checked(council, valid_from, valid_to, column, message):
    data, params = council
    set_columns(data, "indicators", valid_from={"R1": valid_from}, valid_to={"R1": valid_to})
    (p,) = [p for p in validation_problems(data, params) if p.column == column]
    assert p.row == 2 and message in p.message


# -- the demo council shows each of these ----------------------------------------------------------
@pytest.fixture(scope="module")
def demo():
    root = Path(__file__).resolve().parents[1]
    return read_dataset(root / "data" / "demo", root / "parameters")


def test_demo_has_a_lagged_a_six_monthly_a_retired_indicator_and_a_baseline_year(demo):
    q2 = rate_period(demo, "2026/27 Q2")
    hsg09 = row(q2, "HSG09")  # a quarter in arrears: Q1's 58.6% against the 58.0% target
    assert (hsg09["reported_period"], hsg09["value"], hsg09["rag"]) == ("2026/27 Q1", 58.6, "Green")
    com06 = row(q2, "COM06")  # six-monthly: H1's 71% against the 70% target
    assert (com06["value"], com06["rag"], com06["previous_period"]) == (71, "Green", "2025/26 H2")
    assert "RES17" not in set(q2["indicator_id"])  # retired at the end of 2025/26
    assert row(rate_period(demo, "2025/26 Q2"), "RES17")["rag"] in ("Green", "Amber", "Red")
    baseline = row(rate_period(demo, "2022/23 H2"), "COM06")  # its baseline year: no target
    assert (baseline["value"], baseline["rag"]) == (64, "Grey")
    assert demo.indicators.set_index("id").loc["COM06", "baseline_period"] == "2022/23"


def test_a_six_monthly_figure_in_a_quarter_report_is_labelled_with_its_half(halves):
    from pmlib.core.periods import parse_period
    from pmlib.present.fragments import reported_for

    r4 = row(rate_period(halves, "2026/27 Q2"), "R4")
    assert (r4["reported_period"], r4["lagged"]) == ("2026/27 H1", False)
    assert reported_for("71%", r4["reported_period"], parse_period("2026/27 Q2")) == "H1: 71%"
    assert row(rate_period(halves, "2026/27 Q2"), "R1")["reported_period"] == "2026/27 Q2"


def test_at_a_glance_a_six_monthly_indicator_is_not_yet_due_in_q1(halves, council):
    from pmlib.reports.committee import CommitteeReport

    data, params = council
    report = CommitteeReport.build(
        quarter="2026/27 Q1", committee="resources", data_dir=data, params_dir=params
    )
    text = str(report.glance_text())
    assert "1 is a six-monthly indicator not yet due (reported in 2026/27 Q2)" in text
    assert "monitored without a target" not in text


def test_a_lagged_indicators_history_ends_at_its_latest_due_period(council):
    from pmlib.rating.engine import rate_history

    data, params = council
    lagged_council(data)
    ds = read_dataset(data, params)
    assert "2026/27 Q2" in set(rate_history(ds, "2026/27 Q2", periods=3)["period"])
    hist = rate_history(ds, "2026/27 Q2", periods=3, lags=True)
    r1 = hist[hist["indicator_id"].eq("R1")]
    assert r1["period"].tolist() == ["2025/26 Q4", "2026/27 Q1"]  # Q2 is not due yet
    r2 = hist[hist["indicator_id"].eq("R2")]
    assert r2["period"].tolist() == ["2025/26 Q4", "2026/27 Q1", "2026/27 Q2"]
