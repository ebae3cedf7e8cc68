"""Sentences joined column-wise in Arrow: one pass per sentence instead of one per ``+``.

Joining object arrays with ``+`` runs a Python string concatenation per cell per piece, and
converts NumPy's fixed-width text (what :mod:`pmlib.core.numbers` returns) to Python strings
first. A rating sentence has ten or more pieces over 125,000 indicators, so that loop was the
largest cost of :func:`pmlib.rating.engine.rate_period`. Arrow's
``binary_join_element_wise`` writes each cell once from all the pieces, in C++.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["join"]

_EMPTY = pa.scalar("", pa.large_string())


def _piece(part: object) -> pa.Array | pa.Scalar:
    if isinstance(part, str):
        return pa.scalar(part, pa.large_string())
    return pa.array(np.asarray(part), type=pa.large_string())


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
