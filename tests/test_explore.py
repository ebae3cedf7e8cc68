"""The explorer, driven through its widgets as an analyst would: set a dropdown, read the view.

Unit tests set widget values programmatically (no kernel or browser needed) and check what the
explorer shows against the rating engine. The ``notebook`` test renders a report through the
button; the ``browser`` test runs explore.ipynb in JupyterLab in Debian's Chromium.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from pmlib.core.errors import ParameterError
from pmlib.data.validate import read_dataset
from pmlib.explore.explorer import ALL, SCORECARD_COLUMNS, Explorer, available_quarters
from pmlib.rating.engine import RAG_RANK, rate_history, rate_period

ROOT = Path(__file__).resolve().parents[1]
PARAMS = ROOT / "parameters"
NOTEBOOK = ROOT / "notebooks" / "explore.ipynb"
LATEST = "2026/27 Q2"


@pytest.fixture(scope="module")
def demo():
    return read_dataset(None, PARAMS)


@pytest.fixture(scope="module")
def shared(demo):
    explorer = Explorer(dataset=demo, background=False)
    explorer.view()
    return explorer


@pytest.fixture
def ex(shared):
    """The demo council's explorer with its widgets, back at its starting state."""
    shared.reset()
    return shared


def committee_rated(dataset, quarter: str, committee: str) -> pd.DataFrame:
    ids = dataset.indicators_for(committee)["id"]
    rated = rate_period(dataset, quarter)
    return rated[rated["indicator_id"].isin(ids)].reset_index(drop=True)


def with_thresholds(dataset, scheme: str, green: float, amber: float):
    schemes = dict(dataset.settings.schemes)
    schemes[scheme] = replace(schemes[scheme], green_within=green, amber_within=amber)
    return replace(dataset, settings=replace(dataset.settings, schemes=schemes))


# --- state and widgets ----------------------------------------------------------------------
def test_starts_on_the_latest_quarter_with_every_quarter_and_committee_offered(ex, demo):
    W = ex.widgets
    quarters = [p.label for p in available_quarters(demo)]
    assert quarters[-1] == LATEST and quarters == sorted(quarters)
    assert list(W["quarter"].options) == quarters and W["quarter"].value == LATEST
    assert [slug for _, slug in W["committee"].options] == list(demo.settings.committees)
    assert W["priority"].value == ALL
    assert set(W["priority"].options) == {ALL, *demo.indicators["priority"]}  # cabinet: all
    assert W["indicator"].value == ex.scorecard()["indicator_id"].iloc[0]
    assert "Scorecard: Cabinet, 2026/27 Q2" in W["scorecard"].value


def test_scorecard_follows_quarter_and_committee_widgets_and_matches_rate_period(ex, demo):
    W = ex.widgets
    W["committee"].value = "environment"
    W["quarter"].value = "2026/27 Q1"
    card = ex.scorecard()
    expected = committee_rated(demo, "2026/27 Q1", "environment")
    assert list(card.columns) == list(SCORECARD_COLUMNS)
    assert list(card["indicator_id"]) == list(expected["indicator_id"])
    pd.testing.assert_series_equal(card["rag"], expected["rag"], check_names=False)
    pd.testing.assert_series_equal(card["value"], expected["value"], check_names=False)
    pd.testing.assert_series_equal(card["rag_reason"], expected["rag_reason"], check_names=False)
    html = W["scorecard"].value
    assert "Environment and Climate Scrutiny Committee, 2026/27 Q1" in html
    assert all(i in html for i in expected["indicator_id"])
    # the indicator dropdown offers exactly the scorecard's rows; summary counts agree
    assert [i for _, i in W["indicator"].options] == list(expected["indicator_id"])
    counts = expected["rag"].value_counts()
    assert ex.counts() == {r: int(counts.get(r, 0)) for r in ex.counts()}
    assert f"{len(expected)} indicators" in W["summary"].value


