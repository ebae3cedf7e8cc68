"""The results pmlib keeps between reports to save time, and the one call that forgets them.

A report kernel keeps what it has computed where a later report (in the same kernel, another
kernel of the same run, or a later run) would compute it again: the static SVG of each chart
(:mod:`pmlib.present.svg_cache`, in memory and on disk), the council's benchmark positions
(:func:`pmlib.benchmarking.positions.latest_positions`, in memory), the figures written one
at a time (:func:`pmlib.core.numbers.value_string`) and the ratings of the library its reports
are built from (:func:`pmlib.rating.rater.shared_rater`, in memory). Every such cache is keyed
on all of its inputs, so a report never needs it cleared to be right. :func:`clear_result_caches` exists
for measuring: a benchmark's floor (``benchmarks/bench_pack.py``) times what a report costs
when nothing it produces is already known, and calls it in the kernel before each timed report.
Imports, engines (vl-convert's) and the loaded dataset are not results and stay warm.

Module-level imports are standard library only: the kernel may call this before any report.
"""

from __future__ import annotations

__all__ = ["CLEAR_IN_KERNEL", "clear_result_caches"]

#: Code that clears a kernel's result caches (``ReportKernel._run_silent(CLEAR_IN_KERNEL)``).
CLEAR_IN_KERNEL = "from pmlib.reports.caches import clear_result_caches; clear_result_caches()"


def clear_result_caches() -> None:
    """Forget every report result this process (and the cache folder) keeps: the next report
    computes and draws everything again, as the first report of a fresh installation does."""
    from pmlib.benchmarking.positions import clear_positions_cache
    from pmlib.core.numbers import clear_value_strings
    from pmlib.present.svg_cache import clear_svg_cache
    from pmlib.rating.rater import clear_shared_raters

    clear_svg_cache()
    clear_shared_raters()
    clear_positions_cache()
    clear_value_strings()
