"""CSV bytes for a frame built with Arrow's compute kernels: the same bytes as ``DataFrame.to_csv``.

Why: ``pmlib rate --out`` writes 125,000 ratings × 44 columns for a national library, and
pandas' writer spends ~3 s turning every cell into a Python object and through the ``csv``
module row by row (plus ~2 s for the formula guard's per-cell regular expression). Here every
column becomes one Arrow string array with vectorised kernels, cells that need quoting are
quoted as whole arrays, and the columns are joined into lines in C++: ~0.3 s for the same file.

The output must not change, so the rules are pandas' own (``index=False``,
``lineterminator="\\n"``, ``QUOTE_MINIMAL``, missing cells empty):

* floats as NumPy writes them (``repr``-style shortest round trip: ``2.0``, ``0.1``, ``1e-05``,
  ``1e+16``). Arrow's float-to-text gives the same digits but its own layout (``2``,
  ``0.00001``), so whole numbers get ``.0`` appended and the few cells Arrow lays out
  differently (exponents, magnitudes below 1e-4, infinities) are formatted by NumPy;
* integers (NumPy or nullable ``Int64``) in decimal; booleans as ``True``/``False``;
* text as is; a cell holding a delimiter, a quote or a line break (whatever the running
  Python's ``csv`` module quotes) is quoted with inner quotes doubled; a row holding one empty
  cell is written ``""``, as the ``csv`` module does;
* formula cells neutralised with the same regular expression as
  :func:`pmlib.core.csv_out.neutralise_cell`, applied only to the cells that start with a
  trigger character (found vectorised), so the rule is the same and the cost is per hit.

Anything else (dates, categories, mixed object columns, non-text column labels) returns
``None`` and the caller uses pandas' writer, so an unusual frame is slower, never different.
``tests/test_csv_arrow.py`` compares both writers over generated frames.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["csv_body_bytes"]


def _quoted_characters() -> str:
    """The characters the running Python's ``csv`` module quotes for (``\\r`` varies)."""
    found = []
    for ch in (",", '"', "\n", "\r"):
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerow([f"a{ch}b", "x"])
        if out.getvalue().startswith('"'):
            found.append(ch)
    return "".join(found)


def _s(text: str) -> pa.Scalar:
    """A large_string scalar (Arrow's join kernels want every argument of one type)."""
    return pa.scalar(text, pa.large_string())


def _from_numpy_strings(values: np.ndarray) -> pa.Array:
    return pa.array(values.astype(object), type=pa.large_string())


def whole_cells(values: np.ndarray) -> np.ndarray:
    """Float cells holding a whole number that int64 keeps exactly (written as integers for
    people: ``52``, not ``52.0``)."""
    with np.errstate(invalid="ignore"):
        return np.isfinite(values) & (values == np.trunc(values)) & (np.abs(values) < 2**53)


def _float_text(values: np.ndarray, whole_numbers: bool = False) -> pa.Array:
    """Float64 cells as NumPy's ``astype(str)`` writes them; NaN as null. With
    ``whole_numbers``, a cell holding a whole number is written as the integer (``52``)."""
    arr = pa.array(values, from_pandas=True)  # NaN -> null, written empty
    text = pc.cast(arr, pa.large_string())
    finite = np.isfinite(values)
    with np.errstate(invalid="ignore"):
        tiny = (np.abs(values) < 1e-4) & (values != 0)
        whole = finite & (values == np.trunc(values))
    if whole_numbers:
        integral = whole_cells(values)
        if integral.any():
            digits = pc.cast(pa.array(values[integral].astype(np.int64)), pa.large_string())
            text = pc.replace_with_mask(text, pa.array(integral), digits)
            values = np.where(integral, np.nan, values)  # done: no NumPy layout, no ".0"
            finite, tiny, whole = finite & ~integral, tiny & ~integral, whole & ~integral
    has_exp = pc.fill_null(pc.match_substring(text, "e"), False).to_numpy(zero_copy_only=False)
    # NumPy's layout differs from Arrow's here: let NumPy format these (few) cells itself
    odd = (~finite & ~np.isnan(values)) | has_exp | tiny
    plain_whole = whole & ~odd
    if plain_whole.any():
        text = pc.if_else(
            pa.array(plain_whole), pc.binary_join_element_wise(text, _s(".0"), _s("")), text
        )
    if odd.any():
        text = pc.replace_with_mask(
            text, pa.array(odd), _from_numpy_strings(values[odd].astype(str))
        )
    return text