def test_priority_and_rag_filters_narrow_the_view(ex, demo):
    W = ex.widgets
    everything = committee_rated(demo, LATEST, "cabinet")
    W["priority"].value = "A greener district"
    greener = set(demo.indicators.loc[demo.indicators["priority"].eq("A greener district"), "id"])
    assert set(ex.scorecard()["indicator_id"]) == greener & set(everything["indicator_id"])
    W["priority"].value = ALL
    W["rag"].value = ("Red", "Amber")
    card = ex.scorecard()
    off = everything[everything["rag"].isin(["Red", "Amber"])]
    assert list(card["indicator_id"]) == list(off["indicator_id"]) and len(card) > 0
    assert [i for _, i in W["indicator"].options] == list(off["indicator_id"])
    assert W["indicator"].value == off["indicator_id"].iloc[0]  # the old one was filtered out
    assert "(Red, Amber)" in W["scorecard"].value
    # the counts above the scorecard are before the RAG filter
    assert sum(ex.counts().values()) == len(everything)
    # ENV06 has no 2026/27 Q2 row in actuals.csv: the one greener-district "No data"
    W["priority"].value = "A greener district"
    W["rag"].value = ("No data",)
    assert list(ex.scorecard()["indicator_id"]) == ["ENV06"]
    # nothing matches (no greener-district indicator is Red this quarter): an explicit
    # message, no detail
    greener_red = everything["indicator_id"].isin(greener) & everything["rag"].eq("Red")
    assert not greener_red.any()
    W["rag"].value = ("Red",)
    assert ex.scorecard().empty
    assert "No indicator matches" in W["scorecard"].value
    assert W["indicator"].value is None and "No indicator selected" in W["detail"].value
    W["rag"].value = ()  # an empty selection shows everything
    assert len(ex.scorecard()) == len(greener & set(everything["indicator_id"]))


def test_committee_change_resets_a_priority_it_does_not_have(ex):
    W = ex.widgets
    W["priority"].value = "A prosperous local economy"
    W["committee"].value = "environment"
    assert "A prosperous local economy" not in ex.priorities()
    assert W["priority"].value == ALL and ex.priority == ALL
    assert list(W["priority"].options) == [ALL, *ex.priorities()]


def test_detail_shows_reason_narrative_methodology_and_a_chart_with_target(ex, demo):
    W = ex.widgets
    W["committee"].value = "environment"
    W["indicator"].value = "ENV01"
    d = ex.detail()
    row = rate_period(demo, LATEST).set_index("indicator_id").loc["ENV01"]
    assert d["rating"]["rag"] == row["rag"] and d["rating"]["rag_reason"] == row["rag_reason"]
    html = W["detail"].value
    assert "ENV01" in html and row["rag"] in html
    assert row["rag_reason"].replace("&", "&amp;") in html
    narrative = demo.narratives.set_index(["indicator_id", "period"]).loc[("ENV01", LATEST)]
    assert narrative["performance_update"][:60] in html
    definition = demo.indicators.set_index("id").loc["ENV01", "definition"]
    assert definition[:40] in html and "Methodology" in html
    assert "<svg" in html and 'role="img"' in html  # the chart, drawn offline
    # the chart spec: value line, RAG points and a target layer, over the last 8 quarters
    plot = d["spec"]["vconcat"][0]  # the plot; below it, the chart's key
    layers = plot["layer"]
    targets = [layer for layer in layers if layer["encoding"].get("y", {}).get("field") == "target"]
    assert len(targets) == 1 and targets[0]["mark"]["type"] == "line"
    assert any(layer["encoding"].get("y2", {}).get("field") == "red_threshold" for layer in layers)
    data = d["spec"]["datasets"][plot["data"]["name"]]
    assert [r["period"] for r in data][-1] == LATEST and len(data) == 8
    # a new quarter moves the detail with it
    W["quarter"].value = "2025/26 Q4"
    assert "ENV01 in 2025/26 Q4" in W["detail"].value
    assert ex.detail()["spec"]["datasets"] != d["spec"]["datasets"]


def test_detail_history_is_rate_history_of_the_quarter(ex, demo):
    ex.widgets["quarter"].value = "2025/26 Q3"
    expected = rate_history(demo, "2025/26 Q3", kind="quarter", periods=8)
    pd.testing.assert_frame_equal(ex.history(), expected, check_dtype=False)


