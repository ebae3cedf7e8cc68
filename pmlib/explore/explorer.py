"""The explorer: an interactive look at the ratings between quarterly runs, in JupyterLab.

Analysts ask: which indicators moved, what will a committee see, how does an indicator look
against its target and its peers, what would a different tolerance do to the RAG picture?
:class:`Explorer` holds the state of such a session — quarter, committee, Council Plan priority,
RAG filter, indicator and a "what if" tolerance — and answers with plain methods:

* :meth:`Explorer.scorecard` — the committee's indicators at the quarter, filtered (a frame);
* :meth:`Explorer.detail` — one indicator: facts, reason, trend chart spec, narrative,
  methodology and benchmark position;
* :meth:`Explorer.spc` / :meth:`Explorer.spc_html` — the indicator's SPC chart, icons and
  sentence under options the analyst sets (:mod:`pmlib.explore.spc_view`);
* :meth:`Explorer.what_if` — which indicators would change colour if the council's scheme had
  other thresholds, with the counts;
* :meth:`Explorer.render_report` — the committee's report through the batch machinery
  (:func:`pmlib.batch.pack.run_pack`), returning the HTML file.

:meth:`Explorer.show` adds a thin ipywidgets layer: dropdowns, a RAG filter, two sliders and a
button, whose callbacks call those methods and update HTML views in place (no cell re-runs).
The widgets are kept in :attr:`Explorer.widgets`, so tests set ``.value`` and read what is shown.

Speed: the dataset is read once; ratings are cached per (quarter, scheme thresholds); the trend
history of every indicator is computed once for all quarters; chart SVG (drawn offline by
vl-convert, so no JavaScript or network is needed) and benchmark positions are cached per
indicator and quarter. On the demo council a widget change takes about 0.1 s when revisiting and
0.3 s for a quarter or indicator not seen before — see ``benchmarks/bench_explore.py``.

The what-if changes the council's default scheme (``council.yaml`` ``rag_scheme``) in memory
only (:func:`dataclasses.replace` on the settings); nothing is written.
"""

from __future__ import annotations

from pmlib.explore.spc_view import ExplorerSpc
from pmlib.explore.state import (
    ALL,
    SCORECARD_COLUMNS,
    WHAT_IF_COLUMNS,
    ExplorerState,
    WhatIf,
    available_quarters,
)
from pmlib.explore.views import ExplorerViews
from pmlib.explore.widgets import ExplorerWidgets

__all__ = [
    "ALL",
    "SCORECARD_COLUMNS",
    "WHAT_IF_COLUMNS",
    "Explorer",
    "WhatIf",
    "available_quarters",
]


class Explorer(ExplorerWidgets, ExplorerSpc, ExplorerViews, ExplorerState):
    """An interactive view of one council's ratings; see the module docstring.

    Parameters
    ----------
    data_dir
        The data folder (default: ``data_dir`` in ``council.yaml``).
    params_dir
        The parameters folder. The default suits a notebook in ``notebooks/``.
    quarter, committee
        Where to start (default: the latest quarter with data; the first committee).
    out_dir
        Where :meth:`render_report` writes (default ``outputs/<quarter>`` beside the parameters
        folder, as ``pmlib run`` does from the project folder).
    background
        The render button renders in a background thread, so the notebook stays responsive
        (``False``: it blocks until the report is written; tests use that).
    dataset
        An already-read :class:`~pmlib.core.model.Dataset` to explore instead of reading the
        folders; reports are then rendered from the folders it was read from.

    State is changed through the ``set_*`` methods (or :meth:`select`), which validate; the
    data methods read it. After :meth:`view` or :meth:`show`, changing a widget calls the same
    setters and refreshes the views.
    """

    def reset(self) -> None:
        """Back to the start, SPC options included (see :meth:`ExplorerState.reset`)."""
        super().reset()
        self.reset_spc()
        if self.widgets:
            with self._quiet():
                self.refresh_spc()
