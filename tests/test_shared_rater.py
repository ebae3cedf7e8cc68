"""Reports of one council built in one process share the library's ratings
(pmlib.rating.rater.shared_rater): each committee's rows are those it rated alone, exactly; the
sharing holds only for a dataset read unchanged from the same files."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from pandas.testing import assert_frame_equal
from test_rater import SEEDS, SLOW, SOME_PERIODS, generated_council

from pmlib.core.periods import parse_period
from pmlib.rating import rater as rater_module
from pmlib.rating.rater import Rater, clear_shared_raters
from pmlib.reports.caches import clear_result_caches
from pmlib.reports.committee import CommitteeReport, _subset

ROOT = Path(__file__).resolve().parents[1]
COMMITTEES = ["environment", "cabinet", "communities", "resources", "performance-board"]


def _mine(frame: pd.DataFrame, ids) -> pd.DataFrame:
    return frame[frame["indicator_id"].isin(ids)].reset_index(drop=True)


@SLOW
@given(seed=SEEDS, periods=SOME_PERIODS, pick=SEEDS)
def test_a_library_rating_gives_any_subsets_own_rows(seed, periods, pick):
    ds = generated_council(seed)
    rng = np.random.default_rng(pick)
    picked = rng.random(len(ds.indicators)) < 0.5
    picked[rng.integers(len(picked))] = True  # a committee has at least one indicator
    ids = ds.indicators["id"][picked]
    library, alone = Rater(ds), Rater(_subset(ds, ids))
    for p in periods:
        assert_frame_equal(
            _mine(library.rate_period(p), ids), alone.rate_period(p), check_exact=True
        )
        assert_frame_equal(
            _mine(library.rate_history(p, kind=p.kind, periods=4, lags=True), ids),
            alone.rate_history(p, kind=p.kind, periods=4, lags=True),
            check_exact=True,
        )


@pytest.mark.parametrize("quarter", ["2026/27 Q2", "2025/26 Q4"])
def test_a_packs_reports_share_one_rating_and_show_what_each_rated_alone(quarter):
    clear_result_caches()
    built = {}
    for name in COMMITTEES:  # as one kernel renders them, one after another
        built[name] = CommitteeReport.build(
            quarter=quarter, committee=name, data_dir=ROOT / "data/demo",
            params_dir=ROOT / "parameters",
        )  # fmt: skip
    assert len({id(r.rater) for r in built.values()}) == 1  # one library rating
    period = parse_period(quarter)
    for name, shared in built.items():
        alone = CommitteeReport(
            dataset=built[name].dataset, committee=shared.committee, period=period,
            as_of=shared.as_of,
        )  # fmt: skip
        assert alone.rater is not shared.rater
        for frame in ("rated", "previous", "history", "exceptions"):
            assert_frame_equal(getattr(shared, frame), getattr(alone, frame), check_exact=True)
        year = period.year().previous()
        ids = shared.indicators.index
        assert_frame_equal(
            _mine(shared.rater.rate_period(year), ids),
            _mine(alone.rater.rate_period(year), ids),
            check_exact=True,
        )
    assert set(built["cabinet"].rater.dataset.indicators["id"]) > set(
        built["environment"].indicators.index
    )  # the library's, of which each report keeps its own rows
    clear_shared_raters()
    assert rater_module._SHARED == {}


def test_changed_files_are_rated_afresh(tmp_path):
    clear_result_caches()
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data/demo", data)
    kw = {"quarter": "2026/27 Q2", "committee": "cabinet", "params_dir": ROOT / "parameters"}
    first = CommitteeReport.build(data_dir=data, **kw)
    again = CommitteeReport.build(data_dir=data, **kw)
    assert again.rater is first.rater
    actuals = pd.read_csv(data / "actuals.csv", dtype=str, keep_default_na=False)
    shown = set(first.rated["indicator_id"])
    row = actuals.index[actuals["period"].eq("2026/27 Q2") & actuals["indicator_id"].isin(shown)]
    actuals.loc[row, "value"] = "1"  # figures corrected between two reports (1 fits any unit)
    actuals.to_csv(data / "actuals.csv", index=False)
    changed = CommitteeReport.build(data_dir=data, **kw)
    assert changed.rater is not first.rater
    assert not changed.rated["value"].equals(first.rated["value"])
    alone = CommitteeReport(dataset=changed.dataset, committee=changed.committee,
                            period=changed.period, as_of=changed.as_of)  # fmt: skip
    assert_frame_equal(changed.rated, alone.rated, check_exact=True)


def test_a_report_given_its_dataset_rates_on_its_own():
    clear_result_caches()
    built = CommitteeReport.build(
        quarter="2026/27 Q2", committee="resources", data_dir=ROOT / "data/demo",
        params_dir=ROOT / "parameters",
    )  # fmt: skip
    ds = built.dataset  # a notebook may have changed it: nothing says it is as read
    given_ds = CommitteeReport(dataset=ds, committee=built.committee, period=built.period)
    assert given_ds.rater is not built.rater
    assert given_ds.dataset_key is None
