"""Text columns as Arrow arrays: from NumPy's text, and on to pandas' ``str`` Series.

Why: pandas' ``str`` columns are Arrow arrays, and a rating's sentences are built with Arrow's
kernels (:mod:`pmlib.rating.text`), but every trip through NumPy's object arrays on the way
made one Python string per cell and then read it back: for the 125,000 sentences of a national
library, ~40 ms a column each way, over a dozen columns. These helpers keep a column in Arrow
from the kernel that wrote it to the Series that holds it; NumPy's fixed-width text (from
:mod:`pmlib.core.numbers`) goes straight to Arrow, never through Python strings.

Nothing here changes a cell: ``tests/test_arrow_text.py`` compares every path with the plain
conversion it replaces.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["STR_IS_ARROW", "from_numpy", "to_str_series"]

_TEXT = pa.large_string()


def _str_is_arrow() -> bool:
    """Whether pandas' ``str`` dtype keeps its cells in a large_string Arrow array."""
    dtype = pd.Series([], dtype="str").dtype
    return (
        isinstance(dtype, pd.StringDtype)
        and dtype.storage == "pyarrow"
        and pd.Series(["x"], dtype="str").array._pa_array.type == _TEXT
    )


#: pandas' ``str`` is Arrow's large_string (pandas 3 by default): a Series can wrap an Arrow
#: array as it is. Otherwise :func:`to_str_series` goes through pandas' own constructor.
STR_IS_ARROW = _str_is_arrow()
_STR = pd.Series([], dtype="str").dtype


def from_numpy(values: object) -> pa.Array:
    """Text cells as a large_string Arrow array: an Arrow array as it is, a NumPy array
    (fixed-width or object; ``None`` and NaN become missing) converted.

    A fixed-width cell ends at its first zero character, as Arrow reads NumPy's text (NumPy's
    own cells keep a zero inside one; pmlib's fixed-width text is its number formatting, which
    never holds one).

    >>> from_numpy(np.array(["Red", "Amber", ""])).to_pylist()
    ['Red', 'Amber', '']
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        return values if values.type == _TEXT else values.cast(_TEXT)
    arr = np.asarray(values).reshape(-1)
    return pa.array(arr, type=_TEXT, from_pandas=arr.dtype == object)


def to_str_series(values: object, index: pd.Index | None = None) -> pd.Series:
    """A pandas ``str`` Series of text cells, an empty cell becoming missing.

    The same Series as ``pd.Series(cells, dtype="str")`` after turning ``""`` into ``None``,
    built without a Python string per cell when pandas' ``str`` is Arrow.
    """
    try:
        text = from_numpy(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # cells that are not all text: pandas' rule
        text = None
    if text is None or not STR_IS_ARROW:
        cells = (
            np.array(values, dtype=object, copy=True)
            if text is None
            else text.to_numpy(zero_copy_only=False).astype(object)
        )
        cells[cells == ""] = None
        return pd.Series(cells, index=index, dtype="str")
    empty = pc.equal(pc.utf8_length(text), 0)
    if pc.any(empty).as_py():
        text = pc.if_else(empty, pa.scalar(None, _TEXT), text)
    array = pd.arrays.ArrowStringArray(pa.chunked_array([text], type=_TEXT), dtype=_STR)
    return pd.Series(array, index=index, copy=False)
