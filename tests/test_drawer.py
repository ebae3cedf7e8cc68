"""The batch's chart drawer (pmlib.present.drawer): one vl-convert engine, forked by the zygote,
drawing for every kernel exactly what the kernel would have drawn itself; without it (or once it
has gone) a kernel draws in its own process."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from proc_helpers import children_of, gone

from pmlib.present import drawer, svg_cache
from pmlib.present.figures import svg_options
from pmlib.render import zygote

pytestmark = pytest.mark.skipif(not zygote.available(), reason="the drawer is forked on Linux")

SPEC = {
    "title": "Households in temporary accommodation",
    "data": {"values": [{"period": f"2025/26 Q{q}", "value": v, "rag": r}
                        for q, v, r in [(1, 12.5, "Green"), (2, 14.25, "Amber"), (3, 9.0, "Red")]]},
    "mark": {"type": "line", "point": True},
    "encoding": {"x": {"field": "period", "type": "ordinal"},
                 "y": {"field": "value", "type": "quantitative", "axis": {"format": ",.1f"}},
                 "color": {"field": "rag", "type": "nominal"}},
}  # fmt: skip
BAD = {"data": {"values": [{"x": 1}]}, "mark": "no-such-mark", "encoding": {}}


@pytest.fixture
def running(monkeypatch):
    """A zygote preloading pmlib's figures, its drawer, and this process pointed at it."""
    z = zygote.start_zygote(["pmlib.present.figures"])
    assert z is not None
    path = Path(z.folder) / zygote.DRAWER_SOCKET
    deadline = time.monotonic() + 60
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    monkeypatch.setenv(drawer.ENV, str(path))
    monkeypatch.setattr(drawer, "_conn", {"sock": None, "path": None, "broken": False})
    yield z
    z.stop()


def test_the_drawer_draws_what_vl_convert_draws_here_and_fails_alike(running):
    import vl_convert as vlc

    assert drawer.draw(SPEC, svg_options()) == vlc.vegalite_to_svg(SPEC, **svg_options())
    with pytest.raises(ValueError) as here:
        vlc.vegalite_to_svg(BAD, **svg_options())
    with pytest.raises(ValueError) as there:
        drawer.draw(BAD, svg_options())
    assert str(there.value) == str(here.value)
    assert drawer.draw(SPEC, svg_options()) == drawer.draw(SPEC, svg_options())  # remembered


def test_the_cache_keys_on_the_drawers_engine_which_is_this_ones(running, monkeypatch):
    import vl_convert as vlc

    assert drawer.engine() == [
        getattr(vlc, "__version__", "?"),
        vlc.get_vega_version(),
        ",".join(vlc.get_vegalite_versions()),
        str(vlc.get_local_tz()),
    ]
    asked = []
    monkeypatch.setattr(drawer, "draw", lambda spec, options: asked.append(spec) or "<svg/>")
    assert svg_cache.draw_svg(SPEC, svg_options()) == "<svg/>"
    assert asked == [SPEC]


def test_the_drawer_ends_with_its_zygote(running):
    assert drawer.draw(SPEC, svg_options())  # started and drawing
    children = children_of(running.process.pid)
    assert len(children) == 1  # the drawer (no kernel was asked for)
    running.stop()
    assert gone(children[0])
    assert gone(running.process.pid)


def test_without_a_drawer_a_chart_is_drawn_here(monkeypatch, tmp_path):
    import vl_convert as vlc

    monkeypatch.setattr(drawer, "_conn", {"sock": None, "path": None, "broken": False})
    monkeypatch.delenv(drawer.ENV, raising=False)
    assert drawer.draw(SPEC, svg_options()) is None
    monkeypatch.setenv(drawer.ENV, str(tmp_path / "gone.sock"))  # named, but not there
    assert drawer.draw(SPEC, svg_options()) is None
    assert svg_cache.draw_svg(SPEC, svg_options()) == vlc.vegalite_to_svg(SPEC, **svg_options())


def test_a_spec_that_is_not_plain_json_is_drawn_here(running):
    assert drawer.draw({**SPEC, "usermeta": {"when": object()}}, svg_options()) is None
    assert drawer.draw(SPEC, svg_options())  # the drawer is still asked for the next one


def test_a_kernel_whose_drawer_died_draws_here_from_then_on(running):
    import signal

    import vl_convert as vlc

    assert drawer.draw(SPEC, svg_options())  # connected
    (pid,) = children_of(running.process.pid)
    os.kill(pid, signal.SIGKILL)
    assert gone(pid)
    assert drawer.draw(SPEC, svg_options()) is None
    assert svg_cache.draw_svg(SPEC, svg_options()) == vlc.vegalite_to_svg(SPEC, **svg_options())


