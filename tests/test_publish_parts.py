"""The pieces of ``pmlib publish`` on the tiny hand-written council (no notebook, no browser):
the public dataset, the data package, the checks, the landing page's table and the sitemap.

The tiny council (tests/conftest.py) has R1 (public, environment), R2 (public, resources) and
R3 (internal); 2026/27 Q1 runs from 1 April to 30 June 2026.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time

import pandas as pd
import pytest

from pmlib.core.csv_out import write_csv
from pmlib.core.errors import ParameterError
from pmlib.core.periods import parse_period
from pmlib.data.validate import read_dataset
from pmlib.publish.check import internal_texts, site_problems
from pmlib.publish.datapackage import datapackage, schema_for, validation_errors
from pmlib.publish.landing import headline_table
from pmlib.publish.opendata import public_data
from pmlib.publish.site import _current_pack, publish_quarter, sitemap_xml

Q1 = parse_period("2026/27 Q1")


@pytest.fixture
def tiny(council):
    data, params = council
    ds = read_dataset(data, params)
    return ds, public_data(ds, list(ds.settings.committees.values()), Q1)


def test_the_public_dataset_leaves_out_the_internal_indicator(tiny):
    ds, public = tiny
    assert list(public.indicators["id"]) == ["R1", "R2"]
    assert list(public.ratings["indicator_id"]) == ["R1", "R2"]
    assert set(public.targets["indicator_id"]) == {"R1", "R2"}
    assert "R3" not in public.commentary["indicator_id"].tolist()


def test_ratings_carry_units_polarity_and_the_periods_iso_dates(tiny):
    _, public = tiny
    r1 = public.ratings.set_index("indicator_id").loc["R1"]
    assert (r1["unit"], r1["unit_label"], r1["polarity"]) == ("percent", "percent", "higher")
    assert (r1["period_start"], r1["period_end"]) == ("2026-04-01", "2026-06-30")
    # 48.5 against a target of 50, higher is better: below target
    assert (r1["value"], r1["target"]) == (48.5, 50)
    assert r1["rag"] in ("Amber", "Red")
    t = public.targets.set_index("indicator_id").loc["R1"]
    assert (t["period"], t["period_start"], t["period_end"]) == (
        "2026/27",
        "2026-04-01",
        "2027-03-31",
    )


def test_commentary_is_the_exceptions_narrative_as_the_report_prints_it(tiny):
    _, public = tiny
    # R1 is below target, so an exception in the Environment and Cabinet reports
    (row,) = public.commentary.to_dict("records")
    assert (row["indicator_id"], row["performance_update"]) == ("R1", "Slightly below target.")
    assert (row["author"], row["updated_at"]) == ("Head of Waste", "2026-07-12")


def test_the_package_describes_each_column_and_frictionless_accepts_it(tiny, tmp_path):
    _, public = tiny
    resources = []
    for name, frame in public.tables().items():
        write_csv(frame, tmp_path / f"{name}.csv")
        keys = {"primary_key": ["id"]} if name == "indicators" else {}
        resources.append({"path": f"{name}.csv", "title": name, "description": name, **keys})
    descriptor = datapackage(
        name="tiny", title="t", description="d", publisher="Testshire",
        created="2026-12-02T09:00:00+00:00", resources=resources, folder=tmp_path,
    )  # fmt: skip
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    assert validation_errors(tmp_path / "datapackage.json") == []
    fields = {f["name"]: f["type"] for f in descriptor["resources"][1]["schema"]["fields"]}
    assert fields["period_end"] == "date" and fields["decimals"] == "integer"
    assert fields["value"] == "number" and fields["rag"] == "string"


def test_a_file_that_disagrees_with_its_schema_fails_validation(tmp_path):
    write_csv(pd.DataFrame({"n": [1, 2]}), tmp_path / "a.csv")
    descriptor = datapackage(
        name="x", title="t", description="d", publisher="p", created="2026-12-02T09:00:00Z",
        resources=[{"path": "a.csv", "title": "a", "description": "a"}], folder=tmp_path,
    )  # fmt: skip
    assert descriptor["resources"][0]["schema"]["fields"][0]["type"] == "integer"
    (tmp_path / "a.csv").write_text("\ufeffn\n1\nmany\n", encoding="utf-8")  # edited by hand
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    errors = validation_errors(tmp_path / "datapackage.json")
    assert errors and "type-error" in errors[0]


def test_schema_reads_dates_and_keeps_true_false_as_text(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("\ufeffd,flag,t\n2026-06-30,True,a\n,False,b\n", encoding="utf-8")
    types = {f["name"]: f["type"] for f in schema_for(path)["fields"]}
    assert types == {"d": "date", "flag": "string", "t": "string"}


def test_the_check_finds_notebooks_hashes_paths_and_internal_names(tmp_path, council):
    data, params = council
    ds = read_dataset(data, params)
    secrets = internal_texts(ds, ["R1", "R2"])
    assert "Fly-tipping incidents" in secrets  # R3, internal
    assert "Performance Board" in secrets  # the internal committee
    assert "Head of Waste" not in secrets  # R3's owner also owns R1, which is public
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<p>All well</p>", encoding="utf-8")
    assert site_problems(site, secrets) == []
    (site / "a.ipynb").write_text("{}", encoding="utf-8")
    (site / "b.html").write_text(f"<p>{'ab12' * 16}</p>", encoding="utf-8")
    (site / "c.csv").write_text(f"x\n{data}/actuals.csv\nFly-tipping incidents\n", encoding="utf-8")
    problems = site_problems(site, [*secrets, str(data)])
    assert [p.split(":")[0] for p in problems] == ["a.ipynb", "b.html", "c.csv"]
    assert "SHA-256" in problems[1] and "Fly-tipping incidents" in problems[2]


def test_the_headline_counts_ratings_per_priority_in_library_order():
    ratings = pd.DataFrame(
        {
            "priority": ["Greener", "Greener", "Efficient", "Greener", None],
            "rag": ["Green", "Red", "Amber", "Green", "Grey"],
        }
    )
    table = headline_table(ratings)
    assert list(table["Priority"]) == ["Greener", "Efficient", "No priority", "All priorities"]
    greener = table.iloc[0]
    assert (greener["Green"], greener["Red"], greener["Amber"], greener["Indicators"]) == (
        2,
        1,
        0,
        3,
    )
    assert table.iloc[-1]["Indicators"] == 5 and table.iloc[-1]["Grey"] == 1


def test_the_sitemap_gives_full_addresses_when_the_site_address_is_known():
    day = dt.date(2026, 12, 2)
    with_base = sitemap_xml(["index.html", "a&b.pdf"], "https://www.x.gov.uk/perf/", day)
    assert "<loc>https://www.x.gov.uk/perf/index.html</loc>" in with_base
    assert "<loc>https://www.x.gov.uk/perf/a&amp;b.pdf</loc>" in with_base
    assert "<loc>index.html</loc><lastmod>2026-12-02</lastmod>" in sitemap_xml(
        ["index.html"], None, day
    )


def _run_folder(tmp_path, reports=("cabinet", "environment")):
    for name in reports:
        (tmp_path / f"{name}.pdf").write_bytes(b"%PDF report")
    pack = tmp_path / "pack.pdf"
    pack.write_bytes(b"%PDF pack")
    from pmlib.core.files import sha256_file

    return {"pack": {"path": "pack.pdf", "sha256": sha256_file(pack), "reports": list(reports)}}


def test_an_agenda_pack_is_published_only_while_it_is_current(tmp_path):
    public = ("cabinet", "environment")
    manifest = _run_folder(tmp_path)
    later = time.time() + 60
    os.utime(tmp_path / "pack.pdf", (later, later))
    assert _current_pack(tmp_path, manifest, public) == tmp_path / "pack.pdf"
    # binding other reports than those published: not this site's pack
    assert _current_pack(tmp_path, manifest, ("cabinet",)) is None
    # a report re-rendered after the pack was bound: the pack is out of date
    os.utime(tmp_path / "cabinet.pdf", (later + 60, later + 60))
    assert _current_pack(tmp_path, manifest, public) is None


def test_an_edited_agenda_pack_is_not_published(tmp_path):
    manifest = _run_folder(tmp_path)
    later = time.time() + 60
    (tmp_path / "pack.pdf").write_bytes(b"%PDF changed by hand")
    os.utime(tmp_path / "pack.pdf", (later, later))
    assert _current_pack(tmp_path, manifest, ("cabinet", "environment")) is None
    assert _current_pack(tmp_path, {}, ("cabinet", "environment")) is None


def test_publish_refuses_a_relative_base_url_and_a_council_without_public_committees(council):
    data, params = council
    with pytest.raises(ParameterError, match="--base-url must be a full web address"):
        publish_quarter("2026/27 Q1", data_dir=data, params_dir=params, base_url="perf/")
    text = (params / "committees.yaml").read_text(encoding="utf-8")
    (params / "committees.yaml").write_text(
        text.replace("audience: public", "audience: internal"), encoding="utf-8"
    )
    with pytest.raises(ParameterError, match="No public committee receives a report"):
        publish_quarter("2026/27 Q1", data_dir=data, params_dir=params, status="draft")
