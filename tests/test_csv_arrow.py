"""Arrow's CSV path writes the same bytes as pandas' writer (the rules csv_out promises)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmlib.core.csv_arrow import csv_body_bytes
from pmlib.core.csv_out import (
    FORMULA_TRIGGERS,
    _is_dangerous,
    csv_text,
    neutralise_formulas,
    whole_numbers_as_integers,
)


def arrow(frame: pd.DataFrame) -> str | None:
    body = csv_body_bytes(frame, _is_dangerous, FORMULA_TRIGGERS)
    return None if body is None else body.decode("utf-8")


def pandas_writer(frame: pd.DataFrame) -> str:
    """What csv_out wrote before the Arrow path: its guard, then pandas' to_csv."""
    return neutralise_formulas(frame).to_csv(index=False, lineterminator="\n")


def test_floats_are_laid_out_as_numpy_writes_them():
    frame = pd.DataFrame(
        {"x": [2.0, 0.1, 1e-05, 0.0001, 1e16, 123456789012345.6, -0.0, math.inf, -math.inf, None]}
    )
    # worked out from repr(): Arrow alone would write 2, 0.00001, 1.234567890123456e+14, -0
    assert arrow(frame).splitlines() == [
        "x",
        "2.0",
        "0.1",
        "1e-05",
        "0.0001",
        "1e+16",
        "123456789012345.6",
        "-0.0",
        "inf",
        "-inf",
        '""',
    ]  # fmt: skip  (a row of one empty cell is written "", as the csv module does)


def test_text_is_quoted_only_where_the_csv_module_would_and_formulas_are_neutralised():
    frame = pd.DataFrame(
        {
            "a": ["plain", "a,b", 'say "hi"', "two\nlines", "=1+1", "-5", None],
            "n": pd.array([1, None, 3, 4, 5, 6, 7], dtype="Int64"),
            "ok": [True, False, True, True, False, True, False],
        }
    )
    assert arrow(frame) == (
        "a,n,ok\n"
        "plain,1,True\n"
        '"a,b",,False\n'
        '"say ""hi""",3,True\n'
        '"two\nlines",4,True\n'
        "'=1+1,5,False\n"
        "-5,6,True\n"
        ",7,False\n"
    )


def test_a_few_cells_to_quote_among_many_are_quoted_alone_and_the_same():
    """One cell in ten needs quotes (they are quoted on their own), then every cell (the whole
    column is); multi-byte text around the commas; the same bytes as pandas' writer."""
    few = [f"Ynys Môn, £{i}" if i % 10 == 0 else f"Môn £{i}" for i in range(100)]
    many = [f'"{i}", ok' for i in range(100)]
    frame = pd.DataFrame({"few": pd.Series(few, dtype="str"), "many": pd.Series(many, dtype="str")})
    text = arrow(frame)
    assert text == pandas_writer(frame)
    lines = text.split("\n")
    assert lines[1] == '"Ynys Môn, £0","""0"", ok"'  # worked out by hand: quotes doubled
    assert lines[2] == 'Môn £1,"""1"", ok"'
    assert arrow(frame.iloc[5:40]) == pandas_writer(frame.iloc[5:40])  # a slice of the arrays


def test_a_row_of_one_empty_cell_is_written_as_two_quotes():
    assert arrow(pd.DataFrame({"a": ["x", None, ""]})) == 'a\nx\n""\n""\n'


def test_frames_only_pandas_can_write_fall_back():
    mixed = pd.DataFrame({"m": pd.Series([1, "=1+1", None], dtype=object)})
    dates = pd.DataFrame({"d": pd.to_datetime(["2026-01-01"])})
    assert arrow(mixed) is None and arrow(dates) is None
    assert csv_text(mixed, bom=False) == 'm\n1\n\'=1+1\n""\n'  # the pandas path, unchanged


_text = (
    st.text(alphabet=st.sampled_from(list("ab 1.5e-,\"\n\r\t=+-@'£Môn")), max_size=8) | st.none()
)
_floats = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from(
    [1e-5, 1e-4, 0.5, 2.0, 1e15, 1e16, 12345678901234.5, -0.0, 5e-324]
)


