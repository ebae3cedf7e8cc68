"""Shared fixtures: a tiny, valid, hand-written council that tests break one cell at a time."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PARAMS = ROOT / "parameters"
DEMO = ROOT / "data" / "demo"

INDICATORS = """\
id,name,definition,priority,objective,committees,kind,unit,decimals,polarity,frequency,measure,aggregation,rag_scheme,owner,data_collector,data_reviewer,data_source,collection_method,visibility,last_reviewed
R1,Household waste recycled,Tonnes recycled / tonnes collected,Greener,Recycle more,environment,KPI,percent,1,higher,quarterly,period,ratio,,Head of Waste,A. Cole,B. Dune,Waste system,system,public,2026-06-01
R2,Days to process new benefit claims,Mean days,Efficient,Fast benefits,resources,KPI,days,1,lower,monthly,period,mean,,Head of Revenues,C. Eve,D. Fox,Benefits system,system,public,2026-06-01
R3,Fly-tipping incidents,Count reported,Greener,Clean streets,environment,statistic,number,0,none,quarterly,period,sum,,Head of Waste,A. Cole,B. Dune,CRM,manual,internal,2026-06-01
"""

TARGETS = """\
indicator_id,period,target,intervention,lower,upper
R1,2026/27,50,,,
R2,2026/27,20,,,
"""

ACTUALS = """\
indicator_id,period,value,numerator,denominator,status,collected_by,collected_at,approved_by,approved_at
R1,2026/27 Q1,48.5,485,1000,approved,A. Cole,2026-07-08,B. Dune,2026-07-10
R2,2026-04,22.1,,,approved,C. Eve,2026-05-05,D. Fox,2026-05-07
R2,2026-05,19.4,,,approved,C. Eve,2026-06-05,D. Fox,2026-06-07
R3,2026/27 Q1,31,,,approved,A. Cole,2026-07-08,B. Dune,2026-07-10
"""

NARRATIVES = """\
indicator_id,period,performance_update,approach,future_plans,issues,author,updated_at
R1,2026/27 Q1,Slightly below target.,Door-stepping.,New bins in Q3.,None.,Head of Waste,2026-07-12
"""

COMMITTEES = """\
committees:
  - slug: cabinet
    title: Cabinet
    audience: public
    all_indicators: true
  - slug: environment
    title: Environment Scrutiny
    audience: public
  - slug: resources
    title: Resources Scrutiny
    audience: public
    priorities: [Efficient]
  - slug: board
    title: Performance Board
    audience: internal
    all_indicators: true
