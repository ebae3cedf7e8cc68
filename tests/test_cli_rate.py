"""`pmlib rate`: how the command runs (what it writes is tested in test_csv_arrow and test_rate)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pmlib.cli.main import main
from pmlib.rating import engine

ROOT = Path(__file__).resolve().parents[1]


def _advice(value: bool) -> bool:
    """Set numpy's huge-page advice; return what it was."""
    return bool(np._core.multiarray._set_madvise_hugepage(value))


def test_rating_runs_without_huge_page_advice_and_restores_it(tmp_path, monkeypatch):
    seen = []
    real = engine.rate_period

    def spy(*args, **kwargs):
        seen.append(_advice(False))  # what the command had set, put back just below
        _advice(seen[-1])
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "rate_period", spy)
    before = _advice(True)
    try:
        out = tmp_path / "ratings.csv"
        args = ["rate", "--period", "2026/27 Q2", "--data", str(ROOT / "data" / "demo"),
                "--params", str(ROOT / "parameters"), "--out", str(out)]  # fmt: skip
        assert main(args) == 0
        assert seen == [False]  # off while the million-row arrays are made
        assert _advice(True) is True  # and on again afterwards, as the caller had it
        assert out.read_bytes().startswith(b"\xef\xbb\xbfindicator_id,")
    finally:
        _advice(before)
