"""Charts say what matters: titled axes, target and band in a key, the latest point labelled,
year-to-date lines per financial year, sparklines that end in the rating, legible static SVG.

Issue 12's examples from the demo council (2026/27 Q2) are the cases here: HSG02's year-to-date
sawtooth, ENV07 (Grey, last figure Red), ENV06 (No data, last figure Green), RES14 in £k.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from pmlib.present.charts import axis_title, fy_segments, rag_bar_chart, trend_chart
from pmlib.present.figures import chart_html, fit_svg
from pmlib.present.tables import sparkline
from pmlib.present.theme import use_theme

QUARTERS = [
    "2024/25 Q3",
    "2024/25 Q4",
    "2025/26 Q1",
    "2025/26 Q2",
    "2025/26 Q3",
    "2025/26 Q4",
    "2026/27 Q1",
    "2026/27 Q2",
]
NAN = float("nan")


def _history(values, rags, *, target=None, band=None) -> pd.DataFrame:
    n = len(values)
    target = target if target is not None else [NAN] * n
    green, red = band if band is not None else ([NAN] * n, [NAN] * n)
    return pd.DataFrame(
        {
            "period": QUARTERS[-n:],
            "ordinal": range(n),
            "value": values,
            "target": target,
            "green_threshold": green,
            "red_threshold": red,
            "rag": rags,
        }
    )


# HSG02 "Affordable homes delivered (year to date)": cumulative, restarting every April
HSG02 = _history(
    [227, 305, 80, 160, 225, 298, 74, 144],
    ["Green", "Green", "Green", "Green", "Green", "Amber", "Amber", "Amber"],
    target=[218, 290, 75, 150, 225, 300, 75, 150],
    band=([218, 290, 75, 150, 225, 300, 75, 150], [207, 276, 71, 143, 214, 285, 71, 143]),
)


@pytest.fixture(scope="module")
def svg_of():
    """Draw a chart as the report does (house theme, vl-convert) and return the SVG text."""
    import vl_convert as vlc

    use_theme()

    def draw(chart) -> str:
        return vlc.vegalite_to_svg(chart.to_dict(validate=False))

    return draw


def _line_paths(svg: str, colour: str = "#12436D") -> int:
    """How many separate value lines (paths stroked in the line colour) a chart draws."""
    return len(re.findall(rf'<path[^>]*stroke="{colour}"', svg))


def _rows(spec: dict, part: int = 0) -> list[dict]:
    """The data rows of a trend chart's plot (part 0) or key (part 1)."""
    return spec["datasets"][spec["vconcat"][part]["data"]["name"]]


def _texts(svg: str) -> list[str]:
    """Every line of text drawn (a wrapped label is one <tspan> per line)."""
    return re.findall(r">([^<>]+)</(?:text|tspan)>", svg)


# --- trend chart -----------------------------------------------------------------------------


def test_value_axis_is_titled_with_the_unit(svg_of):
    h = _history([251.0, 298.0], ["Red", "Red"], target=[240.0, 290.0])
    svg = svg_of(trend_chart(h, name="Agency staff spend", unit="currency_thousands", decimals=0))
    assert "£ thousands" in _texts(svg)
    assert axis_title("percent") == "Percent"
    assert axis_title("rate_per_100000") == "Per 100,000"
    assert axis_title("days") == "Days"


def test_latest_point_is_labelled_with_its_formatted_value_and_drawn_larger(svg_of):
    h = _history([251.0, 298.4], ["Red", "Red"], target=[240.0, 290.0])
    chart = trend_chart(h, name="Agency staff spend", unit="currency_thousands", decimals=0)
    svg = svg_of(chart)
    # RES14: £298k, not £298 (the one formatter, rounding as published)
    assert "£298k" in _texts(svg)
    assert "£251k" not in _texts(svg)  # only the latest point is labelled
    spec = chart.to_dict(validate=False)
    rows = _rows(spec)
    assert [r["latest"] for r in rows] == [False, True]
    points = spec["vconcat"][0]["layer"][3]["encoding"]
    assert points["size"]["condition"]["value"] > points["size"]["value"]
    assert points["opacity"]["condition"]["value"] == 1.0