"""

COUNCIL = """\
name: Testshire District Council
short_name: Testshire
area_code: E07000000
fy_start_month: 4
rag_scheme: south-derbyshire
dot_tolerance: 0.0
data_dir: ../data
submission_deadline_days: 15
"""


def write_council(root: Path) -> tuple[Path, Path]:
    """Write the tiny council to ``root/data`` and ``root/params``; return both folders."""
    data, params = root / "data", root / "params"
    data.mkdir(parents=True)
    params.mkdir(parents=True)
    for name, text in [
        ("indicators", INDICATORS),
        ("targets", TARGETS),
        ("actuals", ACTUALS),
        ("narratives", NARRATIVES),
    ]:
        (data / f"{name}.csv").write_text(text, encoding="utf-8")
    (params / "council.yaml").write_text(COUNCIL, encoding="utf-8")
    (params / "committees.yaml").write_text(COMMITTEES, encoding="utf-8")
    shutil.copy(PARAMS / "rag_schemes.yaml", params / "rag_schemes.yaml")
    return data, params


@pytest.fixture
def council(tmp_path: Path) -> tuple[Path, Path]:
    """(data_dir, params_dir) of a small valid council in a temp folder."""
    return write_council(tmp_path)


def _real_cache_dir() -> Path:
    """The cache folder pmlib would use outside the tests (pmlib.core.cache.cache_dir)."""
    from pmlib.core.cache import cache_dir

    return cache_dir()


_SESSION_CACHE: list[Path] = []


def pytest_configure(config: pytest.Config) -> None:
    """Point ``PMLIB_CACHE_DIR`` at a temporary folder for the whole session, so that runs of
    ``pmlib run`` (plan records) and validated datasets never land in the user's own cache
    (``~/.cache/pmlib``). Subprocesses inherit it. The chart bundle, which vl-convert takes
    ~1.5 s to build, is copied in from the real cache when it is there."""
    real = _real_cache_dir()
    folder = Path(tempfile.mkdtemp(prefix="pmlib-test-cache-"))
    for bundle in real.glob("vega-bundle-*.js") if real.is_dir() else ():
        shutil.copy2(bundle, folder / bundle.name)
    os.environ["PMLIB_CACHE_DIR"] = str(folder)
    _SESSION_CACHE.append(folder)


def pytest_unconfigure(config: pytest.Config) -> None:
    for folder in _SESSION_CACHE:
        shutil.rmtree(folder, ignore_errors=True)
    _SESSION_CACHE.clear()


# Fixture notebooks are rendered by the tests (one fails on purpose); nbval must not collect them.
collect_ignore_glob = ["fixtures/*"]


BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def offline_browser():
    """Open pages in headless Chromium with every network request blocked.

    Yields ``check(path, width=None) -> facts``: it loads the page (``width``: in a viewport
    that wide, e.g. 390 for a phone), waits for its charts to be drawn (when it has any), and
    asserts zero external, failed or erroring requests, every ``.pmlib-chart`` drawn as SVG,
    and no serious or critical axe-core violation. ``facts`` holds ``charts`` (how many),
    ``title`` and ``overflow`` (how far the page scrolls sideways, in px) for the caller's own
    assertions. Skips without Chromium.
    """
    import shutil

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("needs Chromium (make system-deps installs Debian's chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=BROWSER_ARGS)

        def check(path: Path, width: int | None = None) -> dict:
            size = {"viewport": {"width": width, "height": 900}} if width else {}
            page = browser.new_page(**size)
            external: list[str] = []
            failed: list[str] = []
            errors: list[str] = []

            def route(r):
                if r.request.url.startswith(("file:", "data:", "about:")):
                    r.continue_()
                else:
                    external.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            page.on("requestfailed", lambda req: failed.append(req.url))
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(path.as_uri(), wait_until="load")
            charts = page.locator(".pmlib-chart").count()
            if charts and page.locator("script.pmlib-chart-spec").count():
                page.wait_for_function(
                    "document.documentElement.dataset.pmlibCharts === 'done'", timeout=20000
                )
            drawn = page.eval_on_selector_all(
                ".pmlib-chart", "els => els.map(e => !!e.querySelector('svg, canvas'))"
            )
            assert drawn == [True] * charts, (path.name, drawn)
            assert (external, failed, errors) == ([], [], []), path.name
            result = axe_module.Axe().run(page)
            bad = [
                (v["id"], v["impact"], v["nodes"][0]["html"][:160])
                for v in result.response["violations"]
                if v["impact"] in ("serious", "critical")
            ]
            assert bad == [], (path.name, bad)
            facts = {
                "charts": charts,
                "title": page.evaluate("document.title"),
                "overflow": page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                ),
            }
            page.close()
            return facts

        try:
            yield check
        finally:
            browser.close()


_CHART_FACTS = """() => ({
  scripts_ran: !!document.querySelector('[data-pmlib-drawn]'),
  page_width: document.documentElement.clientWidth,
  figures_right: Math.max(0, ...Array.from(document.querySelectorAll('figure.pmlib-figure'),
    f => f.getBoundingClientRect().right)),
  charts: Array.from(document.querySelectorAll('.pmlib-chart'), el => {
    const svg = el.querySelector(':scope > svg, :scope > div > svg');
    const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
    const scale = svg ? box.width / svg.width.baseVal.value : 0;
    const sizes = svg ? Array.from(svg.querySelectorAll('text'),
      t => parseFloat(t.getAttribute('font-size') || getComputedStyle(t).fontSize)) : [];
    const fb = el.querySelector('.pmlib-chart-fallback');
    return {
      svg_width: box.width, svg_height: box.height,
      min_font_px: sizes.length ? Math.min(...sizes) * scale : null,
      fallback: fb ? fb.textContent : '', fallback_visible: !!fb && fb.offsetHeight > 0,
    };
  }),
})"""


@pytest.fixture
def no_js_page():
    """Open pages in headless Chromium with JavaScript disabled (as where scripts are stripped).

    Yields ``facts(path, width=1024) -> dict``: whether any pmlib script ran, and for each
    ``.pmlib-chart`` the rendered size of its SVG, its smallest text in rendered px (font size
    × the scale the page draws it at) and its fallback text. Skips without Chromium.
    """
    import shutil

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("needs Chromium (make system-deps installs Debian's chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=BROWSER_ARGS)

        def facts(path: Path, width: int = 1024) -> dict:
            context = browser.new_context(
                java_script_enabled=False, viewport={"width": width, "height": 900}
            )
            page = context.new_page()
            page.goto(path.as_uri(), wait_until="load")
            out = page.evaluate(_CHART_FACTS)
            context.close()
            return out

        try:
            yield facts
        finally:
            browser.close()


@pytest.fixture(scope="session")
def pg_url():
    """The URL of a throwaway PostgreSQL server started for this session (tests/pg_server.py);
    the test is skipped, saying how to install it, where PostgreSQL is not installed."""
    from tests.pg_server import postgres_server

    with postgres_server() as url:
        yield url
