"""The static-SVG cache (pmlib.present.svg_cache): a drawing is reused only for exactly the same
spec, options and engine; damaged files are redrawn; writers never tear a file; the folder stays
bounded and owner-only; and a report renders to the same bytes with a cold and a warm cache."""

from __future__ import annotations

import os
import re
import stat
import threading
from pathlib import Path

import pytest

from pmlib.present import figures, svg_cache
from pmlib.present.svg_cache import cached_svg, clear_svg_cache, draw_svg, prune
from pmlib.reports.caches import CLEAR_IN_KERNEL, clear_result_caches

OPTIONS = {"config": {"aria": False}, "format_locale": "en-GB", "allowed_base_urls": []}


def _spec(title: str, values: list[int]) -> dict:
    return {
        "title": title,
        "description": f"{title}: {values}",
        "data": {"values": [{"x": i, "y": v} for i, v in enumerate(values)]},
        "mark": "bar",
        "encoding": {"x": {"field": "x", "type": "ordinal"}, "y": {"field": "y", "type": "quantitative"}},
    }  # fmt: skip


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty cache folder and memo, and a count of real drawings."""
    monkeypatch.setenv("PMLIB_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(svg_cache, "_memo", type(svg_cache._memo)())
    drawn: list[str] = []

    def counting(spec, options):
        drawn.append(spec["title"])
        return draw_svg(spec, options)

    monkeypatch.setattr(svg_cache, "draw_svg", counting)
    return tmp_path / "cache" / "svg", drawn


def _files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.svg"))


def test_the_same_spec_is_drawn_once_and_a_changed_spec_is_drawn_again(cache):
    folder, drawn = cache
    first = cached_svg(_spec("Alpha", [1, 2, 3]), OPTIONS)
    again = cached_svg(_spec("Alpha", [1, 2, 3]), OPTIONS)
    assert again == first and drawn == ["Alpha"]  # served from memory
    svg_cache._memo.clear()  # a new process: only the disk is left
    assert cached_svg(_spec("Alpha", [1, 2, 3]), OPTIONS) == first
    assert drawn == ["Alpha"]
    # one value changed: a new drawing, not the stored one
    changed = cached_svg(_spec("Alpha", [1, 2, 4]), OPTIONS)
    assert drawn == ["Alpha", "Alpha"] and changed != first
    assert changed == draw_svg(_spec("Alpha", [1, 2, 4]), OPTIONS)
    assert len(_files(folder)) == 2


def test_options_and_engine_versions_are_part_of_the_key(cache, monkeypatch):
    folder, drawn = cache
    spec = _spec("Beta", [3, 1])
    cached_svg(spec, OPTIONS)
    cached_svg(spec, {**OPTIONS, "format_locale": "en-US"})  # another option: another drawing
    assert drawn == ["Beta", "Beta"]
    monkeypatch.setattr(svg_cache, "_engine", lambda: ("9.9.9", "vega 9", "vl 9", "fonts"))
    cached_svg(spec, OPTIONS)  # vl-convert upgraded (or a font installed): drawn again
    assert drawn == ["Beta"] * 3
    assert len(_files(folder)) == 3


def test_key_order_is_kept_so_only_the_exact_same_json_shares_a_drawing(cache):
    _, drawn = cache
    spec = _spec("Gamma", [1])
    reordered = dict(reversed(list(spec.items())))
    cached_svg(spec, OPTIONS)
    cached_svg(reordered, OPTIONS)
    assert drawn == ["Gamma", "Gamma"]


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # truncated (a partial copy)
        lambda data: data.replace(b"<svg", b"<svG", 1),  # a flipped byte in the body
        lambda data: b"",  # empty
        lambda data: b"\x00\xff" * 40,  # not text at all
    ],
    ids=["truncated", "flipped", "empty", "binary"],
)
def test_a_damaged_file_is_ignored_and_rewritten(cache, damage):
    folder, drawn = cache
    spec = _spec("Delta", [5, 6])
    good = cached_svg(spec, OPTIONS)
    (path,) = _files(folder)
    path.write_bytes(damage(path.read_bytes()))
    svg_cache._memo.clear()
    assert cached_svg(spec, OPTIONS) == good  # drawn again, not the damaged text
    assert drawn == ["Delta", "Delta"]
    svg_cache._memo.clear()
    assert cached_svg(spec, OPTIONS) == good  # and the file was rewritten whole
    assert drawn == ["Delta", "Delta"]


def test_files_are_owner_only_and_no_temporary_file_is_left(cache):
    folder, _ = cache
    cached_svg(_spec("Epsilon", [2]), OPTIONS)
    (path,) = _files(folder)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # the council's unpublished figures
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert not list(folder.glob(".*"))


def test_writers_at_once_never_leave_a_torn_file(cache, monkeypatch):
    """Eight writers store the same drawing 25 times each while a reader keeps reading it: the
    reader only ever sees nothing or the whole drawing (a torn file would also be deleted)."""
    folder, _ = cache
    body = "<svg>" + "x" * 200_000 + "</svg>"
    path = folder / ("ab" * 32 + ".svg")
    monkeypatch.setattr(svg_cache, "_PRUNE_EVERY", 10**9)
    seen: set = set()
    stop = threading.Event()

    def read():
        while not stop.is_set():
            seen.add(svg_cache._read(path))

    def write():
        for _ in range(25):
            svg_cache._write(path, body)

    reader = threading.Thread(target=read)
    reader.start()
    writers = [threading.Thread(target=write) for _ in range(8)]
    for w in writers:
        w.start()
    for w in writers:
        w.join()
    stop.set()
    reader.join()
    assert seen <= {None, body} and body in seen
    assert svg_cache._read(path) == body
    assert [p.name for p in folder.iterdir()] == [path.name]  # no temporary file left behind


def test_the_folder_is_pruned_to_its_bound_least_recently_used_first(tmp_path):
    folder = tmp_path / "svg"
    folder.mkdir()
    # five files of 100 bytes, used at times 1..5 (e is the most recent)
    for t, name in enumerate("abcde", start=1):
        p = folder / f"{name}.svg"
        p.write_bytes(b"x" * 100)
        os.utime(p, (t, t))
    old_tmp = folder / ".left.tmp"  # a writer killed long ago
    old_tmp.write_bytes(b"y")
    os.utime(old_tmp, (1, 1))
    prune(folder, keep=folder / "a.svg", max_bytes=250)
    # 500 bytes over a 250 bound: drop the oldest (a is kept: just written), then b, c, d ...
    # a(100) + e(100) = 200 <= 250 after b, c and d go
    assert sorted(p.name for p in folder.iterdir()) == ["a.svg", "e.svg"]


def test_writing_prunes_a_folder_over_its_bound(cache, monkeypatch):
    folder, _ = cache
    folder.mkdir(parents=True)
    stale = folder / ("0" * 64 + ".svg")
    stale.write_bytes(b"z" * 5000)
    os.utime(stale, (1, 1))
    monkeypatch.setattr(svg_cache, "MAX_BYTES", 4000)
    monkeypatch.setattr(svg_cache.prune, "__defaults__", (None, 4000))
    monkeypatch.setattr(svg_cache, "_writes", 0)
    cached_svg(_spec("Zeta", [1]), OPTIONS)
    assert not stale.exists()
    assert len(_files(folder)) == 1


def test_an_unwritable_cache_folder_still_draws(cache, tmp_path, monkeypatch):
    (tmp_path / "file").write_text("not a folder")
    monkeypatch.setenv("PMLIB_CACHE_DIR", str(tmp_path / "file"))
    _, drawn = cache
    assert cached_svg(_spec("Eta", [1]), OPTIONS).startswith("<svg")
    assert drawn == ["Eta"]


def test_clearing_forgets_memory_and_disk(cache):
    folder, drawn = cache
    spec = _spec("Theta", [4])
    cached_svg(spec, OPTIONS)
    clear_result_caches()
    assert _files(folder) == []
    cached_svg(spec, OPTIONS)
    assert drawn == ["Theta", "Theta"]
    clear_svg_cache()
    assert _files(folder) == []


def test_a_report_figure_uses_the_cache_but_a_warm_up_draws(cache):
    _, drawn = cache
    spec = _spec("Iota", [1, 2])
    html = figures.chart_html(spec)
    assert figures.chart_html(spec) == html
    assert drawn == ["Iota"]
    # a kernel's warm-up must start vl-convert's engine: without cache=True it draws
    assert figures.static_svg(spec) is not None
    assert drawn == ["Iota", "Iota"]


@pytest.mark.notebook
def test_a_report_is_byte_identical_with_a_cold_and_a_warm_cache(tmp_path, monkeypatch):
    """Environment's report: with an empty cache, with every chart in memory, and with every
    chart on disk only (a later kernel)."""
    from pmlib.core.shipped import notebook_path
    from pmlib.render.kernel import ReportKernel
    from pmlib.render.notebook import run_report

    monkeypatch.setenv("PMLIB_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "cache" / "svg"
    root = Path(__file__).resolve().parents[1]
    params = {"quarter": "2026/27 Q2", "committee": "environment",
              "params_dir": str(root / "parameters")}  # fmt: skip
    nb = notebook_path("committee_report.ipynb")

    def render() -> str:
        html = run_report(nb, params, title="Environment", kernel=kernel).html
        return re.sub(r"\b\d{2}:\d{2}\b", "hh:mm", html)  # the cover's time may straddle a minute

    with ReportKernel() as kernel:
        kernel._run_silent(CLEAR_IN_KERNEL)
        cold = render()
        stored = {p.name: p.read_bytes() for p in _files(folder)}
        warm = render()
        kernel._run_silent("import pmlib.present.svg_cache as c; c._memo.clear()")
        from_disk = render()
    assert len(stored) >= 3  # its charts (a bar chart, trend and SPC charts of exceptions)
    assert warm == cold
    assert from_disk == cold
    assert {p.name: p.read_bytes() for p in _files(folder)} == stored  # nothing drawn again


def test_a_drawing_made_by_another_process_is_read_not_drawn_again(cache):
    """Two kernels of one run share drawings through the folder: what one wrote, the other
    reads (here the other is this process, whose memory has never seen the chart)."""
    import json
    import subprocess
    import sys

    folder, drawn = cache
    code = (
        "import json, sys\n"
        "from pmlib.present.svg_cache import cached_svg\n"
        "spec, options = json.loads(sys.stdin.read())\n"
        "sys.stdout.write(cached_svg(spec, options))\n"
    )
    other = subprocess.run(
        [sys.executable, "-c", code], input=json.dumps([_spec("Shared", [4, 5]), OPTIONS]),
        capture_output=True, text=True, check=True, env=os.environ.copy(),
    )  # fmt: skip
    assert len(_files(folder)) == 1
    assert cached_svg(_spec("Shared", [4, 5]), OPTIONS) == other.stdout
    assert drawn == []