def _integer_text(arr: pa.Array) -> pa.Array:
    return pc.cast(arr, pa.large_string())


def _bool_text(arr: pa.Array) -> pa.Array:
    return pc.if_else(arr, _s("True"), _s("False"))


def _column_text(col: pd.Series, whole_numbers: bool = False) -> pa.Array | None:
    """The column's cells as text (null = empty), or None when only pandas knows the rule."""
    dtype = col.dtype
    if isinstance(dtype, np.dtype):
        if dtype == np.float64:
            return _float_text(col.to_numpy(), whole_numbers)
        if dtype.kind in "iu":
            return _integer_text(pa.array(col.to_numpy()))
        if dtype.kind == "b":
            return _bool_text(pa.array(col.to_numpy()))
        if dtype.kind == "O" and pd.api.types.infer_dtype(col, skipna=True) in ("string", "empty"):
            return pa.array(col.to_numpy(), type=pa.large_string(), from_pandas=True)
        return None
    if isinstance(dtype, pd.StringDtype):
        return pa.array(col, type=pa.large_string(), from_pandas=True)
    if isinstance(dtype, (pd.Int64Dtype, pd.Int32Dtype, pd.Int16Dtype, pd.Int8Dtype)):
        return _integer_text(pa.array(col.array))
    if isinstance(dtype, (pd.UInt64Dtype, pd.UInt32Dtype, pd.UInt16Dtype, pd.UInt8Dtype)):
        return _integer_text(pa.array(col.array))
    if isinstance(dtype, pd.BooleanDtype):
        return _bool_text(pa.array(col.array))
    return None


def _buffers(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """A large_string array's cell offsets and its UTF-8 bytes, as NumPy views (no copy)."""
    _, offsets_buf, data_buf = text.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=np.int64)[text.offset : text.offset + len(text) + 1]
    if data_buf is None or len(text) == 0:
        return offsets, np.zeros(0, dtype=np.uint8)
    return offsets, np.frombuffer(data_buf, dtype=np.uint8)


def _byte_table(characters: str) -> np.ndarray:
    table = np.zeros(256, dtype=bool)
    table[[ord(ch) for ch in characters]] = True
    return table


def _neutralise(text: pa.Array, dangerous: Callable[[str], bool], triggers: tuple[str, ...]):
    """Prefix ``'`` to the cells ``dangerous`` flags, looking only at cells starting a trigger."""
    offsets, data = _buffers(text)
    starts = offsets[:-1]
    nonempty = offsets[1:] > starts
    candidates = np.zeros(len(text), dtype=bool)
    if data.size and nonempty.any():
        first = np.zeros(len(text), dtype=np.uint8)
        first[nonempty] = data[starts[nonempty]]
        candidates = nonempty & _byte_table("".join(triggers))[first]
        if text.null_count:
            candidates &= text.is_valid().to_numpy(zero_copy_only=False)
    if not candidates.any():
        return text
    where = np.flatnonzero(candidates)
    cells = pc.take(text, pa.array(where)).to_pylist()
    hits = np.array([dangerous(c) for c in cells], dtype=bool)
    if not hits.any():
        return text
    mask = np.zeros(len(text), dtype=bool)
    mask[where[hits]] = True
    fixed = ["'" + c for c, hit in zip(cells, hits, strict=True) if hit]
    return pc.replace_with_mask(text, pa.array(mask), pa.array(fixed, pa.large_string()))


_QUOTED_BYTES = [ch.encode("ascii") for ch in _quoted_characters()]


def _quoted_bytes(data: np.ndarray) -> tuple[np.ndarray, bool]:
    """Where ``data`` (UTF-8 bytes) holds a character to quote, and whether one is a quote: a
    ``bytes.find`` per character rules out the usual column with none (memchr speed), else a
    comparison per character (several times quicker than a table look-up per byte, the same
    positions)."""
    raw = data.tobytes()
    found = [ch for ch in _QUOTED_BYTES if raw.find(ch) >= 0]
    if not found:
        return np.zeros(0, dtype=np.int64), False
    mask = data == found[0][0]
    for ch in found[1:]:
        mask |= data == ch[0]
    return np.flatnonzero(mask), b'"' in found