def test_cumulative_chart_has_no_segment_joining_two_financial_years(svg_of):
    chart = trend_chart(HSG02, name="Affordable homes", unit="number", decimals=0,
                        measure="cumulative")  # fmt: skip
    spec = chart.to_dict(validate=False)
    rows = _rows(spec)
    assert [r["segment"] for r in rows] == ["2024/25"] * 2 + ["2025/26"] * 4 + ["2026/27"] * 2
    line = spec["vconcat"][0]["layer"][2]["encoding"]
    assert line["detail"] == {"field": "segment", "type": "nominal"}
    # drawn: three separate lines (one per financial year), so Q4 305 never joins Q1 80
    assert _line_paths(svg_of(chart)) == 3
    assert "Number, year to date" in _texts(svg_of(chart))


def test_a_period_measure_is_one_line(svg_of):
    chart = trend_chart(HSG02, name="x", unit="number", decimals=0, measure="period")
    assert _line_paths(svg_of(chart)) == 1


def test_key_shows_target_band_and_only_the_rag_states_drawn(svg_of):
    h = _history(
        [7.9, 5.6, NAN],
        ["Red", "Green", "No data"],
        target=[6.5, 6.5, 6.0],
        band=([6.5, 6.5, 6.0], [6.8, 6.8, 6.3]),
    )
    chart = trend_chart(h, name="Missed bins", unit="percent", decimals=1)
    texts = _texts(svg_of(chart))
    for entry in ("Target", "Amber: within tolerance", "Red", "Green"):
        assert entry in texts, entry
    # No data has no point on the chart, Amber and Grey do not occur: none is in the key
    assert not {"No data", "Amber", "Grey"} & set(texts)
    key = chart.to_dict(validate=False)["vconcat"][1]
    key_rows = _rows(chart.to_dict(validate=False), 1)
    assert [r["label"] for r in key_rows] == ["Target", "Amber: within tolerance", "Red", "Green"]
    assert key["layer"][2]["encoding"]["color"]["scale"]["domain"] == ["Red", "Green"]


def test_description_names_the_unit_and_the_latest_rating():
    text = trend_chart(HSG02, name="Affordable homes", unit="number", decimals=0,
                       measure="cumulative").to_dict(validate=False)["description"]  # fmt: skip
    assert "from 227 in 2024/25 Q3 to 144 in 2026/27 Q2" in text
    assert "latest rating Amber" in text and "restarts each financial year" in text


def test_fy_segments_from_period_labels():
    assert fy_segments(["2025/26 Q4", "2026/27 Q1", "2026/27"]) == ["2025/26", "2026/27"] * 1 + [
        "2026/27"
    ]
    # months: the financial year depends on the council's first month (April here)
    assert fy_segments(["2026-03", "2026-04"]) == ["2025/26", "2026/27"]


# --- priority chart --------------------------------------------------------------------------

COUNTS = pd.DataFrame(
    {
        "group": ["A greener district", "Homes and thriving communities", "An efficient, "
                  "well-run council", "Homes and thriving communities"],
        "rag": ["Green", "Red", "Amber", "Green"],
        "n": [3, 2, 4, 6],
    }
)  # fmt: skip


def test_priority_chart_runs_in_the_tables_order_with_full_labels(svg_of):
    chart = rag_bar_chart(COUNTS)
    svg = svg_of(chart)
    assert "…" not in svg
    words = " ".join(_texts(svg))
    assert "Homes and thriving" in words and "communities" in words
    # alphabetical, as the golden-thread table beneath lists the priorities
    spec = chart.to_dict(validate=False)
    assert [s.replace("|", " ") for s in spec["encoding"]["y"]["sort"]] == [
        "A greener district",
        "An efficient, well-run council",
        "Homes and thriving communities",
    ]
    ordered = rag_bar_chart(COUNTS, order=["Homes and thriving communities", "A greener district"])
    sort = ordered.to_dict(validate=False)["encoding"]["y"]["sort"]
    assert sort[0].startswith("Homes") and sort[1] == "A greener district"
    assert len(sort) == 3  # a group missing from the order still gets its bar, last


