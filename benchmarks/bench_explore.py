"""Time the explorer's response to a widget change on the demo council.

Builds :class:`pmlib.explore.explorer.Explorer` with its widgets (as ``notebooks/explore.ipynb`` does),
then sets each widget's ``.value`` as an analyst would and times until every view is updated
(the callbacks are synchronous: the scorecard, indicator detail and what-if HTML are rebuilt
before the assignment returns). The browser's drawing time is not included.

Two figures per change:

* **cold** — a quarter, indicator or tolerance not seen before: ratings, chart SVG and
  benchmark positions are computed (the explorer's caches are emptied before each change);
* **warm** — going back to something already seen (the usual case while exploring).

Each is the median (and worst) of ``--repeat`` changes. Usage::

    .venv/bin/python benchmarks/bench_explore.py [--repeat 9]

The goal is well under a second per change on a 2-core machine.
"""

from __future__ import annotations

import argparse
import itertools
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pmlib.explore.explorer import Explorer  # noqa: E402


def _changes(ex: Explorer) -> dict[str, list]:
    """For each widget, values to cycle through (each differs from the one before)."""
    quarters = [p.label for p in ex.periods[-4:]]
    committees = list(ex.dataset.settings.committees)
    return {
        "quarter": quarters,
        "committee": committees,
        "priority": ["All", *ex.priorities()[:3]],
        "rag": [("Red", "Amber"), ("Green",), ()],
        "indicator": [i for _, i in ex.widgets["indicator"].options][:12],
        "amber_within": [0.06, 0.08, 0.10, 0.12, 0.15, 0.20, 0.25],
    }


def _clear(ex: Explorer) -> None:
    ex._rated.clear()
    ex._svg.clear()
    ex._positions.clear()


def time_changes(ex: Explorer, name: str, values: list, repeat: int, *, cold: bool) -> list[float]:
    widget = ex.widgets[name]
    cycle = itertools.cycle(values)
    out: list[float] = []
    while len(out) < repeat:
        value = next(cycle)
        if value == widget.value:
            continue
        if cold:
            _clear(ex)
        t0 = time.perf_counter()
        widget.value = value
        out.append(time.perf_counter() - t0)
        if ex.widgets["message"].value:
            raise RuntimeError(ex.widgets["message"].value)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9, help="changes timed per widget")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    ex = Explorer(params_dir=ROOT / "parameters", background=False)
    t_read = time.perf_counter() - t0
    t0 = time.perf_counter()
    ex.view()
    t_view = time.perf_counter() - t0

    print(f"pmlib explorer on the demo council ({len(ex.dataset.indicators)} indicators, "
          f"{len(ex.dataset.actuals)} actuals, {len(ex.periods)} quarters); "
          f"Python {platform.python_version()}, {platform.machine()}")  # fmt: skip
    print(f"start-up: read and validate the data {t_read:.2f} s; build the widgets and first "
          f"views {t_view:.2f} s (history of every quarter computed once)\n")  # fmt: skip
    print("| widget change | cold median | cold worst | warm median | warm worst | n |")
    print("|---|---:|---:|---:|---:|---:|")
    worst = 0.0
    for name, values in _changes(ex).items():
        if name in ("committee", "priority", "rag"):
            ex.reset()
        cold = time_changes(ex, name, values, args.repeat, cold=True)
        for value in values:  # visit every value once, so all are cached
            ex.widgets[name].value = value
        warm = time_changes(ex, name, values, args.repeat, cold=False)
        worst = max(worst, max(cold), max(warm))
        label = "tolerance (amber slider)" if name == "amber_within" else name
        print(f"| {label} | {statistics.median(cold) * 1000:.0f} ms | {max(cold) * 1000:.0f} ms "
              f"| {statistics.median(warm) * 1000:.0f} ms | {max(warm) * 1000:.0f} ms "
              f"| {args.repeat} |")  # fmt: skip
    print(f"\nslowest single change: {worst * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