def test_detail_shows_benchmark_position_when_available(ex):
    positions = ex.benchmark_positions()
    # every demo indicator with a benchmark_metric in indicators.csv has a position: a broken
    # latest_positions (or missing benchmark data) fails here rather than skipping
    assert set(positions["indicator_id"]) == {"ENV01", "HSG01", "ECO01", "RES01", "RES03", "RES05"}
    ind = positions["indicator_id"].iloc[0]
    assert ind in set(ex.scorecard()["indicator_id"])  # all six are public: on the cabinet's
    ex.widgets["indicator"].value = ind
    assert "Benchmark position" in ex.widgets["detail"].value
    assert ex.detail()["benchmark"] == positions["position_text"].iloc[0]


def test_narrative_is_escaped(demo, tmp_path):
    narr = demo.narratives.copy()
    rows = narr["indicator_id"].eq("ENV01") & narr["period"].eq(LATEST)
    narr.loc[rows, "approach"] = "<script>alert(1)</script>"
    explorer = Explorer(dataset=replace(demo, narratives=narr), background=False)
    explorer.select(committee="environment", indicator="ENV01")
    html = explorer.narrative_html("ENV01").html
    assert "<script>" not in html and "&lt;script&gt;" in html


# --- what if ----------------------------------------------------------------------------------
@pytest.mark.parametrize("green, amber", [(0.0, 0.10), (0.0, 0.25), (0.02, 0.05), (0.05, 0.2)])
def test_widening_tolerance_never_worsens_and_counts_match_a_recomputation(ex, demo, green, amber):
    W = ex.widgets
    scheme = demo.council.rag_scheme
    base = demo.settings.schemes[scheme]
    assert green >= base.green_within and amber >= base.amber_within
    W["green_within"].value = green
    W["amber_within"].value = amber
    w = ex.what_if()
    assert (w.green_within, w.amber_within) == (green, amber)
    assert set(w.changes["change"]) <= {"better"}
    for r in w.changes.itertuples():
        assert RAG_RANK[r.what_if_rag] > RAG_RANK[r.rag]
    now = committee_rated(demo, LATEST, "cabinet")
    after = committee_rated(with_thresholds(demo, scheme, green, amber), LATEST, "cabinet")
    changed = now["rag"].ne(after["rag"])
    assert w.n_changed == int(changed.sum())
    assert set(w.changes["indicator_id"]) == set(now.loc[changed, "indicator_id"])
    assert list(w.counts["what_if"]) == [int((after["rag"] == r).sum()) for r in w.counts["rag"]]
    assert f"{w.n_changed} of {len(now)} indicators would change colour" in W["what_if"].value
    # the scorecard keeps the published ratings
    assert list(ex.scorecard()["rag"]) == list(now["rag"])


def test_what_if_changes_some_colours_and_narrowing_only_worsens(ex, demo):
    W = ex.widgets
    W["amber_within"].value = 0.25
    wider = ex.what_if()
    assert wider.n_changed > 0 and wider.n_better == wider.n_changed
    assert all(i in W["what_if"].value for i in wider.changes["indicator_id"])
    W["amber_within"].value = 0.0  # no Amber band left under the council's scheme
    narrower = ex.what_if()
    assert narrower.n_worse == narrower.n_changed > 0
    assert set(narrower.changes["what_if_rag"]) == {"Red"}
    # follows the committee and quarter; reset restores the scheme's thresholds
    W["committee"].value = "environment"
    W["quarter"].value = "2026/27 Q1"
    w = ex.what_if()
    assert w.n_indicators == len(committee_rated(demo, "2026/27 Q1", "environment"))
    W["reset"].click()
    base = demo.settings.schemes[demo.council.rag_scheme]
    assert (W["green_within"].value, W["amber_within"].value) == (
        base.green_within,
        base.amber_within,
    )
    assert ex.what_if().n_changed == 0 and "Move the sliders" in W["what_if"].value


def test_ratings_are_cached_per_quarter_and_thresholds(ex):
    first = ex.rated(LATEST)
    assert ex.rated(LATEST) is first
    assert ex.rated(LATEST, amber_within=0.1) is not first
    assert ex.rated(LATEST, amber_within=0.1) is ex.rated(LATEST, amber_within=0.1)