def test_priority_chart_legend_lists_only_the_states_counted():
    spec = rag_bar_chart(COUNTS).to_dict(validate=False)
    assert spec["encoding"]["color"]["scale"]["domain"] == ["Red", "Amber", "Green"]


# --- sparklines --------------------------------------------------------------------------------


def _end(svg: str) -> tuple[str, str, str]:
    """(tag, data-rag, fill) of a sparkline's end mark."""
    m = re.search(r'<(\w+) class="sparkline-end" data-rag="([^"]+)"[^>]*fill="([^"]+)"', svg)
    assert m, svg
    return m.group(1), m.group(2), m.group(3)


def test_sparkline_ends_in_the_indicators_rating_not_its_last_figures():
    # ENV07 (annual): last figure 2025/26 was Red, but now (2026/27 Q2) it is Grey, not due
    values = [NAN, 3764, NAN, NAN, NAN, 3618, NAN, NAN]
    rags = ["Grey", "Amber", "Grey", "Grey", "Grey", "Red", "Grey", "Grey"]
    svg = sparkline(values, rags)
    assert _end(svg) == ("polygon", "Grey", "#6F777B")  # the Grey diamond
    assert "#B3261E" not in svg  # no red anywhere
    # its mark sits at the right-hand edge (the report's period), not on the 2025/26 figure
    assert 'points="85.0,' in svg


def test_sparkline_for_no_data_ends_in_an_open_circle_not_green():
    # ENV06: Green last quarter, No data this quarter
    svg = sparkline([4.9, 6.7, 5.3, NAN], ["Green", "Red", "Green", "No data"])
    assert _end(svg) == ("circle", "No data", "#FFFFFF")
    assert "#00703C" not in svg


@pytest.mark.parametrize(
    ("rag", "tag", "fill"),
    [("Red", "rect", "#B3261E"), ("Amber", "polygon", "#F2A900"), ("Green", "circle", "#00703C")],
)
def test_sparkline_end_mark_has_the_ratings_shape_and_colour(rag, tag, fill):
    assert _end(sparkline([1.0, 2.0], ["Green", rag])) == (tag, rag, fill)


def test_cumulative_sparkline_draws_one_line_per_financial_year():
    values, rags = list(HSG02["value"]), list(HSG02["rag"])
    assert sparkline(values, rags).count("<polyline") == 1
    split = sparkline(values, rags, periods=QUARTERS, cumulative=True)
    assert split.count("<polyline") == 3


# --- static figures ----------------------------------------------------------------------------


def test_fit_svg_scales_with_the_column_but_not_below_11px_text():
    svg = (
        '<svg width="390" height="200" viewBox="0 0 390 200"><text font-size="12px">a</text></svg>'
    )
    style = re.search(r'style="([^"]+)"', fit_svg(svg)).group(1)
    # 390 px drawn with 12 px text: shrinks to 390 × 11 / 12 = 357.5 → 358 px, no further
    assert style == "width:100%;height:auto;max-width:390px;min-width:358px"
    small = fit_svg(svg.replace("12px", "10px"))  # text already under 11 px: never shrink
    assert "min-width:390px" in small


