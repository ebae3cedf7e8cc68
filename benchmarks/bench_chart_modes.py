"""Size and time of the three chart modes (``svg``, ``js``, ``both``) on the demo pack.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_chart_modes.py [--runs 3]

* **Pack**: ``pmlib run --force`` of the demo council's 2026/27 Q2 pack with
  ``PMLIB_CHART_MODE`` set to each mode, modes interleaved run by run (a busy machine slows
  every mode alike); wall time, the Cabinet page's size and the pack's total HTML.
* **Drawing**: the Cabinet report's chart specs turned into figures in one process, as the
  kernel does: the first static SVG (vl-convert's engine warm-up, once per kernel) and the rest.

Prints Markdown for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
QUARTER = "2026/27 Q2"
MODES = ("svg", "js", "both")


def pack(mode: str, out: Path) -> float:
    cmd = [str(BIN / "pmlib"), "run", "--force", "--quarter", QUARTER, "--out", str(out)]
    env = {**os.environ, "PMLIB_CHART_MODE": mode}
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        sys.exit(f"{' '.join(cmd)} failed:\n{done.stderr[-3000:]}")
    return time.perf_counter() - t0


def drawing() -> dict[str, float]:
    """Seconds to turn the Cabinet report's charts into figures, per mode (one process)."""
    from pmlib.present.figures import chart_html
    from pmlib.present.theme import use_theme
    from pmlib.reports.committee import CommitteeReport

    use_theme()
    report = CommitteeReport.build(
        quarter=QUARTER,
        committee="cabinet",
        data_dir=ROOT / "data" / "demo",
        params_dir=ROOT / "parameters",
        as_of=dt.date(2026, 12, 2),
    )
    specs = [report.glance_priorities().chart.to_dict(validate=False)]
    for _head, chart, _narr in report.exception_sections():
        specs.append(chart.to_dict(validate=False))
    out: dict[str, float] = {"charts": len(specs)}
    t0 = time.perf_counter()
    chart_html(specs[0], mode="svg")
    out["svg_first"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    sizes = [len(chart_html(s, mode="svg")) for s in specs[1:]]
    out["svg_rest_each"] = (time.perf_counter() - t0) / max(len(specs) - 1, 1)
    out["svg_kb"] = (sum(sizes) + len(chart_html(specs[0], mode="svg"))) / 1000
    t0 = time.perf_counter()
    js = [len(chart_html(s, mode="js")) for s in specs]
    out["js_each"] = (time.perf_counter() - t0) / len(specs)
    out["js_spec_kb"] = sum(js) / 1000
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    times: dict[str, list[float]] = {m: [] for m in MODES}
    sizes: dict[str, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.runs):
            for mode in MODES:
                out = Path(tmp) / f"{mode}-{run}"
                times[mode].append(pack(mode, out))
                pages = list(out.glob("*.html"))
                reports = [p for p in pages if p.name != "index.html"]
                sizes[mode] = (
                    (out / "cabinet.html").stat().st_size / 1000,
                    sum(p.stat().st_size for p in reports) / 1000,
                )
    print("| mode | `pmlib run --force`, demo pack | Cabinet page | 5 reports' HTML |")
    print("|---|---:|---:|---:|")
    for mode in MODES:
        t = times[mode]
        print(
            f"| `{mode}` | {min(t):.1f}–{max(t):.1f} s (median {statistics.median(t):.1f}) "
            f"| {sizes[mode][0]:,.0f} KB | {sizes[mode][1]:,.0f} KB |"
        )
    d = drawing()
    print(
        f"\nDrawing the Cabinet report's {d['charts']:.0f} charts in one process: first static "
        f"SVG {d['svg_first'] * 1000:.0f} ms (engine warm-up), then "
        f"{d['svg_rest_each'] * 1000:.0f} ms each ({d['svg_kb']:.0f} KB of figures); as specs "
        f"for the browser {d['js_each'] * 1000:.1f} ms each ({d['js_spec_kb']:.0f} KB)."
    )


if __name__ == "__main__":
    main()