@st.composite
def frames(draw):
    n = draw(st.integers(0, 6))
    columns = {}
    for i in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["float", "int", "Int64", "bool", "boolean", "str", "obj"]))
        name = draw(st.sampled_from([f"c{i}", f"c,{i}", f'q"{i}', f"c {i}"]))
        if kind == "float":
            values = pd.Series(draw(st.lists(_floats, min_size=n, max_size=n)), dtype="float64")
        elif kind == "int":
            ints = draw(st.lists(st.integers(-(2**63), 2**63 - 1), min_size=n, max_size=n))
            values = pd.Series(ints, dtype="int64")
        elif kind == "Int64":
            ints = st.integers(-(2**40), 2**40) | st.none()
            values = pd.Series(draw(st.lists(ints, min_size=n, max_size=n)), dtype="Int64")
        elif kind == "bool":
            values = pd.Series(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
        elif kind == "boolean":
            bools = st.booleans() | st.none()
            values = pd.Series(draw(st.lists(bools, min_size=n, max_size=n)), dtype="boolean")
        else:
            cells = draw(st.lists(_text, min_size=n, max_size=n))
            values = pd.Series(cells, dtype="str" if kind == "str" else object)
        columns[name] = values
    return pd.DataFrame(columns)


@settings(max_examples=150, deadline=None)
@given(frames())
def test_arrow_path_writes_what_pandas_writes(frame):
    assert arrow(frame) == pandas_writer(frame)
    prepared = whole_numbers_as_integers(frame)
    assert arrow(prepared) == pandas_writer(prepared)


@pytest.mark.parametrize("seed", [1, 2])
def test_many_random_floats_match_numpy(seed):
    rng = np.random.default_rng(seed)
    values = np.concatenate(
        [
            rng.normal(0, 1, 3000) * 10.0 ** rng.integers(-8, 18, 3000),
            rng.integers(-(10**6), 10**6, 1000).astype(float),
            np.round(rng.uniform(0, 100, 1000), 2),
            np.round(rng.uniform(0, 100, 1000), 1),
        ]
    )
    frame = pd.DataFrame({"v": values, "w": values[::-1]})
    assert arrow(frame) == pandas_writer(frame)


def test_rate_out_writes_the_same_file_as_pandas_writer(tmp_path, monkeypatch):
    """`pmlib rate --out` over the demo council: Arrow's path and pandas' path, byte for byte."""
    from pmlib.cli.main import main
    from pmlib.core import csv_out

    root = Path(__file__).resolve().parents[1]
    args = ["rate", "--period", "2026/27 Q2", "--data", str(root / "data" / "demo"),
            "--params", str(root / "parameters"), "--out"]  # fmt: skip
    assert main([*args, str(tmp_path / "arrow.csv")]) == 0
    monkeypatch.setattr(csv_out, "csv_body_parts", lambda *a, **k: None)  # pandas' writer
    assert main([*args, str(tmp_path / "pandas.csv")]) == 0
    arrow, pandas = (tmp_path / "arrow.csv").read_bytes(), (tmp_path / "pandas.csv").read_bytes()
    assert arrow.startswith(b"\xef\xbb\xbfindicator_id,") and arrow.count(b"\n") > 40
    assert arrow == pandas


def test_columns_quoted_with_and_without_inner_quotes_match_pandas_writer():
    """Every cell needs quotes (with no quote inside, or some), most but not all do, and a
    missing cell among them: each way through the quoting, the same bytes as pandas' writer."""
    every = [f"Ynys Môn, £{i}" for i in range(40)]
    with_quotes = [f'say "{i}", ok' if i % 3 else f"plain, {i}" for i in range(40)]
    most = [f"{i}, ok" if i % 5 else f"{i}" for i in range(40)]
    gaps = [None if i == 7 else f"{i},x" for i in range(40)]
    frame = pd.DataFrame(
        {name: pd.Series(cells, dtype="str") for name, cells in
         [("every", every), ("with_quotes", with_quotes), ("most", most), ("gaps", gaps)]}
    )  # fmt: skip
    assert arrow(frame) == pandas_writer(frame)