def _quote(text: pa.Array) -> pa.Array:
    """Quote the cells holding a delimiter, quote or line break, inner quotes doubled.

    The cells are found from the bytes themselves (each quoted character is ASCII, so a byte
    equal to one is that character, never part of another in UTF-8): one table look-up per
    byte instead of a regular expression per cell, and a column with nothing to quote (most
    of them) is left as it is. A few cells to quote are quoted alone; many, as a whole column.
    """
    offsets, data = _buffers(text)
    if not data.size:
        return text
    first, last = int(offsets[0]), int(offsets[-1])
    at, has_quotes = _quoted_bytes(data[first:last])
    if not at.size:
        return text
    needs = np.zeros(len(text), dtype=bool)
    needs[np.searchsorted(offsets, at + first, side="right") - 1] = True
    rows = np.flatnonzero(needs)
    cells = text if rows.size * 4 >= len(text) else pc.take(text, pa.array(rows))
    if has_quotes:  # else doubling them would copy the cells for nothing
        cells = pc.replace_substring(cells, '"', '""')
    quoted = pc.binary_join_element_wise(_s('"'), cells, _s('"'), _s(""))
    if rows.size == len(text):  # every cell quoted (a sentence column of commas)
        return quoted
    if len(cells) == len(text):
        return pc.if_else(pa.array(needs), quoted, text)
    return pc.replace_with_mask(text, pa.array(needs), quoted)


def _text_bytes(text: pa.Array) -> memoryview:
    """The cells of ``text`` back to back, read straight from Arrow's buffer (no copy)."""
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    text = text.cast(pa.large_string())
    if len(text) == 0:
        return memoryview(b"")
    offsets, _ = _buffers(text)
    return memoryview(text.buffers()[2])[int(offsets[0]) : int(offsets[-1])]


def csv_body_bytes(
    frame: pd.DataFrame,
    dangerous: Callable[[str], bool],
    triggers: tuple[str, ...],
    *,
    prefix: bytes = b"",
    whole_numbers: bool = False,
) -> bytes | None:
    """The frame as UTF-8 CSV bytes (header first, after ``prefix``: the caller's BOM), text
    cells neutralised with ``dangerous``; or None when a column or label needs pandas' own
    writer. The lines are joined in one pass and copied out once. ``whole_numbers``: a float
    cell holding a whole number is written as the integer (csv_out's rule for people)."""
    parts = csv_body_parts(frame, dangerous, triggers, prefix=prefix, whole_numbers=whole_numbers)
    return None if parts is None else b"".join(parts)


def csv_body_parts(
    frame: pd.DataFrame,
    dangerous: Callable[[str], bool],
    triggers: tuple[str, ...],
    *,
    prefix: bytes = b"",
    whole_numbers: bool = False,
    header: bool = True,
) -> list[bytes | memoryview] | None:
    """:func:`csv_body_bytes` as the pieces that, back to back, make it (the lines are a view
    of Arrow's buffer): a file is written from them without copying the body once more.
    Without ``header``, the lines only (a later part of a file written in parts)."""
    names = list(frame.columns)
    if not names or not all(isinstance(n, str) for n in names) or frame.columns.has_duplicates:
        return None
    if isinstance(frame.columns, pd.MultiIndex):
        return None
    columns = []
    for name in names:
        text = _column_text(frame[name], whole_numbers)
        if text is None:
            return None
        if isinstance(text, pa.ChunkedArray):
            text = text.combine_chunks()
        text = text.cast(pa.large_string())
        if pd.api.types.is_string_dtype(frame[name].dtype):  # text columns only, as csv_out
            text = _quote(_neutralise(text, dangerous, triggers))
        # numbers and booleans are written with digits, signs, ".", "e" and letters only:
        # never a delimiter, quote or line break, so never quoted
        columns.append(pc.fill_null(text, ""))
    header_line = pa.array(
        [",".join(_quote(pa.array(names, pa.large_string())).to_pylist())], pa.large_string()
    )
    if len(names) == 1:  # the csv module writes a row of one empty field as ""
        columns[0] = pc.if_else(pc.equal(columns[0], ""), _s('""'), columns[0])
        header_line = pc.if_else(pc.equal(header_line, ""), _s('""'), header_line)
    # "\n" ends each line: appended to the last column, so the join of the columns is the body
    columns[-1] = pc.binary_join_element_wise(columns[-1], _s(""), _s("\n"))
    lines = columns[0] if len(columns) == 1 else pc.binary_join_element_wise(*columns, _s(","))
    if not header:
        return [prefix, _text_bytes(lines)]
    return [prefix, _text_bytes(header_line), b"\n", _text_bytes(lines)]
