"""The explorer's ipywidgets layer and its render button.

Callbacks call the state's setters and refresh the views in place (no cell re-runs); the
widgets are kept in ``Explorer.widgets`` so tests set ``.value`` and read what is shown.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from pathlib import Path

from pmlib.core.errors import PmlibError, RenderError
from pmlib.core.periods import parse_period
from pmlib.explore.state import ALL
from pmlib.explore.views import _CSS, _strip_tags
from pmlib.present.text import (
    RAG_ORDER,
    esc,
)

log = logging.getLogger(__name__)


class ExplorerWidgets:
    """Widgets and report rendering of an :class:`~pmlib.explore.explorer.Explorer`."""

    # -- rendering the committee's report ---------------------------------------------------------
    def default_out_dir(self, quarter: str | None = None) -> Path:
        start = self.dataset.council.fy_start_month
        p = self.period if quarter is None else parse_period(quarter, start)
        params = self.dataset.settings.params_dir
        root = Path(params).resolve().parent if params else Path.cwd()
        return root / "outputs" / p.slug

    def render_report(
        self,
        out_dir: str | Path | None = None,
        *,
        quarter: str | None = None,
        committee: str | None = None,
        force: bool = False,
    ) -> Path:
        """Render the committee's report for the quarter (default: the current ones) through
        the batch machinery, as ``pmlib run --quarter Q --committee C`` does, and return the
        HTML file. An unchanged report is not rendered again (unless ``force``).

        Raises
        ------
        RenderError
            The report failed (the executed notebook is kept beside it for inspection).
        """
        from pmlib.batch.pack import plan_pack, run_pack

        q = self.quarter if quarter is None else quarter
        slug = self.committee if committee is None else committee
        target = out_dir or self.out_dir or self.default_out_dir(q)
        plan = plan_pack(
            q,
            committees=[slug],
            data_dir=self.data_dir,
            params_dir=self.params_dir,
            out_dir=target,
        )
        result = run_pack(plan, jobs=1, force=force, progress=False)
        report = result.reports[0]
        if report.status == "failed":
            raise RenderError(
                f"The {plan.titles[slug]} report for {plan.period_label} failed: {report.error} "
                f"(the executed notebook is in {plan.out_dir / 'notebooks'})."
            )
        path = plan.out_dir / f"{slug}.html"
        self.last_report = path
        return path

    def wait(self, timeout: float | None = None) -> None:
        """Wait for a background render started by the button to finish."""
        if self._render_thread is not None:
            self._render_thread.join(timeout)

    # -- widgets ----------------------------------------------------------------------------------
    def view(self):
        """The widget tree (built once): controls, scorecard, detail, what-if and report panes."""
        if self._root is not None:
            return self._root
        import ipywidgets as w

        W = self.widgets
        wide = {"description_width": "initial"}
        W["quarter"] = w.Dropdown(
            options=[p.label for p in self.periods], value=self.quarter, description="Quarter"
        )
        W["committee"] = w.Dropdown(
            options=[(c.title, s) for s, c in self.dataset.settings.committees.items()],
            value=self.committee,
            description="Committee",
            layout=w.Layout(width="440px"),
        )
        W["priority"] = w.Dropdown(
            options=[ALL, *self.priorities()],
            value=self.priority,
            description="Priority",
            layout=w.Layout(width="380px"),
        )
        W["rag"] = w.SelectMultiple(
            options=list(RAG_ORDER),
            value=self.rags,
            rows=len(RAG_ORDER),
            description="RAG",
            layout=w.Layout(width="200px"),
        )
        W["indicator"] = w.Dropdown(
            options=self._indicator_options(),
            value=self.indicator,
            description="Indicator",
            layout=w.Layout(width="520px"),
        )
        relative = self.base_scheme.tolerance == "relative"
        top = max(0.25 if relative else 5.0, 4 * self.base_scheme.amber_within)
        slider = {
            "min": 0.0,
            "max": top,
            "step": 0.01 if relative else 0.1,
            "readout_format": ".0%" if relative else ".1f",
            "continuous_update": False,
            "style": wide,
            "layout": w.Layout(width="340px"),
        }
        W["green_within"] = w.FloatSlider(
            value=self.green_within, description="Green within", **slider
        )
        W["amber_within"] = w.FloatSlider(
            value=self.amber_within,
            description="Amber within",
            disabled=self.base_scheme.is_two_colour,
            **slider,
        )
        W["reset"] = w.Button(description="Reset tolerance", icon="undo")
        W["render"] = w.Button(
            description="Render this committee's report",
            button_style="primary",
            icon="file",
            layout=w.Layout(width="280px"),
        )
        for name in ("message", "summary", "scorecard", "detail", "what_if", "plan"):
            W[name] = w.HTML()
        W["report"] = w.Output()

        W["quarter"].observe(self._on("quarter"), names="value")
        W["committee"].observe(self._on("committee"), names="value")
        W["priority"].observe(self._on("priority"), names="value")
        W["rag"].observe(self._on("rag"), names="value")
        W["indicator"].observe(self._on("indicator"), names="value")
        W["green_within"].observe(self._on("tolerance"), names="value")
        W["amber_within"].observe(self._on("tolerance"), names="value")
        W["reset"].on_click(lambda _b: self._on("reset")({}))
        W["render"].on_click(lambda _b: self._click_render())

        heading = w.HTML(f"{_CSS}<h2>{esc(self.dataset.council.name)}: performance explorer</h2>")
        controls = w.VBox(
            [
                w.HBox([W["quarter"], W["committee"], W["priority"]], layout=_wrap(w)),
                w.HBox([W["rag"], W["indicator"]], layout=_wrap(w)),
            ]
        )
        left = w.VBox(
            [W["summary"], W["scorecard"]], layout=w.Layout(flex="3 1 560px", min_width="0")
        )
        spc = self.spc_controls(w)  # the SPC chart and its options (pmlib.explore.spc_view)
        right = w.VBox([W["detail"], spc], layout=w.Layout(flex="2 1 440px", min_width="0"))
        what_if = w.VBox(
            [
                w.HTML("<h3>What if the tolerance changed?</h3>"),
                w.HBox([W["green_within"], W["amber_within"], W["reset"]], layout=_wrap(w)),
                W["what_if"],
            ],
            layout=w.Layout(flex="3 1 560px"),
        )
        report = w.VBox(
            [w.HTML("<h3>Committee report</h3>"), W["render"], W["report"]],
            layout=w.Layout(flex="2 1 440px"),
        )
        self._root = w.VBox(
            [
                heading,
                controls,
                W["message"],
                w.HBox([left, right], layout=_wrap(w)),
                w.HBox([what_if, report], layout=_wrap(w)),
                W["plan"],  # key actions and risks (empty when the council keeps neither)
            ]
        )
        self._root.add_class("pmlib-explorer")
        self.refresh()
        return self._root

    def show(self) -> None:
        """Display the explorer in the notebook (the widgets update in place)."""
        from IPython.display import display

        display(self.view())

    def _indicator_options(self) -> list[tuple[str, str]]:
        card = self.scorecard()
        return [(f"{i} {n}", i) for i, n in zip(card["indicator_id"], card["name"], strict=True)]

    @contextlib.contextmanager
    def _quiet(self) -> Iterator[None]:
        busy, self._busy = self._busy, True
        try:
            yield
        finally:
            self._busy = busy

    def _on(self, what: str):
        def handler(change: dict) -> None:
            if self._busy:
                return
            W = self.widgets
            try:
                if what == "quarter":
                    self.set_quarter(change["new"])
                elif what == "committee":
                    self.set_committee(change["new"])
                elif what == "priority":
                    self.set_priority(change["new"])
                elif what == "rag":
                    self.set_rags(change["new"])
                elif what == "indicator":
                    self.set_indicator(change["new"])
                    self.refresh(scorecard=False, what_if=False)
                    return
                elif what in ("tolerance", "reset"):
                    if what == "reset":
                        self.reset_tolerance()
                        with self._quiet():
                            W["green_within"].value = self.green_within
                            W["amber_within"].value = self.amber_within
                    else:
                        self.set_tolerance(W["green_within"].value, W["amber_within"].value)
                    W["what_if"].value = self.what_if_html().html
                    return
                self.refresh()
            except PmlibError as exc:
                W["message"].value = f'<p role="alert"><strong>{esc(exc)}</strong></p>'

        return handler

    def refresh(self, *, scorecard: bool = True, what_if: bool = True) -> None:
        """Bring the widgets' options and the HTML views in line with the state."""
        W = self.widgets
        if not W:
            return
        with self._quiet():
            W["message"].value = ""
            if scorecard:
                priorities = [ALL, *self.priorities()]
                if list(W["priority"].options) != priorities:
                    W["priority"].options = priorities
                W["priority"].value = self.priority
                options = self._indicator_options()
                ids = [i for _, i in options]
                if self.indicator not in ids:
                    self.indicator = ids[0] if ids else None
                if list(W["indicator"].options) != options:
                    W["indicator"].options = options
                W["indicator"].value = self.indicator
                W["summary"].value = self.summary_html().html
                W["scorecard"].value = self.scorecard_html().html
                W["plan"].value = self.plan_html().html
            W["detail"].value = self.detail_html().html
            self.refresh_spc()
            if what_if:
                W["what_if"].value = self.what_if_html().html

    def _show_report_status(self, html: str) -> None:
        self.widgets["report"].outputs = (
            {
                "output_type": "display_data",
                "data": {"text/html": html, "text/plain": _strip_tags(html)},
                "metadata": {},
            },
        )

    def _click_render(self) -> None:
        W = self.widgets
        if self._render_thread is not None and self._render_thread.is_alive():
            return
        q, slug = self.quarter, self.committee
        W["render"].disabled = True
        self._show_report_status(
            f"<p>Rendering the {esc(self.committee_info.title)} report for {esc(q)}…</p>"
        )

        def job() -> None:
            try:
                path = self.render_report(quarter=q, committee=slug)
                self._show_report_status(self.report_link_html(path).html)
            except Exception as exc:  # shown in the notebook, not lost in a thread
                log.exception("Rendering the report failed")
                self._show_report_status(f'<p role="alert"><strong>{esc(exc)}</strong></p>')
            finally:
                W["render"].disabled = False

        if self.background:
            self._render_thread = threading.Thread(target=job, name="pmlib-render", daemon=True)
            self._render_thread.start()
        else:
            job()


def _wrap(w):
    return w.Layout(flex_flow="row wrap", align_items="flex-start", width="100%")
