"""Sentences joined column-wise in Arrow: one pass per sentence instead of one per ``+``.

Joining object arrays with ``+`` runs a Python string concatenation per cell per piece, and
converts NumPy's fixed-width text (what :mod:`pmlib.core.numbers` returns) to Python strings
first. A rating sentence has ten or more pieces over 125,000 indicators, so that loop was the
largest cost of :func:`pmlib.rating.engine.rate_period`. Arrow's
``binary_join_element_wise`` writes each cell once from all the pieces, in C++.

A sentence stays an Arrow array from the join that writes it to the rated frame's column
(:func:`pmlib.core.arrow_text.to_str_series`): :func:`concat`, :func:`where`, :func:`take` and
:func:`put` are the array steps the sentence code needs (``+``, ``np.where``, ``a[rows]`` and
``a[rows] = b``), so no sentence is turned into Python strings and back on the way.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pmlib.core.arrow_text import from_numpy

__all__ = ["concat", "join", "put", "take", "where"]

_TEXT = pa.large_string()
_EMPTY = pa.scalar("", _TEXT)


def _piece(part: object) -> pa.Array | pa.Scalar:
    if isinstance(part, str):
        return pa.scalar(part, _TEXT)
    return from_numpy(part)


def concat(*parts: object) -> pa.Array:
    """The cell-by-cell concatenation of ``parts`` (literals, and equal-length text arrays:
    Arrow or NumPy) as a large_string Arrow array; at least one part must be an array.

    >>> concat("x = ", np.array(["1", "22"]), pa.array(["%", " days"])).to_pylist()
    ['x = 1%', 'x = 22 days']
    """
    pieces = [_piece(p) for p in parts]
    if not any(isinstance(p, pa.Array) for p in pieces):
        raise ValueError("concat needs at least one array among its parts")
    return pc.binary_join_element_wise(*pieces, _EMPTY)


def join(*parts: object) -> np.ndarray:
    """The cell-by-cell concatenation of ``parts`` (literals and equal-length text arrays), as an
    object array of ``str`` — what ``a + b + ...`` gives on object arrays, built in one pass.

    >>> join("x = ", np.array(["1", "22"]), np.array(["%", " days"], dtype=object)).tolist()
    ['x = 1%', 'x = 22 days']
    """
    pieces = [_piece(p) for p in parts]
    arrays = [p for p in pieces if isinstance(p, pa.Array)]
    if not arrays:
        return np.array("".join(parts), dtype=object)  # type: ignore[arg-type]
    joined = pc.binary_join_element_wise(*pieces, _EMPTY)
    return joined.to_numpy(zero_copy_only=False).astype(object, copy=False)


def where(condition: np.ndarray, yes: object, no: object) -> pa.Array:
    """``np.where`` for text: ``yes`` where ``condition`` holds, else ``no`` (literals or arrays).

    >>> where(np.array([True, False]), "on", pa.array(["a", "b"])).to_pylist()
    ['on', 'b']
    """
    cond = pa.array(np.asarray(condition, dtype=bool))
    yes_, no_ = _piece(yes), _piece(no)
    if isinstance(yes_, pa.Scalar) and isinstance(no_, pa.Scalar):
        no_ = pa.repeat(no_, len(cond))  # Arrow wants one array among them
    return pc.if_else(cond, yes_, no_)


def take(text: object, rows: np.ndarray) -> pa.Array:
    """The cells of ``text`` at ``rows`` (positions, or a boolean mask)."""
    rows = np.asarray(rows)
    if rows.dtype == bool:
        rows = np.flatnonzero(rows)
    return from_numpy(text).take(pa.array(rows, type=pa.int64()))


def put(base: object, rows: np.ndarray, values: object, n: int | None = None) -> pa.Array:
    """``base`` with the cells at ``rows`` (ascending positions, or a boolean mask) replaced by
    ``values`` (one per row, in order). ``base`` may be a literal, repeated ``n`` times; a
    NumPy object array's ``None`` cells are missing.

    Built as one ``take`` from ``base`` followed by ``values`` (Arrow's ``replace_with_mask``
    copied text cells one at a time: up to 0.1 s a call on 125,000 sentences).

    >>> put(np.array(["a", "b", "c"], dtype=object), np.array([0, 2]), pa.array(["x", "z"])
    ...     ).to_pylist()
    ['x', 'b', 'z']
    """
    if isinstance(base, str):
        base = pa.repeat(pa.scalar(base, _TEXT), n)
    base = from_numpy(base)
    rows = np.asarray(rows)
    if rows.dtype == bool:
        rows = np.flatnonzero(rows)
    elif rows.size > 1 and np.any(np.diff(rows) <= 0):
        raise ValueError("put needs ascending, distinct rows")
    if not rows.size:
        return base
    replacement = _piece(values)
    if isinstance(replacement, pa.Scalar):
        replacement = pa.repeat(replacement, rows.size)
    if len(replacement) != rows.size:
        raise ValueError(f"put has {len(replacement)} values for {rows.size} rows")
    order = np.arange(len(base), dtype=np.int64)
    order[rows] = len(base) + np.arange(rows.size)
    return pa.concat_arrays([base, replacement]).take(pa.array(order))
