"""Text columns kept in Arrow give the cells the plain NumPy and pandas conversions give.

The rating's sentences go from Arrow's kernels to pandas' ``str`` columns without becoming
Python strings on the way (pmlib.core.arrow_text, pmlib.rating.text); every helper is compared
here with the conversion or NumPy operation it stands for, over generated text.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmlib.core.arrow_text import from_numpy, to_str_series
from pmlib.rating.text import concat, join, put, take, where

# ASCII most of the time (the quick path), with the characters pmlib's text really holds
_CHARS = st.sampled_from(list("abc XYZ019,.%;:()-'\"\n") + ["£", "–", "é", "😀"])
_CELL = st.text(_CHARS, max_size=12)
_CELLS = st.lists(_CELL, min_size=0, max_size=40)


def _old_text_series(cells: object, index: pd.Index | None = None) -> pd.Series:
    """What numbers.text_series did before it kept Arrow text: object cells, "" -> None."""
    arr = np.array(cells, dtype=object, copy=True)
    arr[arr == ""] = None
    return pd.Series(arr, index=index, dtype="str")


@settings(max_examples=200, deadline=None)
@given(_CELLS)
def test_fixed_width_text_converts_as_numpy_gives_its_cells(cells):
    fixed = np.array(cells, dtype=str)
    assert from_numpy(fixed).equals(pa.array(fixed.astype(object), type=pa.large_string()))


def test_a_zero_inside_fixed_width_text_ends_the_cell_as_arrow_reads_it():
    fixed = np.array(["a\x00b", "abc", "", "xyz\x00"])
    assert from_numpy(fixed).to_pylist() == ["a", "abc", "", "xyz"]


@settings(max_examples=200, deadline=None)
@given(_CELLS, st.booleans())
def test_a_str_series_holds_what_the_plain_conversion_gives(cells, as_objects):
    values = np.array(cells, dtype=object if as_objects else str)
    expected = _old_text_series(values)
    got = to_str_series(values)
    pd.testing.assert_series_equal(got, expected)
    assert got.dtype == expected.dtype
    got_arrow = to_str_series(pa.array(values.astype(object), type=pa.large_string()))
    pd.testing.assert_series_equal(got_arrow, expected)


def test_missing_cells_and_an_index_are_kept():
    values = np.array(["a", None, "", float("nan")], dtype=object)
    index = pd.Index([10, 11, 12, 13])
    pd.testing.assert_series_equal(to_str_series(values, index), _old_text_series(values, index))


def test_cells_that_are_not_text_are_written_as_pandas_writes_them():
    values = np.array(["a", 5, 2.5, None], dtype=object)
    pd.testing.assert_series_equal(to_str_series(values), _old_text_series(values))


@st.composite
def _columns(draw, count: int = 3):
    n = draw(st.integers(0, 30))
    return [
        np.array(draw(st.lists(_CELL, min_size=n, max_size=n)), dtype=str) for _ in range(count)
    ]


@settings(max_examples=150, deadline=None)
@given(_columns(), st.data())
def test_the_array_steps_do_what_numpy_does(columns, data):
    a, b, c = columns
    n = a.size
    mask = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
    rows = np.flatnonzero(mask)
    objects = [x.astype(object) for x in columns]
    cut = lambda text: text.split("\x00")[0]  # noqa: E731 - NumPy text reads to its first zero
    a_, b_, c_ = ([cut(v) for v in x] for x in objects)
    if n:
        assert concat("<", a, pa.array(b_, pa.large_string()), ">").to_pylist() == [
            f"<{x}{y}>" for x, y in zip(a_, b_, strict=True)
        ]
        assert join("<", a, b.astype(object)).tolist() == [
            f"<{x}{y}" for x, y in zip(a_, b_, strict=True)
        ]
    assert where(mask, a, "no").to_pylist() == [
        x if m else "no" for x, m in zip(a_, mask, strict=True)
    ]
    assert where(mask, "yes", "no").to_pylist() == ["yes" if m else "no" for m in mask]
    assert take(a, rows).to_pylist() == [a_[i] for i in rows]
    assert take(a, mask).to_pylist() == [a_[i] for i in rows]
    expected = list(c_)
    for i, v in zip(rows, [b_[i] for i in rows], strict=True):
        expected[i] = v
    assert put(c, rows, b[rows]).to_pylist() == expected
    assert put(c, mask, pa.array([b_[i] for i in rows], pa.large_string())).to_pylist() == expected
    base = np.array([None] * n, dtype=object)
    assert put(base, rows, "x").to_pylist() == ["x" if m else None for m in mask]
    assert put("-", rows, b[rows], n=n).to_pylist() == [
        b_[i] if m else "-" for i, m in enumerate(mask)
    ]


def test_put_refuses_rows_out_of_order_or_values_of_another_length():
    with pytest.raises(ValueError, match="ascending"):
        put(np.array(["a", "b", "c"]), np.array([2, 0]), np.array(["x", "y"]))
    with pytest.raises(ValueError, match="2 values for 1 rows"):
        put(np.array(["a", "b", "c"]), np.array([1]), np.array(["x", "y"]))


def test_concat_needs_an_array():
    with pytest.raises(ValueError, match="at least one array"):
        concat("a", "b")