def test_svg_figure_holds_one_static_svg_with_viewbox_and_no_script():
    fragment = chart_html(trend_chart(HSG02, name="Homes", unit="number", decimals=0).to_dict())
    assert fragment.count("<svg") == 1 and "viewBox=" in fragment
    assert "<script" not in fragment
    sizes = [float(s) for s in re.findall(r'font-size="([0-9.]+)px"', fragment)]
    assert sizes and min(sizes) >= 11
    width = float(re.search(r'<svg[^>]*\bwidth="([0-9.]+)"', fragment).group(1))
    min_width = float(re.search(r"min-width:([0-9.]+)px", fragment).group(1))
    assert min_width * min(sizes) / width >= 11
    # drawn narrow enough for a 390 px phone (358 px column) at full legibility
    assert min_width <= 358


def test_static_svg_is_hidden_whole_and_its_marks_carry_no_aria():
    fragment = chart_html(trend_chart(HSG02, name="Homes", unit="number", decimals=0).to_dict())
    svg = fragment[fragment.index("<svg") : fragment.index("</svg>")]
    assert 'aria-hidden="true"' in re.match(r"<svg[^>]*>", svg).group(0)
    # screen readers get the figure's description; per-mark labels inside a hidden drawing
    # would never be read (and made the page a quarter bigger)
    assert "aria-label" not in svg
    assert 'role="img"' in fragment and 'aria-label="Trend chart for Homes' in fragment


def test_js_figure_says_what_the_chart_shows_without_javascript():
    fragment = chart_html({"mark": "bar", "description": "Calls answered by month."}, mode="js")
    visible = fragment.split("<script", 1)[0]
    assert "<svg" not in visible
    assert 'class="pmlib-chart-fallback"' in visible
    assert "It shows: Calls answered by month." in visible


def test_both_figure_has_static_svg_and_the_spec():
    fragment = chart_html({"mark": "bar", "description": "Calls."}, mode="both")
    assert fragment.count("<svg") == 1 and fragment.count('class="pmlib-chart-spec"') == 1


def test_chart_that_cannot_be_drawn_says_so_without_javascript(monkeypatch, caplog):
    import vl_convert

    def broken(*_a, **_k):
        raise ValueError("Vega failed")

    monkeypatch.setattr(vl_convert, "vegalite_to_svg", broken)
    fragment = chart_html({"mark": "bar", "description": "Calls answered by month."})
    assert "<svg" not in fragment and "<script" not in fragment
    assert "This chart could not be drawn. It shows: Calls answered by month." in fragment
    assert "Vega failed" in caplog.text


# --- the demo Cabinet report, as sent -----------------------------------------------------------


@pytest.fixture(scope="module")
def cabinet(tmp_path_factory):
    """The demo council's Cabinet report for 2026/27 Q2, rendered by ``pmlib run``."""
    from pathlib import Path

    from pmlib.cli.main import main

    root = Path(__file__).resolve().parents[1]
    out = tmp_path_factory.mktemp("cabinet")
    argv = ["run", "--quarter", "2026/27 Q2", "--committee", "cabinet", "--quiet"]
    argv += ["--data", str(root / "data" / "demo"), "--params", str(root / "parameters")]
    assert main([*argv, "--out", str(out)]) == 0
    return out / "cabinet.html"


@pytest.mark.notebook
def test_exported_report_has_one_inline_svg_per_figure_and_no_script(cabinet):
    html = cabinet.read_text(encoding="utf-8")
    figures = re.findall(r'<figure class="pmlib-figure">.*?</figure>', html, flags=re.S)
    assert len(figures) >= 2  # the priority chart and at least one exception's trend
    # (the exporter's HTML parser writes viewBox as viewbox; browsers read both as viewBox)
    assert all(f.count("<svg") == 1 and "viewbox=" in f.lower() for f in figures)
    assert "<script" not in html  # static charts: the page needs no JavaScript at all