def test_reads_its_folders_and_explores_a_small_council(council):
    data, params = council
    explorer = Explorer(data, params, background=False)
    explorer.view()
    W = explorer.widgets
    assert list(W["quarter"].options) == ["2026/27 Q1"]
    W["committee"].value = "environment"
    assert list(explorer.scorecard()["indicator_id"]) == ["R1"]  # R3 is internal
    W["committee"].value = "board"
    assert list(explorer.scorecard()["indicator_id"]) == ["R1", "R2", "R3"]
    # R1 48.5% against 50% and R2 20.8 days against 20 are within 5%: Amber; R3 is a statistic
    assert list(explorer.scorecard()["rag"]) == ["Amber", "Amber", "Grey"]
    W["amber_within"].value = 0.0
    changed = explorer.what_if().changes
    assert list(changed["indicator_id"]) == ["R1", "R2"]
    assert set(changed["what_if_rag"]) == {"Red"} and set(changed["change"]) == {"worse"}
    assert explorer.default_out_dir() == params.resolve().parent / "outputs" / "2026-27-Q1"


def test_invalid_state_is_refused(ex):
    with pytest.raises(ParameterError, match="choose one of the quarters with data"):
        ex.set_quarter("2030/31 Q1")
    with pytest.raises(ParameterError):
        ex.set_committee("nobody")
    with pytest.raises(ParameterError):
        ex.set_tolerance(amber_within=-0.1)
    with pytest.raises(ParameterError, match="not a priority"):
        ex.set_priority("World peace")


# --- rendering the committee's report ----------------------------------------------------------
@pytest.mark.notebook
def test_render_button_writes_the_committee_report_and_links_to_it(demo, tmp_path):
    explorer = Explorer(dataset=demo, out_dir=tmp_path / "out", background=False)
    W = explorer.widgets
    explorer.view()
    W["committee"].value = "environment"
    W["render"].click()
    path = tmp_path / "out" / "environment.html"
    assert explorer.last_report == path and path.is_file()
    page = path.read_text(encoding="utf-8")
    assert "Environment and Climate Scrutiny Committee" in page and LATEST in page
    (shown,) = W["report"].outputs
    link = shown["data"]["text/html"]
    assert f'href="{Path(os.path.relpath(path)).as_posix()}"' in link
    assert "environment.html" in link and not W["render"].disabled


# --- in JupyterLab, in a real browser ----------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_server(url: str, proc: subprocess.Popen, deadline: float) -> None:
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with {proc.returncode}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(url + "api/status", timeout=2) as response,
        ):
            if response.status == 200:
                return
        time.sleep(0.3)
    raise TimeoutError(f"jupyter lab did not answer at {url} before the test's deadline")


def _kernel_ready_on_server(url: str, deadline: float) -> None:
    """The notebook's kernel is idle with a browser connected, as the Jupyter server sees it."""
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, ValueError):
            with urllib.request.urlopen(url + "api/sessions", timeout=5) as response:
                sessions = json.load(response)
            kernels = [s["kernel"] for s in sessions if s["path"].endswith("explore.ipynb")]
            if any(k["execution_state"] == "idle" and k["connections"] > 0 for k in kernels):
                return
        time.sleep(0.3)
    raise TimeoutError("the notebook's kernel was not ready before the test's deadline")


# JupyterLab shows data-status="idle" before it has a kernel at all ("No Kernel"), and a "Run
# All" clicked then is lost while Lab starts one: wait for a named kernel that is idle (or
# for Lab's kernel dialog).
_KERNEL_READY_OR_DIALOG = """() => {
  if (document.querySelector('.jp-Dialog')) return true;
  const name = document.querySelector('.jp-Toolbar-kernelName');
  const state = document.querySelector('.jp-Notebook-ExecutionIndicator');
  return !!name && !!state && !/No Kernel/.test(name.textContent)
    && state.getAttribute('data-status') === 'idle';
}"""
_PROMPTS = "[...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]"
#: "Run All" has settled: every code cell is on the page, none is queued or running ("[*]:"),
#: and the first has run (after a failure the rest are left unrun).
_RUN_SETTLED = f"""n => {{
  const prompts = {_PROMPTS}.map(p => p.textContent.trim());
  return prompts.length === n && /^\\[\\d+\\]:$/.test(prompts[0]) && !prompts.includes('[*]:');
}}"""
_ALL_RAN = f"() => {_PROMPTS}.every(p => /^\\[\\d+\\]:$/.test(p.textContent.trim()))"