def _specs(n: int) -> list[dict]:
    return [{**SPEC, "title": f"Indicator {i}"} for i in range(n)]


def test_charts_handed_over_ahead_are_drawn_once_each_and_shown_as_drawn_here(
    running, monkeypatch, tmp_path
):
    import vl_convert as vlc

    monkeypatch.setenv("PMLIB_CACHE_DIR", str(tmp_path))
    svg_cache._memo.clear()
    asked = []
    real = drawer.draw
    monkeypatch.setattr(drawer, "draw", lambda s, o: asked.append(s["title"]) or real(s, o))
    specs = _specs(4)
    assert svg_cache.prefetch(specs, svg_options()) == 4
    deadline = time.monotonic() + 60
    while svg_cache._ahead and time.monotonic() < deadline:
        time.sleep(0.05)
    # drawn ahead, by the thread, before anything is shown
    assert sorted(asked) == sorted(s["title"] for s in specs)
    assert len(list(tmp_path.rglob("*.svg"))) == 4
    shown = [svg_cache.cached_svg(s, svg_options()) for s in specs]
    assert shown == [vlc.vegalite_to_svg(s, **svg_options()) for s in specs]
    assert sorted(asked) == sorted(s["title"] for s in specs)  # none drawn twice
    assert svg_cache._ahead == {}
    # already drawn: nothing is handed over again
    assert svg_cache.prefetch(specs, svg_options()) == 0
    svg_cache._memo.clear()
    assert svg_cache.prefetch(specs, svg_options()) == 0  # on disk


def test_a_chart_that_fails_ahead_fails_on_display_as_before(running, monkeypatch, tmp_path):
    monkeypatch.setenv("PMLIB_CACHE_DIR", str(tmp_path))
    svg_cache._memo.clear()
    import vl_convert as vlc

    with pytest.raises(ValueError) as here:
        vlc.vegalite_to_svg(BAD, **svg_options())
    assert svg_cache.prefetch([BAD, SPEC], svg_options()) == 2
    with pytest.raises(ValueError) as shown:
        svg_cache.cached_svg(BAD, svg_options())
    assert str(shown.value) == str(here.value)
    assert svg_cache.cached_svg(SPEC, svg_options()).startswith("<svg")


def test_nothing_is_drawn_ahead_without_a_drawer(monkeypatch, tmp_path):
    monkeypatch.setenv("PMLIB_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(drawer, "_conn", {"sock": None, "path": None, "broken": False})
    monkeypatch.delenv(drawer.ENV, raising=False)
    svg_cache._memo.clear()
    assert svg_cache.prefetch(_specs(2), svg_options()) == 0
    assert svg_cache._ahead == {}
    assert not list(tmp_path.rglob("*.svg"))


HELD = """
import os, sys
from pmlib.present.drawer import fork_drawer
hold = int(sys.argv[2])
pid = fork_drawer(sys.argv[1], hold=hold)
os.close(hold)
print(pid, flush=True)
sys.stdin.read()  # the drawer lives while this process does
"""


def test_a_held_drawer_draws_when_asked_and_after_it_is_let_go(tmp_path, monkeypatch):
    """The zygote holds its drawer's engine back while it imports (a pipe); a kernel asking
    before then gets its drawing all the same, and so after the pipe ends."""
    import subprocess
    import sys

    import vl_convert as vlc

    hold, go = os.pipe()
    path = tmp_path / "drawer.sock"
    helper = subprocess.Popen(
        [sys.executable, "-c", HELD, str(path), str(hold)], pass_fds=(hold,),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    os.close(hold)
    try:
        pid = int(helper.stdout.readline())
        monkeypatch.setenv(drawer.ENV, str(path))
        monkeypatch.setattr(drawer, "_conn", {"sock": None, "path": None, "broken": False})
        expected = vlc.vegalite_to_svg(SPEC, **svg_options())
        assert drawer.draw(SPEC, svg_options()) == expected  # still held: drawn on request
        os.close(go)
        go = None
        other = {**SPEC, "title": "After the hold"}
        assert drawer.draw(other, svg_options()) == vlc.vegalite_to_svg(other, **svg_options())
        assert pid in children_of(helper.pid)
    finally:
        if go is not None:
            os.close(go)
        helper.stdin.close()
        helper.wait(timeout=30)
    assert gone(pid)  # ends with its parent
