"""In a batch whose drawer draws the charts, a committee report works out its exception
sections as soon as it is built and hands their charts to the drawer then, in the order they
will be shown; showing them later reuses that work. Without a drawer nothing changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmlib.present import figures, svg_cache
from pmlib.present.figures import Figure
from pmlib.reports.committee import CommitteeReport

ROOT = Path(__file__).resolve().parents[1]
KW = {"quarter": "2026/27 Q2", "data_dir": ROOT / "data/demo", "params_dir": ROOT / "parameters"}


@pytest.fixture
def shown(monkeypatch):
    """What show_exceptions displays, in order."""
    import IPython.display

    out: list = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs: out.extend(objs))
    return out


def test_a_batch_report_hands_its_charts_over_when_built_in_display_order(monkeypatch, shown):
    handed: list = []
    monkeypatch.setattr(figures, "drawing_ahead", lambda: True)
    monkeypatch.setattr(svg_cache, "prefetch", lambda specs, opts: handed.extend(specs) or 0)
    report = CommitteeReport.build(committee="cabinet", **KW)
    assert report._ahead is not None and handed  # at build, before anything is shown
    n_exceptions = len(report.exceptions_frame())
    assert len(report._ahead) == n_exceptions > 0
    report.show_exceptions()
    displayed = [obj for obj in shown if isinstance(obj, Figure)]
    assert [f.spec() for f in displayed] == handed  # every chart shown, in the order handed
    ahead = [f for _, fig, spc, _ in report._ahead for f in (fig, *spc) if isinstance(f, Figure)]
    assert all(a is b for a, b in zip(displayed, ahead, strict=True))  # worked out once


def test_without_a_drawer_the_sections_are_worked_out_when_shown(monkeypatch, shown):
    monkeypatch.setattr(figures, "drawing_ahead", lambda: False)
    report = CommitteeReport.build(committee="environment", **KW)
    assert report._ahead is None
    report.show_exceptions()
    heads = [o.html for o in shown if 'class="exception' in getattr(o, "html", "")]
    assert len(heads) == len(report.exceptions_frame())