def _lab_notebook(root: Path) -> Path:
    """A copy of explore.ipynb pointing at the repo's parameters (JupyterLab may save it)."""
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            source = "".join(cell["source"]).replace('"../parameters"', repr(str(PARAMS)))
            cell["source"] = source
    path = root / "notebooks" / "explore.ipynb"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")
    return path


@pytest.mark.browser
@pytest.mark.slow
def test_explorer_runs_in_jupyterlab_and_a_widget_change_updates_the_view(tmp_path):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("needs Debian's chromium")
    pytest.importorskip("jupyterlab", reason="needs the lab extra: pip install -e '.[lab]'")
    sync_api = pytest.importorskip("playwright.sync_api")

    notebook = _lab_notebook(tmp_path)
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    code_cells = sum(c["cell_type"] == "code" for c in cells)
    for plugin, values in {  # no news pop-up, no kernel dialog: a first-time user's Lab
        "apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
        "notebook-extension/tracker": {"autoStartDefaultKernel": True},
    }.items():
        path = tmp_path / "lab-settings" / "@jupyterlab" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "lab-settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
    }
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    log = (tmp_path / "lab.log").open("w")
    command = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}",
        "--ip=127.0.0.1", "--IdentityProvider.token=", f"--ServerApp.root_dir={notebook.parent}",
    ]  # fmt: skip
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers
        command.append("--allow-root")
    proc = subprocess.Popen(
        command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    shot = (
        ROOT / "docs" / "img" / "explorer.png"
        if os.environ.get("PMLIB_SCREENSHOTS") == "1"
        else tmp_path / "explorer.png"
    )
    # One generous deadline for the whole test; every wait below is on a state (the server
    # answering, the kernel idle, cells run, the view rendered), never a fixed pause, so a busy
    # machine makes the test slower, not red.
    deadline = time.monotonic() + float(os.environ.get("PMLIB_LAB_DEADLINE", "900"))
    try:
        _wait_for_server(url, proc, deadline)
        with sync_api.sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            try:
                page = browser.new_page(viewport={"width": 1500, "height": 1000})
                page.set_default_timeout(max(1000, (deadline - time.monotonic()) * 1000))
                try:
                    page.goto(url + "lab/tree/explore.ipynb")
                    page.locator(".jp-Notebook").first.wait_for()
                    page.wait_for_function(_KERNEL_READY_OR_DIALOG, polling=250)
                    dialog = page.locator(".jp-Dialog", has_text="Select Kernel")
                    if dialog.count():  # Lab may still ask, despite autoStartDefaultKernel
                        dialog.get_by_role("button", name="Select").click()
                        page.wait_for_function(_KERNEL_READY_OR_DIALOG, polling=250)
                    _kernel_ready_on_server(url, deadline)
                    page.get_by_role("menuitem", name="Run", exact=True).click()
                    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
                    page.wait_for_function(_RUN_SETTLED, arg=code_cells, polling=250)
                    outputs = page.locator(".jp-OutputArea-output").all_inner_texts()
                    assert page.evaluate(_ALL_RAN), "a cell failed:\n" + "\n".join(outputs)[-3000:]
                    explorer = page.locator(".pmlib-explorer")
                    scorecard = explorer.locator("caption", has_text="Scorecard: Cabinet")
                    scorecard.wait_for()
                    committee = explorer.locator(".widget-dropdown", has_text="Committee")
                    committee.locator("select").select_option(
                        label="Environment and Climate Scrutiny Committee"
                    )
                    changed = explorer.locator(
                        "caption", has_text="Scorecard: Environment and Climate Scrutiny Committee"
                    )
                    changed.wait_for()
                    assert scorecard.count() == 0
                    explorer.locator("figure svg").first.wait_for()  # the indicator's trend chart
                    assert (
                        "ENV01"
                        in explorer.locator(".widget-html", has_text="Direction").inner_text()
                    )
                    page.locator(".jp-SideBar .lm-TabBar-tab.lm-mod-current").first.click()
                    page.locator("#jp-left-stack").wait_for(state="hidden")
                    explorer.scroll_into_view_if_needed()
                    explorer.evaluate("e => e.scrollIntoView({block: 'start'})")
                    shot.parent.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(shot))
                except Exception:
                    page.screenshot(path=str(tmp_path / "failure.png"))
                    raise
            finally:
                browser.close()
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
        log.close()
    assert shot.is_file() and shot.stat().st_size > 10_000