@pytest.mark.notebook
def test_every_scorecard_sparkline_ends_in_its_rows_rating(cabinet):
    html = cabinet.read_text(encoding="utf-8")
    rows = [r for r in html.split("<tr")[1:] if 'class="sparkline"' in r]
    assert len(rows) > 30
    ends = {}
    for row in rows:
        ref = re.search(r">([A-Z]{3}\d{2})<", row).group(1)
        badge = re.search(r'class="rag rag-([a-z-]+)"', row).group(1)
        mark = re.search(r"<[^>]*sparkline-end[^>]*>", row).group(0)
        end = re.search(r'data-rag="([^"]+)"', mark).group(1)
        assert end.lower().replace(" ", "-") == badge, ref
        ends[ref] = end
    # the examples: ENV07 Grey (not Red), ENV06 No data, HSG03 Grey (not Green)
    assert (ends["ENV07"], ends["ENV06"], ends["HSG03"]) == ("Grey", "No data", "Grey")


@pytest.mark.browser
@pytest.mark.notebook
@pytest.mark.parametrize("width", [1024, 390])
def test_without_javascript_every_chart_is_a_legible_svg_at_desktop_and_phone_width(
    cabinet, no_js_page, width
):
    facts = no_js_page(cabinet, width=width)
    assert facts["charts"], "no charts found"
    for chart in facts["charts"]:
        assert chart["svg_width"] > 200 and chart["svg_height"] > 100, chart
        assert chart["min_font_px"] >= 11 - 1e-6, (width, chart)
    # no chart pushes the page sideways (a wide one would scroll inside its own box)
    assert facts["figures_right"] <= facts["page_width"]


def test_period_labels_are_short_enough_for_eight_periods_at_phone_width(svg_of):
    quarters = _texts(svg_of(trend_chart(HSG02, name="x", unit="number", decimals=0)))
    first = quarters.index("Q3")
    assert quarters[first : first + 2] == ["Q3", "24/25"]  # "2024/25 Q3" on two short lines
    years = HSG02.assign(period=[f"{y}/{(y + 1) % 100:02d}" for y in range(2018, 2026)])
    texts = _texts(svg_of(trend_chart(years, name="x", unit="number", decimals=0)))
    assert [t for t in texts if re.fullmatch(r"\d\d/\d\d", t)] == [
        "18/19", "19/20", "20/21", "21/22", "22/23", "23/24", "24/25", "25/26"
    ]  # fmt: skip


@pytest.mark.notebook
def test_priority_chart_lists_priorities_in_the_order_of_the_table_beneath_it(cabinet):
    html = cabinet.read_text(encoding="utf-8")
    priorities = [
        "A greener district",
        "A prosperous local economy",
        "An efficient, well-run council",
        "Homes and thriving communities",
    ]
    label = re.search(r'aria-label="(RAG ratings by Council Plan priority[^"]*)"', html).group(1)
    table = html.split("<caption>RAG ratings by Council Plan priority</caption>", 1)[1]
    table = table.split("</table>", 1)[0]

    def order(text: str) -> list[str]:
        return sorted(priorities, key=lambda p: text.index(p))

    assert order(label) == order(table)


def test_a_mistyped_chart_mode_in_the_environment_is_named_with_its_fix(monkeypatch):
    from pmlib.core.errors import RenderError
    from pmlib.present.figures import enable_offline_charts

    monkeypatch.setenv("PMLIB_CHART_MODE", "SVG ")
    with pytest.raises(RenderError) as err:
        enable_offline_charts()
    message = str(err.value)
    assert "PMLIB_CHART_MODE" in message and "'SVG '" in message
    assert "svg, js, both" in message


@pytest.mark.notebook
def test_no_id_repeats_in_the_report_and_every_contents_link_has_its_target(cabinet):
    from collections import Counter

    html = cabinet.read_text(encoding="utf-8")
    ids = Counter(re.findall(r'\sid="([^"]+)"', html))
    assert [i for i, n in ids.items() if n > 1] == []
    # each exception's commentary headings carry its own id, not a page-order number
    assert re.search(r'<h4 id="ex-[A-Z]{3}\d{2}-performance-update">', html)
    assert not re.search(r'id="performance-update(-\d+)?"', html)
    links = set(re.findall(r'href="#([^"]+)"', html))
    assert links and links <= set(ids), links - set(ids)
